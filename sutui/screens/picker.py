"""Pick a SUT for a new column: search the catalog, pick a recent one, or type a dynamic UID."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from drivers.uid import UIDError, is_predefined_uid
from sutui.screens.base import Dialog
from sutui.services import Services


def validate_uid(services: Services, uid: str) -> str | None:
    """The grammar's (or the registry's) own error for `uid`, or None when it can be used."""
    try:
        services.resolve(uid)
    except UIDError as exc:
        return str(exc)
    return None


class PickerScreen(Dialog[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="picker.close", tooltip="Add nothing"),
        Binding("down", "focus_list", "List", show=False, id="picker.list"),
    ]

    def __init__(self, services: Services):
        super().__init__(classes="dialog-screen")
        self.services = services

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a SUT", classes="dialog-title")
            yield Input(
                placeholder="search the catalog, or type a UID (maker/model:driver)", id="query"
            )
            yield Static(id="verdict", markup=False)
            yield OptionList(id="choices")
            yield Label("enter adds · ↓ to the list · esc closes", classes="dialog-help")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        choices = self.query_one(OptionList)
        choices.clear_options()
        options: list[Option] = []
        for uid in self.services.settings.recent:
            if all(w in uid.lower() for w in words):
                options.append(Option(Text.assemble(("recent  ", "dim"), uid), id=f"r:{uid}"))
        for entry in self.services.catalog:
            haystack = f"{entry.uid} {entry.definition.driver} {entry.description}".lower()
            if all(w in haystack for w in words):
                label = Text.assemble(
                    entry.uid,
                    (f"  {entry.definition.driver}", "dim"),
                    (" ", ""),
                )
                options.append(Option(label, id=f"c:{entry.uid}"))
        choices.add_options(options)
        if options:
            choices.highlighted = 0

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        verdict = self.query_one("#verdict", Static)
        if text and not is_predefined_uid(text):
            problem = validate_uid(self.services, text)
            verdict.update(Text(problem or f"✓ {text} can be added", "red" if problem else "green"))
            self._fill("")
            return
        verdict.update("")
        self._fill(text)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text and not is_predefined_uid(text):
            if validate_uid(self.services, text) is None:
                self.dismiss(text)
            return
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            option = choices.get_option_at_index(choices.highlighted)
            self.dismiss((option.id or "")[2:])
        elif text:
            problem = validate_uid(self.services, text)
            self.query_one("#verdict", Static).update(Text(problem or "", "red"))
            if problem is None:
                self.dismiss(text)

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((event.option.id or "")[2:])

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()
