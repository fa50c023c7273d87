"""Records as a matrix: one row per prompt, one column per SUT, one cell per answer.

A column is a SUT with its options: a batch resumed with other options (or two batches read
together) may answer one prompt twice with one SUT, and those are two columns, not a cell that
hides one of them. In a cell, a `done` answer wins over a failure of the same task (a resumed
batch may still hold the failure it replaced), else the later line wins.

Each cell is a small dict with short keys (the report embeds tens of thousands of them); every
text is made visible as the terminal shows it (control characters and bidirectional overrides
as symbols, drivers/visible_text.py): a report is read by people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from drivers.visible_text import visible


@dataclass
class Matrix:
    columns: list[str] = field(default_factory=list)
    """Each column's label: the SUT, with its options when the SUT has several columns."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """{"id", "p" (prompt), "sys", "m" (earlier turns), "c": [cell or None per column]}."""


def _text(value: Any) -> str | None:
    return visible(value) if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def cell(record: dict[str, Any]) -> dict[str, Any]:
    """The figures and texts of one answer the report shows (keys: docs/report.md)."""
    error = _object(record.get("error"))
    timings = _object(record.get("timings"))
    usage = _object(record.get("usage"))
    found = {
        "s": str(record.get("status")),
        "t": _text(record.get("text")) or "",
        "r": _text(record.get("reasoning")),
        "f": _text(record.get("finish_reason")),
        "k": _text(error.get("kind")),
        "e": _text(error.get("message")),
        "T": _number(timings.get("total_s")),
        "F": _number(timings.get("first_token_s")),
        "n": _number(usage.get("completion_tokens")),
        "c": record.get("cached") is True or None,
    }
    return {k: v for k, v in found.items() if v is not None}


def _earlier_turns(record: dict[str, Any]) -> list[list[str]] | None:
    """A conversation's turns before the one answered, as [role, text] pairs."""
    messages = record.get("messages")
    if not isinstance(messages, list) or len(messages) < 2:
        return None
    turns = [m for m in messages[:-1] if isinstance(m, dict) and m.get("role") != "system"]
    return [[str(m.get("role")), _text(m.get("content")) or ""] for m in turns] or None


def _row_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """A batch prompt is its id and text (two batches may share ids for other prompts); a
    history answer's prompt is its run."""
    prompt_id = record.get("prompt_id")
    if prompt_id is None:
        return ("run", record.get("run_id"))
    messages = record.get("messages")
    earlier = json.dumps(messages, sort_keys=True) if messages else None
    return ("prompt", str(prompt_id), record.get("prompt"), record.get("system"), earlier)


def _row(record: dict[str, Any]) -> dict[str, Any]:
    prompt_id = record.get("prompt_id")
    if prompt_id is None:
        turn = record.get("turn") or 0
        label = f"run {record.get('run_id')}" + (f" · turn {turn + 1}" if turn else "")
    else:
        label = str(prompt_id)
    row: dict[str, Any] = {"id": visible(label), "p": _text(record.get("prompt")) or ""}
    if isinstance(record.get("system"), str):
        row["sys"] = visible(record["system"])
    earlier = _earlier_turns(record)
    if earlier:
        row["m"] = earlier
    return row


def _column_key(record: dict[str, Any]) -> tuple[str, str]:
    options = record.get("options") or {}
    return str(record.get("sut")), json.dumps(options, sort_keys=True) if options else ""


def _labels(keys: list[tuple[str, str]]) -> list[str]:
    per_sut: dict[str, int] = {}
    for sut, _ in keys:
        per_sut[sut] = per_sut.get(sut, 0) + 1
    return [
        visible(sut if per_sut[sut] == 1 or not options else f"{sut} {options}")
        for sut, options in keys
    ]


def build(records: list[dict[str, Any]]) -> Matrix:
    """Rows in the order their prompts first appear; columns in the order SUTs first do, a
    batch's `index` (the --sut order) first."""
    columns: dict[tuple[str, str], int] = {}
    order = sorted(range(len(records)), key=lambda i: (_index(records[i]), i))
    for i in order:
        columns.setdefault(_column_key(records[i]), len(columns))
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    chosen: dict[tuple[Any, ...], list[dict[str, Any] | None]] = {}
    for record in records:
        key = _row_key(record)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(record)
            chosen[key] = [None] * len(columns)
        at = columns[_column_key(record)]
        before = chosen[key][at]
        if before is None or before.get("status") != "done" or record.get("status") == "done":
            chosen[key][at] = record
    matrix = Matrix(columns=_labels(list(columns)))
    for key, row in rows.items():
        row["c"] = [None if r is None else cell(r) for r in chosen[key]]
        matrix.rows.append(row)
    return matrix


def _index(record: dict[str, Any]) -> int:
    index = record.get("index")
    return index if isinstance(index, int) and not isinstance(index, bool) else 0
