"""A column's figures: wrapped between parts only, never between a number and its unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

from sutui.run_figures import answer_speed, seconds, tokens

if TYPE_CHECKING:
    from drivers.runner import Timings


def figure_parts(
    timings: Timings,
    tokens_in: int | None,
    out: int | None,
    reasoning: int | None = None,
    *,
    show_timings: bool = True,
    unreported: bool = False,
    reasoned: bool = False,
) -> list[str]:
    """What an answer's figures say: tokens in and out (and how many of those reasoned), then
    (unless hidden, as in tests and snapshots) time to the first thought and to the answer's
    first token, total time and the answer's tokens per second."""
    parts: list[str] = []
    if unreported:  # a finished answer whose provider gave no counts (llama.cpp's streams)
        parts.append("tokens not reported")
    elif tokens_in is not None or out is not None:
        parts.append(tokens(tokens_in, out))
        if reasoning:
            parts.append(f"{reasoning} reasoning")
    if show_timings and (timings.total_s > 0 or timings.first_token_s is not None):
        if timings.first_reasoning_s is not None:
            parts.append(f"thought {seconds(timings.first_reasoning_s)}")
        if timings.first_token_s is not None:
            parts.append(f"first {seconds(timings.first_token_s)}")
        parts.append(f"total {seconds(timings.total_s)}")
        speed = answer_speed(timings, out, reasoning, reasoned)
        if speed is not None:
            parts.append(speed)
    return parts


class Figures(Static):
    """The figures ("tokens 3 in / 3 out · first 0.06 s · …"), wrapped only between parts, so a
    unit never leaves its number, on as many lines as the column's width needs."""

    def __init__(self) -> None:
        super().__init__(classes="figures", markup=False)
        self.parts: list[str] = []

    def set_parts(self, parts: list[str]) -> None:
        self.parts = parts
        self.refresh(layout=True)

    def lines(self, width: int) -> list[str]:
        lines: list[str] = []
        for part in self.parts:
            if lines and len(lines[-1]) + 3 + len(part) <= max(width, 1):
                lines[-1] += " · " + part
            else:
                lines.append(part)
        return lines

    def render(self) -> Text:
        return Text("\n".join(self.lines(self.content_size.width or 10**6)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))
