"""The vote at the end of a blind round: for two columns A better, B better, tie or both bad;
for more, which is best (or a tie, or all bad). A letter key votes at once."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sutui.screens.base import Dialog

Choice = tuple[str, int | None]
"""(outcome, winner index): ("win", 0) is A; ("tie", None); ("both_bad", None)."""


def choices(labels: Sequence[str]) -> list[tuple[str, str, Choice]]:
    """(key, words, choice) for each line of the dialog."""
    two = len(labels) == 2
    lines: list[tuple[str, str, Choice]] = [
        (label.lower(), f"{label} is {'better' if two else 'best'}", ("win", i))
        for i, label in enumerate(labels)
        if len(label) == 1 and label.lower() not in "tx"
    ]
    lines.append(("t", "tie: equally good" if two else "tie: no best", ("tie", None)))
    lines.append(("x", "both bad" if two else "all bad", ("both_bad", None)))
    return lines


class VoteScreen(Dialog[Choice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Not now")]

    def __init__(self, labels: Sequence[str]):
        super().__init__(classes="dialog-screen")
        self.lines = choices(labels)
        self.labels = list(labels)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            best = "better" if len(self.labels) == 2 else "best"
            yield Static(f"Which answer is {best}?", classes="dialog-title")
            options = [
                Option(Text.assemble((f"{key}  ", "bold"), words)) for key, words, _ in self.lines
            ]
            yield OptionList(*options, id="vote-choices")
            yield Static(
                "a letter or enter votes · the SUTs are shown after the vote · escape: not now",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        for key, _, choice in self.lines:
            if event.character == key:
                event.stop()
                self.dismiss(choice)
                return

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.lines[event.option_index][2])
