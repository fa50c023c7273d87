"""The batch screen: a prompt file on the compare screen's SUTs, progress, results, one record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_app_support import columns, isolated, new_app, steady, wait_until
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Static

from drivers.options import SUTOptions
from sutui.screens.batch import BatchScreen, default_out
from sutui.screens.batch_results import RecordScreen, ResultsScreen
from sutui.widgets.footer import Footer

__all__ = ["isolated"]


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")


def prompt_file(tmp_path: Path) -> Path:
    path = tmp_path / "p.jsonl"
    rows = [
        {"id": "q1", "prompt": "hello there"},
        {"id": "q2", "prompt": "one two three", "system": "be brief"},
        {"id": "q3", "prompt": "Why did the chicken cross the road?"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    return path


async def start_batch(pilot: Pilot[None], prompts: Path, out: Path) -> BatchScreen:
    app = pilot.app
    app.action_view("batch")  # type: ignore[attr-defined]
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, BatchScreen)
    screen.query_one("#batch-prompts", Input).value = str(prompts)
    screen.query_one("#batch-out", Input).value = str(out)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: not screen.running, tries=1000)
    return screen


def status(screen: BatchScreen) -> str:
    return str(screen.query_one("#batch-status", Static).render())


async def test_a_batch_on_the_compare_suts(tmp_path: Path) -> None:
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await start_batch(pilot, prompt_file(tmp_path), tmp_path / "out")
        assert screen.suts == ["demo_echo", "demo_yes_no"]
        assert screen.outcome is not None and screen.outcome.written == 6, status(screen)
        assert "Finished" in status(screen)
        table = screen.query_one("#batch-progress", DataTable)
        assert [table.get_row(k)[1] for k in table.rows] == ["3/3", "3/3"]
        lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
        assert len(lines) == 6
        await pilot.press("ctrl+r")
        results = app.screen
        assert isinstance(results, ResultsScreen)
        await wait_until(pilot, lambda: results.loaded)
        rows = results.query_one(DataTable)
        assert rows.row_count == 6
        assert [str(rows.get_row_at(i)[0]) for i in range(6)] == ["q1"] * 2 + ["q2"] * 2 + [
            "q3"
        ] * 2
        rows.move_cursor(row=2)
        await pilot.press("enter")
        await pilot.pause()
        record = app.screen
        assert isinstance(record, RecordScreen)
        assert str(record.query_one("#record-system", Static).render()) == "be brief"
        assert str(record.query_one("#record-text", Static).render()) == "one two three"
        await pilot.press("escape")
        await pilot.press("escape")
        assert app.screen is screen
        # Again: everything is done, nothing is sent.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen.running, tries=1000)
        assert screen.outcome is not None and screen.outcome.written == 0


async def test_a_conversation_file_runs_and_shows_its_turns(tmp_path: Path) -> None:
    prompts = tmp_path / "c.jsonl"
    conversation = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "my name is Ada"},
        {"role": "assistant", "content": "hello Ada"},
        {"role": "user", "content": "what is my name?"},
    ]
    rows = [{"id": "c1", "messages": conversation}, {"id": "q1", "prompt": "plain"}]
    prompts.write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = new_app(["demo_echo"])
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await start_batch(pilot, prompts, tmp_path / "out")
        assert screen.outcome is not None and screen.outcome.written == 2, status(screen)
        await pilot.press("ctrl+r")
        results = app.screen
        assert isinstance(results, ResultsScreen)
        await wait_until(pilot, lambda: results.loaded)
        table = results.query_one(DataTable)
        cells = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert cells == ["c1 (+2 turns)", "q1"]
        table.move_cursor(row=0)
        await pilot.press("enter")
        await pilot.pause()
        record = app.screen
        assert isinstance(record, RecordScreen)
        turns = str(record.query_one("#record-turns", Static).render())
        assert turns == "user: my name is Ada\nassistant: hello Ada"
        assert str(record.query_one("#record-prompt", Static).render()) == "what is my name?"
        assert str(record.query_one("#record-system", Static).render()) == "be brief"


async def test_bad_input_is_said_and_nothing_runs(tmp_path: Path) -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await start_batch(pilot, tmp_path / "missing.csv", tmp_path / "out")
        assert "does not exist" in status(screen)
        assert not (tmp_path / "out").exists()
    app = new_app(["demo_random_words"])  # its secret is not set
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await start_batch(pilot, prompt_file(tmp_path), tmp_path / "out")
        assert "[demo] api_key" in status(screen)
        assert not (tmp_path / "out").exists()


def test_snapshot_batch_results(snap_compare: Any, tmp_path: Path) -> None:
    prompts = prompt_file(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await start_batch(pilot, prompts, tmp_path / "out")
        await pilot.press("ctrl+r")
        results = pilot.app.screen
        assert isinstance(results, ResultsScreen)
        await wait_until(pilot, lambda: results.loaded)
        results.query_one("#results-note", Static).update("6 records")  # no temporary path
        pilot.app.clear_notifications()  # the bad line's note names the temporary file
        await steady(pilot)

    app = new_app(["demo_echo", "demo_yes_no"])
    assert snap_compare(app, run_before=run_before, terminal_size=(100, 20))


async def test_the_batch_goes_on_while_another_screen_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.2")  # the longest prompt: 7 words, 1.4 s
    app = new_app(["demo_echo"])
    async with app.run_test(size=(110, 30)) as pilot:
        app.action_view("batch")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        screen.query_one("#batch-prompts", Input).value = str(prompt_file(tmp_path))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.runner is not None)
        app.action_view("compare")
        await pilot.pause()
        assert app.screen is app.compare and screen.running
        await wait_until(pilot, lambda: not screen.running, tries=1000)
        app.action_view("batch")
        await pilot.pause()
        assert app.screen is screen
        assert screen.outcome is not None and screen.outcome.written == 3
        assert not screen.outcome.interrupted
        assert (tmp_path / "p.jsonl-results" / "results.jsonl").exists()  # the default output dir


async def test_the_cache_checkbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))
    prompts = prompt_file(tmp_path)
    app = new_app(["demo_echo"])
    async with app.run_test(size=(110, 30)) as pilot:
        app.action_view("batch")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        screen.query_one("#batch-cache", Checkbox).value = True
        for out in ("a", "b"):
            screen = await start_batch(pilot, prompts, tmp_path / out)
            assert screen.outcome is not None and screen.outcome.written == 3
        table = screen.query_one("#batch-progress", DataTable)
        assert [table.get_row(k)[3] for k in table.rows] == ["3"]  # the cached column


def footer_keys(screen: BatchScreen) -> dict[str, bool]:
    """Each footer key's description and whether it can be used now."""
    footer = screen.query_one(Footer)
    return {item.description: item.enabled for _, item in footer.shown() if not item.palette}


async def test_escape_goes_back_and_the_batch_goes_on_ctrl_t_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.5")  # 3 prompts of 2 to 7 words: seconds
    app = new_app(["demo_echo"])
    async with app.run_test(size=(140, 30)) as pilot:
        app.action_view("batch")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        assert footer_keys(screen)["Stop"] is False  # shown, dimmed: nothing runs
        screen.query_one("#batch-prompts", Input).value = str(prompt_file(tmp_path))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.runner is not None)
        await pilot.pause()
        assert footer_keys(screen)["Stop"] is True and "Back" in footer_keys(screen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.compare and screen.running  # back; the batch goes on
        app.action_view("batch")
        await pilot.pause()
        assert app.screen is screen and screen.running
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: not screen.running, tries=1000)
        assert screen.outcome is not None and screen.outcome.interrupted
        assert "Stopped" in status(screen)


async def test_the_batch_uses_the_compare_screens_shared_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.2")  # every prompt takes 0.4 s or more
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(140, 30)) as pilot:
        app.action_view("batch")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        text = str(screen.query_one("#batch-options", Static).render())
        assert "provider defaults, timeout=300 s (the default) · compare's shared" in text
        app.compare.shared = SUTOptions(max_tokens=5)
        app.compare.timeout_s = 0.05  # shorter than any answer: every record times out
        columns(app)[1].own_options = SUTOptions(temperature=0.5)
        screen = await start_batch(pilot, prompt_file(tmp_path), tmp_path / "out")
        text = str(screen.query_one("#batch-options", Static).render())
        assert "max_tokens=5, timeout=0.05 s" in text
        assert "Not used: the own options of demo_yes_no" in text
        got = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").open()]
        assert len(got) == 6 and all(r["options"] == {"max_tokens": 5} for r in got)
        assert all(r["status"] == "failed" and "0.05 s" in r["error"]["message"] for r in got)


def test_the_default_output_dir_keeps_the_whole_file_name(tmp_path: Path) -> None:
    assert default_out(tmp_path / "p.csv") == tmp_path / "p.csv-results"
    assert default_out(tmp_path / "p.jsonl") != default_out(tmp_path / "p.csv")
