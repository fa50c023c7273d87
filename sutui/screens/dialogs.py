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


class PickScreen(Dialog[int | None]):
    """Pick one of a few lines (an earlier question to edit): its index, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="pick.close", tooltip="Pick none")]

    def __init__(self, title: str, lines: list[str], help_text: str = ""):
        super().__init__(classes="dialog-screen")
        self.title_text, self.lines, self.help_text = title, lines, help_text

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield OptionList(*[Option(Text(line), id=str(i)) for i, line in enumerate(self.lines)])
            if self.help_text:
                yield Static(Text(self.help_text), classes="dialog-help")

    def on_option_list_option_selected(self, event: object) -> None:
        option_id = getattr(getattr(event, "option", None), "id", None)
        self.dismiss(int(option_id) if option_id is not None else None)
