"""Runs from the history as Markdown (for people), JSON and JSON Lines (the result records of
docs/results.md, as `run-sut --json` writes them) and CSV (one row per answer, for a sheet).

A conversation's runs are its turns: a record per SUT per turn (`conversation_id`, `turn`,
`thread`, and in JSON the `messages` that SUT was sent); Markdown prints it turn by turn, each
turn's question, then each SUT's answer. A one-turn run prints as it always did."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.visible_text import visible
from sutui.history.store import StoredRun
from sutui.records import ResultRecord
from sutui.run_figures import seconds, tokens

FORMATS = ("md", "json", "jsonl", "csv")
SUFFIXES = {".md": "md", ".markdown": "md", ".json": "json", ".jsonl": "jsonl", ".csv": "csv"}
"""The file name says the format: `--out` in the CLI, the export dialog in the app."""
MARKS = {"done": "✓", "failed": "✗", "cancelled": "■", "partial": "◐", "running": "…"}
"""One mark per answer status, in lists."""
STATUS_STYLES = {"done": "green", "failed": "red", "cancelled": "yellow", "partial": "yellow"}
"""One colour per answer status (Rich styles), wherever a status is shown in colour."""

CSV_FIELDS = [
    "schema", "run_id", "prompt_id", "index", "sut", "uid", "prompt", "system", "messages",
    "options",
    "status", "text", "reasoning", "finish_reason", "provider_finish_reason", "notes",
    "prompt_tokens", "completion_tokens", "reasoning_tokens", "error_kind", "error",
    "first_token_s", "first_reasoning_s", "total_s", "started_at", "cached", "sutui_version",
    "conversation_id", "turn", "thread",
]  # fmt: skip
"""The conversation's fields go at the end (a sheet may read columns by place); `messages`, as
JSON, holds a later turn's whole thread (a long conversation's rows repeat it: JSON Lines is the
lighter export there)."""


def format_of(path: Path) -> str | None:
    """The format a file's suffix names, or None (no suffix, or one that is no format)."""
    return SUFFIXES.get(path.suffix.lower())


def runs_count(count: int) -> str:
    """'1 run', '12 runs'."""
    return f"{count} run{'' if count == 1 else 's'}"


def records(runs: Sequence[StoredRun]) -> list[ResultRecord]:
    return [answer for run in runs for answer in run.answers]


def export(runs: Sequence[StoredRun], fmt: str) -> str:
    if fmt == "md":  # for people: control characters shown, as in the terminal
        return visible(markdown(runs))
    if fmt == "json":
        return json.dumps([r.to_dict() for r in records(runs)], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(r.to_json() + "\n" for r in records(runs))
    if fmt == "csv":
        return to_csv(records(runs))
    raise ValueError(f"no export format {fmt!r}; choose one of {', '.join(FORMATS)}")


# ----- CSV -------------------------------------------------------------------------------------
def csv_row(record: ResultRecord) -> dict[str, Any]:
    data = record.to_dict()
    usage = data.pop("usage") or {}
    timings = data.pop("timings")
    error = data.pop("error")
    return {
        **data,
        "messages": json.dumps(data["messages"], ensure_ascii=False) if data["messages"] else "",
        "options": json.dumps(data["options"], ensure_ascii=False) if data["options"] else "",
        "notes": "; ".join(data["notes"]),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "reasoning_tokens": usage.get("reasoning_tokens"),
        "error_kind": error["kind"] if error else None,
        "error": error_line(error) if error else None,
        "first_token_s": timings["first_token_s"],
        "first_reasoning_s": timings.get("first_reasoning_s"),
        "total_s": timings["total_s"],
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is run as a formula by spreadsheet tools (`=cmd|' /C
calc'!A0`): such a text cell gets a leading `'`, as OWASP advises for CSV injection."""


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that no spreadsheet tool will run as a formula; a boolean as JSON writes it
    (`true`/`false`, not Python's `True`; docs/results.md); other values as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Sequence[ResultRecord]) -> str:
    out = io.StringIO()
    # RFC 4180's CRLF: the csv module quotes a field holding a character of the line
    # terminator, so a bare CR inside an answer is quoted too (with "\n" it was not, and a
    # sheet split the row there).
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in csv_row(record).items()})
    return out.getvalue()


# ----- Markdown --------------------------------------------------------------------------------
def when(started_at: str) -> str:
    """An ISO 8601 UTC time as local `YYYY-MM-DD HH:MM`."""
    try:
        moment = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except ValueError:
        return started_at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def error_line(error: dict[str, Any]) -> str:
    line = f"{error.get('kind', 'error')}: {error.get('message', '')}".rstrip(": ")
    if error.get("status"):
        line += f" (HTTP {error['status']})"
    return line


def figures(record: ResultRecord, timings: bool = True) -> str:
    """`stop · tokens 7 in / 1 out · first token 0.04 s · total 0.05 s`."""
    parts = []
    if record.finish_reason:
        parts.append(record.finish_reason)
    usage = record.usage
    if usage is not None:
        parts.append(tokens(usage.prompt_tokens, usage.completion_tokens))
        if usage.reasoning_tokens:
            parts.append(f"{usage.reasoning_tokens} reasoning")
    if timings and record.timings.first_reasoning_s is not None:
        parts.append(f"first thought {seconds(record.timings.first_reasoning_s)}")
    if timings and record.timings.first_token_s is not None:
        parts.append(f"first token {seconds(record.timings.first_token_s)}")
    if timings and record.timings.total_s is not None:
        parts.append(f"total {seconds(record.timings.total_s)}")
    return " · ".join(parts)


def fenced(text: str) -> str:
    """A code block that no backtick run in `text` can close early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def markdown(runs: Sequence[StoredRun], timings: bool = True) -> str:
    """Runs in the order given; the runs of one conversation given one after another print
    as that conversation."""
    parts = []
    for group in conversations(runs):
        if len(group) == 1 and group[0].turn == 0:
            parts.append(run_markdown(group[0], timings))
        else:
            parts.append(conversation_markdown(group, timings))
    return "\n\n".join(parts) + "\n"


def conversations(runs: Sequence[StoredRun]) -> list[list[StoredRun]]:
    """`runs` cut where the conversation changes."""
    groups: list[list[StoredRun]] = []
    for run in runs:
        if groups and groups[-1][-1].conversation_id == run.conversation_id:
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def conversation_markdown(runs: Sequence[StoredRun], timings: bool = True) -> str:
    """A conversation's runs (turn order; every branch, or the one that ends at a run), turn
    by turn: the question, then each SUT's answer. A turn that does not follow the one printed
    before it (another branch) says what it continues."""
    first, last = runs[0], runs[-1]
    turns = max(r.turn for r in runs) + 1
    ids = ", ".join(str(r.id) for r in runs)
    parts = [f"## Conversation {first.conversation_id} · {turns} turns · "
             f"{when(first.started_at)} · run{'s' if len(runs) > 1 else ''} {ids}"]  # fmt: skip
    if last.system:
        parts.append("**System prompt**\n\n" + fenced(last.system))
    system = last.system
    before: StoredRun | None = None
    for run in runs:
        head = f"### Turn {run.turn + 1} · run {run.id} · {when(run.started_at)}"
        if run.branch_of is not None:
            head += f" · an edited question, beside run {run.branch_of}"
        elif run.previous_id is not None and (before is None or before.id != run.previous_id):
            head += f" · after run {run.previous_id}"
        parts.append(head)
        if run.parent_id is not None:
            parts.append(f"A re-run of run {run.parent_id}.")
        if run.system != system:
            parts.append("**System prompt** (this turn)\n\n" + fenced(run.system or ""))
        parts.append("**Prompt**\n\n" + fenced(run.prompt))
        if run.options:
            parts.append("**Options**: " + options_line(run.options))
        if run.for_all:
            parts.append(f"*Used for all*: every thread continues from {run.for_all}'s answer.")
        for answer in run.answers:
            parts.append(answer_markdown(answer, timings, run.options, level=4))
        before = run
    return "\n\n".join(parts)


def run_markdown(run: StoredRun, timings: bool = True) -> str:
    parts = [f"## Run {run.id} · {when(run.started_at)}"]
    if run.parent_id is not None:
        parts.append(f"A re-run of run {run.parent_id}.")
    if run.system:
        parts.append("**System prompt**\n\n" + fenced(run.system))
    parts.append("**Prompt**\n\n" + fenced(run.prompt))
    if run.options:
        parts.append("**Options**: " + options_line(run.options))
    for answer in run.answers:
        parts.append(answer_markdown(answer, timings, run.options))
    return "\n\n".join(parts)


def answer_markdown(
    answer: ResultRecord,
    timings: bool = True,
    shared: dict[str, Any] | None = None,
    level: int = 3,
) -> str:
    """One answer; its options are shown when they are not the run's (`shared`)."""
    lines = [f"{'#' * level} {answer.index + 1}. {answer.sut} · {answer.status}"]
    meta = [f"`{answer.uid}`"] if answer.uid and answer.uid != answer.sut else []
    if answer.options and answer.options != shared:
        meta.append(options_line(answer.options))
    shown = figures(answer, timings)
    if shown:
        meta.append(shown)
    if meta:
        lines.append(" · ".join(meta))
    for note in answer.notes:
        lines.append(f"*Note*: {note}")
    if answer.error:
        lines.append(f"**Error**: {error_line(answer.error)}")
        if answer.error.get("hint"):
            lines.append(f"*What to do*: {answer.error['hint']}")
    if answer.reasoning:
        lines.append("**Reasoning**\n\n" + fenced(answer.reasoning))
    if answer.text or not answer.error:
        lines.append(fenced(answer.text))
    return "\n\n".join(lines)


def options_line(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in options.items())
