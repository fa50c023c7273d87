"""The optional response cache (`sutui batch --cache`): SQLite in the user's cache directory.

Keyed by (canonical UID, prompt, system, options) (see keys.cache_key); only finished answers are
stored, never an error. The standard sqlite3 module, called from the event loop: a keyed look-up
or an insert takes microseconds, so a thread per call (aiosqlite) would cost more than it saves.

Several batches may share the cache at once: each insert is its own transaction (WAL,
synchronous=NORMAL: no fsync per insert), so no batch holds the write lock between answers, and
one that finds it held waits up to BUSY_TIMEOUT_S. The cache never stops a batch: where it
cannot be written (a full disk, a read-only directory) its answers are still read, new ones are
not stored, and `problem` says why (once, in the summary).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from drivers.locations import user_cache_dir
from drivers.response import SUTResponse
from drivers.runner import Timings
from sutui import storage

BUSY_TIMEOUT_S = 30.0
"""How long an insert waits for another batch's write to end."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key BLOB PRIMARY KEY,
    response TEXT NOT NULL,  -- the SUTResponse as JSON: answer, reasoning, usage, notes...
    first_token_s REAL,
    total_s REAL,
    first_reasoning_s REAL,
    stored_at REAL NOT NULL
) WITHOUT ROWID
"""
"""The whole response as JSON, so a field the driver layer adds is cached too. (Version 1's
`answers` table kept only text and counts: it is left unread, a cache's loss, not the user's.)"""


def default_cache_path() -> Path:
    return user_cache_dir() / "responses.sqlite3"


class CacheError(Exception):
    """The cache file cannot be opened (reported before any request)."""


@dataclass(frozen=True)
class Cached:
    response: SUTResponse
    timings: Timings


class ResponseCache:
    def __init__(self, path: Path | None = None):
        self.path = path or default_cache_path()
        self.problem: str | None = None
        """Why new answers are not stored (None: they are)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = storage.when_free(self._open, BUSY_TIMEOUT_S)
        except (OSError, sqlite3.Error) as exc:
            self._db = self._open_read_only(exc)
        self.hits = 0
        self.stored = 0

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _open_read_only(self, exc: OSError | sqlite3.Error) -> sqlite3.Connection:
        """Where the cache cannot be written, its answers are still used; with nothing to read
        either, --cache is refused before any request."""
        found = storage.problem(exc, self.path)
        why = storage.cannot_write(exc, self.path)
        if found is not None:
            try:
                db = storage.connect_read_only(self.path, BUSY_TIMEOUT_S)
            except sqlite3.Error:
                pass
            else:
                try:
                    db.execute("SELECT 1 FROM responses LIMIT 1").fetchall()
                except sqlite3.Error:
                    db.close()
                else:
                    self.problem = f"{why}: cached answers were used, new ones not stored. " + (
                        f"{storage.advice(found)}, or set SUTUI_CACHE_DIR to another directory."
                    )
                    return db
        raise CacheError(
            f"cannot use the response cache: {why}. Run without --cache, or set "
            "SUTUI_CACHE_DIR to a writable directory."
        ) from None

    def get(self, key: bytes) -> Cached | None:
        try:
            row = self._db.execute(
                "SELECT response, first_token_s, total_s, first_reasoning_s FROM responses"
                " WHERE key = ?",
                (key,),
            ).fetchone()
        except sqlite3.Error as exc:  # unreadable now: a miss, the answer is sent
            self._failed(exc, "read")
            return None
        if row is None:
            return None
        self.hits += 1
        data, first, total, first_reasoning = row
        response = SUTResponse.model_validate_json(data)
        return Cached(response, Timings(first, total or 0.0, first_reasoning))

    def put(self, key: bytes, response: SUTResponse, timings: Timings) -> None:
        """Store one answer, committed at once; a failure is noted, never raised (the answer
        is in results.jsonl already)."""
        if self.problem is not None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    response.model_dump_json(exclude={"top_logprobs"}),
                    timings.first_token_s,
                    timings.total_s,
                    timings.first_reasoning_s,
                    time.time(),
                ),
            )
        except sqlite3.Error as exc:
            self._failed(exc, "written")
            return
        self.stored += 1

    def _failed(self, exc: sqlite3.Error, done: str) -> None:
        if self.problem is not None:
            return
        found = storage.problem(exc, self.path) if done == "written" else None
        if found is not None:
            self.problem = (
                f"{storage.cannot_write(exc, self.path)}: answers from then on were not stored "
                f"in the cache. {storage.advice(found)}, or set SUTUI_CACHE_DIR to another "
                "directory."
            )
        else:
            self.problem = (
                f"the response cache {self.path} could not be {done} ({exc}): answers from "
                "then on were not stored in it."
            )

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
