"""A table screen's charts (g: the batch results, the leaderboard): the charts take the table's
place, and g again brings the table back. The screen's `-charts` class does the swap (each
screen's CSS); its own `draw` fills the charts, which import plotext only then."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen
from textual.widgets import DataTable


def toggle_charts(screen: Screen[None], draw: Callable[[], None]) -> None:
    """The charts instead of the table, or the table again (focused)."""
    screen.toggle_class("-charts")
    if screen.has_class("-charts"):
        screen.set_focus(None)  # the hidden table's keys (enter) would act unseen
        draw()
    else:
        screen.query_one(DataTable).focus()
