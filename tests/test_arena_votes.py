"""Votes in the history database, their JSONL export and the leaderboard command."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from sutui.arena.votes import Vote, VoteError, connect, load_votes, save_vote
from sutui.cli.main import cli
from sutui.history.store import HistoryStore, Planned, default_path


def vote(winner: int | None = 0, outcome: str = "win", **fields: object) -> Vote:
    base: dict[str, object] = {
        "contestants": ("echo:demo", "yes_no:demo"),
        "names": ("demo_echo", "demo_yes_no"),
        "prompt": "hi",
        "created_at": "2026-01-02T03:04:05.000Z",
    }
    return Vote(outcome=outcome, winner=winner, **{**base, **fields})  # type: ignore[arg-type]


def test_a_vote_survives_reopening_and_keeps_its_fields() -> None:
    first = save_vote(vote(seed=7))
    second = save_vote(vote(None, "both_bad", created_at="2026-01-02T03:04:06.000Z"))
    assert (first, second) == (1, 2)
    loaded = load_votes()
    assert [v.id for v in loaded] == [1, 2]
    assert loaded[0] == vote(seed=7, id=1)
    assert loaded[1].outcome == "both_bad" and loaded[1].winner is None


def test_a_known_secret_is_never_saved() -> None:
    from drivers.redaction import forget_all, register_secret

    key = "sk-canary-" + "7" * 24
    register_secret(key)
    try:
        save_vote(vote(prompt=f"my key is {key}", system=key))
    finally:
        forget_all()
    (saved,) = load_votes()
    assert key not in json.dumps(saved.to_dict())
    files = default_path().parent.iterdir()  # the database and its WAL
    assert not any(key.encode() in f.read_bytes() for f in files)


def test_bad_votes_are_refused() -> None:
    with pytest.raises(VoteError):
        vote(2)
    with pytest.raises(VoteError):
        vote(None, "win")
    with pytest.raises(VoteError):
        vote(0, "tie")
    with pytest.raises(VoteError):
        Vote(("a",), "tie", None, "p")


def test_deleting_the_run_keeps_its_vote() -> None:
    with HistoryStore() as store:
        run_id = store.begin_run(
            prompt="hi",
            system=None,
            options={},
            origin="app",
            suts=[Planned("demo_echo", "echo:demo")],
        )
    save_vote(vote(run_id=run_id))
    assert load_votes()[0].run_id == run_id
    (line,) = CliRunner().invoke(cli, ["votes", "export"]).output.splitlines()
    assert json.loads(line)["run_id"] == str(run_id)  # a string, as in the result records
    with HistoryStore() as store:
        store.delete([run_id])
    assert load_votes()[0].run_id is None


def test_the_votes_table_is_schema_step_two() -> None:
    conn = connect()
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO votes (created_at, prompt, contestants, names, outcome, sutui_version)"
            " VALUES ('t', 'p', '[]', '[]', 'maybe', 'x')"
        )
    conn.close()
    assert default_path().exists()


def test_export_writes_one_vote_a_line(tmp_path: Path) -> None:
    save_vote(vote(1, run_id=None))
    save_vote(vote(None, "tie", created_at="2026-01-02T03:04:06.000Z"))
    out = tmp_path / "votes.jsonl"
    result = CliRunner().invoke(cli, ["votes", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["outcome"] for line in lines] == ["win", "tie"]
    assert lines[0] == {
        "schema": "sutui.vote/1",
        "id": 1,
        "created_at": "2026-01-02T03:04:05.000Z",
        "run_id": None,
        "prompt": "hi",
        "system": None,
        "contestants": ["echo:demo", "yes_no:demo"],
        "names": ["demo_echo", "demo_yes_no"],
        "outcome": "win",
        "winner": 1,
        "winner_uid": "yes_no:demo",
        "seed": None,
        "sutui_version": lines[0]["sutui_version"],
    }
    stdout = CliRunner().invoke(cli, ["votes", "export"])
    assert stdout.output.splitlines() == out.read_text().splitlines()


def test_export_to_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    from sutui.cli.main import run

    code = run(["votes", "export", "--out", str(tmp_path / "nowhere" / "v.jsonl")])
    assert code == 2


def test_leaderboard_command_table_and_json() -> None:
    for _ in range(3):
        save_vote(vote(0))
    save_vote(vote(1))
    result = CliRunner().invoke(cli, ["leaderboard", "--rounds", "20"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "#",
        "SUT",
        "score",
        "95%",
        "CI",
        "Elo",
        "votes",
        "won",
        "lost",
        "tied",
        "win",
        "rate",
    ]
    assert lines[1].split()[:2] == ["1", "echo:demo"] and lines[1].split()[-1] == "75%"
    data = json.loads(CliRunner().invoke(cli, ["leaderboard", "--json", "--rounds", "20"]).output)
    assert [s["uid"] for s in data["suts"]] == ["echo:demo", "yes_no:demo"]
    assert data["votes"] == 4 and data["suts"][0]["wins"] == 3
    again = json.loads(CliRunner().invoke(cli, ["leaderboard", "--json", "--rounds", "20"]).output)
    assert again == data  # seeded: the same votes, the same intervals


def test_leaderboard_without_votes() -> None:
    result = CliRunner().invoke(cli, ["leaderboard"])
    assert result.exit_code == 0 and "No votes yet" in result.output
