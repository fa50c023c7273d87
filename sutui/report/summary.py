"""Per-SUT figures of a matrix: how many answers ended how, time to first token and total time
at p50/p90/p99, tokens, speed and the kinds of errors. Times and speeds count `done` answers
only: a failure's time says how long the failing took, not how fast the SUT answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sutui.arena.ratings import quantile
from sutui.report.matrix import Matrix

PERCENTILES = (0.5, 0.9, 0.99)
STATUSES = ("done", "failed", "cancelled", "partial")


@dataclass
class ColumnSummary:
    name: str
    answers: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    truncated: int = 0
    """Answers cut by the token limit (finish_reason `length`)."""
    cached: int = 0
    first_token: list[float | None] = field(default_factory=list)
    """TTFT at PERCENTILES (None when no answer streamed: a batch's records have none)."""
    total: list[float | None] = field(default_factory=list)
    tokens: int = 0
    """Completion tokens of every answer that reported them."""
    mean_tokens: float | None = None
    speed: float | None = None
    """Median tokens per second over the whole call (done answers with a count and a time)."""
    errors: Counter[str] = field(default_factory=Counter)
    """Error kind -> answers (failed, cancelled and partial alike)."""
    times: list[float] = field(default_factory=list)
    """Total seconds of every done answer (the latency chart's input)."""


def _percentiles(values: list[float]) -> list[float | None]:
    if not values:
        return [None] * len(PERCENTILES)
    ordered = sorted(values)
    return [quantile(ordered, q) for q in PERCENTILES]


def summarize(matrix: Matrix) -> list[ColumnSummary]:
    found = [ColumnSummary(name) for name in matrix.columns]
    firsts: list[list[float]] = [[] for _ in found]
    counts: list[list[int]] = [[] for _ in found]
    speeds: list[list[float]] = [[] for _ in found]
    for row in matrix.rows:
        for at, cell in enumerate(row["c"]):
            if cell is not None:
                _count(found[at], cell, firsts[at], counts[at], speeds[at])
    for column, first, count, speed in zip(found, firsts, counts, speeds, strict=True):
        column.first_token = _percentiles(first)
        column.total = _percentiles(column.times)
        column.tokens = sum(count)
        column.mean_tokens = sum(count) / len(count) if count else None
        column.speed = quantile(sorted(speed), 0.5) if speed else None
    return found


def _count(
    column: ColumnSummary,
    cell: dict[str, Any],
    firsts: list[float],
    counts: list[int],
    speeds: list[float],
) -> None:
    status = cell["s"]
    column.answers += 1
    column.statuses[status] += 1
    column.truncated += cell.get("f") == "length"
    column.cached += bool(cell.get("c"))
    tokens = cell.get("n")
    if tokens is not None:
        counts.append(int(tokens))
    if "k" in cell:
        column.errors[cell["k"]] += 1
    elif status != "done":
        column.errors[status] += 1
    if status != "done":
        return
    total = cell.get("T")
    if total is not None:
        column.times.append(total)
        if tokens is not None and total > 0:
            speeds.append(tokens / total)
    if cell.get("F") is not None:
        firsts.append(cell["F"])
