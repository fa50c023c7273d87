"""Export runs from the history to a file: the format follows the file's suffix (.md, .json,
.jsonl, .csv), as `sutui history export --out` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from sutui.history.export import format_of
from sutui.screens.base import Dialog


class ExportScreen(Dialog[Path | None]):
    """Asks for a path and writes `make_text(format)` there; dismisses with the path written."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="export.close", tooltip="Close")]

    def __init__(self, what: str, default: str, render: Callable[[str], str]):
        super().__init__(classes="dialog-screen")
        self.what = what
        self.default = default
        self.make_text = render

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Export {self.what}", classes="dialog-title")
            yield Input(self.default, placeholder="file: .md, .json, .jsonl or .csv", id="path")
            yield Static(id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
            yield Label(
                "Markdown for people; JSON, JSON Lines and CSV hold the result records "
                "(docs/results.md).",
                classes="dialog-help",
            )

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        path = Path(raw).expanduser()
        fmt = format_of(path)
        problem = self.query_one("#problem", Static)
        if not raw or fmt is None:
            problem.update(Text("End the file name with .md, .json, .jsonl or .csv.", "red"))
            return
        try:
            path.write_text(self.make_text(fmt), encoding="utf-8")
        except OSError as exc:
            problem.update(Text(f"Cannot write {path}: {exc.strerror or exc}.", "red"))
            return
        self.dismiss(path)
