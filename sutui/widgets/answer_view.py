"""A column's answer as it streams: text pushed by the column's worker into a plain buffer,
drawn in blocks by the compare screen's one timer (each view every REFRESH_S), with the
problem (an error's explanation) under it.

Chunks arriving faster than REFRESH_S are coalesced into one draw. One timer for every column,
not one each: it draws half the streaming columns at each tick, in one batch, so a tick's
layout and render are small and a key press does not wait long behind one (bench/app_keys.py).
Text is drawn in blocks of about BLOCK_CHARS: only the last block is re-wrapped and measured
on each draw, the others keep their cached size. Provider text is always a rich Text: never
read as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Static

REFRESH_S = 1 / 20
"""How often streamed text is drawn."""
BLOCK_CHARS = 600
"""A new block starts at a line break, else at a space, once the last one holds this many."""


class Block(Static):
    """A block of the answer that will not change: its height at a width is measured once.
    Textual measures every widget again on each full layout (a column finishing, a resize),
    and with 8 long answers that re-wrapped every block (~100) each time (bench/app_keys.py)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text, classes="answer-block", markup=False)
        self._heights: dict[int, int] = {}
        """Lines at each width asked (a layout asks with and without the scrollbar's column)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 8:  # widths of past terminal sizes
                self._heights.clear()
            height = self._heights[width] = super().get_content_height(container, viewport, width)
        return height


class AnswerView(VerticalScroll, can_focus=False):
    """Not a Tab stop of its own (Tab goes column to column): the column scrolls it."""

    def __init__(self) -> None:
        super().__init__(classes="body")
        self.text = ""
        """Everything drawn so far."""
        self._pending: list[str | None] = []
        """Text to draw; None voids what came before it (a broken stream started again)."""
        self._tail = ""
        """The text of the last block (the `.answer` Static); earlier blocks are frozen."""
        self.streaming = False
        """Between start() and stop(): the screen's timer flushes this view."""

    class Streaming(Message):
        """An answer started streaming: the screen's timer should tick."""

    def compose(self) -> ComposeResult:
        yield Static(classes="answer", markup=False)
        # The problem's Static is mounted when there is one (show_problem): an idle column
        # costs the first frame one widget less.

    def push(self, text: str) -> None:
        """Text to draw at the next tick (cheap: the worker calls it for every chunk)."""
        self._pending.append(text)

    def restart(self) -> None:
        """A broken stream starts its answer again: the text so far goes at the next tick (in
        line with the pushes, so none of the new attempt's text is lost)."""
        self._pending.append(None)

    def start(self) -> None:
        """Draw pushed text from now on, at each tick of the screen's timer."""
        self.streaming = True
        # To the screen itself: made while the column handles an event, the message counts as
        # the column's, and Textual would not bubble it past the column.
        self.screen.post_message(self.Streaming())

    def stop(self) -> None:
        """Draw what is pending; no more ticks for this view."""
        self.flush()
        self.streaming = False

    def clear(self) -> None:
        self.text, self._pending, self._tail = "", [], ""
        self.streaming = False  # a run replaced mid-stream never called stop()
        self.query(".answer-block").remove()
        self.query_one(".answer", Static).update("")
        for problem in self.query(".problem").results(Static):
            problem.update("")  # hidden, not removed: a retry that fails at once shows its own
            problem.add_class("-empty")  # a class, not display: the blind rule must still win

    def replace(self, text: str) -> None:
        """The whole answer at once (a SUT that did not stream, or streamed something else)."""
        self._pending = [None, text]

    def show_problem(self, text: Text) -> None:
        problems = self.query(".problem").results(Static)
        problem = next(problems, None)
        if problem is None:
            self.mount(Static(text, classes="problem", markup=False))
        else:
            problem.update(text)
            problem.remove_class("-empty")

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if None in pending:
            last = len(pending) - 1 - pending[::-1].index(None)
            pending = pending[last + 1 :]
            self.text, self._tail = "", ""
            self.query(".answer-block").remove()
        added = "".join(p for p in pending if p is not None)
        self.text += added
        self._tail += added
        follow = self.scroll_y >= self.max_scroll_y - 1
        tail = self.query_one(".answer", Static)
        while len(self._tail) > BLOCK_CHARS:
            cut = self._tail.rfind("\n", 0, BLOCK_CHARS)
            if cut < BLOCK_CHARS // 2:
                cut = self._tail.rfind(" ", 0, BLOCK_CHARS)
            if cut <= 0:
                break  # one very long word: it stays in the tail
            block = Block(Text(self._tail[: cut + 1]))
            self.mount(block, before=tail)
            self._tail = self._tail[cut + 1 :]
        tail.update(Text(self._tail))
        if follow:
            self.scroll_end(animate=False, immediate=False)
