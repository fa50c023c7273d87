"""`sutui batch` in-process: complete results, resume, the cache, bad input (demo SUTs and the
loopback provider server)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sutui.batch.prompt_ids import content_id
from sutui.cli.main import run
from sutui.records import ResultRecord


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("SUTUI_DEMO__") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name)


def batch(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["batch", *args])
    _, err = capsys.readouterr()
    return code, err


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def local(server: Any, model: str) -> str:
    return f"{model}:local:openai;url={server.url}/local/v1"


def test_every_prompt_on_every_sut(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = tmp_path / "p.csv"
    prompts.write_text('id,prompt,system\nq1,hello there,\nq2,"two\nlines",be brief\nq3,a b c,\n')
    code, err = batch(
        capsys, "--sut", "demo_echo", "--sut", "demo_yes_no", "--prompts", str(prompts),
        "--out", "out", "--max-tokens", "50",
    )  # fmt: skip
    assert code == 0, err
    got = records(tmp_path / "out")
    assert len(got) == 6
    assert {(r["prompt_id"], r["sut"]) for r in got} == {
        (q, s) for q in ("q1", "q2", "q3") for s in ("demo_echo", "demo_yes_no")
    }
    run_ids = {r["run_id"] for r in got}
    assert len(run_ids) == 1 and next(iter(run_ids)).startswith("batch-")
    echo = {r["prompt_id"]: r for r in got if r["sut"] == "demo_echo"}
    assert echo["q2"]["text"] == "two\nlines" and echo["q2"]["system"] == "be brief"
    assert all(r["status"] == "done" and r["options"] == {"max_tokens": 50} for r in got)
    assert all(ResultRecord.from_dict(r).to_dict() == r for r in got)
    assert "6 answers written" in err


def test_jsonl_ids_default_to_the_prompts_content(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "one"}\n\n{"prompt": "two", "id": 7}\n')
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    ids = sorted(r["prompt_id"] for r in records(tmp_path / "o"))
    assert ids == ["7", content_id("one", None)]
    assert re.fullmatch(r"h-[0-9a-f]{16}", ids[1])


def test_resume_sends_only_missing_and_failed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    rows = [{"id": f"q{i}", "prompt": f"hi {i}"} for i in range(5)]
    prompts = write_jsonl(tmp_path / "p.jsonl", rows)
    out = tmp_path / "out"
    args = ["--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", str(out)]
    provider_server.queue_fault("401", 1)  # not retried: the first request fails for good
    code, err = batch(capsys, *args)
    assert code == 1 and "send them again" in err
    first = records(out)
    assert len(first) == 5 and sum(r["status"] == "failed" for r in first) == 1
    failed_id = next(r["prompt_id"] for r in first if r["status"] == "failed")
    # An earlier run's answer went missing (as if it was killed before writing it).
    kept = [r for r in first if r["prompt_id"] != "q4" or r["status"] == "failed"]
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0, err
    sent = [r.body["messages"][-1]["content"] for r in provider_server.requests]
    missing = {"q4", failed_id}
    assert sorted(sent) == sorted(f"hi {q[1:]}" for q in missing)
    final = records(out)
    assert len(final) == 5 and all(r["status"] == "done" for r in final)
    assert "resuming" in err and "replaced by their new answers: 1." in err
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0 and provider_server.requests == [] and len(records(out)) == 5


def test_changed_options_are_new_tasks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "a b"}])
    base = ["--sut", "demo_echo", "--prompts", str(prompts), "--out", "o"]
    assert batch(capsys, *base)[0] == 0
    assert batch(capsys, *base, "--max-tokens", "1")[0] == 0
    assert [r["options"] for r in records(tmp_path / "o")] == [{}, {"max_tokens": 1}]


def test_cache_hit_sends_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": f"say {i}"} for i in range(4)])
    sut = local(provider_server, "m1")
    provider_server.queue_fault("401", 1)  # an error is never cached
    code, _ = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "a", "--cache")
    assert code == 1 and len(provider_server.requests) == 4
    provider_server.reset()
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "b", "--cache")
    assert code == 0, err
    assert len(provider_server.requests) == 1  # only the one that failed before
    assert "3 from the cache" in err
    again = records(tmp_path / "b")
    assert sorted(r["text"] for r in again) == sorted(f"Echo: say {i}" for i in range(4))
    assert sorted(r["cached"] for r in again) == [False, True, True, True]
    provider_server.reset()
    code, _ = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "c", "--cache")
    assert code == 0 and provider_server.requests == []
    # Without --cache the same prompts are sent.
    code, _ = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "d")
    assert code == 0 and len(provider_server.requests) == 4


def test_bad_lines_are_skipped_or_stop_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(
        '{"prompt": "fine"}\n{"prompt": \n["a list"]\n{"id": "x"}\n{"prompt": ""}\n'
        '{"prompt": "also fine", "id": "z"}\n{"prompt": "dup", "id": "z"}\n'
    )
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    for number, problem in (
        (2, "not JSON"), (3, "not an object"), (4, "no 'prompt'"), (5, "empty"), (7, "id 'z'"),
    ):  # fmt: skip
        assert f"line {number}: " in err and problem in err, (number, err)
    assert sorted(r["prompt"] for r in records(tmp_path / "o")) == ["also fine", "fine"]
    code, err = batch(
        capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "s",
        "--on-bad-line", "stop",
    )  # fmt: skip
    assert code == 2 and "line 2: not JSON" in err and "--on-bad-line skip" in err
    assert not (tmp_path / "s").exists()


def test_bad_csv_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = tmp_path / "p.csv"
    prompts.write_text("id,prompt\n1,ok\n2,too,many\n3,\n4,fine\n")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    assert "line 3: 3 fields where the header has 2" in err and "line 4: the prompt is empty" in err
    assert sorted(r["prompt_id"] for r in records(tmp_path / "o")) == ["1", "4"]
    nocol = tmp_path / "n.csv"
    nocol.write_text("question\nhi\n")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(nocol), "--out", "o")
    assert code == 2 and "no 'prompt' column" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--sut", "nope:nodriver"], "there is no driver 'nodriver'"),
        (["--sut", "demo_random_words"], "[demo] api_key"),
        (["--sut", "demo_echo", "--concurrency", "0"], "--concurrency 0: must be 1 or more."),
        (["--sut", "demo_echo", "--rps", "0"], "--rps 0: must be more than 0"),
        (["--sut", "demo_echo", "--top-k", "-1"], "--top-k -1: must be 1 or more."),
        (["--sut", "demo_echo", "--temperature", "5"], "--temperature 5: must be from 0 to 2."),
        (  # TGI's native API takes no chat prompt, and the file has a system prompt
            ["--sut", "gpt2:hf;url=http://127.0.0.1:9/tgi;api=generate"],
            "cannot take a chat prompt (with system) as line 1 asks",
        ),
    ],
)
def test_unusable_input_is_exit_2_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    provider_server: Any,
    args: list[str],
    expected: str,
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "hi", "system": "be kind"}])
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), *args, "--prompts", str(prompts),
        "--out", "o",
    )  # fmt: skip
    assert code == 2 and expected in err and "Traceback" not in err
    assert provider_server.requests == []
    assert not (tmp_path / "o").exists()


def test_missing_prompt_file_and_unwritable_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", "nope.csv", "--out", "o")
    assert code == 2 and "does not exist" in err
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "hi"}])
    (tmp_path / "afile").write_text("x")
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts),
        "--out", str(tmp_path / "afile" / "out"),
    )  # fmt: skip
    assert code == 2 and "cannot write results" in err and "Not a directory" in err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root may write anywhere: then only the case above
            code, err = batch(
                capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts),
                "--out", str(locked / "out"),
            )  # fmt: skip
            assert code == 2 and "cannot write results" in err and "Permission denied" in err
    finally:
        locked.chmod(0o700)
    assert provider_server.requests == []


def test_out_is_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "hi"}])
    (tmp_path / "afile").write_text("x")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "afile")
    assert code == 2 and "is a file" in err


def test_the_cache_is_keyed_by_canonical_uid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "a b c"}, {"prompt": "d e"}])
    code, _ = batch(
        capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "a", "--cache"
    )
    assert code == 0
    code, err = batch(
        capsys, "--sut", "echo:demo", "--prompts", str(prompts), "--out", "b", "--cache"
    )
    assert code == 0 and "2 from the cache" in err
    code, err = batch(
        capsys, "--sut", "echo:demo", "--prompts", str(prompts), "--out", "c", "--cache",
        "--max-tokens", "1",
    )  # fmt: skip
    assert code == 0 and "from the cache" not in err  # other options: other answers


def test_a_429_is_retried_and_every_answer_arrives(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": f"x {i}"} for i in range(6)])
    sut = local(provider_server, "m-fault-429-once")  # Retry-After: 0, the first time
    code, err = batch(
        capsys, "--sut", sut, "--prompts", str(prompts), "--out", "o", "--rps", "500",
        "--per-driver", "4",
    )  # fmt: skip
    assert code == 0, err
    assert len(provider_server.requests) == 7
    assert provider_server.max_in_flight <= 4
    assert all(r["status"] == "done" for r in records(tmp_path / "o"))


def test_plain_progress_lines_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import io

    from sutui.batch.progress import ProgressDisplay, SUTProgress

    stream = io.StringIO()
    display = ProgressDisplay(stream, every=0)
    row = SUTProgress("demo_echo", "demo", total=10, done=4, errors=1, cached=2, before=3)
    display.update([row])
    display.close([row])
    text = stream.getvalue()
    assert text.splitlines()[0].startswith("demo_echo: 8/10 · 1 failed · 2 cached · 3 from before")
    assert "ETA" in text


def test_the_batch_command_does_not_load_the_app() -> None:
    import subprocess
    import sys

    code = "import sys, sutui.cli.batch_cmd; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
