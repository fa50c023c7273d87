"""The optional response cache (`sutui batch --cache`): SQLite in the user's cache directory.

Keyed by (canonical UID, prompt, system, options) (see keys.cache_key); only finished answers are
stored, never an error. The standard sqlite3 module, called from the event loop: a keyed look-up
or an insert takes microseconds, and inserts are committed in groups (WAL, synchronous=NORMAL),
so a thread per call (aiosqlite) would cost more than it saves.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from drivers.response import SUTResponse
from drivers.runner import Timings

COMMIT_EVERY = 200
COMMIT_AFTER_S = 2.0

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
    override = os.environ.get("SUTUI_CACHE_DIR")
    base = Path(override) if override else Path(platformdirs.user_cache_dir("sutui"))
    return base / "responses.sqlite3"


class CacheError(Exception):
    """The cache file cannot be opened (reported before any request)."""


@dataclass(frozen=True)
class Cached:
    response: SUTResponse
    timings: Timings


class ResponseCache:
    def __init__(self, path: Path | None = None):
        self.path = path or default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(
                f"cannot use the response cache {self.path}: {exc}. "
                "Run without --cache, or set SUTUI_CACHE_DIR to a writable directory."
            ) from None
        self._pending = 0
        self._last_commit = time.monotonic()
        self.hits = 0
        self.stored = 0

    def get(self, key: bytes) -> Cached | None:
        row = self._db.execute(
            "SELECT response, first_token_s, total_s, first_reasoning_s FROM responses"
            " WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        self.hits += 1
        data, first, total, first_reasoning = row
        response = SUTResponse.model_validate_json(data)
        return Cached(response, Timings(first, total or 0.0, first_reasoning))

    def put(self, key: bytes, response: SUTResponse, timings: Timings) -> None:
        if self._pending == 0:
            self._db.execute("BEGIN")
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
        self._pending += 1
        self.stored += 1
        now = time.monotonic()
        if self._pending >= COMMIT_EVERY or now - self._last_commit > COMMIT_AFTER_S:
            self.commit()

    def commit(self) -> None:
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0
        self._last_commit = time.monotonic()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self._db.close()
