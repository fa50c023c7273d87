"""The answer diff: two columns' answers side by side (stacked on a narrow terminal), words
only in the left one struck through, words only in the right one underlined.

The two panes scroll together. `open_diff` picks the columns: the focused one and the next, or
with more than two columns a small chooser starting there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from drivers.visible_text import visible
from sutui.screens.base import Dialog, Page
from sutui.widgets.footer import Footer
from sutui.word_diff import WordDiff, word_diff

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Side:
    label: str
    """What the column's title shows: a SUT, or its letter in a blind round."""
    text: str


class DiffScreen(Page[None]):
    DEFAULT_CSS = """
    #diff-summary { height: auto; padding: 0 1; }
    #diff-panes { layout: horizontal; height: 1fr; }
    DiffScreen.-narrow #diff-panes { layout: vertical; }
    .diff-pane { width: 1fr; height: 1fr; border: round $primary 40%; padding: 0 1; }
    """
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="diff.close", tooltip="Back to compare"),
        Binding("s", "swap", "Swap", id="diff.swap", tooltip="Swap left and right"),
        Binding("up", "scroll('up')", "Up", show=False),
        Binding("down", "scroll('down')", "Down", show=False),
        Binding("pageup,b", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False),
        Binding("home,g", "scroll('home')", "Top", show=False),
        Binding("end,G", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, left: Side, right: Side):
        super().__init__(id="diff")
        self.left, self.right = left, right
        self._syncing = False
        self.loaded = False
        """True once the diff is shown (tests wait for it)."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="diff-summary", markup=False)
        with Container(id="diff-panes"):
            for side in ("left", "right"):
                with VerticalScroll(id=f"diff-{side}", classes="diff-pane", can_focus=False):
                    yield Static(markup=False, classes="diff-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "diff"
        for pane in self.panes:
            self.watch(pane, "scroll_y", self._follower(pane), init=False)
        self._compute()

    @property
    def panes(self) -> tuple[VerticalScroll, VerticalScroll]:
        return self.query_one("#diff-left", VerticalScroll), self.query_one(
            "#diff-right", VerticalScroll
        )

    @work(thread=True, exclusive=True, group="diff")
    def _compute(self) -> None:
        """Off the UI thread: long answers with many repeated words take a moment."""
        left, right = self.left, self.right
        diff = word_diff(visible(left.text), visible(right.text))
        self.app.call_from_thread(self._draw, left, right, diff)

    def _draw(self, left: Side, right: Side, diff: WordDiff) -> None:
        if (left, right) != (self.left, self.right):
            return  # swapped meanwhile: the newer diff follows
        summary = Text(f"{left.label} → {right.label}: ", style="bold")
        summary.append(diff.summary(), style="not bold")
        summary.append("   struck: only left · underlined: only right", style="dim not bold")
        self.query_one("#diff-summary", Static).update(summary)
        for pane, side, text in zip(
            self.panes, (left, right), (diff.left, diff.right), strict=True
        ):
            pane.border_title = side.label
            pane.query_one(".diff-text", Static).update(text if text else Text("(no answer)"))
        self.loaded = True

    def _follower(self, pane: VerticalScroll) -> Callable[[float], None]:
        return lambda _y: self._mirror(pane)

    def _mirror(self, source: VerticalScroll) -> None:
        """The other pane follows, at the same fraction of its length."""
        if self._syncing:
            return
        other = self.panes[1] if source is self.panes[0] else self.panes[0]
        fraction = source.scroll_y / source.max_scroll_y if source.max_scroll_y else 0.0
        self._syncing = True
        try:
            other.scroll_to(y=round(fraction * other.max_scroll_y), animate=False, immediate=True)
        finally:
            self._syncing = False

    def action_scroll(self, how: str) -> None:
        left, right = self.panes
        lead = left if left.max_scroll_y >= right.max_scroll_y else right
        actions = {
            "up": lead.scroll_up,
            "down": lead.scroll_down,
            "page_up": lead.scroll_page_up,
            "page_down": lead.scroll_page_down,
            "home": lead.scroll_home,
            "end": lead.scroll_end,
        }
        actions[how](animate=False)

    def action_swap(self) -> None:
        self.left, self.right = self.right, self.left
        self.loaded = False
        self._compute()

    def action_close(self) -> None:
        self.dismiss()


class DiffChooser(Dialog[tuple[int, int] | None]):
    """Which two columns to diff: enter on the left list moves to the right one, enter there
    opens the diff."""

    DEFAULT_CSS = """
    #diff-choice { height: auto; }
    #diff-choice OptionList { width: 1fr; height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, labels: Sequence[str], left: int, right: int):
        super().__init__(classes="dialog-screen")
        self.labels, self.start = list(labels), (left, right)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Diff two answers", classes="dialog-title")
            with Horizontal(id="diff-choice"):
                for side, start in zip(("left", "right"), self.start, strict=True):
                    options = [Option(Text(label)) for label in self.labels]
                    choice = OptionList(*options, id=f"choose-{side}")
                    choice.border_title = side
                    choice.highlighted = start
                    yield choice
            yield Static(
                "enter: choose (left, then right) · tab: switch list · escape: cancel",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#choose-left", OptionList).focus()

    @on(OptionList.OptionSelected, "#choose-left")
    def _left_chosen(self) -> None:
        self.query_one("#choose-right", OptionList).focus()

    @on(OptionList.OptionSelected, "#choose-right")
    def _right_chosen(self) -> None:
        left = self.query_one("#choose-left", OptionList).highlighted
        right = self.query_one("#choose-right", OptionList).highlighted
        if left is None or right is None:
            return
        if left == right:
            self.notify("Choose two different columns.", severity="warning")
            return
        self.dismiss((left, right))


def column_side(column: object) -> Side:
    """A column's title (its SUT, or its letter while blind) and answer."""
    title = getattr(column, "border_title", None) or getattr(column, "uid", "?")
    return Side(str(title), str(getattr(column, "text", "")))


def open_diff(screen: Screen[Any], columns: Sequence[object]) -> None:
    """The focused column of `screen` and the next; with more than two, let the user choose
    first. A column is read by `column_side`."""
    if len(columns) < 2:
        screen.notify("A diff needs two columns: add a SUT (ctrl+n).", severity="warning")
        return
    focused = screen.focused
    first = next((i for i, c in enumerate(columns) if c is focused), 0)
    second = (first + 1) % len(columns)
    sides = [column_side(c) for c in columns]

    def chosen(pair: tuple[int, int] | None) -> None:
        if pair is not None:
            screen.app.push_screen(DiffScreen(sides[pair[0]], sides[pair[1]]))

    if len(columns) == 2:
        chosen((first, second))
    else:
        labels = [f"{s.label} · {_count(len(s.text.split()), 'word')}" for s in sides]
        screen.app.push_screen(DiffChooser(labels, first, second), chosen)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
