"""Export runs from the history to a file: the format follows the file's suffix (.md, .json,
.jsonl, .csv), as `sutui history export --out` does.

The folder is asked for apart from the name, and never defaults to the directory sutui was
started from (a file written there is hard to find): the last folder exported to (remembered in
the settings), else the user's documents folder, else the home folder.
"""

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
from sutui.settings import Settings


def default_folder(settings: Settings) -> Path:
    """The last folder exported to while it exists; else documents (if any); else home."""
    if settings.export_dir and Path(settings.export_dir).is_dir():
        return Path(settings.export_dir)
    import platformdirs

    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


class ExportScreen(Dialog[Path | None]):
    """Asks for a folder and a file name and writes `render(format)` there; dismisses with the
    full path written, and remembers the folder for the next export."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="export.close", tooltip="Close")]

    def __init__(
        self, what: str, default: str, render: Callable[[str], str], settings: Settings
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.default = default
        self.make_text = render
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Export {self.what}", classes="dialog-title", markup=False)
            folder = Input(str(default_folder(self.settings)), placeholder="folder", id="folder")
            folder.border_title = "folder"
            yield folder
            name = Input(self.default, placeholder="file: .md, .json, .jsonl or .csv", id="path")
            name.border_title = "file name (.md, .json, .jsonl or .csv)"
            yield name
            yield Static(id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
            yield Label(
                "Markdown for people; JSON, JSON Lines and CSV hold the result records "
                "(docs/results.md).",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()  # the folder is usually right: the name first

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        folder = Path(self.query_one("#folder", Input).value.strip() or "~").expanduser()
        raw = self.query_one("#path", Input).value.strip()
        path = (folder / Path(raw).expanduser()).absolute()  # a name with a folder of its own wins
        fmt = format_of(path)
        problem = self.query_one("#problem", Static)
        if not raw or fmt is None:
            problem.update(Text("End the file name with .md, .json, .jsonl or .csv.", "red"))
            return
        if not path.parent.is_dir():
            problem.update(Text(f"There is no folder {path.parent}.", "red"))
            return
        try:
            path.write_text(self.make_text(fmt), encoding="utf-8")
        except OSError as exc:
            problem.update(Text(f"Cannot write {path}: {exc.strerror or exc}.", "red"))
            return
        if self.settings.export_dir != str(path.parent):
            self.settings.export_dir = str(path.parent)
            saved = self.settings.save()
            if saved:
                self.notify(saved, severity="warning", markup=False)
        self.dismiss(path)
