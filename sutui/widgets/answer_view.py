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

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Static

from drivers.visible_text import visible

QUESTION_MARK = "\u203a "  # a single right-pointing angle quotation mark
REFRESH_S = 1 / 20
"""How often streamed text is drawn."""
BLOCK_CHARS = 600
"""A new block starts at a line break, else at a space, once the last one holds this many."""
LIVE_REASONING_CHARS = 2000
"""While it streams, reasoning shows its last this many characters (re-wrapped at each draw);
all of it once the answer ends."""


class Thought(str):
    """A piece of reasoning in the pending buffer (answer text is a plain str)."""

    __slots__ = ()


def reasoning_text(reasoning: str, shown: bool, live: bool) -> Text:
    """The reasoning above the answer: all of it (the tail while it streams), or one line
    saying how much there is when it is hidden."""
    words = len(reasoning.split())
    reasoning = visible(reasoning)  # provider text: no control character reaches the terminal
    if not shown:
        return Text(f"▸ thinking · {words} words (t shows it)", style="italic")
    if live and len(reasoning) > LIVE_REASONING_CHARS:
        cut = reasoning[-LIVE_REASONING_CHARS:]
        return Text(f"▾ thinking · {words} words so far\n…{cut}")
    return Text(f"▾ thinking (t hides it)\n{reasoning}")


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


SHOWN_PAST = 4
"""Earlier turns a column keeps as widgets; older ones are folded (kept as text) and drawn
again, a batch at a time, when the column is scrolled up past its top. With every turn a
widget, 8 columns x 50 turns of 2 KB held 249 MB (now ~170 MB) and took 1.4 s to reopen from
the history (now ~0.5 s; bench/app_conversation.py)."""


SHOWN_REOPENED = 2
"""Earlier turns drawn at once in a column of a conversation reopened from the history (its
latest ones; scrolling up draws the others): 8 columns open with 16 drawn, not 400."""


class PastTurn(Block):
    """An earlier turn of the conversation, drawn once: the user's question (its first line),
    the answer, and a dim line of how it ended. One widget a turn, its height measured once
    a width (8 columns x 50 turns stay cheap to lay out)."""

    def __init__(self, text: Text, turn: int | None) -> None:
        super().__init__(text)
        self.set_classes("past-turn")
        self.drawn = text
        """What it shows (kept when it is folded)."""
        self.turn = turn
        """The conversation's turn (0-based) it answered."""


class Folded(Static):
    """The line above the earlier turns that are not drawn: how many, and how to see them."""

    def __init__(self) -> None:
        super().__init__(classes="folded -empty", markup=False)

    def say(self, count: int) -> None:
        turns = "1 earlier turn" if count == 1 else f"{count} earlier turns"
        self.update(Text(f"\u2191 {turns}: scroll up or click to show them", style="dim italic"))
        self.set_class(not count, "-empty")

    def on_click(self) -> None:
        view = self.parent
        if isinstance(view, AnswerView):
            view.unfold()


def user_line(text: str, limit: int = 300) -> Text:
    """A question as a column shows it: a mark and its first line (cut at `limit`, with …)."""
    shown = visible(text.strip())
    first, _, rest = shown.partition("\n")
    more = bool(rest.strip()) or len(first) > limit
    return Text(QUESTION_MARK + first[:limit] + (" …" if more else ""), style="bold")


def past_text(question: str, answer: str, reasoning: str, ending: str) -> Text:
    """An earlier turn as a PastTurn draws it: the question's line, how much it thought, the
    answer, and `ending` dim."""
    text = user_line(question) if question.strip() else Text()
    if reasoning:
        text.append(f"\n▸ thinking · {len(reasoning.split())} words", style="dim italic")
    if answer:
        text.append("\n" + visible(answer))
    if ending:
        text.append("\n" + ending, style="dim")
    return text


class AnswerView(VerticalScroll, can_focus=False):
    """Not a Tab stop of its own (Tab goes column to column): the column scrolls it. Earlier
    turns of a conversation (PastTurn) stand above the current one, which starts with the
    user's question."""

    def __init__(self, earlier: Sequence[tuple[Text, int | None]] = ()) -> None:
        super().__init__(classes="body")
        cut = max(len(earlier) - SHOWN_REOPENED, 0)
        self._earlier = [PastTurn(text, turn) for text, turn in earlier[cut:]]
        """Turns drawn above the first (a conversation reopened from the history)."""
        self._folded: list[tuple[Text, int | None]] = list(earlier[:cut])
        """Earlier turns not drawn (oldest first): see SHOWN_PAST."""
        self.text = ""
        """Everything drawn so far."""
        self._pending: list[str | None] = []
        """Text to draw (a Thought is reasoning); None voids what came before it (a broken
        stream started again)."""
        self.reasoning = ""
        """The reasoning drawn so far."""
        self.show_reasoning = True
        """Reasoning in full, or one line saying how much there is (the `t` key, for all)."""
        self._tail = ""
        """The text of the last block (the `.answer` Static); earlier blocks are frozen."""
        self.streaming = False
        """Between start() and stop(): the screen's timer flushes this view."""
        self._to_end = False
        """A new turn began below the earlier ones: its first draw scrolls down to it (the
        earlier turn's widget is laid out by then; not anchored: Textual would pin a short
        thread to the bottom)."""

    class Streaming(Message):
        """An answer started streaming: the screen's timer should tick."""

    def compose(self) -> ComposeResult:
        yield Folded()
        yield from self._earlier
        yield Static(classes="turn-user -empty", markup=False)
        # The answer's Static is mounted with the first text (`_answer`), the problem's when
        # there is one (show_problem): an idle column costs the first frame less (three empty
        # answer Statics were ~3.5 ms of it, bench/app_start.py).

    def on_mount(self) -> None:
        self.query_one(Folded).say(len(self._folded))
        if self._earlier:  # the latest of them in view, once laid out
            self.call_after_refresh(self.scroll_end, animate=False, immediate=False)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.scroll_y <= 0 and self._folded:  # at the top already: the folded turns
            self.unfold()

    def unfold(self) -> None:
        """Draw the newest batch of folded turns above the drawn ones, keeping the view where
        it was (the turn that was at the top stays there)."""
        if not self._folded:
            return
        batch, self._folded = self._folded[-SHOWN_PAST:], self._folded[:-SHOWN_PAST]
        label = self.query_one(Folded)
        anchor = next(self.query(PastTurn).results(PastTurn), None) or self._user
        self.mount_all([PastTurn(text, turn) for text, turn in batch], after=label)
        label.say(len(self._folded))
        self.call_after_refresh(self.scroll_to_widget, anchor, animate=False, top=True)

    def _fold(self) -> None:
        """Keep at most SHOWN_PAST earlier turns as widgets: older ones become text."""
        drawn = list(self.query(PastTurn).results(PastTurn))
        extra = drawn[: max(len(drawn) - SHOWN_PAST, 0)]
        if extra:
            self._folded.extend((p.drawn, p.turn) for p in extra)
            for past in extra:
                past.remove()
            self.query_one(Folded).say(len(self._folded))

    def push(self, text: str) -> None:
        """Text to draw at the next tick (cheap: the worker calls it for every chunk)."""
        self._pending.append(text)

    def push_reasoning(self, text: str) -> None:
        """Reasoning to draw at the next tick, above the answer."""
        self._pending.append(Thought(text))

    def show_notes(self, notes: list[str]) -> None:
        """What the driver changed for the model (an option it cannot take), above all."""
        self.query(".notes").remove()
        if notes:
            text = Text(visible("\n".join(f"note: {n}" for n in notes)))
            self.mount(Static(text, classes="notes", markup=False), after=self._user)

    def set_reasoning_shown(self, shown: bool) -> None:
        self.show_reasoning = shown
        self._draw_reasoning()

    def _draw_reasoning(self) -> None:
        found = next(self.query(".reasoning").results(Static), None)
        if not self.reasoning:
            if found is not None:
                found.remove()
            return
        text = reasoning_text(self.reasoning, self.show_reasoning, self.streaming)
        if found is None:
            notes = next(self.query(".notes").results(Static), None)
            self.mount(Static(text, classes="reasoning", markup=False),
                       after=notes or self._user)  # fmt: skip
        else:
            found.update(text)

    def _answer(self) -> Static:
        """The Static that draws the answer's last block (earlier blocks are mounted above it),
        mounted when first needed: below the earlier turns, above a problem."""
        tail = next(self.query(".answer").results(Static), None)
        if tail is None:
            tail = Static(classes="answer", markup=False)
            problem = next(self.query(".problem").results(Static), None)
            if problem is None:
                self.mount(tail)
            else:
                self.mount(tail, before=problem)
        return tail

    def _clear_answer(self) -> None:
        self.query(".answer-block").remove()
        for tail in self.query(".answer").results(Static):
            tail.update("")

    @property
    def _user(self) -> Static:
        return self.query_one(".turn-user", Static)

    def show_user(self, text: str) -> None:
        """The question this answer is to (a conversation's turn); empty: none shown."""
        line = self._user
        line.update(user_line(text) if text.strip() else "")
        line.set_class(not text.strip(), "-empty")

    def archive(self, question: str, ending: str, turn: int | None = None) -> None:
        """The current turn becomes an earlier one (a new turn is sent): its question, answer
        and `ending` (how it ended, its figures) drawn as one PastTurn above."""
        self.flush()
        text = past_text(question, self.text, self.reasoning, ending)
        self.mount(PastTurn(text, turn), before=self._user)
        self._fold()
        self.clear()
        self._to_end = True  # the new turn is scrolled to once laid out (its first draw)

    def reset(self) -> None:
        """A new conversation: the earlier turns and the question go, the answer is cleared."""
        self.query(".past-turn").remove()
        self._folded = []
        self.query_one(Folded).say(0)
        self.show_user("")
        self.clear()

    @property
    def past_turns(self) -> int:
        """Earlier turns, drawn or folded."""
        return len(self.query(".past-turn")) + len(self._folded)

    def drop_past(self, first: int) -> None:
        """Earlier turns from turn `first` on go (an edited question forks the conversation)."""
        for past in list(self.query(PastTurn).results(PastTurn)):
            if past.turn is not None and past.turn >= first:
                past.remove()
        self._folded = [(t, n) for t, n in self._folded if n is None or n < first]
        kept = sum(1 for p in self.query(PastTurn).results(PastTurn) if p.turn is None
                   or p.turn < first)  # fmt: skip
        room = SHOWN_PAST - kept
        label = self.query_one(Folded)
        if room > 0 and self._folded:  # fewer drawn now: the newest folded ones come back
            batch, self._folded = self._folded[-room:], self._folded[:-room]
            self.mount_all([PastTurn(text, turn) for text, turn in batch], after=label)
        label.say(len(self._folded))

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
        if self.reasoning:
            self._draw_reasoning()  # all of it now, not the live tail
        if self._to_end:  # no text came (an error, an empty answer): show the turn anyway
            self._to_end = False
            self.scroll_end(animate=False, immediate=False)

    def clear(self) -> None:
        self.text, self._pending, self._tail = "", [], ""
        self.streaming = False  # a run replaced mid-stream never called stop()
        self._clear_answer()
        self.reasoning = ""
        self.query(".reasoning").remove()
        self.query(".notes").remove()
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
            self.text, self._tail, self.reasoning = "", "", ""
            self._clear_answer()
            self._draw_reasoning()
        thought = "".join(p for p in pending if isinstance(p, Thought))
        if thought:
            self.reasoning += thought
            self._draw_reasoning()
        added = "".join(p for p in pending if p is not None and not isinstance(p, Thought))
        if not added:
            return
        self.text += added  # as the provider sent it (copied as it is)
        self._tail += visible(added)  # as shown: no control character reaches the terminal
        follow = self._to_end or self.scroll_y >= self.max_scroll_y - 1
        self._to_end = False
        tail = self._answer()
        while len(self._tail) > BLOCK_CHARS:
            cut = self._tail.rfind("\n", 0, BLOCK_CHARS)
            if cut < BLOCK_CHARS // 2:
                cut = self._tail.rfind(" ", 0, BLOCK_CHARS)
            if cut <= 0:
                break  # one very long word: it stays in the tail
            # Cut at a line break, the break is the block's end, not a line of its own
            # (a Static draws "text\n" as two lines: "\n\n" showed as two blank lines).
            block = Block(Text(self._tail[: cut + 1].removesuffix("\n")))
            self.mount(block, before=tail)
            self._tail = self._tail[cut + 1 :]
        tail.update(Text(self._tail))
        if follow:
            self.scroll_end(animate=False, immediate=False)
