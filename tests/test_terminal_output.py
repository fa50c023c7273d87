"""Provider bytes never drive the terminal, and a CSV cell never runs as a formula (issue 12,
item 7). Human-readable output shows control characters as symbols (drivers/visible_text.py);
machine formats keep the exact text."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from drivers.errors import ErrorKind, SUTError
from drivers.visible_text import visible
from sutui.cli.main import run

HOSTILE = (
    "\x1b[5m <U+001B>]52;c;aGVsbG8=<U+0007> <U+001B>]0;pwned<U+0007> <U+001B>[2J "
    "over<U+000D>written <U+009B>31m"
)
"""Through the loopback server's `<U+XXXX>` echo: an OSC 52 clipboard write, a window title,
clear screen, a bare carriage return and a C1 CSI."""
RAW = "\x1b[5m \x1b]52;c;aGVsbG8=\x07 \x1b]0;pwned\x07 \x1b[2J over\rwritten \x9b31m"
"""What the server answers (after "Echo: "); the prompt's own `\x1b[5m` is a real escape, as a
shell can pass one."""
CONTROLS = ("\x1b", "\x07", "\r", "\x9b")


def test_visible_shows_every_control_but_newline_and_tab() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("line\r\nnext") == "line\nnext"
    assert visible(RAW) == "␛[5m ␛]52;c;aGVsbG8=␇ ␛]0;pwned␇ ␛[2J over␍written \\x9b31m"
    assert visible("\x00\x7f") == "␀␡"
    # Bidirectional overrides and isolates ("Trojan Source"): shown, not obeyed.
    assert visible("a\u202eb\u2066c\u2069") == "a<U+202E>b<U+2066>c<U+2069>"
    assert visible("שלום مرحبا") == "שלום مرحبا", "right-to-left text itself is as it is"


def test_a_provider_message_cannot_drive_the_terminal() -> None:
    error = SUTError(ErrorKind.server, "boom \x1b[2J", provider_message="\x1b]0;title\x07 bad")
    line = error.one_line()
    assert not any(c in line for c in CONTROLS) and "␛[2J" in line and "␛]0;title␇" in line


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001")
    monkeypatch.chdir(tmp_path)


def _uid(server: Any) -> str:
    return f"gpt-4o:openai;url={server.url}/openai/v1"


@pytest.mark.parametrize("suts", [1, 2], ids=["live", "as-finished"])
def test_run_sut_and_history_show_print_no_control_characters(
    suts: int, env: None, provider_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run-sut", "--prompt", HOSTILE, "--sut", _uid(provider_server)]
    if suts == 2:
        args += ["--sut", "demo_echo"]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "␛]52;c;aGVsbG8=␇" in out and "over␍written" in out
    assert not any(c in out for c in CONTROLS), repr(out)
    assert run(["history", "show", "last"]) == 0
    shown = capsys.readouterr().out
    assert "␛[2J" in shown and not any(c in shown for c in CONTROLS), repr(shown)
    assert run(["history", "list"]) == 0
    listed = capsys.readouterr().out
    assert "␛[5m" in listed and not any(c in listed for c in CONTROLS), repr(listed)


def test_machine_formats_keep_the_exact_text(
    env: None, provider_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["run-sut", "--prompt", HOSTILE, "--sut", _uid(provider_server), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"] == f"Echo: {RAW}"
    assert run(["history", "export", "last", "--format", "jsonl"]) == 0
    (exported,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert exported["text"] == f"Echo: {RAW}"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_export_neutralises_formula_cells(
    start: str, env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import csv

    prompt = f"{start}cmd|' /C calc'!A0"
    assert run(["run-sut", "--prompt", prompt, "--sut", "demo_echo"]) == 0
    capsys.readouterr()
    out = tmp_path / "runs.csv"
    assert run(["history", "export", "last", "--out", str(out)]) == 0
    with out.open(newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["prompt"] == "'" + prompt, "a formula-leading cell gets a leading quote"
    assert row["text"] == "'" + prompt, "the answer too (demo_echo answers the prompt)"
    assert row["sut"] == "demo_echo", "a cell with no formula start is as it is"
    assert row["total_s"] and not row["total_s"].startswith("'"), "numbers stay numbers"
    assert os.path.getsize(out) > 0


# ----- the app: Textual passes ESC in a Text through to the terminal, so sutui shows it ----------


def _drawn(widget: Any) -> str:
    """Every character the widget sends to the terminal for its visible lines."""
    lines = widget.render_lines(widget.region.reset_offset)
    return "".join(segment.text for strip in lines for segment in strip)


async def test_app_answer_reasoning_and_notes_show_no_control_characters() -> None:
    from textual.app import App, ComposeResult

    from sutui.widgets.answer_view import AnswerView

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield AnswerView()

    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(AnswerView)
        view.start()
        view.push_reasoning("think \x1b]0;t\x07 ")
        view.push(RAW)
        view.show_notes(["a note \x1b[2J"])
        view.stop()
        await pilot.pause()
        drawn = "".join(_drawn(w) for w in view.query("Static"))
        assert "␛[5m" in drawn and "␛]0;t␇" in drawn and "␛[2J" in drawn, drawn
        assert not any(c in drawn for c in CONTROLS), repr(drawn)
        assert view.text == RAW, "the text kept (and copied) is as the provider sent it"


async def test_app_history_run_shows_no_control_characters() -> None:
    from textual.app import App, ComposeResult

    from sutui.records import ResultRecord
    from sutui.screens.history_run import AnswerPanel

    record = ResultRecord(
        sut="s", prompt="p", status="failed", text=RAW, reasoning="r \x1b[2J",
        notes=["n \x07"], error={"kind": "server", "message": "m \x1b]52;c;x\x07"},
    )  # fmt: skip

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield AnswerPanel(record, running=False, timings=True)

    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        drawn = "".join(_drawn(w) for w in app.query("Static"))
        assert "␛[5m" in drawn and "␛]52;c;x␇" in drawn, drawn
        assert not any(c in drawn for c in CONTROLS), repr(drawn)
