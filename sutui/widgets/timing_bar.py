"""A column's timing bars (compare, ctrl+r): time to first token and total time, on one scale
shared by every column, so the fastest SUT is seen at a glance.

Drawn by hand with Unicode blocks, not plotext: two lines in each column of the home screen,
which starts without plotext (tests/test_import_hygiene.py), and a plot's frame and axes would
take more room than the bars themselves."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from sutui.run_figures import seconds

EIGHTHS = " ▏▎▍▌▋▊▉"
LABEL = 6
"""`TTFT  ` and `total `."""
NUMBER = 10
"""` 12.34 s ★`: the figure, and the fastest column's mark."""
FASTEST = "★"


def blocks(value: float, scale: float, width: int) -> str:
    """`value` out of `scale` as a bar `width` cells long at most, to an eighth of a cell."""
    if scale <= 0 or width <= 0:
        return ""
    eighths = round(min(max(value / scale, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def timing_text(
    first_token_s: float | None, total_s: float, scale_s: float, width: int, fastest: bool
) -> Text:
    """Two lines: the time to the first token (`n/a` when none came: a failure, a SUT that did
    not stream) and the total time, each a bar and its seconds; `fastest` marks the total."""
    room = max(width - LABEL - NUMBER, 1)
    lines = []
    for label, value, style in (
        ("TTFT", first_token_s, "cyan"),
        ("total", total_s, "green" if fastest else "blue"),
    ):
        line = Text(label.ljust(LABEL), style="dim")
        if value is None:
            line.append("n/a".rjust(room + NUMBER - 2), style="dim")
        else:
            line.append(blocks(value, scale_s, room).ljust(room), style=style)
            line.append(seconds(value).rjust(NUMBER - 2))
            if label == "total" and fastest:
                line.append(f" {FASTEST}", style="bold green")
        lines.append(line)
    return Text("\n").join(lines)


class TimingBar(Static):
    """The two bars of one column; the compare screen gives the scale (sutui/screens/
    compare_timing.py)."""

    DEFAULT_CSS = """
    TimingBar { height: 2; color: $text; }
    TimingBar.-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__(classes="timing-bar", markup=False)
        self.figures: tuple[float | None, float, float, bool] = (None, 0.0, 0.0, False)
        """(time to first token, total time, the scale, fastest)."""

    def show(
        self, first_token_s: float | None, total_s: float, scale_s: float, fastest: bool
    ) -> None:
        self.figures = (first_token_s, total_s, scale_s, fastest)
        self.refresh()

    def render(self) -> Text:
        first, total, scale, fastest = self.figures
        return timing_text(first, total, scale, self.content_size.width or 40, fastest)
