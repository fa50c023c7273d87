"""A few clickable words that run actions: the compare screen's Send, Add SUT and Options.

Not Buttons: each of these has its key (ctrl+s, ctrl+n, ctrl+o) and stays out of the Tab order,
so all they need is a click. One Static with action links costs the first frame a fraction of
three Buttons (whose stylesheet alone took ~10 ms to parse, bench/app_start.py).
"""

from __future__ import annotations

from textual.content import Content
from textual.markup import escape
from textual.widgets import Static


class ActionLinks(Static):
    DEFAULT_CSS = """
    ActionLinks {
        link-color: $text;
        link-background: $primary 50%;
        link-style: bold;
        link-color-hover: $text;
        link-background-hover: $accent;
        link-style-hover: bold;
    }
    """

    def __init__(self, links: list[tuple[str, str]], *, id: str | None = None) -> None:
        """`links`: (label, action) pairs, e.g. ("Send", "screen.send"), one per line."""
        lines = [
            Content.from_markup(f"[@click={action}] {escape(label)} [/]") for label, action in links
        ]
        super().__init__(Content("\n\n").join(lines), id=id)
