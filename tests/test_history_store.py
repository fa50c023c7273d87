"""The history database: runs written as they happen, partial answers, recovery of a dead
process's answers, search, delete, redaction, the schema version and its migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drivers.redaction import forget_all, register_secret
from sutui.history.errors import HistoryError
from sutui.history.owner import Owner, gone, me, process_start
from sutui.history.recorder import RunRecorder
from sutui.history.schema import MIGRATIONS, migrate, version
from sutui.history.store import HistoryStore, Planned
from sutui.records import RecordTimings, ResultRecord


def begin(store: HistoryStore, prompt: str = "hello", suts: tuple[str, ...] = ("a", "b")) -> int:
    return store.begin_run(
        prompt=prompt,
        system=None,
        options={"max_tokens": 5},
        suts=[Planned(s, f"{s}:demo", {"max_tokens": 5}) for s in suts],
        origin="cli",
        started_at="2026-01-02T03:04:05.000Z",
    )


def done(run_id: int, index: int, text: str) -> ResultRecord:
    return ResultRecord(
        run_id=str(run_id), index=index, sut="a", prompt="hello", status="done", text=text,
        options={"max_tokens": 5},
        timings=RecordTimings(first_token_s=0.1, total_s=0.2),
    )  # fmt: skip


def test_a_run_is_saved_as_it_happens_and_reads_back_as_records(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        run_id = begin(store)
        store.finish(done(run_id, 0, "first answer"))
        store.save_partial(run_id, 1, "half of")
        run = store.run(run_id)
        assert run is not None and run.running == {1}  # this process still writes it
        first, second = run.answers
        assert (first.status, first.text, first.uid) == ("done", "first answer", "a:demo")
        assert first.run_id == str(run_id) and first.options == {"max_tokens": 5}
        assert first.started_at == "2026-01-02T03:04:05.000Z"
        assert (second.status, second.text) == ("partial", "half of")
        assert [s.suts for s in store.runs()] == [(("a", "done"), ("b", "running"))]
        assert store.path.with_name("h.sqlite3-wal").exists()  # WAL


def test_answers_of_a_process_that_died_become_partial_on_open(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        run_id = begin(store)
        store.save_partial(run_id, 1, "cut sho")
    # Another process that is gone wrote it:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE runs SET pid = ?", (int(dead.stdout),))
    with HistoryStore(path) as store:
        run = store.run(run_id)
        assert run is not None and run.running == frozenset()
        assert [a.status for a in run.answers] == ["partial", "partial"]
        assert run.answers[1].text == "cut sho"
        assert [a.index for a in run.failed] == [0, 1]


def test_stop_keeps_what_came_as_partial_and_restart_runs_again(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        run_id = begin(store)
        store.finish(done(run_id, 0, "ok"))
        store.stop_running(run_id, {0: "ignored: done already", 1: "so far"})
        run = store.run(run_id)
        assert run is not None
        assert [(a.status, a.text) for a in run.answers] == [("done", "ok"), ("partial", "so far")]
        store.restart(run_id, 1, {"temperature": 0.5})
        run = store.run(run_id)
        assert run is not None and run.running == {1}
        assert run.answers[1].text == "" and run.answers[1].options == {"temperature": 0.5}


def test_search_every_word_anywhere_and_delete(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one = begin(store, "Why is the sky blue?")
        two = begin(store, "Name a colour", suts=("gpt-4o",))
        store.finish(done(two, 0, "Blue, like 100% of skies"))
        assert [r.id for r in store.runs()] == [two, one]  # newest first
        assert [r.id for r in store.runs("blue")] == [two, one]  # prompt or answer, any case
        assert [r.id for r in store.runs("blue gpt")] == [two]  # every word, SUT names too
        assert [r.id for r in store.runs("100%")] == [two]
        assert [r.id for r in store.runs("0%")] == [two]  # % is a character, not a wildcard
        assert store.runs("_") == []
        assert [r.id for r in store.runs(limit=1)] == [two]
        assert store.delete([one, 999]) == 1
        assert store.run(one) is None and store.last_id() == two
        left = sqlite3.connect(store.path).execute("SELECT count(*) FROM answers").fetchone()
        assert left == (1,)  # the deleted run's answers went with it


def test_no_secret_is_stored(tmp_path: Path) -> None:
    key = "sk-live-0123456789abcdef"
    register_secret(key)
    try:
        with HistoryStore(tmp_path / "h.sqlite3") as store:
            run_id = begin(store, f"my key is {key}")
            error = {"kind": "auth", "message": f"bad key {key}"}
            store.finish(done(run_id, 0, f"echo {key}").model_copy(update={"error": error}))
        assert key.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir())
    finally:
        forget_all()


def test_the_schema_has_a_version_and_migrates_step_by_step(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:1]) == 1
    conn.execute("INSERT INTO runs (started_at, origin, prompt, options, pid, sutui_version)"
                 " VALUES ('t', 'cli', 'kept', '{}', 1, '0')")  # fmt: skip
    step = "ALTER TABLE runs ADD COLUMN note TEXT; UPDATE runs SET note = 'added';"
    assert migrate(conn, [*MIGRATIONS[:1], step]) == 2
    assert conn.execute("SELECT prompt, note FROM runs").fetchall() == [("kept", "added")]
    broken = "ALTER TABLE runs ADD COLUMN other TEXT; SELECT nonsense FROM nowhere;"
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [*MIGRATIONS[:1], step, broken])
    assert version(conn) == 2  # a failed step leaves the database as it was
    assert "other" not in [c[1] for c in conn.execute("PRAGMA table_info(runs)")]
    conn.close()


def test_a_history_from_a_newer_sutui_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(HistoryError, match=r"newer sutui .* upgrade sutui"):
        HistoryStore(path)


def test_a_file_that_is_not_a_database_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match=r"cannot be opened .* --no-history"):
        HistoryStore(path)


def test_the_recorder_saves_partial_text_now_and_then_and_never_stops_a_run(
    tmp_path: Path,
) -> None:
    now = [0.0]
    problems: list[str] = []
    store = HistoryStore(tmp_path / "h.sqlite3")
    recorder = RunRecorder(store, problems.append, clock=lambda: now[0])
    run_id = recorder.begin(["k1", "k2"], [Planned("a", None), Planned("b", None)],
                            prompt="p", system=None, options={}, origin="app")  # fmt: skip
    assert run_id is not None
    recorder.chunk("k2", "one ")  # the first chunk is saved at once
    recorder.chunk("k2", "two ")  # not yet: less than PARTIAL_EVERY_S later
    assert store.run(run_id).answers[1].text == "one "  # type: ignore[union-attr]
    now[0] = 5.0
    recorder.chunk("k2", "three")
    assert store.run(run_id).answers[1].text == "one two three"  # type: ignore[union-attr]
    record = recorder.finish("k1", done(0, 7, "fine"))
    assert (record.run_id, record.index) == (str(run_id), 0)
    store.close()  # the database goes away mid-run: one warning, then quiet
    recorder.chunk("k2", " four")
    recorder.stop()
    assert len(problems) == 1 and problems[0].startswith("history not saved")


def test_two_processes_write_and_read_one_history_at_once(tmp_path: Path) -> None:
    """The app and a run-sut in another terminal: WAL lets both write and read."""
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as app, HistoryStore(path) as cli:
        one = begin(app, "from the app")
        two = begin(cli, "from the cli")
        cli.finish(done(two, 0, "cli answer"))
        app.save_partial(one, 1, "streaming")
        assert [r.prompt for r in app.runs()] == ["from the cli", "from the app"]
        assert cli.run(one).answers[1].text == "streaming"  # type: ignore[union-attr]


def test_recovery_is_not_fooled_by_a_reused_pid_or_another_host(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        reused, elsewhere, left = begin(store), begin(store), begin(store)
    assert me().started is not None  # Linux: the start time is known
    with sqlite3.connect(path) as conn:
        # A process that is gone wrote `reused`, and this process now has its pid:
        conn.execute("UPDATE runs SET pid_started = 'earlier' WHERE id = ?", (reused,))
        # Another machine (a shared home) is writing `elsewhere` now and left `left` long ago,
        # with pids this machine may be running:
        conn.execute("UPDATE runs SET host = 'other-host' WHERE id IN (?, ?)", (elsewhere, left))
        conn.execute("UPDATE runs SET touched_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
                     (left,))  # fmt: skip
    with HistoryStore(path) as store:
        assert store.run(reused).running == frozenset()  # type: ignore[union-attr]
        assert store.run(elsewhere).running == {0, 1}  # type: ignore[union-attr]
        assert store.run(left).running == frozenset()  # type: ignore[union-attr]


def test_gone_compares_start_times_then_pids() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    alive = me()
    assert process_start(alive.pid) == alive.started
    assert not gone(alive, None)
    assert gone(Owner(alive.host, alive.pid, "another start"), None)
    assert not gone(Owner(alive.host, alive.pid, None), None)  # unknown start: the pid decides
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert process_start(int(dead.stdout)) is None
    assert gone(Owner(alive.host, int(dead.stdout), None), None)
    other = Owner("other-host", alive.pid, alive.started)
    assert not gone(other, "2026-01-01T12:00:00.000Z", now)
    assert gone(other, "2025-12-31T23:00:00.000Z", now)


def test_a_v2_history_migrates_and_recovers_its_dead_runs(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:2]) == 2
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    for pid in (int(dead.stdout), me().pid):
        conn.execute(
            "INSERT INTO runs (started_at, origin, prompt, options, pid, sutui_version)"
            " VALUES ('2026-01-01T00:00:00.000Z', 'cli', 'p', '{}', ?, '0')",
            (pid,),
        )
    conn.execute("INSERT INTO answers (run_id, idx, sut, options, status)"
                 " VALUES (1, 0, 'a', '{}', 'running'), (2, 0, 'a', '{}', 'running')")  # fmt: skip
    conn.close()
    with HistoryStore(path) as store:
        assert version(store._conn) == len(MIGRATIONS) == 5
        assert store.run(1).running == frozenset()  # type: ignore[union-attr]
        assert store.run(2).running == {0}  # type: ignore[union-attr]  # no host: this one's
