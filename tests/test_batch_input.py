"""`sutui batch` and bad input: a runaway CSV quote, the order of the checks, the words used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_batch_cli import batch, isolated, local, records, write_jsonl

__all__ = ["isolated"]


def runaway(tmp_path: Path) -> Path:
    """Line 3 opens a quote that is never closed; 47 good rows follow (lines 4-50)."""
    path = tmp_path / "p.csv"
    rows = ["id,prompt", "q1,fine", 'q2,"broken quote here']
    rows += [f"q{i},good row {i}" for i in range(3, 50)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_runaway_csv_quote_fails_the_run_before_any_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = runaway(tmp_path)
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 2, err
    assert "a quote opened on line 3 is never closed" in err
    assert "lines 3-50 were not read (about 47 prompts after it)" in err
    assert "(skipped)" not in err and "Traceback" not in err
    assert provider_server.requests == []
    assert not (tmp_path / "o").exists()


def test_a_quote_closed_later_is_one_field_over_several_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.csv"
    prompts.write_text('id,prompt\nq1,"two\nlines"\nq2,"a ""quoted"" word"\n')
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    texts = sorted(r["prompt"] for r in records(tmp_path / "o"))
    assert texts == ['a "quoted" word', "two\nlines"]


@pytest.mark.parametrize(
    ("out", "sut", "expected"),
    [
        ("afile/out", "demo_echo", "cannot write results"),
        ("o", "demo_random_words", "[demo] api_key"),  # its secret is not set
        ("o", "nope:nodriver", "there is no driver 'nodriver'"),
    ],
)
def test_unusable_sut_or_out_is_said_before_the_file_is_scanned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, out: str, sut: str, expected: str
) -> None:
    (tmp_path / "afile").write_text("x")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(f"not json {i}\n" for i in range(30)) + '{"prompt": "hi"}\n')
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", out)
    assert code == 2 and expected in err
    assert "(skipped)" not in err and "not JSON" not in err
    assert len(err.strip().splitlines()) < 15  # the one message, no page of bad lines


def test_one_answer_and_the_json_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "fine"}\n{"prompt": "x"\n')  # line 2: no closing brace
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    assert "line 2: not JSON (Expecting ',' delimiter at column 15) (skipped)" in err
    assert "1 answer written to" in err and "1 answers" not in err
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert "resuming: 1 answer already done" in err and "0 answers written" in err


def test_a_file_of_bad_lines_only_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"id": "x"}, {"id": "y"}])
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 2 and "holds no prompt (2 bad lines; line 1: no 'prompt' key)" in err
    assert not (tmp_path / "o").exists()
