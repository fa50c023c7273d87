"""Reasoning reaches every output an evaluator reads: `sutui batch` records (fresh and from
the response cache), `run-sut --json`, the history and each export format. The answer's text
never holds it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from test_batch_cli import isolated  # noqa: F401  (autouse: a private config, cache, no keyring)

from sutui.cli.main import run

THOUGHT = "The user wrote 2 words. I should count them again to be sure: 2."
ANSWER = "2 words: Yes."


def _check(record: dict[str, Any]) -> None:
    assert record["text"] == ANSWER and record["reasoning"] == THOUGHT
    assert record["usage"]["reasoning_tokens"] == len(THOUGHT.split())
    assert record["finish_reason"] == "stop" and record["provider_finish_reason"] == "stop"


def test_batch_records_carry_reasoning_fresh_and_cached(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "one two"}\n')
    for out in ("a", "b"):
        code = run(["batch", "--sut", "demo_thinker", "--prompts", str(prompts), "--out", out,
                    "--reasoning", "low", "--cache"])  # fmt: skip
        assert code == 0, capsys.readouterr().err
        (record,) = [
            json.loads(x) for x in (tmp_path / out / "results.jsonl").read_text().splitlines()
        ]
        _check(record)
        assert record["cached"] is (out == "b")
        assert record["options"] == {"reasoning": "low"}


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "md"])
def test_run_sut_history_and_exports_carry_reasoning(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["run-sut", "--sut", "demo_thinker", "--prompt", "one two", "--reasoning",
                "low", "--json"])  # fmt: skip
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    _check(shown)
    assert run(["history", "export", "--all", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "jsonl":
        assert json.loads(out.splitlines()[-1]) == shown, "the history keeps the record whole"
    elif fmt == "json":
        assert json.loads(out)[-1] == shown
    elif fmt == "csv":
        row = list(csv.DictReader(io.StringIO(out)))[-1]
        assert row["reasoning"] == THOUGHT and row["text"] == ANSWER
        assert row["reasoning_tokens"] == str(len(THOUGHT.split()))
    else:
        assert "**Reasoning**" in out and THOUGHT in out
        assert f"{len(THOUGHT.split())} reasoning" in out
        assert out.index(THOUGHT) < out.rindex(ANSWER)


def test_a_run_stopped_mid_answer_keeps_its_reasoning(tmp_path: Path) -> None:
    """ctrl+c or quitting while a SUT reasons: the partial record has what came of both."""
    from sutui.history.recorder import RunRecorder
    from sutui.history.store import HistoryStore, Planned

    with HistoryStore(tmp_path / "h.sqlite3") as store:
        recorder = RunRecorder(store, on_problem=lambda problem: None)
        planned = [Planned("demo_thinker", "thinker:demo")]
        run = {"prompt": "one two", "system": None, "options": {}, "origin": "cli"}
        run_id = recorder.begin(["a"], planned, **run)
        recorder.chunk("a", "", "The user wrote")
        recorder.chunk("a", "", " 2 words.")
        recorder.chunk("a", "2 words")
        recorder.stop()
        assert run_id is not None
        stored = store.run(run_id)
        assert stored is not None
        (answer,) = stored.answers
        assert (answer.status, answer.text) == ("partial", "2 words")
        assert answer.reasoning == "The user wrote 2 words."
