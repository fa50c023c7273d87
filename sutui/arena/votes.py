"""Blind votes, stored in the history database (table `votes`: schema step V2 in
sutui/history/schema.py).

A vote names its contestants by canonical UID in the order they were shown (A, B, ...), so a
renamed predefined SUT keeps its record; the names as the user wrote them come along for
display. A vote links to its saved run when the run is in the history (deleting the run keeps
the vote). No secret is kept: a UID names secrets but holds none, and every string saved passes
the driver layer's redaction (a key pasted into a prompt is masked).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sutui import __version__
from sutui.arena.ratings import OUTCOMES, Contest
from sutui.records import now_iso

SCHEMA = "sutui.vote/1"


class VoteError(ValueError):
    """A vote that does not make sense (no contestants, a winner out of range, ...)."""


@dataclass(frozen=True)
class Vote:
    contestants: tuple[str, ...]
    """Canonical UIDs, in the order shown: index 0 was A."""
    outcome: str
    winner: int | None
    prompt: str
    names: tuple[str, ...] = ()
    system: str | None = None
    run_id: int | None = None
    seed: int | None = None
    created_at: str = field(default_factory=now_iso)
    id: int | None = None
    sutui_version: str = __version__

    def __post_init__(self) -> None:
        if len(self.contestants) < 2:
            raise VoteError("a vote needs at least two contestants")
        if self.outcome not in OUTCOMES:
            raise VoteError(f"unknown outcome {self.outcome!r} (one of {', '.join(OUTCOMES)})")
        if (self.outcome == "win") != (self.winner is not None):
            raise VoteError("a winner is given exactly when the outcome is 'win'")
        if self.winner is not None and not 0 <= self.winner < len(self.contestants):
            raise VoteError(f"winner {self.winner} is not one of the contestants")
        if self.names and len(self.names) != len(self.contestants):
            raise VoteError("names and contestants differ in length")

    @property
    def winner_uid(self) -> str | None:
        return None if self.winner is None else self.contestants[self.winner]

    def contest(self) -> Contest:
        return Contest(self.contestants, self.outcome, self.winner)

    def to_dict(self) -> dict[str, Any]:
        """One line of `sutui votes export` (docs/arena.md lists the fields)."""
        return {
            "schema": SCHEMA,
            "id": self.id,
            "created_at": self.created_at,
            "run_id": None if self.run_id is None else str(self.run_id),  # as result records
            "prompt": self.prompt,
            "system": self.system,
            "contestants": list(self.contestants),
            "names": list(self.names or self.contestants),
            "outcome": self.outcome,
            "winner": self.winner,
            "winner_uid": self.winner_uid,
            "seed": self.seed,
            "sutui_version": self.sutui_version,
        }


def save(conn: sqlite3.Connection, vote: Vote) -> int:
    """Insert `vote` (one transaction); returns its id. Its text passes the driver layer's
    redaction, as the history's does: a key pasted into a prompt or a UID is not kept."""
    from drivers.redaction import redact

    with _transaction(conn):
        cursor = conn.execute(
            "INSERT INTO votes (created_at, run_id, prompt, system, contestants, names, outcome,"
            " winner, seed, sutui_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                vote.created_at,
                vote.run_id,
                redact(vote.prompt),
                None if vote.system is None else redact(vote.system),
                json.dumps([redact(uid) for uid in vote.contestants]),
                json.dumps([redact(name) for name in vote.names or vote.contestants]),
                vote.outcome,
                vote.winner,
                vote.seed,
                vote.sutui_version,
            ),
        )
    return int(cursor.lastrowid or 0)


def load(conn: sqlite3.Connection) -> list[Vote]:
    """Every vote, oldest first (the order Elo reads them in)."""
    rows = conn.execute(
        "SELECT id, created_at, run_id, prompt, system, contestants, names, outcome, winner,"
        " seed, sutui_version FROM votes ORDER BY created_at, id"
    )
    return [_vote(row) for row in rows]


def _vote(row: tuple[Any, ...]) -> Vote:
    id_, created, run_id, prompt, system, contestants, names, outcome, winner, seed, version = row
    return Vote(
        contestants=tuple(json.loads(contestants)),
        names=tuple(json.loads(names)),
        outcome=outcome,
        winner=winner,
        prompt=prompt,
        system=system,
        run_id=run_id,
        seed=seed,
        created_at=created,
        id=id_,
        sutui_version=version,
    )


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT on an autocommit connection (ROLLBACK on any error)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # a full disk may have rolled it back already
            self.conn.execute("ROLLBACK")


def export_lines(votes: list[Vote]) -> Iterator[str]:
    for vote in votes:
        yield json.dumps(vote.to_dict(), ensure_ascii=False)


def connect(path: Path | None = None) -> sqlite3.Connection:
    """The history database (default: the user's), migrated, so the votes table exists. Where
    it cannot be written (a full disk, a read-only data dir) it is opened for reading: the votes
    are still listed and ranked, and saving one says why it cannot be."""
    from sutui import storage
    from sutui.history.errors import HistoryError, HistoryStorageError
    from sutui.history.schema import migrate, version
    from sutui.history.store import BUSY_TIMEOUT_MS, default_path

    path = path or default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except (sqlite3.Error, OSError) as exc:
        found = storage.problem(exc, path)
        if found is None:
            raise HistoryError(
                f"the votes in {path} cannot be opened ({exc}). Move the file away to start a "
                "new history."
            ) from exc
        why = f"{storage.cannot_write(exc, path)}. {storage.advice(found)}"
        try:
            conn = storage.connect_read_only(path, BUSY_TIMEOUT_MS / 1000)
            schema = version(conn)
        except sqlite3.Error:
            raise HistoryStorageError(f"{why}; the votes cannot be read either.") from exc
        if schema < 2:  # no votes table yet
            conn.close()
            raise HistoryStorageError(f"{why}; there are no votes to read yet.") from exc
    return conn


def save_vote(vote: Vote, path: Path | None = None) -> int:
    """Open the database, save `vote`, close; returns the vote's id."""
    from sutui import storage
    from sutui.history.errors import HistoryError, HistoryStorageError
    from sutui.history.store import default_path

    conn = connect(path)
    try:
        return save(conn, vote)
    except sqlite3.Error as exc:
        where = path or default_path()
        found = storage.problem(exc, where)
        if found is not None:
            raise HistoryStorageError(
                f"{storage.cannot_write(exc, where)}: the vote was not saved. "
                f"{storage.advice(found)}, or set SUTUI_DATA_DIR to another directory."
            ) from exc
        raise HistoryError(f"the vote could not be saved ({exc}).") from exc
    finally:
        conn.close()


def load_votes(path: Path | None = None) -> list[Vote]:
    """Every vote in the database, oldest first."""
    conn = connect(path)
    try:
        return load(conn)
    finally:
        conn.close()
