"""The compare screen's timing bars (ctrl+r): each ended column's time to first token and total
time as bars on one scale (the slowest column's total), the fastest done column marked. Drawn
again whenever a column ends, starts again or goes; hidden in a blind column (sutui.tcss)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sutui.widgets.column_status import ColumnStatus
from sutui.widgets.timing_bar import TimingBar

if TYPE_CHECKING:
    from sutui.screens.compare import CompareScreen


class TimingBars:
    def __init__(self, screen: CompareScreen):
        self.screen = screen
        self.shown = False

    def toggle(self) -> None:
        self.shown = not self.shown
        self.draw()
        if self.shown and not any(c.timings for c in self.screen.columns):
            self.screen.notify("Timing bars on: they show as the columns answer.")

    def draw(self) -> None:
        columns = self.screen.columns
        ended = {c: c.timings for c in columns if c.timings is not None}
        scale = max((t.total_s for t in ended.values()), default=0.0)
        done = [c for c in ended if c.status is ColumnStatus.done]
        fastest = min(done, key=lambda c: ended[c].total_s) if len(done) > 1 else None
        for column in columns:
            timings = ended.get(column)
            bar = next(column.query(TimingBar).results(TimingBar), None)
            if not self.shown or timings is None:
                if bar is not None:
                    bar.add_class("-hidden")
                continue
            if bar is None:
                bar = TimingBar()
                column.mount(bar)
            bar.remove_class("-hidden")  # a class, not `display`: a blind column's CSS wins
            bar.show(timings.first_token_s, timings.total_s, scale, column is fastest)
