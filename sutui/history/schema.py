"""The history database's schema and its migrations.

The schema version is SQLite's `user_version`. Each entry of MIGRATIONS takes the database
from version N to N + 1, inside one transaction, so a database is never left half migrated.
Append a step to change the schema; never edit a step that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from sutui.history.errors import HistoryError

V1 = """
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT NOT NULL,             -- ISO 8601 UTC
    origin        TEXT NOT NULL,             -- 'app' or 'cli'
    prompt        TEXT NOT NULL,
    system        TEXT,
    options       TEXT NOT NULL,             -- JSON: the shared options set away from defaults
    timeout_s     REAL,
    parent_id     INTEGER,                   -- the run this one re-ran
    pid           INTEGER NOT NULL,          -- the process writing it (dead: unfinished = partial)
    sutui_version TEXT NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_at);

CREATE TABLE answers (
    run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    idx               INTEGER NOT NULL,
    sut               TEXT NOT NULL,
    uid               TEXT,
    options           TEXT NOT NULL,         -- JSON: this SUT's options set away from defaults
    status            TEXT NOT NULL,         -- running, done, failed, cancelled, partial
    text              TEXT NOT NULL DEFAULT '',
    finish_reason     TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    error             TEXT,                  -- JSON: the classified, redacted error
    first_token_s     REAL,
    total_s           REAL,
    PRIMARY KEY (run_id, idx)
);
CREATE INDEX answers_running ON answers (status) WHERE status = 'running';
"""

V2 = """
CREATE TABLE votes (                         -- blind votes (sutui/arena/votes.py)
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT NOT NULL,             -- ISO 8601 UTC
    run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    prompt        TEXT NOT NULL,
    system        TEXT,
    contestants   TEXT NOT NULL,             -- JSON: canonical UIDs in the order shown (A, B, ...)
    names         TEXT NOT NULL,             -- JSON: the SUTs as the user named them, same order
    outcome       TEXT NOT NULL CHECK (outcome IN ('win', 'tie', 'both_bad')),
    winner        INTEGER,                   -- index into contestants when outcome is 'win'
    seed          INTEGER,                   -- the seed of the round's shuffle
    sutui_version TEXT NOT NULL
);
CREATE INDEX votes_by_time ON votes (created_at);
"""

V3 = """
ALTER TABLE runs ADD COLUMN host TEXT;        -- the writer's host name (NULL: written before V3)
ALTER TABLE runs ADD COLUMN pid_started TEXT; -- the writer's start time (sutui/history/owner.py)
ALTER TABLE runs ADD COLUMN touched_at TEXT;  -- when the writer last started one of its answers
UPDATE runs SET touched_at = started_at;
"""

V4 = """
ALTER TABLE answers ADD COLUMN reasoning TEXT;              -- the model's reasoning, apart
ALTER TABLE answers ADD COLUMN provider_finish_reason TEXT; -- finish_reason is normalised
ALTER TABLE answers ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE answers ADD COLUMN notes TEXT;                  -- JSON list: what the driver changed
ALTER TABLE answers ADD COLUMN first_reasoning_s REAL;
"""

V5 = """
ALTER TABLE runs ADD COLUMN conversation_id INTEGER; -- the id of the conversation's first run
ALTER TABLE runs ADD COLUMN turn INTEGER NOT NULL DEFAULT 0; -- the user turn, from 0
ALTER TABLE runs ADD COLUMN previous_id INTEGER;     -- the run of the turn before (NULL at 0)
ALTER TABLE runs ADD COLUMN branch_of INTEGER;       -- an edited question: the run it replaced
ALTER TABLE runs ADD COLUMN for_all TEXT;            -- the thread chosen for all after this turn
UPDATE runs SET conversation_id = id;                -- a run before V5: a one-turn conversation
CREATE INDEX runs_by_conversation ON runs (conversation_id, turn);
CREATE INDEX runs_by_previous ON runs (previous_id) WHERE previous_id IS NOT NULL;
ALTER TABLE answers ADD COLUMN thread TEXT;          -- its thread: the run key (uid, uid#2)
UPDATE answers SET thread = sut || CASE (SELECT count(*) FROM answers b
    WHERE b.run_id = answers.run_id AND b.sut = answers.sut AND b.idx < answers.idx)
    WHEN 0 THEN '' ELSE '#' || (1 + (SELECT count(*) FROM answers b
    WHERE b.run_id = answers.run_id AND b.sut = answers.sut AND b.idx < answers.idx)) END;
"""
"""Conversations. The `thread` of an answer written before is its run key as
drivers/run_plan.run_keys makes it over the run's SUTs in order: every writer already stored
that key as `sut` (`uid#2` for a repeat), so it is `sut`, unless a SUT name repeats within a
run (a hand edit), which gets `#2`, `#3`... as run_keys would."""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Bring the database to the newest version; returns it. `conn` is in autocommit mode."""
    target = len(migrations)
    while True:
        conn.execute("BEGIN IMMEDIATE")  # another process may be migrating: wait for it
        try:
            current = version(conn)
            if current > target:
                raise HistoryError(
                    f"the history was written by a newer sutui (schema {current}; this one "
                    f"knows up to {target}): upgrade sutui to read it."
                )
            if current == target:
                conn.execute("COMMIT")
                return current
            for statement in _statements(migrations[current]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a full disk may have rolled it back already
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a script at the semicolons that end a statement (not those inside a string)."""
    statements, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements
