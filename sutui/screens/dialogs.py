"""Small modal dialogs more than one screen opens (a yes/no question before a delete)."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
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


class ChoiceScreen(Dialog[str | None]):
    """A question with a few answers, one button each (stacked: their labels may be long) with
    its key; esc answers None. Each choice is (answer, label, key); a choice keyed "escape" is
    the cancel button."""

    DEFAULT_CSS = """
    ChoiceScreen .choices { height: auto; margin-top: 1; }
    ChoiceScreen .choices Button { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel", tooltip="Do nothing")
    ]

    def __init__(self, question: str, choices: list[tuple[str, str, str]], detail: str = ""):
        super().__init__(classes="dialog-screen")
        self.question, self.choices, self.detail = question, choices, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Text(self.detail))
            with Vertical(classes="choices"):
                for index, (answer, label, _key) in enumerate(self.choices):
                    yield Button(label, variant="primary" if index == 0 else "default",
                                 id=f"choice-{answer}")  # fmt: skip

    def on_key(self, event: events.Key) -> None:
        for answer, _label, key in self.choices:
            if event.key == key != "escape":  # esc is the binding's
                event.stop()
                self.dismiss(answer)
                return

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        answer = (event.button.id or "").removeprefix("choice-")
        key = next((k for a, _l, k in self.choices if a == answer), "")
        self.dismiss(None if key == "escape" else answer)
