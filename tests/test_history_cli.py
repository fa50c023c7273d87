"""`sutui history` and the history `run-sut` writes, including crash safety: a run killed
(SIGKILL) mid-stream in a subprocess keeps its finished answers, and the unfinished one is
partial with what had streamed."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from provider_server import KEYS

from sutui.cli.main import run
from sutui.history.store import HistoryStore, Planned, default_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def two_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "run-sut", "--sut", "demo_yes_no", "--sut", "demo_echo",
                       "--prompt", "why is the sky blue", "--max-tokens", "9")  # fmt: skip
    assert code == 0, err
    code, _, err = cli(capsys, "run-sut", "--sut", "demo_always_sorry", "--prompt", "tell me",
                       "--system", "be kind", "--json")  # fmt: skip
    assert code == 0, err


def test_run_sut_saves_each_run_and_list_shows_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "history", "list")
    assert code == 0 and "No runs" in out
    two_runs(capsys)
    code, out, _ = cli(capsys, "history", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["run", "when", "SUTs", "prompt"]
    assert lines[1].startswith("2 ") and "demo_always_sorry ✓" in lines[1] and "tell me" in lines[1]
    assert "demo_yes_no ✓ · demo_echo ✓" in lines[2]
    code, out, _ = cli(capsys, "history", "list", "--search", "SKY", "--json")
    (found,) = [json.loads(line) for line in out.splitlines()]
    assert found["run_id"] == "1" and [s["status"] for s in found["suts"]] == ["done", "done"]


def test_show_prints_markdown_or_the_run_sut_json_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    two_runs(capsys)
    code, out, _ = cli(capsys, "history", "show", "last")
    assert code == 0
    assert out.startswith("## Run 2 · ") and "**System prompt**" in out
    assert "### 1. demo_always_sorry · done" in out and "Sorry" in out
    _, out, _ = cli(capsys, "history", "show", "1", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["sut"] for r in records] == ["demo_yes_no", "demo_echo"]
    assert records[1]["text"] == "why is the sky blue" and records[1]["options"] == {
        "max_tokens": 9
    }
    # run-sut --json printed the same records, run id included:
    code, out, _ = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "x y", "--json")
    printed = json.loads(out)
    _, shown, _ = cli(capsys, "history", "show", printed["run_id"], "--json")
    assert json.loads(shown) == printed


def test_export_as_markdown_json_jsonl_and_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    two_runs(capsys)
    code, out, _ = cli(capsys, "history", "export", "--all", "--format", "json")
    assert code == 0
    assert [(r["run_id"], r["sut"]) for r in json.loads(out)] == [
        ("1", "demo_yes_no"), ("1", "demo_echo"), ("2", "demo_always_sorry"),
    ]  # fmt: skip
    _, out, _ = cli(capsys, "history", "export", "2", "--format", "jsonl")
    assert json.loads(out)["system"] == "be kind"
    code, _, err = cli(capsys, "history", "export", "--search", "sky", "--out", "runs.csv")
    assert code == 0 and "Exported 1 run as csv" in err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "runs.csv").read_text())))
    assert [r["sut"] for r in rows] == ["demo_yes_no", "demo_echo"]
    assert rows[0]["options"] == '{"max_tokens": 9}' and rows[0]["status"] == "done"
    assert rows[0]["cached"] == "false"  # as JSON writes it (docs/results.md), not "False"
    assert rows[0]["error"] == ""  # a null: an empty cell
    cli(capsys, "history", "export", "1", "2", "--out", "runs.md")
    text = (tmp_path / "runs.md").read_text()
    assert "## Run 1 · " in text and "## Run 2 · " in text


def test_bad_history_input_is_one_clear_message_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    two_runs(capsys)
    for args, says in [
        (["show", "nine"], "not a run id"),
        (["show", "9"], "no run 9 in the history"),
        (["export"], "say which runs to export"),
        (["delete", "1", "9"], "no run 9"),
        (["export", "1", "--out", "no/such/dir/x.md"], "cannot write"),
    ]:
        code, out, err = cli(capsys, "history", *args)
        assert code == 2, args
        assert says in err and "Traceback" not in err
    _, out, _ = cli(capsys, "history", "list")
    assert len(out.splitlines()) == 3  # the failed delete deleted nothing


def test_delete_and_no_history(capsys: pytest.CaptureFixture[str]) -> None:
    two_runs(capsys)
    code, out, _ = cli(capsys, "history", "delete", "1", "last")
    assert code == 0 and out == "Deleted run 1, 2.\n"
    code, _, _ = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "x", "--no-history")
    assert code == 0
    _, out, _ = cli(capsys, "history", "list")
    assert "No runs" in out


def test_rerun_only_the_failed_makes_a_new_run(
    capsys: pytest.CaptureFixture[str], provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"] or "")
    sut = f"m:openai;url={provider_server.url}/openai/v1"
    provider_server.queue_fault("401")  # the first request only
    code, _, _ = cli(capsys, "run-sut", "--sut", "demo_echo", "--sut", sut, "--prompt", "hi there",
                     "--temperature", "0.5")  # fmt: skip
    assert code == 1
    code, out, err = cli(capsys, "history", "rerun", "last", "--failed", "--json")
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["sut"] == sut and record["status"] == "done" and record["run_id"] == "2"
    assert record["text"] == "Echo: hi there" and record["options"] == {"temperature": 0.5}
    with HistoryStore() as store:
        again = store.run(2)
        assert again is not None and again.parent_id == 1 and again.prompt == "hi there"
    code, out, _ = cli(capsys, "history", "rerun", "2", "--failed")
    assert code == 0 and "nothing to re-run" in out


def test_a_killed_run_keeps_its_finished_answers_and_the_streaming_one_as_partial(
    tmp_path: Path,
) -> None:
    """kill -9 mid-stream: the finished answer is there, the unfinished one is partial with
    the text saved before the kill (saved at most PARTIAL_EVERY_S apart)."""
    env = {k: v for k, v in os.environ.items() if k != "SUTUI_DEMO_DELAY"}
    prompt = " ".join(f"word{i}" for i in range(400))
    command = [sys.executable, "-m", "sutui", "run-sut", "--json", "--prompt", prompt,
               "--sut", "yes_no:demo;delay=0", "--sut", "echo:demo;delay=0.05"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        finished = json.loads(process.stdout.readline())  # printed after it was saved
        assert finished["sut"] == "yes_no:demo;delay=0" and finished["status"] == "done"
        run_id = int(finished["run_id"])
        with HistoryStore() as store:  # wait until some streamed text was saved
            deadline = time.monotonic() + 60
            while not store.run(run_id).answers[1].text:  # type: ignore[union-attr]
                assert process.poll() is None, "the run ended before it could be killed"
                assert time.monotonic() < deadline, "no partial text was ever saved"
                time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    with HistoryStore() as store:
        run = store.run(run_id)
    assert run is not None and run.running == frozenset()
    done, cut = run.answers
    assert (done.status, done.text) == ("done", finished["text"])
    assert done.to_dict() == finished
    assert cut.status == "partial" and prompt.startswith(cut.text) and cut.text != prompt


def test_rerun_of_a_predefined_sut_that_is_gone_uses_its_canonical_uid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with HistoryStore() as store:
        store.begin_run(prompt="still here", system=None, options={}, origin="cli",
                        suts=[Planned("demo_renamed_since", "echo:demo"),
                              Planned("demo_echo#2", "echo:demo")])  # fmt: skip
    code, out, err = cli(capsys, "history", "rerun", "1", "--json")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["sut"], r["text"]) for r in records] == [
        ("echo:demo", "still here"), ("demo_echo", "still here"),
    ]  # fmt: skip


def test_an_unreadable_history_is_one_message_and_never_stops_a_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = default_path()
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")  # written by a newer sutui
    code, _, err = cli(capsys, "history", "list")
    assert code == 1 and "newer sutui" in err and "Traceback" not in err
    code, out, err = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "still answers")
    assert code == 0 and "still answers" in out
    assert err.count("warning: history not saved") == 1


def test_export_refuses_an_unknown_suffix_or_a_contradicting_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    two_runs(capsys)
    for args, says in [
        (["--out", "r.xlsx"], "'.xlsx' is no export format. End the file name with .md, .json"),
        (["--out", "r.json", "--format", "csv"], "--format csv contradicts --out r.json"),
    ]:
        code, _, err = cli(capsys, "history", "export", "--all", *args)
        assert code == 2 and says in err and "Traceback" not in err
    assert not (tmp_path / "r.xlsx").exists() and not (tmp_path / "r.json").exists()
    code, _, err = cli(capsys, "history", "export", "--all", "--out", "r.JSON", "--format", "json")
    assert code == 0 and "Exported 2 runs as json" in err
    code, _, _ = cli(capsys, "history", "export", "1", "--out", "notes")  # no suffix: Markdown
    assert code == 0 and (tmp_path / "notes").read_text().startswith("#")


def test_list_says_how_many_runs_it_does_not_show(capsys: pytest.CaptureFixture[str]) -> None:
    with HistoryStore() as store:
        for i in range(23):
            store.begin_run(prompt=f"prompt {i}", system=None, options={}, origin="cli",
                            suts=[Planned("demo_echo", "echo:demo")])  # fmt: skip
    _, out, _ = cli(capsys, "history", "list")
    lines = out.splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "… 3 more: --limit 23 shows them all, or narrow with --search."
    _, out, _ = cli(capsys, "history", "list", "--limit", "23")
    assert "more:" not in out and len(out.splitlines()) == 24
    _, out, err = cli(capsys, "history", "list", "--search", "prompt 1", "--limit", "5", "--json")
    assert len(out.splitlines()) == 5 and all(json.loads(line) for line in out.splitlines())
    assert "… 7 more" in err  # every word: prompt 1, 10-19 and 21 (12 runs)
