"""The report's charts as hand-written SVG, made here and inlined in the page: a few rects,
lines and labels draw a histogram or a bar as well as a charting library would, with no
JavaScript to inline (a library is 200 KB to 1 MB) and nothing to run before they show.

Every text (a SUT's name, an error kind) is escaped: a name is the user's, and may hold `<`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from sutui.report.summary import ColumnSummary

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
"""Tableau 10: tells ten series apart, in colour and in grey."""
DONE = "#59a14f"
LABEL_W = 190
PLOT_W = 560
BINS = 24


def _name(text: str, width: int = 28) -> str:
    return escape(text if len(text) <= width else text[: width - 1] + "…")


def _svg(width: int, height: int, body: Sequence[str], title: str) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _seconds(value: float) -> str:
    if value and value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def latency(columns: Sequence[ColumnSummary]) -> str | None:
    """One histogram of total time per SUT, on a shared axis up to the slowest p99 (slower
    answers are counted in the last bar)."""
    tops = [c.total[-1] for c in columns if c.total and c.total[-1] is not None]
    if not tops:
        return None
    top = max(max(tops), 1e-3)
    row_h, gap = 54, 12
    height = len(columns) * (row_h + gap) + 28
    body = []
    bar_w = PLOT_W / BINS
    for n, column in enumerate(columns):
        y0 = n * (row_h + gap) + 4
        body.append(
            f'<text x="0" y="{y0 + row_h / 2 + 4}" class="label">{_name(column.name)}</text>'
        )
        body.append(
            f'<line x1="{LABEL_W}" x2="{LABEL_W + PLOT_W}" y1="{y0 + row_h}" '
            f'y2="{y0 + row_h}" class="axis"/>'
        )
        counts = [0] * BINS
        for t in column.times:
            counts[min(BINS - 1, int(t / top * BINS))] += 1
        most = max(counts) or 1
        colour = PALETTE[n % len(PALETTE)]
        for b, count in enumerate(counts):
            if not count:
                continue
            h = max(1.0, row_h * count / most)
            low, high = top * b / BINS, top * (b + 1) / BINS
            body.append(
                f'<rect class="bar" x="{LABEL_W + b * bar_w + 1:.1f}" y="{y0 + row_h - h:.1f}" '
                f'width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}"><title>'
                f"{_name(column.name, 60)}: {count} answer{'s' if count != 1 else ''} in "
                f"{_seconds(low)}\u2013{_seconds(high)}</title></rect>"
            )
    axis_y = height - 8
    for tick in range(5):
        x = LABEL_W + PLOT_W * tick / 4
        body.append(
            f'<text x="{x:.1f}" y="{axis_y}" class="tick">{_seconds(top * tick / 4)}</text>'
        )
    return _svg(LABEL_W + PLOT_W + 40, height, body, "Total time per answer, per SUT")


def _bars(
    rows: Sequence[tuple[str, float, str]], title: str, colour: str | None = None
) -> str | None:
    """Horizontal bars: (label, value, value as text)."""
    if not rows or max(v for _, v, _ in rows) <= 0:
        return None
    top = max(v for _, v, _ in rows)
    row_h = 24
    body = []
    for n, (label, value, said) in enumerate(rows):
        y = n * row_h + 4
        w = PLOT_W * value / top
        fill = colour or PALETTE[n % len(PALETTE)]
        body.append(f'<text x="0" y="{y + 15}" class="label">{_name(label)}</text>')
        body.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{fill}"><title>{_name(label, 60)}: {escape(said)}</title></rect>'
        )
        body.append(
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 15}" class="value">{escape(said)}</text>'
        )
    return _svg(LABEL_W + PLOT_W + 120, len(rows) * row_h + 8, body, title)


def tokens(columns: Sequence[ColumnSummary]) -> str | None:
    """Mean completion tokens per answer, per SUT."""
    rows = [
        (
            c.name,
            c.mean_tokens,
            f"{c.mean_tokens:.0f} token{'' if round(c.mean_tokens) == 1 else 's'}",
        )
        for c in columns
        if c.mean_tokens is not None
    ]
    return _bars(rows, "Mean completion tokens per answer")


def outcomes(columns: Sequence[ColumnSummary]) -> str | None:
    """One stacked bar per SUT: done answers, then each error kind, with a legend."""
    kinds = sorted({k for c in columns for k in c.errors})
    if not any(c.answers for c in columns):
        return None
    colours = {kind: PALETTE[(i + 2) % len(PALETTE)] for i, kind in enumerate(kinds)}
    top = max(c.answers for c in columns)
    row_h = 24
    body = []
    for n, column in enumerate(columns):
        y = n * row_h + 4
        body.append(f'<text x="0" y="{y + 15}" class="label">{_name(column.name)}</text>')
        x = float(LABEL_W)
        parts = [("done", column.statuses["done"], DONE)]
        parts += [(kind, column.errors[kind], colours[kind]) for kind in kinds]
        for kind, count, fill in parts:
            if not count:
                continue
            w = PLOT_W * count / top
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{fill}"><title>{_name(column.name, 60)}: {count} {escape(kind)}'
                "</title></rect>"
            )
            x += w
    legend_y = len(columns) * row_h + 18
    x = float(LABEL_W)
    for kind, fill in [("done", DONE), *colours.items()]:
        body.append(f'<rect x="{x:.1f}" y="{legend_y - 10}" width="10" height="10" fill="{fill}"/>')
        body.append(f'<text x="{x + 14:.1f}" y="{legend_y}" class="tick">{_name(kind, 24)}</text>')
        x += 24 + 7 * min(len(kind), 24)
    return _svg(LABEL_W + PLOT_W + 40, legend_y + 8, body, "Answers by outcome and error kind")


def leaderboard(rows: Sequence[dict[str, Any]]) -> str | None:
    """Each SUT's Bradley-Terry score as a point, with its 95% interval as a line."""
    if not rows:
        return None
    values = [v for r in rows for v in (r["score"], r["ci_low"], r["ci_high"]) if v is not None]
    low = math.floor((min(values) - 20) / 50) * 50
    high = math.ceil((max(values) + 20) / 50) * 50
    span = max(high - low, 1)
    row_h = 24

    def x(value: float) -> float:
        return float(LABEL_W + PLOT_W * (value - low) / span)

    body = []
    for n, row in enumerate(rows):
        y = n * row_h + 14
        body.append(f'<text x="0" y="{y + 4}" class="label">{_name(row["name"])}</text>')
        if row["ci_low"] is not None and row["ci_high"] is not None:
            body.append(
                f'<line class="interval" x1="{x(row["ci_low"]):.1f}" '
                f'x2="{x(row["ci_high"]):.1f}" y1="{y}" y2="{y}"/>'
            )
        interval = (
            f", 95% interval {row['ci_low']:.0f}\u2013{row['ci_high']:.0f}"
            if row["ci_low"] is not None
            else ""
        )
        body.append(
            f'<circle class="point" cx="{x(row["score"]):.1f}" cy="{y}" r="5">'
            f"<title>{_name(row['name'], 60)}: {row['score']:.0f}{interval}</title>"
            "</circle>"
        )
    axis_y = len(rows) * row_h + 20
    for tick in range(5):
        value = low + span * tick / 4
        body.append(f'<text x="{x(value):.1f}" y="{axis_y}" class="tick">{value:.0f}</text>')
    return _svg(LABEL_W + PLOT_W + 40, axis_y + 8, body, "Bradley-Terry score, 95% interval")
