"""The compare screen's conversations in the history: each send is a turn of one conversation
(threads named once, the answer used for all, an edited question a branch), and a saved
conversation reopened from the history (t) goes on in the compare screen as its next turn.
Providers are the loopback server; the history is the test's own database."""

from __future__ import annotations

from typing import Any

from test_app_conversation import KEY, chat_uid, sent_messages, turn
from test_app_support import columns, isolated, new_app, settle, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable

from sutui.history.store import HistoryStore, StoredRun
from sutui.screens.dialogs import ConfirmScreen, PickScreen
from sutui.screens.history import HistoryScreen

__all__ = ["isolated"]


def saved_runs() -> list[StoredRun]:
    """Every run saved, by id (the tests delete none)."""
    with HistoryStore() as store:
        found = []
        run_id = 1
        while (run := store.run(run_id)) is not None:
            found.append(run)
            run_id += 1
        return found


async def history_list(pilot: Pilot[None]) -> HistoryScreen:
    """f7, the runs read, ↓ to the list (the history opens in its search box)."""
    await pilot.press("f7")
    await settle(pilot)
    history = pilot.app.screen
    assert isinstance(history, HistoryScreen)
    await wait_until(pilot, lambda: history.loaded)
    await pilot.press("down")
    return history


async def edit_question(pilot: Pilot[None], number: int, text: str) -> None:
    """`e` in the focused column, question `number` (1-based) picked, `text` sent."""
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickScreen))
    for _ in range(number - 1):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    pilot.app.compare.editor.text = text  # type: ignore[attr-defined]
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: not any(c.running for c in columns(pilot.app)))  # type: ignore[arg-type]
    await settle(pilot)


async def test_the_turns_of_the_compare_screen_are_one_conversation_in_the_history(
    provider_server: Any,
) -> None:
    chat = chat_uid(provider_server, "model-h")
    app = new_app([chat, "demo_echo", "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "q1")
        await turn(pilot, "q2")
        first, _echo, echo2 = columns(app)
        echo2.focus()
        await pilot.press("a")  # the second echo's answer to q2 is used for all
        await pilot.pause()
        await turn(pilot, "q3")
        first.focus()
        await edit_question(pilot, 2, "q2, edited")
    one, two, three, edited = saved_runs()
    assert [r.conversation_id for r in (one, two, three, edited)] == [one.id] * 4
    assert [(r.turn, r.previous_id, r.branch_of) for r in (one, two, three, edited)] == [
        (0, None, None),
        (1, one.id, None),
        (2, two.id, None),
        (1, one.id, two.id),
    ]
    # Threads are named once, by the SUT as the user named it; a repeat is `#2`.
    for run in (one, two, three, edited):
        assert [a.thread for a in run.answers] == [chat, "demo_echo", "demo_echo#2"]
    assert two.for_all == "demo_echo#2" and three.for_all is None
    # The history rebuilds what each thread was sent from these facts, as the screen sent it.
    with HistoryStore() as store:
        branch = store.conversation(three.id)
    assert [r.id for r in branch or []] == [one.id, two.id, three.id]
    assert sent_messages(provider_server, "model-h")[2] == [
        ("user", "q1"),
        ("assistant", "Echo: q1"),
        ("user", "q2"),
        ("assistant", "q2"),  # the answer used for all: the second echo's
        ("user", "q3"),
    ]


async def test_a_saved_conversation_goes_on_in_the_compare_screen(provider_server: Any) -> None:
    chat = chat_uid(provider_server, "model-t")
    first_app = new_app([chat, "demo_echo"], environ=KEY)
    async with first_app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "Why is the sky blue?")
        await turn(pilot, "And at sunset?")
    one, two = saved_runs()

    app = new_app(["demo_yes_no"], environ=KEY)  # another SUT on the screen: asked first
    async with app.run_test(size=(120, 36)) as pilot:
        history = await history_list(pilot)
        history.query_one(DataTable).move_cursor(row=0)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "replaces the compare screen's 1 column" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_until(pilot, lambda: [c.uid for c in columns(app)] == [chat, "demo_echo"])
        await settle(pilot)
        shown, echo = columns(app)
        assert [c.answer.past_turns for c in (shown, echo)] == [2, 2]
        past = [str(p.render()) for p in echo.answer.query(".past-turn")]
        assert "\u203a Why is the sky blue?" in past[0] and "✓ done" in past[0]
        assert "And at sunset?" in past[1]
        await turn(pilot, "And at night?")
        assert [c.status for c in (shown, echo)] == ["done", "done"]
        assert echo.answer.past_turns == 2 and echo.question == "And at night?"
    assert sent_messages(provider_server, "model-t")[-1] == [
        ("user", "Why is the sky blue?"),
        ("assistant", "Echo: Why is the sky blue?"),
        ("user", "And at sunset?"),
        ("assistant", "Echo: And at sunset?"),
        ("user", "And at night?"),
    ]
    *_, three = saved_runs()
    assert (three.conversation_id, three.turn, three.previous_id) == (one.id, 2, two.id)
    assert [a.thread for a in three.answers] == [chat, "demo_echo"]


async def test_an_earlier_turn_of_a_reopened_conversation_can_be_edited(
    provider_server: Any,
) -> None:
    """The branch an edit makes names the reopened run it replaces; a column added after
    reopening gets a thread name of its own (not one of the saved threads')."""
    first_app = new_app(["demo_echo"], environ=KEY)
    async with first_app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "a")
        await turn(pilot, "b")
    one, two = saved_runs()
    app = new_app([], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await history_list(pilot)
        await pilot.press("t")  # no column on the screen: nothing to ask
        await wait_until(pilot, lambda: len(columns(app)) == 1)
        await settle(pilot)
        app.compare.add_column("demo_echo")
        await settle(pilot)
        old = columns(app)[0]
        old.focus()
        await edit_question(pilot, 2, "b, edited")
        assert old.answer.past_turns == 1 and old.text == "b, edited"
    *_, edited = saved_runs()
    assert (edited.turn, edited.previous_id, edited.branch_of) == (1, one.id, two.id)
    assert [a.thread for a in edited.answers] == ["demo_echo", "demo_echo#2"]


async def test_rerunning_a_later_turn_sends_its_thread_as_a_new_branch(
    provider_server: Any,
) -> None:
    """As `sutui history rerun` does: the question of turn 2 again, each SUT sent its thread
    as it stood before turn 2, saved as a branch beside run 2 (not a new conversation)."""
    from sutui.messages import RerunRequested

    chat = chat_uid(provider_server, "model-b")
    app = new_app([chat, "demo_echo"], environ=KEY)
    async with app.run_test(size=(120, 36)) as pilot:
        await turn(pilot, "q1")
        provider_server.queue_fault("422")
        await turn(pilot, "q2")
        chat_column = columns(app)[0]
        assert chat_column.status == "error"
        one, two = saved_runs()
        app.post_message(RerunRequested(two, only_failed=True))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Re-run the failed answers of turn 2 of run 2" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_until(pilot, lambda: len(sent_messages(provider_server, "model-b")) == 3)
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        await settle(pilot)
        (column,) = columns(app)
        assert column.uid == chat and column.status == "done"
        assert column.answer.past_turns == 1 and column.question == "q2"
    assert sent_messages(provider_server, "model-b")[-1] == [
        ("user", "q1"),
        ("assistant", "Echo: q1"),
        ("user", "q2"),
    ]
    *_, again = saved_runs()
    assert (again.turn, again.previous_id, again.branch_of, again.parent_id) == (
        1, one.id, two.id, two.id,
    )  # fmt: skip
    assert [a.thread for a in again.answers] == [chat]
