"""`sutui report`: what it reads (a batch directory, history runs, votes), how it lays the
answers out and sums them up, and its bad input (exit 2, one message, no traceback). The page
itself is tested in a real browser (test_report_browser.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from report_data import HOSTILE, demo_batch, failed, record, write_results

from sutui.arena.votes import Vote, save_vote
from sutui.cli.main import run
from sutui.report.matrix import build
from sutui.report.page import embed_json
from sutui.report.summary import summarize


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def data_of(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                      re.S)  # fmt: skip
    assert found is not None
    return json.loads(found.group(1))


def test_a_batch_directory_becomes_one_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = demo_batch(tmp_path, ["Why is the sky blue?", *HOSTILE])
    capsys.readouterr()
    code, _, err = cli(capsys, "report", str(out), "--out", "r.html")
    assert code == 0, err
    assert "3 prompts \u00d7 2 SUTs written to r.html" in err
    html = (tmp_path / "r.html").read_text()
    data = data_of(html)["matrix"]
    assert data["columns"] == ["demo_echo", "demo_thinker"]
    assert [r["p"] for r in data["rows"]] == ["Why is the sky blue?", *HOSTILE]
    assert data["rows"][1]["c"][0]["t"] == HOSTILE[0]  # demo_echo says it back
    assert data["rows"][0]["c"][1]["r"]  # demo_thinker's reasoning is kept
    # Provider text is never markup: the only script elements are the data and the page's own.
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert "window.pwned" in html and "<img" not in html
    assert "<link" not in html and "http://" not in html and "https://" not in html


def test_cells_summary_and_columns(tmp_path: Path) -> None:
    records = [
        failed("q1", "a", 0),
        record("q1", "a", 0, total=2.0),  # a resumed batch: the done answer replaces the failure
        record("q2", "a", 0, total=4.0, finish_reason="length", tokens=30),
        failed("q3", "a", 0, kind="timeout"),
        record("q1", "b", 1, total=1.0, options={"max_tokens": 5}),
        record("q1", "b", 1, total=3.0),  # the same SUT with other options: its own column
    ]
    matrix = build([r.to_dict() for r in records])
    assert matrix.columns == ["a", 'b {"max_tokens": 5}', "b"]
    assert [r["id"] for r in matrix.rows] == ["q1", "q2", "q3"]
    assert matrix.rows[0]["c"][0]["s"] == "done" and matrix.rows[0]["c"][0]["T"] == 2.0
    assert matrix.rows[1]["c"][1] is None
    said = "timeout <b>upstream</b> said no"
    assert matrix.rows[2]["c"][0] == {
        "s": "failed", "t": "", "f": "error", "k": "timeout", "e": said, "T": 1.0, "n": 10,
    }  # fmt: skip
    a, with_options, b = summarize(matrix)
    assert (a.answers, a.statuses["done"], a.statuses["failed"], a.truncated) == (3, 2, 1, 1)
    assert a.errors == {"timeout": 1}
    assert a.total == [3.0, pytest.approx(3.8), pytest.approx(3.98)]  # p50, p90, p99 of 2 and 4
    assert a.first_token == [None, None, None] and a.tokens == 50
    assert a.speed == pytest.approx(6.25)  # the median of 10/2 and 30/4 tokens per second
    assert (with_options.answers, b.answers) == (1, 1)


def test_embedded_json_cannot_close_its_element() -> None:
    data = {"t": "</script><!-- & -->", "u": "\u2028"}
    text = embed_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_history_runs_all_and_search(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["run-sut", "--sut", "demo_echo", "--sut", "demo_yes_no", "--prompt", "apples"]) == 0
    assert run(["run-sut", "--sut", "demo_echo", "--prompt", "pears"]) == 0
    capsys.readouterr()

    def prompts(*args: str) -> list[str]:
        code, _, err = cli(capsys, "report", *args, "--out", "h.html")
        assert code == 0, err
        return [r["p"] for r in data_of((tmp_path / "h.html").read_text())["matrix"]["rows"]]

    assert prompts("1") == ["apples"]
    assert prompts("#2") == ["pears"]
    assert prompts("last") == ["pears"]
    assert prompts("--all") == ["apples", "pears"]
    assert prompts("--search", "pears") == ["pears"]
    html = (tmp_path / "h.html").read_text()
    assert "history: 1 run matching &#x27;pears&#x27;" in html
    rows = data_of(prompts and (tmp_path / "h.html").read_text())
    assert rows["matrix"]["rows"][0]["id"] == "run 2"


def test_a_batch_and_history_runs_together(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    assert run(["run-sut", "--sut", "demo_echo", "--prompt", "hi"]) == 0
    code, _, err = cli(capsys, "report", "b", "1", "--out", "r.html")
    assert code == 0, err
    data = data_of((tmp_path / "r.html").read_text())["matrix"]
    assert data["columns"] == ["a", "demo_echo"] and len(data["rows"]) == 2


def vote(winner: int, *names: str) -> Vote:
    return Vote(contestants=names, outcome="win", winner=winner, prompt="p", names=names)


def test_the_leaderboard_with_its_intervals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "report", "--votes", "--out", "v.html")
    assert code == 2 and "no votes yet" in err
    assert not (tmp_path / "data" / "history.sqlite3").exists()  # reading made no database
    for n in range(12):
        save_vote(vote(0 if n % 4 else 1, "demo_echo", "<i>demo_yes_no</i>"))
    code, _, err = cli(capsys, "report", "--votes", "--out", "v.html")
    assert code == 0, err
    assert "the leaderboard of 12 votes written to v.html" in err
    html = (tmp_path / "v.html").read_text()
    assert 'id="leaderboard"' in html and "95% CI" in html
    assert "&lt;i&gt;demo_yes_no&lt;/i&gt;" in html and "<i>" not in html
    assert html.count('class="interval"') == 2  # 12 votes each: both have an interval
    assert data_of(html)["matrix"] is None
    # A batch report adds the leaderboard when there are votes, unless --no-votes.
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    assert cli(capsys, "report", "b", "--out", "b.html")[0] == 0
    assert 'id="leaderboard"' in (tmp_path / "b.html").read_text()
    assert cli(capsys, "report", "b", "--no-votes", "--out", "b.html")[0] == 0
    assert 'id="leaderboard"' not in (tmp_path / "b.html").read_text()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "nothing to report"),
        (("nowhere",), "nowhere: no such directory, and not a run number"),
        (("empty",), "empty holds no results.jsonl"),
        (("blank",), "holds no result records"),
        (("7",), "no run 7 in the history"),
        (("--search", "zebra"), "no run matching 'zebra' in the history"),
        (("b", "--out", "missing/r.html"), "the folder missing does not exist"),
        (("b", "--out", "b"), "--out b is a directory"),
    ],
)
def test_bad_input_is_one_message_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "results.jsonl").write_text("\nnot json\n")
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    if "--out" not in args:
        args = (*args, "--out", "r.html")
    code, _, err = cli(capsys, "report", *args)
    assert code == 2, err
    assert said in err and "Traceback" not in err and "internal error" not in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    code, _, err = cli(capsys, "report", "b", "--out", "/dev/full")
    assert code == 2, err
    assert "disk full: cannot write /dev/full" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = cli(capsys, "report", "b", "--out", str(locked / "r.html"))
    finally:
        locked.chmod(0o755)
    assert code == 2 and "no permission to write there" in err


def test_unreadable_lines_are_left_out_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_results(tmp_path / "b", [record("q1", "a", 0)])
    with (tmp_path / "b" / "results.jsonl").open("a") as f:
        f.write('{"schema": "other/9"}\n{"unfinished": ')
    code, _, err = cli(capsys, "report", "b", "--out", "r.html")
    assert code == 0 and "warning: 2 lines of results.jsonl held no result record" in err


def test_the_report_is_not_loaded_before_it_is_used() -> None:
    code = (
        "import sys, sutui.app, sutui.cli.main\n"
        "bad = sorted(n for n in sys.modules if n.startswith('sutui.report'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
