"""A column's answer as it streams: text pushed by the column's worker into a plain buffer,
drawn by a timer in blocks, with the problem (an error's explanation) under it.

Chunks arriving faster than REFRESH_S are coalesced into one draw. Text is drawn in blocks of
about BLOCK_CHARS: only the last block is re-wrapped and measured on each draw, the others keep
their cached size. Provider text is always a rich Text: never read as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

REFRESH_S = 1 / 20
"""How often streamed text is drawn."""
BLOCK_CHARS = 600
"""A new block starts at a line break, else at a space, once the last one holds this many."""


class AnswerView(VerticalScroll, can_focus=False):
    """Not a Tab stop of its own (Tab goes column to column): the column scrolls it."""

    def __init__(self) -> None:
        super().__init__(classes="body")
        self.text = ""
        """Everything drawn so far."""
        self._pending: list[str] = []
        self._tail = ""
        """The text of the last block (the `.answer` Static); earlier blocks are frozen."""

    def compose(self) -> ComposeResult:
        yield Static(classes="answer", markup=False)
        # The problem's Static is mounted when there is one (show_problem): an idle column
        # costs the first frame one widget less.

    def on_mount(self) -> None:
        self._timer = self.set_interval(REFRESH_S, self.flush, pause=True)

    def push(self, text: str) -> None:
        """Text to draw at the next tick (cheap: the worker calls it for every chunk)."""
        self._pending.append(text)

    def start(self) -> None:
        """Draw pushed text from now on."""
        self._timer.resume()

    def stop(self) -> None:
        """Draw what is pending, then stop the timer."""
        self.flush()
        self._timer.pause()

    def clear(self) -> None:
        self.text, self._pending, self._tail = "", [], ""
        self.query(".answer-block").remove()
        self.query_one(".answer", Static).update("")
        self.query(".problem").remove()

    def replace(self, text: str) -> None:
        """The whole answer at once (a SUT that did not stream, or streamed something else)."""
        self.text, self._tail = "", ""
        self.query(".answer-block").remove()
        self._pending = [text]

    def show_problem(self, text: Text) -> None:
        problems = self.query(".problem").results(Static)
        problem = next(problems, None)
        if problem is None:
            self.mount(Static(text, classes="problem", markup=False))
        else:
            problem.update(text)

    def flush(self) -> None:
        if not self._pending:
            return
        added = "".join(self._pending)
        self._pending = []
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
            block = Static(Text(self._tail[: cut + 1]), classes="answer-block", markup=False)
            self.mount(block, before=tail)
            self._tail = self._tail[cut + 1 :]
        tail.update(Text(self._tail))
        if follow:
            self.scroll_end(animate=False, immediate=False)
