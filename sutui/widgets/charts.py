"""Charts drawn in the terminal with plotext (textual-plotext's widget): a batch's total time per
SUT, its answers over time, and the leaderboard's scores with their intervals. Each chart says
what it shows in its title and axis labels.

This module imports plotext: only the screens that draw a chart import it, when they do (the app
starts without it; tests/test_import_hygiene.py checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from sutui.arena.ratings import Standing
    from sutui.batch.chart_data import Latency, Progress


class Chart(PlotextPlot):
    """A plot drawn again from scratch by each `show` (plotext keeps state between calls)."""

    DEFAULT_CSS = "Chart { height: 1fr; min-height: 8; }"

    def _start(self, title: str, xlabel: str, ylabel: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        plt.xlabel(xlabel)
        plt.ylabel(ylabel)

    def _done(self) -> None:
        self.refresh()


class LatencyChart(Chart):
    """Per SUT, the median and 90th percentile of its done answers' total time: horizontal bars,
    so a long SUT name reads whole on the left."""

    def show(self, rows: Sequence[Latency]) -> None:
        self._start("Total time per SUT, done answers: p50 and p90", "seconds", "")
        if rows:
            names = [row.sut for row in rows]
            # plotext 5.3 takes `labels`; textual-plotext 1.0.1's stub says `label`.
            self.plt.multiple_bar(  # type: ignore[call-arg]
                names,
                [[row.p50_s for row in rows], [row.p90_s for row in rows]],
                labels=["p50", "p90"],
                orientation="horizontal",
            )
            self.plt.ylim(0.5, len(rows) + 1.2)  # room above the bars for the legend
        else:
            self.plt.title("Total time per SUT: no done answer yet")
        self._done()


class ProgressChart(Chart):
    """Per SUT, how many answers (done or failed) had ended, against seconds since the batch's
    first answer started."""

    def show(self, rows: Sequence[Progress]) -> None:
        self._start("Answers ended over time, per SUT", "seconds since the start", "answers")
        for row in rows:
            self.plt.plot(row.seconds, row.answers, label=row.sut)
        if not rows:
            self.plt.title("Answers over time: no record with a start time yet")
        self._done()


class ScoreChart(Chart):
    """Each SUT's Bradley-Terry score (●) and its 95% bootstrap interval (the line through it),
    best at the top; a SUT in too few votes has no interval (sutui.arena.ratings)."""

    def show(self, rows: Sequence[Standing], names: dict[str, str]) -> None:
        self._start(
            "Bradley-Terry score with its 95% interval",
            "score on Elo's scale (1000: the virtual opponent)",
            "",
        )
        positions = [float(y) for y in range(len(rows), 0, -1)]
        for y, row in zip(positions, rows, strict=True):
            if row.low is not None and row.high is not None:
                self.plt.plot([row.low, row.high], [y, y], marker="─", color="blue+")
            self.plt.scatter([row.score], [y], marker="●", color="orange+")
        if rows:
            self.plt.yticks(positions, [names.get(r.uid, r.uid) for r in rows])
            self.plt.ylim(0.5, len(rows) + 0.5)
        else:
            self.plt.title("Bradley-Terry scores: no votes yet")
        self._done()
