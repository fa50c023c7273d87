"""A one-line Static that says as much as fits: given a line and shorter forms of it, it draws
the longest that fits its width (a column's status line: 8 columns at 160 wide cut
"· idle · needs openai/api_key: s sets it up" to "· idle · needs"). The whole line is its
tooltip when a shorter one may be drawn."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class FitLine(Static):
    def __init__(self, *, classes: str = "") -> None:
        super().__init__(classes=classes, markup=False)
        self.forms: list[Text] = [Text()]
        """The line, then shorter forms of it (longest first)."""

    def show(self, forms: Sequence[Text]) -> None:
        self.forms = list(forms) or [Text()]
        self.tooltip = self.forms[0].plain if len(self.forms) > 1 else None
        self.refresh()

    def render(self) -> Text:
        width = self.content_size.width
        return next((f for f in self.forms if f.cell_len <= width), self.forms[-1])
