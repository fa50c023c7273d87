"""Small modal dialogs more than one screen opens (a yes/no question before a delete)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from sutui.screens.base import Dialog


class ConfirmScreen(Dialog[bool]):
    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "No", id="confirm.no", tooltip="Keep it"),
        Binding("y", "dismiss(True)", "Yes", id="confirm.yes", tooltip="Do it"),
    ]

    def __init__(self, question: str, yes: str = "Yes, delete (y)", no: str = "No (n)"):
        super().__init__(classes="dialog-screen")
        self.question = question
        self.labels = (yes, no)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(self.labels[0], variant="error", id="yes")
                yield Button(self.labels[1], id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
