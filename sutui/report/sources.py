"""Where a report's records come from: a batch output directory's results.jsonl, runs of the
history, and the arena votes. Each gives result records as plain dicts (docs/results.md):
reading 40,000 lines as JSON is quick, validating each through pydantic would triple it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sutui.batch.results import RESULTS
from sutui.errors import InputError
from sutui.records import SCHEMA


@dataclass
class Gathered:
    """The records found, and words for the report's header about where they came from."""

    records: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    skipped: int = 0
    """Lines of a results.jsonl that are not records (an unfinished line, another schema)."""


def batch_records(out: Path, into: Gathered) -> None:
    """Every record of `out/results.jsonl` (a batch's --out directory)."""
    if not out.is_dir():
        raise InputError(
            f"{out}: no such directory, and not a run number: give a batch's --out directory, "
            "run numbers from `sutui history list`, --all, --search WORDS or --votes."
        )
    path = out / RESULTS
    if not path.is_file():
        raise InputError(
            f"{out} holds no {RESULTS}: give the directory a batch wrote (sutui batch --out)."
        )
    found = 0
    try:
        with path.open("rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                record = _record(raw)
                if record is None:
                    into.skipped += 1
                    continue
                into.records.append(record)
                found += 1
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if not found:
        raise InputError(f"{path} holds no result records: nothing to report.")
    into.sources.append(f"batch {out} ({found} record{'s' if found != 1 else ''})")


def _record(raw: bytes) -> dict[str, Any] | None:
    """One line as a record, or None when it is none (not JSON, another schema, no SUT)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("schema", SCHEMA) != SCHEMA:
        return None
    if not isinstance(data.get("sut"), str) or not isinstance(data.get("prompt"), str):
        return None
    return data


def history_records(ids: Sequence[str], every: bool, search: str, into: Gathered) -> None:
    """The runs named (with their earlier turns), or every run --all / --search finds, chosen
    as `sutui history export` chooses them."""
    from sutui.cli.history_cmd import opened, select_runs

    with opened() as store:
        runs = select_runs(store, ids, every, search)
    if not runs:
        said = f"matching '{search}' " if search else ""
        raise InputError(f"no run {said}in the history: `sutui history list` shows the runs.")
    for run in runs:
        into.records.extend(answer.to_dict() for answer in run.answers)
    count = f"{len(runs)} run{'s' if len(runs) != 1 else ''}"
    into.sources.append(f"history: {count}" + (f" matching '{search}'" if search else ""))


@dataclass(frozen=True)
class Board:
    """The leaderboard: its table as `sutui leaderboard` prints it, and its rows as
    `sutui leaderboard --json` gives them (with the name shown) for the chart."""

    votes: int
    headers: tuple[str, ...]
    table: list[tuple[str, ...]]
    points: list[dict[str, Any]]
    explanation: str


def leaderboard(required: bool) -> Board | None:
    """The arena's standings, or None when there are no votes (an error when --votes asked).
    A history database that does not exist yet is not made: it holds no votes."""
    from sutui.arena.board import HEADERS, ROUNDS, SEED, board, explanation, known_names, to_json
    from sutui.arena.board import rows as table_rows
    from sutui.arena.votes import load_votes
    from sutui.history.store import default_path

    votes = load_votes() if default_path().exists() else []
    if not votes:
        if required:
            raise InputError(
                "--votes: no votes yet: vote in the app's arena mode (ctrl+g on the compare "
                "screen)."
            )
        return None
    standings = board(votes)
    names = known_names(votes)
    points = to_json(standings, len(votes), ROUNDS, SEED)["suts"]
    for point in points:
        point["name"] = names.get(point["uid"], point["uid"])
    return Board(len(votes), HEADERS, table_rows(standings, names), points, explanation(len(votes)))
