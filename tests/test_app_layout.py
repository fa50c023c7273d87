"""Layout at the sizes users run sutui at (issue 17): nothing cut mid-word or mid-key, no stray
border characters, no extra blank lines. Pilot assertions on what is drawn."""

from __future__ import annotations

from typing import Any

from test_app_support import isolated
from textual.app import App, ComposeResult
from textual.widget import Widget

from sutui.widgets.answer_view import BLOCK_CHARS, AnswerView

__all__ = ["isolated"]


def drawn_lines(widget: Widget) -> list[str]:
    """The widget's lines as the terminal gets them (its own region, not clipped)."""
    lines = widget.render_lines(widget.region.reset_offset)
    return ["".join(segment.text for segment in strip).rstrip() for strip in lines]


def answer_lines(view: AnswerView) -> list[str]:
    """The answer as drawn: the frozen blocks, then the tail, top to bottom."""
    widgets = [*view.query(".answer-block"), view.query_one(".answer")]
    return [line for widget in widgets for line in drawn_lines(widget)]


async def test_a_paragraph_break_is_one_blank_line_where_a_block_is_cut() -> None:
    """A long answer is drawn in blocks cut at a line break: the break ended the block's text
    and drew a blank line of its own, so "\\n\\n" showed as two blank lines."""

    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield AnswerView()

    first = " ".join(["alpha"] * (BLOCK_CHARS // 6 - 10))  # a block is cut after it
    second = "second paragraph " + " ".join(["omega"] * 8)  # ends past BLOCK_CHARS
    answer = f"{first}\n\n{second}\nthird line"
    app = Harness()
    async with app.run_test(size=(80, 60)) as pilot:
        view = app.query_one(AnswerView)
        view.start()
        view.push(answer)
        view.stop()
        await pilot.pause()
        assert view.query(".answer-block"), "the answer was cut into blocks"
        lines = answer_lines(view)
        start = lines.index(second)
        assert lines[start - 1] == "" and lines[start - 2].startswith("alpha"), lines
        assert lines[start + 1] == "third line"
        assert view.text == answer


async def test_a_line_break_at_a_block_cut_adds_no_blank_line() -> None:
    class Harness(App[None]):
        def compose(self) -> ComposeResult:
            yield AnswerView()

    first = " ".join(["beta"] * (BLOCK_CHARS // 5 - 10))
    answer = f"{first}\nnext line " + " ".join(["gamma"] * 40)
    app = Harness()
    async with app.run_test(size=(80, 60)) as pilot:
        view = app.query_one(AnswerView)
        view.start()
        view.push(answer)
        view.stop()
        await pilot.pause()
        assert view.query(".answer-block")
        lines = answer_lines(view)
        start = next(i for i, line in enumerate(lines) if line.startswith("next line"))
        assert lines[start - 1].startswith("beta"), lines
