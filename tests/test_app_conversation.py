"""The compare screen as a conversation: each column keeps its own thread, turn after turn.
Providers are the loopback server (what each SUT was sent is read from its requests)."""

from __future__ import annotations

from typing import Any

import pytest
from test_app_support import (
    columns,
    fixed_catalog,
    isolated,
    new_app,
    send,
    settle,
    steady,
    wait_until,
)
from textual.pilot import Pilot

from sutui.screens.dialogs import ConfirmScreen

__all__ = ["isolated"]

KEY = {"SUTUI_VLLM__API_KEY": "ms-test-vllm-0006"}


def chat_uid(server: Any, model: str) -> str:
    return f"{model}:vllm:openai;url={server.url}/vllm/v1"


def sent_messages(server: Any, model: str) -> list[list[tuple[str, str]]]:
    """Every chat request's messages for `model`, as (role, content)."""
    return [
        [(m["role"], m["content"]) for m in r.body["messages"]]
        for r in server.requests
        if isinstance(r.body, dict) and r.body.get("model") == model
    ]


async def turn(pilot: Pilot[None], text: str) -> None:
    await send(pilot, text)
    await wait_until(pilot, lambda: not any(c.running for c in columns(pilot.app)))  # type: ignore[arg-type]
    await settle(pilot)


async def test_a_second_turn_sends_each_column_its_own_thread(provider_server: Any) -> None:
    app = new_app([chat_uid(provider_server, "model-a"), "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        app.compare.set_system("Be brief.")
        await turn(pilot, "Why is the sky blue?")
        await turn(pilot, "What was my previous question?")
        first, echo = columns(app)
        assert [c.status for c in (first, echo)] == ["done", "done"]
        assert sent_messages(provider_server, "model-a")[-1] == [
            ("system", "Be brief."),
            ("user", "Why is the sky blue?"),
            ("assistant", "Echo: Why is the sky blue?"),
            ("user", "What was my previous question?"),
        ]
        assert first.answer.past_turns == 1 and first.question == "What was my previous question?"
        assert first.text == "Echo: What was my previous question?"
        talk = app.compare.threads.conversation
        assert talk is not None and [t.text for t in talk.turns] == [
            "Why is the sky blue?",
            "What was my previous question?",
        ]
        assert talk.turns[0].answers[echo.key].text == "Why is the sky blue?"  # its own
        assert app.compare.editor.text == ""


async def test_retry_replaces_the_last_answer_only(provider_server: Any) -> None:
    app = new_app([chat_uid(provider_server, "model-r")], environ=KEY)
    async with app.run_test(size=(100, 30)) as pilot:
        await turn(pilot, "one")
        await turn(pilot, "two")
        (column,) = columns(app)
        column.focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: not column.running)
        await settle(pilot)
        sent = sent_messages(provider_server, "model-r")
        assert len(sent) == 3 and sent[2] == sent[1]  # the same thread again
        assert column.answer.past_turns == 1 and column.question == "two"
        talk = app.compare.threads.conversation
        assert talk is not None and len(talk.turns) == 2


async def test_a_column_without_a_whole_answer_is_asked_about_first(
    provider_server: Any,
) -> None:
    app = new_app([chat_uid(provider_server, "model-g"), "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        provider_server.queue_fault("422")
        await turn(pilot, "q1")
        failed, echo = columns(app)
        assert failed.status == "error" and echo.status == "done"
        app.compare.editor.text = "q2"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "model-g" in str(app.screen.question)
        await pilot.press("n")  # retry it first: nothing is sent
        await settle(pilot)
        assert len(sent_messages(provider_server, "model-g")) == 1
        assert app.compare.editor.text == "q2"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        await settle(pilot)
        assert sent_messages(provider_server, "model-g")[-1] == [("user", "q1\n\nq2")]
        notes = str(failed.answer.query_one(".notes").render())
        assert "sent without an answer: turn 1" in notes
        assert echo.answer.past_turns == 1  # the echo went on from its own answer


async def test_new_conversation_clears_the_threads_and_keeps_the_columns(
    provider_server: Any,
) -> None:
    app = new_app([chat_uid(provider_server, "model-n"), "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "q1")
        await turn(pilot, "q2")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert [c.uid for c in columns(app)][1] == "demo_echo"
        assert all(c.answer.past_turns == 0 and c.text == "" for c in columns(app))
        assert all(c.status == "idle" for c in columns(app))
        await turn(pilot, "fresh")
        assert sent_messages(provider_server, "model-n")[-1] == [("user", "fresh")]


async def test_a_column_added_later_is_sent_the_shared_questions_with_a_note(
    provider_server: Any,
) -> None:
    app = new_app(["demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "q1")
        late = app.compare.add_column(chat_uid(provider_server, "model-late"), remember=False)
        await pilot.pause()
        said = str(late.answer.query_one(".notes").render())
        assert "joins this conversation at turn 2" in said and "without answers" in said
        await turn(pilot, "q2")
        assert sent_messages(provider_server, "model-late") == [[("user", "q1\n\nq2")]]
        notes = str(late.answer.query_one(".notes").render())
        assert "joined at turn 2" in notes and "turn 1" in notes


async def test_a_text_only_sut_is_told_to_start_a_new_conversation(
    provider_server: Any,
) -> None:
    from drivers.registry import DYNAMIC_SUT_FACTORIES, DriverRegistry
    from drivers.secret_store import SecretStore
    from sutui.app import make_app
    from sutui.settings import Settings

    tgi = f"gpt2:local:hf;url={provider_server.url}/tgi;api=generate"
    names = ("demo", "hf")
    registry = DriverRegistry(
        builtins={n: DYNAMIC_SUT_FACTORIES[n] for n in names}, group="sutui.tests.no-plugins"
    )
    from provider_server import KEYS

    store = SecretStore(
        environ={"SUTUI_HUGGING_FACE__TOKEN": KEYS["tgi"] or "x"},
        search_file=False,
        use_keyring=False,
    )
    app = make_app(store=store, catalog=fixed_catalog(), registry=registry,
                   settings=Settings(show_timings=False), suts=[tgi, "demo_echo"])  # fmt: skip
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "q1")
        text_only, echo = columns(app)
        assert text_only.status == "done"
        await turn(pilot, "q2")
        assert text_only.status == "error" and echo.status == "done"
        problem = str(text_only.answer.query_one(".problem").render())
        assert "takes a text prompt only" in problem
        assert "start a new conversation (ctrl+f) or remove this column" in problem
        tgi_calls = [r for r in provider_server.requests if "/tgi" in r.path and r.method == "POST"]
        assert len(tgi_calls) == 1  # nothing sent for the second turn


@pytest.mark.parametrize("size", [(120, 40), (70, 30)], ids=["wide", "narrow"])
def test_snapshot_a_three_turn_conversation(snap_compare: Any, size: tuple[int, int]) -> None:
    from test_app_support import no_blink

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        no_blink(pilot)
        for text in ("Why is the sky blue?", "And at sunset?", "Say it in one word."):
            await turn(pilot, text)
        pilot.app.set_focus(None)
        await steady(pilot)

    app = new_app(["demo_yes_no", "demo_echo", "demo_always_sorry"], environ=KEY)
    assert snap_compare(app, run_before=run_before, terminal_size=size)


def test_snapshot_an_edited_question_forks_the_conversation(snap_compare: Any) -> None:
    """Three turns, then question 2 edited and sent: every column shows turn 1 and the edited
    turn 2 (turn 3 left them; the history keeps it)."""
    from test_app_support import no_blink

    from sutui.screens.dialogs import PickScreen

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        no_blink(pilot)
        for text in ("Why is the sky blue?", "And at sunset?", "Say it in one word."):
            await turn(pilot, text)
        columns(pilot.app)[1].focus()  # type: ignore[arg-type]
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickScreen))
        await pilot.press("down", "enter")
        await pilot.pause()
        pilot.app.compare.editor.text = "And at noon?"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not any(c.running for c in columns(pilot.app)))  # type: ignore[arg-type]
        await settle(pilot)
        pilot.app.clear_notifications()  # "Editing question 2" would time out on a slow run
        pilot.app.set_focus(None)
        await steady(pilot)

    app = new_app(["demo_yes_no", "demo_echo", "demo_always_sorry"], environ=KEY)
    assert snap_compare(app, run_before=run_before, terminal_size=(120, 40))


async def test_an_answer_used_for_all_is_every_columns_next_context(
    provider_server: Any,
) -> None:
    app = new_app([chat_uid(provider_server, "model-x"), "demo_always_sorry"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "Name a colour.")
        chat, sorry = columns(app)
        chat.focus()
        await pilot.press("a")
        await pilot.pause()
        assert chat.border_subtitle == "used for all"
        await turn(pilot, "Why that one?")
        assert sent_messages(provider_server, "model-x")[-1][1] == (
            "assistant",
            "Echo: Name a colour.",
        )
        talk = app.compare.threads.conversation
        assert talk is not None and talk.turns[0].for_all == chat.key
        notes = str(sorry.answer.query_one(".notes").render())
        assert "answer to turn 1 (used for all)" in notes
        sorry.focus()
        await pilot.press("a")  # another whole answer to the latest turn: it is used now
        await pilot.pause()
        assert talk.turns[1].for_all == sorry.key


async def test_editing_an_earlier_question_forks_the_conversation(provider_server: Any) -> None:
    from sutui.screens.dialogs import PickScreen

    app = new_app([chat_uid(provider_server, "model-f"), "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        for text in ("q1", "q2", "q3"):
            await turn(pilot, text)
        chat, echo = columns(app)
        chat.focus()
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "enter")  # question 2
        await pilot.pause()
        editor = app.compare.editor
        assert editor.text == "q2" and "editing question 2" in editor.title
        editor.text = "q2, edited"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        await settle(pilot)
        assert sent_messages(provider_server, "model-f")[-1] == [
            ("user", "q1"),
            ("assistant", "Echo: q1"),
            ("user", "q2, edited"),
        ]
        assert [c.answer.past_turns for c in (chat, echo)] == [1, 1]
        assert echo.question == "q2, edited" and echo.text == "q2, edited"
        talk = app.compare.threads.conversation
        assert talk is not None and [t.text for t in talk.turns] == ["q1", "q2, edited"]
        assert editor.title == "prompt"


async def test_a_thread_that_may_not_fit_the_known_context_is_warned_before_sending(
    provider_server: Any,
) -> None:
    from drivers import model_cache
    from drivers.model_listing import ListedModel, ModelList, key_values, now_iso
    from drivers.registry import make_sut

    uid = chat_uid(provider_server, "model-c")
    sut = make_sut(uid, {"vllm": {"api_key": KEY["SUTUI_VLLM__API_KEY"]}})
    source = sut.model_source  # type: ignore[attr-defined]
    listed = ModelList(source.definition, (ListedModel("model-c", context_length=40),), now_iso())
    model_cache.save(listed, key_values(source.definition, source.factory))
    app = new_app([uid], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "short")
        (column,) = columns(app)
        assert not column.answer.query(".notes")
        await turn(pilot, "a long follow-up " * 12)
        notes = str(column.answer.query_one(".notes").render())
        assert "tokens (an estimate)" in notes and "context is 40" in notes
        assert column.status == "done"  # a warning: the send went


async def test_a_long_conversation_folds_its_oldest_turns_and_shows_them_again() -> None:
    """Past SHOWN_PAST earlier turns a column keeps the older ones as text, says how many
    above the first drawn one, and draws them again when scrolled up past its top; an edit
    before them drops them as it drops drawn ones."""
    from sutui.widgets.answer_view import SHOWN_PAST, Folded, PastTurn

    app = new_app(["demo_echo"], environ=KEY)
    async with app.run_test(size=(100, 30)) as pilot:
        for number in range(SHOWN_PAST + 3):
            await turn(pilot, f"question {number + 1}")
        (column,) = columns(app)
        body = column.answer
        drawn = list(body.query(PastTurn).results(PastTurn))
        assert len(drawn) == SHOWN_PAST and body.past_turns == SHOWN_PAST + 2
        assert drawn[0].turn == 2  # turns 0 and 1 are folded
        label = body.query_one(Folded)
        assert "2 earlier turns: scroll up or click to show them" in str(label.render())
        column.focus()
        body.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("up")  # at the top already: the folded turns are drawn
        await settle(pilot)
        assert [p.turn for p in body.query(PastTurn).results(PastTurn)][:3] == [0, 1, 2]
        assert label.has_class("-empty") and body.past_turns == SHOWN_PAST + 2
        await turn(pilot, "one more")  # a new turn folds down to SHOWN_PAST again
        assert len(body.query(PastTurn)) == SHOWN_PAST and body.past_turns == SHOWN_PAST + 3
        app.compare.threads.edit(1)
        await pilot.pause()
        await turn(pilot, "question 2, edited")
        assert body.past_turns == 1 and label.has_class("-empty")
        assert [p.turn for p in body.query(PastTurn).results(PastTurn)] == [0]
