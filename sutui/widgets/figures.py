"""A column's figures: wrapped between parts only, never between a number and its unit."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static


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
