"""One batch at a time per output directory: two real `sutui batch` processes on the same
--out, then the app's batch against a directory a CLI batch holds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from test_app_support import new_app, wait_until
from textual.widgets import Input, Static

from sutui.batch.lock import LOCK, OutputBusy, OutputLock
from sutui.screens.batch import BatchScreen

PROMPTS = 200


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SUTUI_DEMO_DELAY", raising=False)


def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    rows = [{"id": f"q{i}", "prompt": f"prompt number {i}"} for i in range(PROMPTS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def start(tmp_path: Path, delay: str, *extra: str) -> subprocess.Popen[str]:
    args = ["--sut", f"echo:demo;delay={delay}", "--prompts", str(big(tmp_path))]
    return subprocess.Popen(
        [sys.executable, "-m", "sutui", "batch", *args, "--out", "same", "--quiet", *extra],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def prompt_ids(out: Path) -> Counter[str]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return Counter(json.loads(line)["prompt_id"] for line in lines)


def holder_pid(out: Path) -> str:
    try:
        return (out / LOCK).read_text().strip()
    except FileNotFoundError:
        return ""


def test_a_second_batch_on_the_same_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "same"
    first = start(tmp_path, "0.05", "--concurrency", "2")  # 200 prompts: several seconds
    try:
        deadline = time.monotonic() + 60
        while holder_pid(out) != str(first.pid):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first batch never took the lock"
            time.sleep(0.05)
        second = start(tmp_path, "0.05")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2, err
        assert f"another batch is writing same (pid {first.pid})" in err
        assert "Traceback" not in err
        first.send_signal(signal.SIGTERM)  # stopped: resumable
        _, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    # The lock went with the process: the same batch resumes, and no prompt is written twice.
    third = start(tmp_path, "0.05", "--concurrency", "64")
    _, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    counts = prompt_ids(out)
    assert len(counts) == PROMPTS and set(counts.values()) == {1}


def test_two_batches_started_at_once_never_write_a_prompt_twice(tmp_path: Path) -> None:
    procs = [start(tmp_path, "0.01"), start(tmp_path, "0.01")]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    codes = sorted(code for code, _ in results)
    # Either one was refused, or the first had finished before the second began (then the
    # second found everything done). Never both writing.
    assert codes in ([0, 2], [0, 0]), results
    refused = [err for code, err in results if code == 2]
    assert all("another batch is writing same" in err for err in refused)
    counts = prompt_ids(tmp_path / "same")
    assert len(counts) == PROMPTS and set(counts.values()) == {1}


def test_the_lock_says_who_holds_it_and_is_released(tmp_path: Path) -> None:
    lock = OutputLock(tmp_path).acquire()
    with pytest.raises(OutputBusy, match=f"pid {os.getpid()}"):
        OutputLock(tmp_path).acquire()  # another descriptor: refused, even in one process
    lock.release()
    with OutputLock(tmp_path):
        pass


async def test_the_app_batch_respects_the_lock(tmp_path: Path) -> None:
    prompts = big(tmp_path)
    out = tmp_path / "held"
    out.mkdir()
    app = new_app(["demo_echo"])
    with OutputLock(out):  # as a CLI batch would hold it
        async with app.run_test(size=(110, 30)) as pilot:
            app.action_view("batch")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BatchScreen)
            screen.query_one("#batch-prompts", Input).value = str(prompts)
            screen.query_one("#batch-out", Input).value = str(out)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not screen.running, tries=1000)
            text = str(screen.query_one("#batch-status", Static).render())
            assert f"another batch is writing {out} (pid {os.getpid()})" in text
            assert screen.outcome is None
    assert (out / "results.jsonl").read_text() == ""
