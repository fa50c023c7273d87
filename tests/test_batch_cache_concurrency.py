"""Two `sutui batch --cache` processes at once on one cache: neither waits on the other's write
for long, neither fails with "database is locked", and every answer of both is cached.

Real parts: two subprocesses, the real SQLite cache, the loopback provider server."""

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
from test_batch_cli import isolated, records, write_jsonl  # noqa: F401  (autouse isolation)

from sutui.cli.main import run


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SUTUI_KEYRING": "off",
        "SUTUI_DEMO_DELAY": "0",
        "SUTUI_CONFIG_DIR": str(tmp_path / "cfg"),
        "SUTUI_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sutui", "batch", "--cache", "--quiet", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def wait_for_record(out: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    path = out / "results.jsonl"
    while not (path.exists() and path.read_text().strip()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first batch wrote nothing"
        time.sleep(0.05)


def test_a_second_batch_on_a_shared_cache_is_not_locked_out(
    tmp_path: Path, provider_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Batch A caches an answer, then stays busy for a minute (its other SUT is answered 429
    with Retry-After 7 every time). Batch B, on the same cache meanwhile, must cache its own
    answers and end well: A may not hold a write transaction open between answers."""
    mine = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "prompt": "first batch"}])
    theirs = write_jsonl(tmp_path / "b.jsonl", [{"prompt": f"second {i}"} for i in range(20)])
    throttled = f"m-fault-429:local:openai;url={provider_server.url}/local/v1"
    first = start(["--sut", "demo_echo", "--sut", throttled, "--prompts", str(mine),
                   "--out", "a"], tmp_path)  # fmt: skip
    try:
        wait_for_record(tmp_path / "a", first)  # demo_echo's answer, put in the cache
        second = start(["--sut", "demo_echo", "--prompts", str(theirs), "--out", "b",
                        "--concurrency", "4"], tmp_path)  # fmt: skip
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert "locked" not in err and "internal error" not in err and "Traceback" not in err
        assert first.poll() is None, "the first batch should still be waiting on its 429s"
    finally:
        first.send_signal(signal.SIGTERM)
        _, first_err = first.communicate(timeout=60)
    assert first.returncode == 130, first_err
    assert "locked" not in first_err and "internal error" not in first_err

    # Every answer of both batches is in the cache: a third run sends nothing for them.
    both = write_jsonl(
        tmp_path / "both.jsonl",
        [json.loads(line) for p in (mine, theirs) for line in p.read_text().splitlines()],
    )
    code = run(["batch", "--sut", "demo_echo", "--prompts", str(both), "--out", "c", "--cache"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "21 from the cache" in err
    assert all(r["cached"] for r in records(tmp_path / "c"))


def test_two_batches_at_once_on_one_cache_both_finish(tmp_path: Path, provider_server: Any) -> None:
    """Both write answers to the cache at the same moments (the loopback server's answers)."""
    sut = f"m1:local:openai;url={provider_server.url}/local/v1"
    procs = []
    for name in ("x", "y"):
        prompts = write_jsonl(
            tmp_path / f"{name}.jsonl", [{"prompt": f"{name} {i}"} for i in range(60)]
        )
        procs.append(start(["--sut", sut, "--sut", "demo_echo", "--prompts", str(prompts),
                            "--out", name, "--concurrency", "8"], tmp_path))  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "locked" not in err and "internal error" not in err
    for name in ("x", "y"):
        got = records(tmp_path / name)
        assert len(got) == 120 and all(r["status"] == "done" for r in got)
