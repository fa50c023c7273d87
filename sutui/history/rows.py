"""One stored answer read back as a ResultRecord, whatever its row holds.

The history is a file that a crash, another sutui version or a person with sqlite3 may have
changed. A field that cannot be read (JSON that does not parse or nests too deeply, a status
sutui does not know, a token count that is not a number) becomes its empty value, and the
answer's notes say so: `error: unreadable in the history (not JSON)`. The rest of the row, and
every other row, is shown as stored: one bad field never hides a run.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, get_args

from pydantic import ValidationError

from drivers.finish_reasons import normalise_finish_reason
from drivers.redaction import shorten
from sutui.records import RecordTimings, ResultRecord, Status

UNREADABLE = "unreadable in the history"
STATUSES = frozenset(get_args(Status))
FALLBACK_STATUS = "failed"
"""An unknown status reads as failed: the answer did not finish as sutui knows finishing."""
DEFAULTS: dict[str, Any] = {
    "uid": None,
    "options": {},
    "text": "",
    "reasoning": None,
    "finish_reason": None,
    "provider_finish_reason": None,
    "usage": None,
    "error": None,
    "timings": RecordTimings(),
    "started_at": None,
    "sutui_version": "unknown",
    "conversation_id": None,
    "turn": 0,
    "thread": None,
}
"""What a field that cannot be read becomes."""


def unreadable(field: str, why: str) -> str:
    return f"{field}: {UNREADABLE} ({why})"


def json_field(
    value: Any, kind: type[dict[str, Any]] | type[list[Any]], field: str, notes: list[str]
) -> Any:
    """A JSON column's value, or None (and a note) when it is not JSON of that kind."""
    if value is None or value == "":
        return None
    try:
        data = json.loads(value)
    except RecursionError:
        notes.append(unreadable(field, "nested too deeply"))
        return None
    except (ValueError, TypeError):
        notes.append(unreadable(field, "not JSON"))
        return None
    if not isinstance(data, kind):
        want = "an object" if kind is dict else "a list"
        notes.append(unreadable(field, f"a JSON {type(data).__name__}, not {want}"))
        return None
    return data


def run_options(value: Any, notes: list[str]) -> dict[str, Any]:
    """A run's shared options; unreadable ones are {} (and a note for each of its answers)."""
    found = json_field(value, dict, "run options", notes)
    return {} if found is None else found


def _status(value: Any, notes: list[str]) -> str:
    if value == "running":  # a live process's unfinished answer reads as partial
        return "partial"
    if value in STATUSES:
        return str(value)
    shown = shorten(str(value), 40)
    notes.append(unreadable("status", f"{shown!r} is not a status; shown as {FALLBACK_STATUS}"))
    return FALLBACK_STATUS


def record_from_row(
    run: sqlite3.Row, a: sqlite3.Row, run_notes: tuple[str, ...] = ()
) -> ResultRecord:
    """The record of answer row `a` of run row `run`; never raises for what a row holds."""
    notes: list[str] = list(run_notes)
    stored_notes = json_field(a["notes"], list, "notes", notes) or []
    usage = None
    if a["prompt_tokens"] is not None or a["completion_tokens"] is not None:
        usage = {
            "prompt_tokens": a["prompt_tokens"],
            "completion_tokens": a["completion_tokens"],
            "reasoning_tokens": a["reasoning_tokens"],
        }
    finish = a["finish_reason"]
    fields: dict[str, Any] = {
        "run_id": str(run["id"]),
        "conversation_id": str(run["conversation_id"] or run["id"]),
        "turn": run["turn"],
        "thread": a["thread"] or a["sut"],
        "index": a["idx"],
        "sut": a["sut"],
        "uid": a["uid"],
        "prompt": run["prompt"],
        "system": run["system"],
        "options": json_field(a["options"], dict, "options", notes) or {},
        "status": _status(a["status"], notes),
        "text": a["text"],
        "reasoning": a["reasoning"],
        # Answers saved before schema 4 kept the provider's word: normalised when read.
        "finish_reason": finish if a["provider_finish_reason"] is not None else _normalised(finish),
        "provider_finish_reason": a["provider_finish_reason"] or finish,
        "usage": usage,
        "error": json_field(a["error"], dict, "error", notes),
        "timings": {
            "first_token_s": a["first_token_s"],
            "total_s": a["total_s"],
            "first_reasoning_s": a["first_reasoning_s"],
        },
        "started_at": run["started_at"],
        "sutui_version": run["sutui_version"],
    }
    return _validated(fields, [str(n) for n in stored_notes], notes)


def _normalised(finish: Any) -> Any:
    try:
        return normalise_finish_reason(finish)
    except Exception:  # not a string: the validation below says it is unreadable
        return finish


def _validated(fields: dict[str, Any], stored: list[str], notes: list[str]) -> ResultRecord:
    """The record; each field pydantic refuses is set to its default and noted."""
    for _ in range(len(fields) + 1):
        try:
            return ResultRecord(**fields, notes=stored + notes)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            bad &= set(fields)
            if not bad:
                break
            for field in sorted(bad):
                fields[field] = _default(field, fields)
                notes.append(unreadable(field, "not the kind of value it should be"))
    return ResultRecord(  # nothing left to blame on one field: the bare minimum, said
        run_id=fields.get("run_id"),
        sut="?",
        prompt="",
        status=FALLBACK_STATUS,
        notes=[*notes, f"answer: {UNREADABLE}"],
    )


def _default(field: str, fields: dict[str, Any]) -> Any:
    if field in DEFAULTS:
        return DEFAULTS[field]
    if field == "status":
        return FALLBACK_STATUS
    if field == "index":
        return 0
    if field in ("sut", "prompt"):
        value = fields.get(field)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None
