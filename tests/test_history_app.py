"""The history in the app: every send saved as it happens (retry replaces one answer, quitting
mid-stream keeps a partial one), and the history screens: list with search, a run read-only,
re-run (all or only the failed), copy as Markdown, delete; snapshots of both screens."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app_support import columns, isolated, new_app, no_blink, send, settle, steady, wait_until
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, TextArea

from sutui.app import SutuiApp
from sutui.history.store import HistoryStore, Planned, StoredRun
from sutui.records import RecordTimings, RecordUsage, ResultRecord
from sutui.screens.dialogs import ChoiceScreen, ConfirmScreen
from sutui.screens.history import HistoryScreen
from sutui.screens.history_export import ExportScreen
from sutui.screens.history_run import AnswerPanel, HistoryRunScreen

__all__ = ["isolated"]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times are shown in local time: UTC here, so snapshots are the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def saved(run_id: int | None = None) -> StoredRun:
    with HistoryStore() as store:
        found = store.run(run_id or store.last_id() or 0)
    assert found is not None
    return found


def run_count() -> int:
    with HistoryStore() as store:
        return len(store.runs())


def seed_runs() -> None:
    """Two runs at fixed times: one fine, one with a failed and a partial answer."""
    with HistoryStore() as store:
        first = store.begin_run(
            prompt="Why is the sky blue?", system=None, options={},
            suts=[Planned("demo_yes_no", "yes_no:demo"), Planned("demo_echo", "echo:demo")],
            origin="cli", started_at="2026-11-20T09:15:00.000Z",
        )  # fmt: skip
        for index, text in enumerate(["No", "Why is the sky blue?"]):
            store.finish(ResultRecord(
                run_id=str(first), index=index, sut="-", prompt="-", status="done", text=text,
                finish_reason="stop", usage=RecordUsage(prompt_tokens=5, completion_tokens=1),
                timings=RecordTimings(first_token_s=0.04, total_s=0.05),
            ))  # fmt: skip
        second = store.begin_run(
            prompt="Write a [bold]haiku[/bold] about rain", system="Be terse.",
            options={"max_tokens": 40},
            suts=[Planned("demo_always_sorry", "always_sorry:demo", {"max_tokens": 40}),
                  Planned("demo_random_words", "random_words:demo", {"max_tokens": 40}),
                  Planned("demo_echo", "echo:demo", {"max_tokens": 40})],
            origin="app", started_at="2026-11-21T14:30:00.000Z",
        )  # fmt: skip
        store.finish(ResultRecord(
            run_id=str(second), index=0, sut="-", prompt="-", status="done",
            text="Sorry, I can't help with that.", options={"max_tokens": 40},
        ))  # fmt: skip
        store.finish(ResultRecord(
            run_id=str(second), index=1, sut="-", prompt="-", status="failed",
            options={"max_tokens": 40},
            error={"kind": "auth", "message": "missing secret demo/api_key",
                   "hint": "set it with `sutui secrets setup demo_random_words`."},
        ))  # fmt: skip
        store.stop_running(second, {2: "Write a [bold]haiku"})


async def open_history(pilot: Pilot[None], to_list: bool = True) -> HistoryScreen:
    """f7; the history opens in its search box, and (`to_list`) ↓ goes to the list."""
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    assert isinstance(pilot.app.focused, Input)
    if to_list:
        await pilot.press("down")
        assert isinstance(pilot.app.focused, DataTable)
    return screen


# ----- saving what the compare screen runs -------------------------------------------------------
async def test_a_send_is_saved_with_every_answer_and_a_retry_replaces_one() -> None:
    app = new_app(["demo_yes_no", "demo_echo", "demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.compare.set_system("be brief")
        await send(pilot, "one two [b]three[/b]")
        run = saved()
        assert run.origin == "app" and run.prompt == "one two [b]three[/b]"
        assert run.system == "be brief" and run.running == frozenset()
        assert [(a.sut, a.uid, a.status) for a in run.answers] == [
            ("demo_yes_no", "yes_no:demo", "done"),
            ("demo_echo", "echo:demo", "done"),
            ("demo_echo#2", "echo:demo", "done"),
        ]
        assert [a.text for a in run.answers] == [c.text for c in columns(app)]
        assert run.answers[1].usage == RecordUsage(prompt_tokens=5, completion_tokens=3)  # + system
        assert app.compare.recording.run_id == run.id
        columns(app)[0].focus()
        await pilot.press("r")
        await settle(pilot)
        assert run_count() == 1  # a retry stays in its run
        assert saved(run.id).answers[0].status == "done"


async def test_quitting_mid_stream_keeps_the_answer_as_partial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.05")
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.compare.editor.text = " ".join(["word"] * 300)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: columns(app)[0].text.count("word") > 2, tries=1000)
        shown = columns(app)[0].text
    (answer,) = saved().answers
    assert answer.status == "partial" and answer.text.startswith(shown)


async def test_an_error_column_is_saved_with_its_classified_error() -> None:
    app = new_app(["demo_random_words"])  # needs a key the test does not give
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (answer,) = saved().answers
        assert answer.status == "failed" and answer.error is not None
        assert answer.error["kind"] == "auth" or "secret" in answer.error["message"]


APP_RUN = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from test_app_support import new_app

async def main():
    app = new_app(["yes_no:demo;delay=0", "echo:demo;delay=0.05"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.compare.editor.text = {prompt!r}
        await pilot.press("ctrl+s")
        await asyncio.sleep(600)  # killed long before

asyncio.run(main())
"""


def test_the_app_killed_mid_stream_keeps_the_finished_column_and_the_partial_one() -> None:
    """kill -9 of the app while one column streams: the finished column is in the history,
    the streaming one is partial with the text saved before the kill."""
    prompt = " ".join(f"word{i}" for i in range(400))
    tests = str(Path(__file__).resolve().parent)
    env = {k: v for k, v in os.environ.items() if k != "SUTUI_DEMO_DELAY"}
    script = APP_RUN.format(tests=tests, prompt=prompt)
    process = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 120
        while True:  # until one column is saved done and the other has saved some text
            assert process.poll() is None, "the app ended before it could be killed"
            assert time.monotonic() < deadline, "the app never saved both columns"
            with HistoryStore() as store:
                run = store.run(1)
            if run and run.answers[0].status == "done" and run.answers[1].text:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    run = saved(1)
    done, cut = run.answers
    assert (done.sut, done.status, done.text) == ("yes_no:demo;delay=0", "done", "Yes")
    assert cut.status == "partial" and prompt.startswith(cut.text) and cut.text != prompt


# ----- the history screens -----------------------------------------------------------------------
async def test_list_searches_opens_a_run_read_only_and_copies_it(utc: None) -> None:
    seed_runs()
    app = new_app()
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await open_history(pilot)
        table = screen.query_one(DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["2", "1"]
        await pilot.press("slash", *"sky")
        await settle(pilot)
        assert table.row_count == 1 and screen.current == 1
        await pilot.press("enter", "enter")  # to the table, then open
        await settle(pilot)
        assert isinstance(app.screen, HistoryRunScreen)
        panels = list(app.screen.query(AnswerPanel))
        assert [p.answer.sut for p in panels] == ["demo_yes_no", "demo_echo"]
        await pilot.press("c")
        assert app.clipboard.startswith("## Run 1 · 2026-11-20 09:15")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)


async def test_the_history_opens_in_its_search_and_a_typed_word_re_runs_nothing() -> None:
    """Typing "story" at once searches: its r is a letter, not a re-run (which asks first
    anyway); the list's keys leave the footer while the search has the focus."""
    seed_runs()
    app = new_app()
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await open_history(pilot, to_list=False)
        shown = [b.binding.description for b in app.active_bindings.values() if b.enabled]
        assert "Re-run" not in shown
        await pilot.press(*"story")
        await settle(pilot)
        assert screen.query_one("#search", Input).value == "story"
        assert app.screen is screen and run_count() == 2
        await pilot.press("enter")  # to the list: its keys are back
        await pilot.pause()
        assert isinstance(app.focused, DataTable)
        shown = [b.binding.description for b in app.active_bindings.values() if b.enabled]
        assert "Re-run" in shown


async def test_rerun_only_the_failed_from_the_history() -> None:
    seed_runs()
    app = new_app(["demo_yes_no"])
    async with app.run_test(size=(110, 30)) as pilot:
        await open_history(pilot)
        await pilot.press("f")  # run 2 is first: its failed and partial answers
        await settle(pilot)
        assert "demo_random_words, demo_echo). That is 2 requests" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)  # demo_yes_no is not one of its SUTs
        await pilot.press("r")  # replace it
        await settle(pilot)
        assert app.screen is app.compare
        assert [c.uid for c in columns(app)] == ["demo_random_words", "demo_echo"]
        assert (columns(app)[0].question or "").startswith("Write a [bold]")  # sent: in the column
        assert app.compare.system_text == "Be terse."
        assert app.compare.query_one("#system", TextArea).display  # shown: it will be sent
        assert app.compare.shared.max_tokens == 40
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        await settle(pilot)
        again = saved()
        assert again.id == 3 and again.parent_id == 2
        assert [a.status for a in again.answers] == ["failed", "done"]
        assert again.answers[1].options == {"max_tokens": 40}


async def test_rerun_all_from_a_run_and_delete_with_confirmation() -> None:
    seed_runs()
    app = new_app()
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("down", "d")  # run 1
        await pilot.pause()
        await pilot.press("n")  # kept
        await settle(pilot)
        assert run_count() == 2
        await pilot.press("d", "y")
        await settle(pilot)
        assert run_count() == 1 and screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")  # the saved run's r asks too; n sends nothing
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "3 requests" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, HistoryRunScreen) and run_count() == 1
        await pilot.press("r", "y")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)  # the three start columns are other SUTs
        await pilot.click("#choice-replace")
        await settle(pilot)
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        assert [c.uid for c in columns(app)] == [
            "demo_always_sorry", "demo_random_words", "demo_echo",
        ]  # fmt: skip
        await settle(pilot)
        assert saved().parent_id == 2 and run_count() == 2


async def test_a_rerun_asks_and_beside_sends_only_to_the_runs_suts() -> None:
    """Re-running run 1 (demo_yes_no, demo_echo) over a column of another SUT asks; esc keeps
    all as it is; b adds the run's SUTs on the right and sends them its prompt only: the column
    of before keeps its answer and its conversation, which the new columns join at the next
    send."""
    seed_runs()
    app = new_app(["demo_always_angry"])
    async with app.run_test(size=(110, 30)) as pilot:
        await send(pilot, "one two three")
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        (angry,) = columns(app)
        before = angry.text
        assert before and saved().id == 3
        await open_history(pilot)
        await pilot.press("down", "down", "r", "y")  # run 1 (newest first: 3, 2, 1)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        assert "run 1: demo_yes_no, demo_echo" in dialog.question
        assert "1 column: demo_always_angry" in dialog.detail
        labels = [str(b.label) for b in dialog.query(Button)]
        assert labels == ["Replace the current column (r)", "Open beside them (b)",
                          "Cancel (esc)"]  # fmt: skip
        await pilot.press("escape")
        await settle(pilot)
        assert columns(app) == [angry] and run_count() == 3
        await open_history(pilot)
        await pilot.press("down", "down", "r", "y")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is app.compare
        await wait_until(pilot, lambda: len(columns(app)) == 3)
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        await settle(pilot)
        kept, yes_no, echo = columns(app)
        assert kept is angry and angry.text == before and angry.question == "one two three"
        assert [yes_no.uid, echo.uid] == ["demo_yes_no", "demo_echo"]
        assert echo.question == "Why is the sky blue?" and echo.text == "Why is the sky blue?"
        assert "re-run of run 1" in echo.send_notes[0]
        again = saved()
        assert again.id == 4 and again.parent_id == 1 and again.prompt == "Why is the sky blue?"
        assert [a.sut for a in again.answers] == ["demo_yes_no", "demo_echo"]
        await send(pilot, "and now?")  # the conversation goes on, in all three
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        assert all(c.question == "and now?" for c in columns(app))
        assert "joined at turn 2" in echo.send_notes[0]
        assert not any("joined" in n for n in angry.send_notes)


async def test_a_rerun_of_the_same_suts_asks_only_about_the_cost() -> None:
    seed_runs()
    app = new_app(["demo_yes_no", "demo_echo"])
    async with app.run_test(size=(110, 30)) as pilot:
        first = columns(app)[0]
        await open_history(pilot)
        await pilot.press("down", "r", "y")  # run 1: the same SUTs
        await settle(pilot)
        assert app.screen is app.compare
        await wait_until(pilot, lambda: first not in columns(app))
        await wait_until(pilot, lambda: not any(c.running for c in columns(app)))
        assert [c.uid for c in columns(app)] == ["demo_yes_no", "demo_echo"]
        assert columns(app)[1].text == "Why is the sky blue?"


async def test_export_the_runs_listed_and_one_run_to_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is asked for (first the documents folder, never the directory sutui was
    started from; then the last one used, remembered in the settings), and the message after
    writing gives the full path."""
    seed_runs()
    home, started_in, chosen = tmp_path / "home", tmp_path / "cwd", tmp_path / "exports"
    for folder in (home / "Documents", started_in, chosen):
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.chdir(started_in)
    app = new_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await open_history(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        folder = app.screen.query_one("#folder", Input)
        assert folder.value == str(home / "Documents")
        path = app.screen.query_one("#path", Input)
        assert path.has_focus
        path.value = "runs.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert "End the file name with .md" in str(app.screen.query_one("#problem").render())
        folder.value = str(chosen)
        path.value = "runs.csv"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        rows = list(csv.DictReader(io.StringIO((chosen / "runs.csv").read_text())))
        assert [(r["run_id"], r["status"]) for r in rows] == [
            ("1", "done"), ("1", "done"), ("2", "done"), ("2", "failed"), ("2", "partial"),
        ]  # fmt: skip
        notes = [str(n.message) for n in app._notifications]
        assert f"Exported 2 runs to {chosen / 'runs.csv'}." in notes, notes
        assert app.services.settings.export_dir == str(chosen)
        await pilot.press("enter")  # run 2, read-only
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#folder", Input).value == str(chosen)  # the last one
        assert app.screen.query_one("#path", Input).value == "sutui-run-2.md"
        await pilot.press("enter")
        await settle(pilot)
        text = (chosen / "sutui-run-2.md").read_text()
        assert text.startswith("## Run 2 · ") and "**Error**: auth: missing secret" in text
        assert not list(started_in.iterdir())


# ----- looks -------------------------------------------------------------------------------------
def test_snapshot_history(snap_compare: Any, utc: None) -> None:
    seed_runs()

    async def run_before(pilot: Pilot[None]) -> None:
        await open_history(pilot, to_list=False)  # as it opens: in its search box
        no_blink(pilot)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(110, 14))


def test_snapshot_history_run(snap_compare: Any, utc: None) -> None:
    seed_runs()

    async def run_before(pilot: Pilot[None]) -> None:
        await open_history(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app, SutuiApp)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(110, 24))


async def test_a_conversation_is_one_row_and_t_goes_on_with_it_in_compare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list shows a conversation once (its latest turn, `· 2 turns`); t posts
    ContinueConversation with its threads for the compare screen (which asks first: it holds
    other columns); d deletes every turn."""
    from sutui.messages import ContinueConversation

    seed_runs()
    with HistoryStore() as store:
        second = store.begin_run(
            prompt="And in winter?", system=None, options={},
            suts=[Planned("demo_yes_no", "yes_no:demo"), Planned("demo_echo", "echo:demo")],
            origin="cli", previous_id=1,
        )  # fmt: skip
    posted: list[ContinueConversation] = []
    monkeypatch.setattr(SutuiApp, "on_continue_conversation",
                        lambda self, message: posted.append(message), raising=False)  # fmt: skip
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: screen.loaded)
        assert [(r.id, r.turns_text) for r in screen.runs] == [(second, "2 turns"), (2, "")]
        table = screen.query_one(DataTable)
        assert "And in winter? · 2 turns" in str(table.get_row_at(0)[2])
        table.move_cursor(row=0)
        await pilot.press("t")
        await wait_until(pilot, lambda: bool(posted))
        (message,) = posted
        assert message.run_id == second
        resumed = message.resumed
        assert [t.key for t in resumed.threads] == ["demo_yes_no", "demo_echo"]
        assert [t.sut for t in resumed.threads] == ["demo_yes_no", "demo_echo"]
        assert [turn.text for turn in resumed.conversation.turns] == [
            "Why is the sky blue?", "And in winter?",
        ]  # fmt: skip
        assert resumed.conversation.turns[0].answers["demo_echo"].text == "Why is the sky blue?"
        # The compare screen (sutui/screens/compare_resume.py) asks before replacing its columns.
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        screen = await open_history(pilot)
        await wait_until(pilot, lambda: screen.loaded)
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("d")
        await settle(pilot)
        assert "Delete the conversation (run 1, 3)" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.loaded)
        assert [r.id for r in screen.runs] == [2]
