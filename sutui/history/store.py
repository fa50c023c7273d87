"""The run history: every compare run, in SQLite (WAL) in the user data dir.

A run is written as it happens, one short transaction per step: the run and a `running` row
per SUT when it starts, the partial text now and then while it streams, each answer the
moment it ends. So a crash or `kill -9` loses no finished answer; the unfinished ones of a
process that is gone (sutui/history/owner.py says which) read back as `partial`, with the text
that had been saved.

Where the history cannot be written (a full disk, a read-only data dir), it is opened for
reading only: lists, shows and exports work, and each write raises HistoryStorageError saying
"disk full" or "read-only" with the path (a run still answers, unsaved: recorder.py).

Nothing stored holds a secret: every string passes through the driver layer's redaction.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.locations import user_data_dir
from drivers.redaction import redact
from sutui import __version__, storage
from sutui.history.errors import HistoryError, HistoryStorageError
from sutui.history.owner import Owner, gone, me
from sutui.history.rows import record_from_row, run_options
from sutui.history.schema import MIGRATIONS, migrate, version
from sutui.records import RecordUsage, ResultRecord, now_iso

FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000


def default_path() -> Path:
    """`history.sqlite3` in the XDG data dir (`~/.local/share/sutui`; SUTUI_DATA_DIR wins)."""
    return user_data_dir() / FILE_NAME


@dataclass(frozen=True)
class Planned:
    """One SUT of a run about to start."""

    sut: str
    uid: str | None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSummary:
    """A row of the history list: no answer text."""

    id: int
    started_at: str
    origin: str
    prompt: str
    system: str | None
    suts: tuple[tuple[str, str], ...]
    """(SUT, status) in column order; status `running` while its process still runs it."""


@dataclass(frozen=True)
class StoredRun:
    id: int
    started_at: str
    origin: str
    prompt: str
    system: str | None
    options: dict[str, Any]
    timeout_s: float | None
    parent_id: int | None
    sutui_version: str
    answers: tuple[ResultRecord, ...]
    running: frozenset[int] = frozenset()
    """Indexes of answers still being written by a live process (their records say partial)."""

    @property
    def failed(self) -> tuple[ResultRecord, ...]:
        """Every answer that did not finish well: failed, cancelled or partial."""
        return tuple(a for a in self.answers if a.status != "done")


class HistoryStore:
    """One connection to the history database (use it from one thread)."""

    def __init__(self, path: Path | None = None, migrations: Sequence[str] = MIGRATIONS):
        self.path = path or default_path()
        self.read_only: str | None = None
        """Why the history cannot be written now (it is still read), or None."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = storage.when_free(
                lambda: self._open_writable(migrations), BUSY_TIMEOUT_MS / 1000
            )
        except (sqlite3.Error, OSError) as exc:
            found = storage.problem(exc, self.path)
            if found is None:
                raise HistoryError(
                    f"the history at {self.path} cannot be opened ({exc}). Move the file away "
                    "to start a new history, or run with --no-history."
                ) from exc
            self.read_only = (
                f"{storage.cannot_write(exc, self.path)}. {storage.advice(found)}, or set "
                "SUTUI_DATA_DIR to another directory; the history can still be read."
            )
            self._conn = self._open_for_reading(migrations)
        self._conn.row_factory = sqlite3.Row
        with contextlib.suppress(HistoryStorageError):  # the next writable open does it
            self._recover()

    def _open_writable(self, migrations: Sequence[str]) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: a commit survives a crash or kill of this process (only a
            # power cut may lose the last commits), without an fsync per write.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, migrations)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_for_reading(self, migrations: Sequence[str]) -> sqlite3.Connection:
        """The history as it is, where it cannot be written (an empty one if there is none)."""
        assert self.read_only is not None
        if not self.path.exists():
            conn = sqlite3.connect(":memory:", isolation_level=None)
            migrate(conn, migrations)
            return conn
        try:
            conn = storage.connect_read_only(self.path, BUSY_TIMEOUT_MS / 1000)
            current = version(conn)
        except sqlite3.Error as exc:
            raise HistoryStorageError(
                f"the history at {self.path} cannot be read ({exc}): {self.read_only}"
            ) from exc
        if current != len(migrations):
            conn.close()
            needs = "a newer sutui" if current > len(migrations) else "its tables upgraded"
            raise HistoryStorageError(
                f"the history at {self.path} needs {needs} (schema {current}, this sutui "
                f"knows {len(migrations)}), and {self.read_only}"
            )
        return conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.read_only is not None:
            raise HistoryStorageError(self.read_only)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                # A full disk may have ended the transaction already (SQLite rolls back).
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            found = storage.problem(exc, self.path)
            if found is not None:
                raise HistoryStorageError(
                    f"{storage.cannot_write(exc, self.path)}: nothing was changed. "
                    f"{storage.advice(found)}, or set SUTUI_DATA_DIR to another directory; "
                    "the history can still be read."
                ) from exc
            raise HistoryError(f"the history at {self.path} could not be written ({exc}).") from exc

    # ----- writing a run as it happens -----------------------------------------------------
    def begin_run(
        self,
        *,
        prompt: str,
        system: str | None,
        options: dict[str, Any],
        suts: Sequence[Planned],
        origin: str,
        timeout_s: float | None = None,
        parent_id: int | None = None,
        started_at: str | None = None,
    ) -> int:
        """Save a run and a `running` answer per SUT; returns the run's id."""
        writer = me()
        with self._tx() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, origin, prompt, system, options, timeout_s,"
                " parent_id, pid, host, pid_started, touched_at, sutui_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    started_at or now_iso(),
                    origin,
                    redact(prompt),
                    None if system is None else redact(system),
                    _json(options),
                    timeout_s,
                    parent_id,
                    writer.pid,
                    writer.host,
                    writer.started,
                    now_iso(),
                    __version__,
                ),
            )
            run_id = cursor.lastrowid
            assert run_id is not None
            conn.executemany(
                "INSERT INTO answers (run_id, idx, sut, uid, options, status)"
                " VALUES (?, ?, ?, ?, ?, 'running')",
                [
                    (
                        run_id,
                        i,
                        redact(p.sut),
                        None if p.uid is None else redact(p.uid),
                        _json(p.options),
                    )
                    for i, p in enumerate(suts)
                ],
            )
        return run_id

    def save_partial(self, run_id: int, index: int, text: str, reasoning: str = "") -> None:
        """The text (and reasoning) streamed so far by a running answer (kept if the process
        dies)."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE answers SET text = ?, reasoning = ?"
                " WHERE run_id = ? AND idx = ? AND status = 'running'",
                (redact(text), redact(reasoning) or None, run_id, index),
            )

    def finish(self, record: ResultRecord) -> None:
        """An answer ended (done, failed, cancelled or partial): `record.run_id` and `index`
        say which."""
        if record.run_id is None:
            raise ValueError("a record to store needs its run_id")
        usage = record.usage or RecordUsage()
        with self._tx() as conn:
            conn.execute(
                "UPDATE answers SET status = ?, text = ?, finish_reason = ?, prompt_tokens = ?,"
                " completion_tokens = ?, error = ?, first_token_s = ?, total_s = ?, options = ?,"
                " reasoning = ?, provider_finish_reason = ?, reasoning_tokens = ?, notes = ?,"
                " first_reasoning_s = ? WHERE run_id = ? AND idx = ?",
                (
                    record.status,
                    redact(record.text),
                    record.finish_reason,
                    usage.prompt_tokens,
                    usage.completion_tokens,
                    None if record.error is None else redact(_json(record.error)),
                    record.timings.first_token_s,
                    record.timings.total_s,
                    _json(record.options),
                    None if record.reasoning is None else redact(record.reasoning),
                    record.provider_finish_reason,
                    usage.reasoning_tokens,
                    _json(record.notes) if record.notes else None,
                    record.timings.first_reasoning_s,
                    int(record.run_id),
                    record.index,
                ),
            )

    def restart(self, run_id: int, index: int, options: dict[str, Any]) -> None:
        """One answer is sent again (a retry in the app): it runs anew, in this process."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE answers SET status = 'running', text = '', finish_reason = NULL,"
                " prompt_tokens = NULL, completion_tokens = NULL, error = NULL,"
                " first_token_s = NULL, total_s = NULL, reasoning = NULL,"
                " provider_finish_reason = NULL, reasoning_tokens = NULL, notes = NULL,"
                " first_reasoning_s = NULL, options = ? WHERE run_id = ? AND idx = ?",
                (_json(options), run_id, index),
            )
            writer = me()
            conn.execute(
                "UPDATE runs SET pid = ?, host = ?, pid_started = ?, touched_at = ? WHERE id = ?",
                (writer.pid, writer.host, writer.started, now_iso(), run_id),
            )

    def stop_running(
        self, run_id: int, texts: dict[int, str], reasonings: dict[int, str] | None = None
    ) -> None:
        """The run stops before these answers end (the app quits): they become partial, with
        their text and reasoning (by index)."""
        with self._tx() as conn:
            for index, text in texts.items():
                reasoning = (reasonings or {}).get(index, "")
                conn.execute(
                    "UPDATE answers SET status = 'partial', text = ?, reasoning = ?"
                    " WHERE run_id = ? AND idx = ? AND status = 'running'",
                    (redact(text), redact(reasoning) or None, run_id, index),
                )

    def _recover(self) -> None:
        """Answers left `running` by a process that is gone (a crash, kill -9) are partial."""
        rows = self._conn.execute(
            "SELECT DISTINCT r.id, r.host, r.pid, r.pid_started, r.touched_at"
            " FROM answers a JOIN runs r ON r.id = a.run_id WHERE a.status = 'running'"
        ).fetchall()
        dead = [
            row["id"]
            for row in rows
            if gone(Owner(row["host"] or me().host, row["pid"], row["pid_started"]),
                    row["touched_at"])
        ]  # fmt: skip
        if not dead:
            return
        marks = ",".join("?" * len(dead))
        with self._tx() as conn:
            conn.execute(
                "UPDATE answers SET status = 'partial' WHERE status = 'running'"
                f" AND run_id IN ({marks})",
                dead,
            )

    # ----- reading ---------------------------------------------------------------------------
    def runs(self, search: str = "", limit: int | None = None) -> list[RunSummary]:
        """The newest runs first; `search` keeps runs where every word appears in the prompt,
        the system prompt, a SUT's name or UID, or an answer (case-insensitive)."""
        where, params = _search_clause(search)
        sql = f"SELECT * FROM runs r {where} ORDER BY r.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            runs = self._conn.execute(sql, params).fetchall()
            suts: dict[int, list[tuple[str, str]]] = {r["id"]: [] for r in runs}
            if runs:
                marks = ",".join("?" * len(runs))
                answers = self._conn.execute(
                    f"SELECT run_id, sut, status FROM answers WHERE run_id IN ({marks})"
                    " ORDER BY run_id, idx",
                    list(suts),
                ).fetchall()
                for a in answers:
                    suts[a["run_id"]].append((a["sut"], a["status"]))
        except sqlite3.Error as exc:
            raise HistoryError(f"the history at {self.path} could not be read ({exc}).") from exc
        return [
            RunSummary(r["id"], r["started_at"], r["origin"], r["prompt"], r["system"],
                       tuple(suts[r["id"]]))
            for r in runs
        ]  # fmt: skip

    def count(self, search: str = "") -> int:
        """How many runs `runs(search)` finds without a limit."""
        where, params = _search_clause(search)
        try:
            row = self._conn.execute(f"SELECT count(*) FROM runs r {where}", params).fetchone()
        except sqlite3.Error as exc:
            raise HistoryError(f"the history at {self.path} could not be read ({exc}).") from exc
        return int(row[0])

    def run(self, run_id: int) -> StoredRun | None:
        try:
            row = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            answers = self._conn.execute(
                "SELECT * FROM answers WHERE run_id = ? ORDER BY idx", (run_id,)
            ).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"the history at {self.path} could not be read ({exc}).") from exc
        notes: list[str] = []  # a field that cannot be read: said, never fatal (rows.py)
        options = run_options(row["options"], notes)
        return StoredRun(
            id=row["id"],
            started_at=row["started_at"],
            origin=row["origin"],
            prompt=row["prompt"],
            system=row["system"],
            options=options,
            timeout_s=row["timeout_s"],
            parent_id=row["parent_id"],
            sutui_version=row["sutui_version"],
            answers=tuple(record_from_row(row, a, tuple(notes)) for a in answers),
            running=frozenset(a["idx"] for a in answers if a["status"] == "running"),
        )

    def last_id(self) -> int | None:
        row = self._conn.execute("SELECT max(id) FROM runs").fetchone()
        return None if row[0] is None else int(row[0])

    def delete(self, run_ids: Sequence[int]) -> int:
        """Delete runs (and their answers); returns how many there were."""
        if not run_ids:
            return 0
        marks = ",".join("?" * len(run_ids))
        with self._tx() as conn:
            cursor = conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", list(run_ids))
        return cursor.rowcount


def _search_clause(search: str) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for word in search.split():
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(r.prompt LIKE ? ESCAPE '\\' OR coalesce(r.system, '') LIKE ? ESCAPE '\\'"
            " OR EXISTS (SELECT 1 FROM answers a WHERE a.run_id = r.id AND (a.sut LIKE ?"
            " ESCAPE '\\' OR coalesce(a.uid, '') LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\')))"
        )
        params.extend([like] * 5)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
