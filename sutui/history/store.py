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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.locations import user_data_dir
from drivers.redaction import redact
from sutui import __version__, storage
from sutui.history.errors import HistoryError, HistoryStorageError
from sutui.history.owner import Owner, gone, me
from sutui.history.planned import Planned as Planned
from sutui.history.rows import record_from_row, run_options
from sutui.history.schema import MIGRATIONS, migrate, version
from sutui.history.threads import with_messages
from sutui.records import RecordUsage, ResultRecord, now_iso

FILE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000


def default_path() -> Path:
    """`history.sqlite3` in the XDG data dir (`~/.local/share/sutui`; SUTUI_DATA_DIR wins)."""
    return user_data_dir() / FILE_NAME


@dataclass(frozen=True)
class RunSummary:
    """A row of the history list, one per conversation: its newest run (of those a search
    found); no answer text."""

    id: int
    started_at: str
    origin: str
    prompt: str
    system: str | None
    suts: tuple[tuple[str, str], ...]
    """(SUT, status) in column order; status `running` while its process still runs it."""
    conversation_id: int = 0
    turn: int = 0
    """This run's turn, from 0."""
    turns: int = 1
    """How many turns the conversation has (its longest branch)."""
    goes_on: bool = False
    """Later turns go on from this run (a search found an earlier turn)."""

    @property
    def turns_text(self) -> str:
        """'' for a single send, `3 turns` (this run's branch), or `turn 2 of 3` when later
        turns go on from it (shown 1-based)."""
        if self.goes_on:
            return f"turn {self.turn + 1} of {self.turns}"
        return f"{self.turn + 1} turns" if self.turn else ""


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
    conversation_id: int | None = None
    turn: int = 0
    previous_id: int | None = None
    """The run of the turn before on this branch (None at turn 0)."""
    branch_of: int | None = None
    """An edited question: the run of the same turn it replaced (that branch is kept)."""
    for_all: str | None = None
    """The thread whose answer every thread continued from after this turn."""

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
        previous_id: int | None = None,
        branch_of: int | None = None,
    ) -> int:
        """Save a run and a `running` answer per SUT; returns the run's id.

        A turn after the first names `previous_id`, the run of the turn before on its
        branch; an edited question names `branch_of`, the run of the same turn it replaces
        (at turn 0 alone). The conversation and the turn follow from them, read in the same
        transaction, so a run cannot contradict its chain. A run they name that is no longer
        there (deleted meanwhile) is a HistoryError: the turn is not saved."""
        writer = me()
        with self._tx() as conn:
            conversation_id, turn = self._link(conn, previous_id, branch_of)
            cursor = conn.execute(
                "INSERT INTO runs (started_at, origin, prompt, system, options, timeout_s,"
                " parent_id, pid, host, pid_started, touched_at, sutui_version,"
                " conversation_id, turn, previous_id, branch_of)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    conversation_id,
                    turn,
                    previous_id,
                    branch_of,
                ),
            )
            run_id = cursor.lastrowid
            assert run_id is not None
            if conversation_id is None:  # a new conversation: named by its first run
                conn.execute("UPDATE runs SET conversation_id = id WHERE id = ?", (run_id,))
            conn.executemany(
                "INSERT INTO answers (run_id, idx, sut, uid, options, status, thread)"
                " VALUES (?, ?, ?, ?, ?, 'running', ?)",
                [
                    (
                        run_id,
                        i,
                        redact(p.sut),
                        None if p.uid is None else redact(p.uid),
                        _json(p.options),
                        redact(p.thread or p.sut),
                    )
                    for i, p in enumerate(suts)
                ],
            )
        return run_id

    def _link(
        self, conn: sqlite3.Connection, previous_id: int | None, branch_of: int | None
    ) -> tuple[int | None, int]:
        """The conversation and turn of a run continuing `previous_id` (or replacing
        `branch_of`); (None, 0): a new conversation."""
        found: dict[str, sqlite3.Row] = {}
        for name, run_id in (("previous", previous_id), ("branch_of", branch_of)):
            if run_id is None:
                continue
            row = conn.execute(
                "SELECT conversation_id, turn, previous_id FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                does = "continues" if name == "previous" else "replaces"
                raise HistoryError(
                    f"run {run_id}, which this turn {does}, is no longer in the history "
                    "(deleted?): this turn is not saved."
                )
            found[name] = row
        if "branch_of" in found:
            replaced = found["branch_of"]
            if replaced["previous_id"] != previous_id:  # a caller's bug, not the user's
                raise ValueError(
                    f"run {branch_of} continues run {replaced['previous_id']}, not "
                    f"{previous_id}: an edited turn replaces a run of the same turn"
                )
        if "previous" in found:
            before = found["previous"]
            return before["conversation_id"] or previous_id, int(before["turn"] or 0) + 1
        if "branch_of" in found:
            return found["branch_of"]["conversation_id"] or branch_of, 0
        return None, 0

    def set_for_all(self, run_id: int, key: str | None) -> None:
        """After run `run_id`'s turn every thread continues from thread `key`'s answer (None:
        each from its own), as the compare screen's "use this answer for all" says."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE runs SET for_all = ? WHERE id = ?",
                (None if key is None else redact(key), run_id),
            )

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
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"the history at {self.path} could not be read ({exc}).") from exc

    def runs(self, search: str = "", limit: int | None = None) -> list[RunSummary]:
        """One row per conversation, newest first: its newest run, or with `search`, its
        newest run where every word appears in the prompt, the system prompt, a SUT's name or
        UID, or an answer (case-insensitive). A search names the turn that said it."""
        where, params = _search_clause(search)
        if where:
            newest = (f"r.id IN (SELECT max(r.id) FROM runs r {where}"
                      " GROUP BY coalesce(r.conversation_id, r.id))")  # fmt: skip
        else:  # from the newest down, each seek by index: a limit stops it early
            newest = ("NOT EXISTS (SELECT 1 FROM runs c"
                      " WHERE c.conversation_id = r.conversation_id AND c.id > r.id)")  # fmt: skip
        sql = (
            "SELECT r.*, (SELECT max(c.turn) FROM runs c"
            " WHERE c.conversation_id = r.conversation_id) AS last_turn,"
            " EXISTS (SELECT 1 FROM runs c WHERE c.previous_id = r.id) AS goes_on FROM runs r"
            f" WHERE {newest} ORDER BY r.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        runs = self._read(sql, params)
        suts: dict[int, list[tuple[str, str]]] = {r["id"]: [] for r in runs}
        if runs:
            marks = ",".join("?" * len(runs))
            answers = self._read(
                f"SELECT run_id, sut, status FROM answers WHERE run_id IN ({marks})"
                " ORDER BY run_id, idx",
                list(suts),
            )
            for a in answers:
                suts[a["run_id"]].append((a["sut"], a["status"]))
        out = []
        for r in runs:
            turn = _count(r["turn"])
            out.append(
                RunSummary(
                    r["id"],
                    r["started_at"],
                    r["origin"],
                    r["prompt"],
                    r["system"],
                    tuple(suts[r["id"]]),
                    r["conversation_id"] or r["id"],
                    turn,
                    max(_count(r["last_turn"]), turn) + 1,
                    bool(r["goes_on"]),
                )
            )
        return out

    def count(self, search: str = "") -> int:
        """How many conversations `runs(search)` finds without a limit."""
        where, params = _search_clause(search)
        sql = f"SELECT count(DISTINCT coalesce(r.conversation_id, r.id)) FROM runs r {where}"
        return int(self._read(sql, params)[0][0])

    def run(self, run_id: int) -> StoredRun | None:
        """One run, its answers' `messages` rebuilt from the turns before it."""
        branch = self.conversation(run_id)
        return branch[-1] if branch else None

    def conversation(self, run_id: int, messages: bool = True) -> list[StoredRun] | None:
        """The branch that ends at run `run_id`: its runs in turn order (the first at turn 0),
        each with its answers (`messages`: their `messages` rebuilt, for records and exports;
        resume() does not need them); None when there is no such run. resume() in
        sutui/history/threads.py makes it a Conversation to go on with."""
        rows = self._read(
            "WITH RECURSIVE branch(id) AS (SELECT ? UNION SELECT r.previous_id FROM runs r"
            " JOIN branch b ON r.id = b.id WHERE r.previous_id IS NOT NULL)"
            " SELECT r.* FROM runs r JOIN branch b ON r.id = b.id ORDER BY r.turn, r.id",
            (run_id,),
        )
        if not any(row["id"] == run_id for row in rows):
            return None
        runs = self._with_answers(rows, messages)
        last = next(r for r in runs if r.id == run_id)  # a hand-edited turn may sort it early
        return [r for r in runs if r is not last] + [last]

    def conversation_runs(self, conversation_id: int) -> list[StoredRun]:
        """Every run of a conversation, every branch (turn order, then oldest first)."""
        rows = self._read(
            "SELECT * FROM runs WHERE coalesce(conversation_id, id) = ? ORDER BY turn, id",
            (conversation_id,),
        )
        return self._with_answers(rows)

    def _with_answers(self, rows: Sequence[sqlite3.Row], messages: bool = True) -> list[StoredRun]:
        if not rows:
            return []
        by_run: dict[int, list[sqlite3.Row]] = {row["id"]: [] for row in rows}
        ids = list(by_run)
        for start in range(0, len(ids), 500):  # under SQLite's limit of bound values
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for a in self._read(
                f"SELECT * FROM answers WHERE run_id IN ({marks}) ORDER BY run_id, idx", chunk
            ):
                by_run[a["run_id"]].append(a)
        runs = [_stored(row, by_run[row["id"]]) for row in rows]
        return with_messages(runs) if messages else runs

    def position(self, run_id: int) -> tuple[int, int] | None:
        """Run `run_id`'s conversation and turn, or None when there is no such run."""
        rows = self._read("SELECT conversation_id, turn FROM runs WHERE id = ?", (run_id,))
        if not rows:
            return None
        return _link_id(rows[0]["conversation_id"]) or run_id, _count(rows[0]["turn"])

    def later(self, run_id: int) -> list[int]:
        """The runs that continue run `run_id` (its next turn, one per branch), oldest first."""
        rows = self._read("SELECT id FROM runs WHERE previous_id = ? ORDER BY id", (run_id,))
        return [int(row["id"]) for row in rows]

    def tip(self, run_id: int) -> int:
        """The latest turn of the newest branch through run `run_id` (itself when nothing
        continues it)."""
        seen = {run_id}
        while True:
            after = [i for i in self.later(run_id) if i not in seen]
            if not after:
                return run_id
            run_id = after[-1]
            seen.add(run_id)

    def later_turns(self, run_ids: Sequence[int]) -> list[int]:
        """Every run that continues one of `run_ids`, on any branch (not those themselves)."""
        if not run_ids:
            return []
        marks = ",".join("?" * len(run_ids))
        rows = self._read(
            f"WITH RECURSIVE later(id) AS (SELECT id FROM runs WHERE previous_id IN ({marks})"
            " UNION SELECT r.id FROM runs r JOIN later l ON r.previous_id = l.id)"
            " SELECT id FROM later ORDER BY id",
            list(run_ids),
        )
        return [int(row["id"]) for row in rows if row["id"] not in run_ids]

    def last_id(self) -> int | None:
        row = self._conn.execute("SELECT max(id) FROM runs").fetchone()
        return None if row[0] is None else int(row[0])

    def delete(self, run_ids: Sequence[int]) -> int:
        """Delete runs (and their answers) with the later turns that continue them (a turn
        cannot go on without the one before); returns how many runs there were."""
        if not run_ids:
            return 0
        gone = [*run_ids, *self.later_turns(run_ids)]
        marks = ",".join("?" * len(gone))
        with self._tx() as conn:
            conn.execute(f"UPDATE runs SET branch_of = NULL WHERE branch_of IN ({marks})", gone)
            cursor = conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", gone)
        return cursor.rowcount


def _count(value: Any) -> int:
    """A turn number as stored; what is not one (a hand edit) reads as 0."""
    return value if isinstance(value, int) and value >= 0 else 0


def _link_id(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _stored(row: sqlite3.Row, answers: Sequence[sqlite3.Row]) -> StoredRun:
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
        conversation_id=_link_id(row["conversation_id"]) or row["id"],
        turn=_count(row["turn"]),
        previous_id=_link_id(row["previous_id"]),
        branch_of=_link_id(row["branch_of"]),
        for_all=row["for_all"] if isinstance(row["for_all"], str) else None,
    )


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
