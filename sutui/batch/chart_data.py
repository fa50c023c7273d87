"""What the batch results' charts draw, read from the records alone (results.jsonl): each SUT's
total time (p50, p90) and the answers done over the batch's time. No Textual here, and no clock:
the same records always give the same figures (a chart is snapshot-tested)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    """One SUT's total time per answer, of its done records (a failure's time says little)."""

    sut: str
    answers: int
    p50_s: float
    p90_s: float


def _total_s(record: dict[str, Any]) -> float | None:
    timings = record.get("timings")
    total = timings.get("total_s") if isinstance(timings, dict) else None
    return float(total) if isinstance(total, int | float) else None


def _suts(records: Iterable[dict[str, Any]]) -> list[str]:
    """Every SUT in the order it first appears (the batch's column order, mostly)."""
    return list(dict.fromkeys(str(r.get("sut")) for r in records))


def latencies(records: Sequence[dict[str, Any]]) -> list[Latency]:
    """Per SUT, in the order the records name them; a SUT with no done answer is left out."""
    result = []
    for sut in _suts(records):
        times = [
            t
            for r in records
            if str(r.get("sut")) == sut and r.get("status") == "done"
            for t in [_total_s(r)]
            if t is not None
        ]
        if times:
            result.append(Latency(sut, len(times), percentile(times, 50), percentile(times, 90)))
    return result


def _finished_at(record: dict[str, Any]) -> float | None:
    """When the answer ended, in seconds since the epoch: its start plus its total time."""
    started, total = record.get("started_at"), _total_s(record)
    if not isinstance(started, str) or total is None:
        return None
    try:
        return datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp() + total
    except ValueError:
        return None


@dataclass(frozen=True)
class Progress:
    """One SUT's answers (done or failed) over the batch's time: at `seconds[i]` after the
    batch's first answer started, `answers[i]` had ended."""

    sut: str
    seconds: list[float]
    answers: list[int]


def progress(records: Sequence[dict[str, Any]]) -> list[Progress]:
    """Per SUT, the running count of ended answers against seconds since the first start (a
    resumed batch shows its pause as a flat stretch). Records without a time are left out."""
    starts = []
    for r in records:
        at = _finished_at(r)
        if at is not None:
            starts.append(at - (_total_s(r) or 0.0))
    if not starts:
        return []
    zero = min(starts)
    result = []
    for sut in _suts(records):
        ends = sorted(
            at - zero
            for r in records
            if str(r.get("sut")) == sut
            for at in [_finished_at(r)]
            if at is not None
        )
        if ends:
            result.append(Progress(sut, [0.0, *ends], list(range(len(ends) + 1))))
    return result
