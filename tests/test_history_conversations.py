"""Conversations in the history (schema step 5): runs as turns, branches, the messages each
thread was sent rebuilt from them, the list's one row per conversation, exports with turns, and
a history written by the release before conversations (tests/data/history-v4.sqlite, made by
tests/data/make_history_v4.py) opened, migrated and read as one-turn conversations."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from sutui.history.errors import HistoryError
from sutui.history.export import CSV_FIELDS, export
from sutui.history.schema import MIGRATIONS, migrate, version
from sutui.history.store import HistoryStore, Planned
from sutui.history.threads import resume
from sutui.records import RecordUsage, ResultRecord

V4 = Path(__file__).parent / "data" / "history-v4.sqlite"
OLD_CSV_FIELDS = [
    "schema", "run_id", "prompt_id", "index", "sut", "uid", "prompt", "system", "messages",
    "options",
    "status", "text", "reasoning", "finish_reason", "provider_finish_reason", "notes",
    "prompt_tokens", "completion_tokens", "reasoning_tokens", "error_kind", "error",
    "first_token_s", "first_reasoning_s", "total_s", "started_at", "cached", "sutui_version",
]  # fmt: skip


def said(record: ResultRecord) -> list[tuple[str, str]] | None:
    """What the record says its SUT was sent, as (role, content); None: its prompt alone."""
    if record.messages is None:
        return None
    return [(m.role, m.content) for m in record.messages]


def turn(
    store: HistoryStore,
    prompt: str,
    suts: tuple[str, ...] = ("a", "b"),
    system: str | None = "be brief",
    **link: int | None,
) -> int:
    return store.begin_run(
        prompt=prompt,
        system=system,
        options={"max_tokens": 5},
        suts=[Planned(s, f"{s}:demo", {"max_tokens": 5}) for s in suts],
        origin="app",
        **link,
    )


def answer(store: HistoryStore, run_id: int, index: int, text: str, **more: object) -> None:
    fields: dict[str, object] = {"status": "done", "finish_reason": "stop", **more}
    store.finish(
        ResultRecord(run_id=str(run_id), index=index, sut="?", prompt="?", text=text,
                     options={"max_tokens": 5}, **fields)  # type: ignore[arg-type]
    )  # fmt: skip


def two_turns(store: HistoryStore) -> tuple[int, int]:
    one = turn(store, "q1")
    answer(store, one, 0, "a1", usage=RecordUsage(prompt_tokens=3, completion_tokens=2))
    answer(store, one, 1, "b1")
    two = turn(store, "q2", previous_id=one)
    answer(store, two, 0, "a2")
    answer(store, two, 1, "b2")
    return one, two


def test_a_turn_names_the_one_before_and_reads_back_as_its_branch(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one, two = two_turns(store)
        three = turn(store, "q3", previous_id=two)
        assert store.position(three) == (one, 2)
        branch = store.conversation(three)
        assert branch is not None
        assert [(r.id, r.turn, r.previous_id) for r in branch] == [
            (one, 0, None), (two, 1, one), (three, 2, two),
        ]  # fmt: skip
        assert {r.conversation_id for r in branch} == {one}
        b2 = branch[1].answers[1]
        assert (b2.conversation_id, b2.turn, b2.thread, b2.text) == (str(one), 1, "b", "b2")
        # What b was sent at turn 2: the system prompt, q1, its own answer, q2.
        assert said(b2) == [
            ("system", "be brief"), ("user", "q1"), ("assistant", "b1"), ("user", "q2"),
        ]  # fmt: skip
        assert said(branch[0].answers[1]) is None  # turn 1: the prompt and system prompt alone
        assert store.run(two) == branch[1]  # one run reads the same
        assert store.later(one) == [two] and store.tip(one) == three
        assert store.conversation(999) is None


def test_a_failed_answer_is_a_gap_and_an_answer_chosen_for_all_is_everyones(
    tmp_path: Path,
) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one = turn(store, "q1", system=None)
        answer(store, one, 0, "a1")
        answer(store, one, 1, "cut", finish_reason="length")  # cut short: not whole
        store.set_for_all(one, None)
        two = turn(store, "q2", system=None, previous_id=one)
        answer(store, two, 0, "a2")
        answer(store, two, 1, "b2")
        store.set_for_all(two, "a")
        three = turn(store, "q3", ("a", "b", "c"), system=None, previous_id=two)
        branch = store.conversation(three)
        assert branch is not None
        b2 = branch[1].answers[1]
        assert said(b2) == [("user", "q1\n\nq2")]  # q1 had no answer: joined to q2
        _, b3, c3 = branch[2].answers
        thread = [("user", "q1\n\nq2"), ("assistant", "a2"), ("user", "q3")]  # a's: for all
        assert said(b3) == thread
        assert said(c3) == thread  # c joined now: it goes on from the answer chosen for all
        resumed = resume(branch)
        assert [t.key for t in resumed.threads] == ["a", "b", "c"]
        assert resumed.conversation.turns[1].for_all == "a"
        assert resumed.gap("a")  # still running: no whole answer to the latest turn
        answer(store, three, 0, "a3")
        resumed = resume(store.conversation(three) or [])
        assert not resumed.gap("a") and resumed.gap("b")
        assert resumed.threads[0].options == {"max_tokens": 5}
        assert not resumed.threads[0].own_options


def test_an_edited_question_is_a_branch_beside_the_old_one(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one, two = two_turns(store)
        edited = turn(store, "q2, said better", previous_id=one, branch_of=two)
        assert store.position(edited) == (one, 1)
        assert store.later(one) == [two, edited] and store.tip(one) == edited
        branch = store.conversation(edited)
        assert [r.id for r in branch or []] == [one, edited]
        assert branch is not None and branch[1].branch_of == two
        first = turn(store, "q1 again", branch_of=one)  # an edit of the first question
        assert store.position(first) == (one, 0)
        with pytest.raises(ValueError, match="same turn"):
            turn(store, "x", previous_id=two, branch_of=edited)
        # One row for the conversation: its newest run.
        assert [(s.id, s.turns, s.turns_text) for s in store.runs()] == [(first, 2, "")]
        assert store.count() == 1
        assert len(store.conversation_runs(one)) == 4


def test_the_list_shows_one_row_per_conversation_and_a_search_names_its_turn(
    tmp_path: Path,
) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one, two = two_turns(store)
        alone = turn(store, "by itself", ("c",))
        rows = store.runs()
        assert [(r.id, r.conversation_id, r.turn, r.turns) for r in rows] == [
            (alone, alone, 0, 1), (two, one, 1, 2),
        ]  # fmt: skip
        assert rows[1].turns_text == "2 turns" and rows[0].turns_text == ""
        (found,) = store.runs("b1")  # said at turn 1: that run is the row
        assert (found.id, found.turns_text) == (one, "turn 1 of 2")
        assert store.count("q") == 1 and store.count() == 2
        assert store.runs(limit=1)[0].id == alone


def test_deleting_a_turn_deletes_the_turns_that_go_on_from_it(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one, two = two_turns(store)
        three = turn(store, "q3", previous_id=two)
        edited = turn(store, "q2'", previous_id=one, branch_of=two)
        assert store.later_turns([two]) == [three]
        assert store.delete([two]) == 2
        assert store.run(three) is None and store.run(one) is not None
        kept = store.run(edited)
        assert kept is not None and kept.branch_of is None  # the run it replaced is gone
        assert store.delete([one]) == 2  # the first turn takes the whole branch
        assert store.runs() == []


def test_a_turn_after_a_deleted_run_is_refused_and_the_recorder_says_so(
    tmp_path: Path,
) -> None:
    from sutui.history.recorder import RunRecorder

    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one = turn(store, "q1")
        store.delete([one])
        with pytest.raises(HistoryError, match=f"run {one}, which this turn continues"):
            turn(store, "q2", previous_id=one)
        problems: list[str] = []
        recorder = RunRecorder(store, problems.append)
        assert recorder.begin(["a"], [Planned("a", None)], previous_id=one, prompt="q2",
                              system=None, options={}, origin="app") is None  # fmt: skip
        assert "no longer in the history" in problems[0]
        fresh = RunRecorder(HistoryStore(tmp_path / "h.sqlite3"), problems.append)
        run_id = fresh.begin(["k"], [Planned("a", None, thread="column-1")], prompt="p",
                             system=None, options={}, origin="app")  # fmt: skip
        assert run_id is not None and (fresh.conversation_id, fresh.turn) == (run_id, 0)
        store.set_for_all(run_id, "column-1")
        record = fresh.finish("k", ResultRecord(sut="a", prompt="p", status="done", text="t"))
        assert (record.conversation_id, record.turn) == (str(run_id), 0)
        saved = store.run(run_id)
        assert saved is not None and saved.for_all == "column-1"
        assert saved.answers[0].thread == "column-1"  # the name its writer gave
        assert fresh.store is not None
        fresh.store.close()


def test_exports_carry_turns_and_keep_every_field_of_a_one_turn_run(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        one, two = two_turns(store)
        runs = store.conversation_runs(one)
    lines = [json.loads(line) for line in export(runs, "jsonl").splitlines()]
    assert [(r["run_id"], r["turn"], r["thread"]) for r in lines] == [
        (str(one), 0, "a"), (str(one), 0, "b"), (str(two), 1, "a"), (str(two), 1, "b"),
    ]  # fmt: skip
    assert {r["conversation_id"] for r in lines} == {str(one)}
    assert lines[2]["messages"][-2:] == [
        {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"},
    ]  # fmt: skip
    assert json.loads(export(runs, "json")) == lines
    table = list(csv.DictReader(io.StringIO(export(runs, "csv"))))
    assert CSV_FIELDS[: len(OLD_CSV_FIELDS)] == OLD_CSV_FIELDS  # added at the end
    assert [(r["turn"], r["thread"], r["conversation_id"]) for r in table][2] == (
        "1", "a", str(one),
    )  # fmt: skip
    assert table[0]["messages"] == "" and json.loads(table[2]["messages"]) == lines[2]["messages"]
    md = export(runs, "md")
    assert md.startswith(f"## Conversation {one} · 2 turns · ")
    assert "### Turn 1 · run" in md and "### Turn 2 · run" in md
    assert md.index("q1") < md.index("#### 1. a · done") < md.index("q2")
    one_turn = export(runs[:1], "md")  # a run of its own prints as it always did
    assert one_turn.startswith(f"## Run {one} · ") and "### 1. a · done" in one_turn


def test_a_history_made_by_the_release_before_conversations_migrates(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    shutil.copy(V4, path)
    with sqlite3.connect(path) as conn:
        assert version(conn) == 4
    with HistoryStore(path) as store:
        assert version(store._conn) == len(MIGRATIONS) == 5
        rows = store.runs()
        assert [(r.id, r.conversation_id, r.turn, r.turns) for r in rows] == [
            (4, 4, 0, 1), (3, 3, 0, 1), (2, 2, 0, 1), (1, 1, 0, 1),
        ]  # fmt: skip
        first = store.conversation(1)
        assert first is not None and len(first) == 1
        (run,) = first
        assert (run.turn, run.previous_id, run.branch_of, run.for_all) == (0, None, None, None)
        echo, echo2, thinker, refused = run.answers
        assert [a.thread for a in run.answers] == [
            "demo_echo", "demo_echo#2", "demo_thinker", refused.sut,
        ]  # fmt: skip
        assert echo.text == echo2.text == "Why is the sky blue?"
        assert thinker.reasoning and thinker.usage and thinker.usage.reasoning_tokens
        assert refused.status == "failed" and refused.error and refused.error["kind"]
        for a in run.answers:
            assert a.conversation_id == "1" and a.turn == 0
            assert a.messages is None  # the prompt and system prompt were all it was sent
        rerun = store.run(2)
        assert rerun is not None and rerun.parent_id == 1 and rerun.conversation_id == 2
        stopped = store.run(3)
        assert stopped is not None and stopped.answers[0].status == "partial"
        resumed = resume(store.conversation(1) or [])
        assert [t.key for t in resumed.threads] == [a.thread for a in run.answers]
        assert [t.sut for t in resumed.threads][:2] == ["demo_echo", "demo_echo"]
        assert resumed.gap(refused.sut) and not resumed.gap("demo_echo#2")
        # It goes on: a second turn after an old run.
        two = turn(store, "and then?", ("demo_echo", "demo_echo#2"), previous_id=1)
        assert store.position(two) == (1, 1)
        assert store.runs()[0].turns_text == "2 turns"


def test_migrating_names_repeated_suts_as_run_keys(tmp_path: Path) -> None:
    """Every writer stored the run key as `sut`; a run with a name twice (a hand edit) gets
    `#2` for its thread, as drivers/run_plan.run_keys would."""
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:4])
    conn.execute("INSERT INTO runs (started_at, origin, prompt, options, pid, sutui_version)"
                 " VALUES ('2026-01-01T00:00:00.000Z', 'cli', 'p', '{}', 1, '0')")  # fmt: skip
    conn.execute("INSERT INTO answers (run_id, idx, sut, options, status) VALUES"
                 " (1, 0, 'x', '{}', 'done'), (1, 1, 'x', '{}', 'done'),"
                 " (1, 2, 'y', '{}', 'done'), (1, 3, 'x', '{}', 'done')")  # fmt: skip
    conn.close()
    with HistoryStore(path) as store:
        run = store.run(1)
    assert run is not None and [a.thread for a in run.answers] == ["x", "x#2", "y", "x#3"]
