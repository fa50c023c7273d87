"""A batch stopped mid-way (SIGINT as Ctrl-C sends it, SIGTERM, SIGKILL) leaves valid JSONL, and
the same command again sends only what is missing (counted on the loopback provider server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sutui.cli.main import run

PROMPTS = 12


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SUTUI_KEYRING": "off",
        "SUTUI_CONFIG_DIR": str(tmp_path / "cfg"),
        "SUTUI_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sutui", "batch", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def lines(out: Path) -> list[str]:
    path = out / "results.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def wait_for_lines(out: Path, proc: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 60
    while len(lines(out)) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch wrote nothing"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_batch_resumes_with_only_what_is_missing(
    tmp_path: Path,
    provider_server: Any,
    sig: signal.Signals,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(json.dumps({"prompt": f"p{i}"}) + "\n" for i in range(PROMPTS)))
    out = tmp_path / "out"
    # Each answer takes SLOW_FIRST (1.5 s) to start: two at a time, the run lasts seconds.
    sut = f"m-fault-slow-first:local:openai;url={provider_server.url}/local/v1"
    args = ["--sut", sut, "--prompts", str(prompts), "--out", str(out), "--concurrency", "2"]
    proc = start(args, tmp_path)
    wait_for_lines(out, proc, 2)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        with (out / "results.jsonl").open("a") as f:  # as if killed in the middle of a write
            f.write('{"schema": "sutui.result/1", "run_id": "b", "pro')
    else:
        assert proc.returncode == 130, err
        assert "Run the same command again to resume" in err and "Traceback" not in err
    first = lines(out)
    done = set()
    for line in first[: -1 if sig == signal.SIGKILL else None]:
        record = json.loads(line)  # every whole line is a record
        assert record["status"] == "done"
        done.add(record["prompt"])
    assert 2 <= len(done) < PROMPTS

    provider_server.reset()
    for name in ("SUTUI_KEYRING", "SUTUI_CONFIG_DIR", "SUTUI_CACHE_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name) if name != "SUTUI_KEYRING" else "off")
    code = run(["batch", *args[:-1], "16", "--quiet"])
    err = capsys.readouterr().err
    assert code == 0, err
    sent = sorted(r.body["messages"][-1]["content"] for r in provider_server.requests)
    missing = sorted(f"p{i}" for i in range(PROMPTS) if f"p{i}" not in done)
    assert sent == missing
    final = [json.loads(line) for line in lines(out)]
    assert sorted(r["prompt"] for r in final) == sorted(f"p{i}" for i in range(PROMPTS))
    assert len({r["prompt_id"] for r in final}) == PROMPTS
    if sig == signal.SIGKILL:
        assert "removed an unfinished last line" in err
