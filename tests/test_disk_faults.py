"""A full disk and a read-only directory, for real: a small tmpfs that fills up, a tmpfs
remounted read-only (root ignores permission bits, not a read-only mount), and /dev/full.

What must hold: a clear message that says "disk full" or "read-only" with the path (exit 2, the
user must fix it; never "internal error" nor a traceback), the rest of the batch unaffected where
it can be, what can be read is read, and nothing already written is lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_batch_cli import isolated, records, write_jsonl  # noqa: F401  (autouse isolation)

from sutui.cli.main import run

Mount = Callable[[str, int], Path]
WORDS = 400
"""Words per prompt: demo_echo repeats them, so each record is a few KiB."""


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Mount]:
    """mount(name, kib): a fresh tmpfs of that size under tmp_path, unmounted after the test."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mounted: list[Path] = []

    def mount(name: str, kib: int) -> Path:
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0755", "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def fill(where: Path) -> None:
    """Write a file until the file system has no byte left."""
    with (where / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == 28
    with pytest.raises(OSError):
        (where / "probe").write_bytes(b"x" * 4096)


def big_prompts(path: Path, count: int) -> Path:
    return write_jsonl(
        path, [{"id": f"q{i}", "prompt": f"p{i} " + "word " * WORDS} for i in range(count)]
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_plain(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err


# ----- batch --out -----------------------------------------------------------------------------
def test_batch_out_on_a_full_disk_stops_clearly_and_resumes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tmpfs: Mount
) -> None:
    disk = tmpfs("disk", 96)
    out = disk / "out"
    prompts = big_prompts(tmp_path / "p.jsonl", 60)
    args = ["batch", "--sut", "demo_echo", "--prompts", str(prompts), "--out", str(out)]
    code, _, err = cli(capsys, *args)
    assert code == 2, err
    assert_plain(err)
    assert "disk full" in err and str(out / "results.jsonl") in err
    assert "run the same command again" in err.lower()
    kept = (out / "results.jsonl").read_bytes()
    assert kept.endswith(b"\n"), "a record cut by the full disk is taken back at once"
    first = [json.loads(line) for line in kept.splitlines()]
    assert 0 < len(first) < 60 and all(r["status"] == "done" for r in first)

    remount(disk, "size=4m")  # space freed: the same command finishes the batch
    code, _, err = cli(capsys, *args)
    assert code == 0, err
    final = records(out)
    assert sorted(r["prompt_id"] for r in final) == sorted(f"q{i}" for i in range(60))
    assert final[: len(first)] == first, "what the full disk let through is kept as it was"


def test_batch_out_on_a_read_only_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tmpfs: Mount
) -> None:
    disk = tmpfs("ro", 64)
    remount(disk, "ro")
    prompts = big_prompts(tmp_path / "p.jsonl", 2)
    out = disk / "out"
    code, _, err = cli(capsys, "batch", "--sut", "demo_echo", "--prompts", str(prompts),
                       "--out", str(out))  # fmt: skip
    assert code == 2, err
    assert_plain(err)
    assert "read-only" in err and str(out) in err


# ----- batch --cache ---------------------------------------------------------------------------
def test_cache_on_a_full_disk_warns_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tmpfs: Mount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmpfs("cache", 160)
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(cache))
    prompts = big_prompts(tmp_path / "p.jsonl", 80)
    code, _, err = cli(capsys, "batch", "--sut", "demo_echo", "--prompts", str(prompts),
                       "--out", "a", "--cache")  # fmt: skip
    assert code == 0, err
    assert_plain(err)
    assert "disk full" in err and str(cache / "responses.sqlite3") in err
    got = records(tmp_path / "a")
    assert len(got) == 80 and all(r["status"] == "done" for r in got)

    # What the cache holds is still read on the full disk.
    code, _, err = cli(capsys, "batch", "--sut", "demo_echo", "--prompts", str(prompts),
                       "--out", "b", "--cache")  # fmt: skip
    assert code == 0, err
    again = records(tmp_path / "b")
    assert len(again) == 80 and any(r["cached"] for r in again)


def test_read_only_cache_is_read_and_not_written(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tmpfs: Mount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmpfs("cache", 1024)
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(cache))
    prompts = big_prompts(tmp_path / "p.jsonl", 3)
    base = ["batch", "--sut", "demo_echo", "--prompts", str(prompts), "--cache"]
    assert cli(capsys, *base, "--out", "a")[0] == 0
    remount(cache, "ro")
    more = big_prompts(tmp_path / "more.jsonl", 5)
    code, _, err = cli(capsys, *base[:4], str(more), "--cache", "--out", "b")
    assert code == 0, err
    assert_plain(err)
    assert "read-only" in err and str(cache / "responses.sqlite3") in err
    assert "3 from the cache" in err
    assert len(records(tmp_path / "b")) == 5


def test_cache_dir_read_only_and_empty_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tmpfs: Mount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmpfs("cache", 64)
    remount(cache, "ro")
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(cache))
    prompts = big_prompts(tmp_path / "p.jsonl", 1)
    code, _, err = cli(capsys, "batch", "--sut", "demo_echo", "--prompts", str(prompts),
                       "--out", "a", "--cache")  # fmt: skip
    assert code == 2, err
    assert_plain(err)
    assert "read-only" in err and str(cache) in err and "--cache" in err


# ----- the history -----------------------------------------------------------------------------
def saved_runs(capsys: pytest.CaptureFixture[str]) -> None:
    for prompt in ("why is the sky blue", "tell me"):
        code, _, err = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", prompt)
        assert code == 0, err


def test_history_on_a_read_only_data_dir_is_still_read(
    capsys: pytest.CaptureFixture[str], tmpfs: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmpfs("data", 1024)
    monkeypatch.setenv("SUTUI_DATA_DIR", str(data))
    saved_runs(capsys)
    remount(data, "ro")
    history = str(data / "history.sqlite3")

    code, out, err = cli(capsys, "history", "list")
    assert code == 0, err
    assert "sky blue" in out and "tell me" in out
    code, out, err = cli(capsys, "history", "export", "--all", "--format", "jsonl")
    assert code == 0, err
    assert [json.loads(line)["prompt"] for line in out.splitlines()] == [
        "why is the sky blue",
        "tell me",
    ]
    code, out, err = cli(capsys, "history", "show", "last")
    assert code == 0 and "tell me" in out, err

    code, _, err = cli(capsys, "history", "delete", "1")
    assert code == 2, err
    assert_plain(err)
    assert "read-only" in err and history in err and "Move the file away" not in err

    code, out, err = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "still answers")
    assert code == 0, err
    assert "still answers" in out
    assert "history not saved" in err and "read-only" in err and history in err


def test_history_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], tmpfs: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmpfs("data", 512)
    monkeypatch.setenv("SUTUI_DATA_DIR", str(data))
    saved_runs(capsys)
    fill(data)
    history = str(data / "history.sqlite3")

    code, out, err = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "word " * 3000)
    assert code == 0, err
    assert_plain(err)
    assert "history not saved" in err and "disk full" in err and history in err
    assert "Move the file away" not in err

    code, out, err = cli(capsys, "history", "list")
    assert code == 0, err
    assert "sky blue" in out and "tell me" in out
    code, out, err = cli(capsys, "history", "export", "--all", "--format", "md")
    assert code == 0 and "sky blue" in out, err


def test_history_export_to_a_full_disk(capsys: pytest.CaptureFixture[str]) -> None:
    saved_runs(capsys)
    code, _, err = cli(capsys, "history", "export", "--all", "--out", "/dev/full")
    assert code == 2, err
    assert_plain(err)
    assert "disk full" in err and "/dev/full" in err


def test_votes_on_a_read_only_data_dir_are_still_ranked(
    capsys: pytest.CaptureFixture[str], tmpfs: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sutui.arena.votes import Vote, save_vote
    from sutui.history.errors import HistoryStorageError

    data = tmpfs("data", 1024)
    monkeypatch.setenv("SUTUI_DATA_DIR", str(data))
    cast = Vote(("echo:demo", "yes_no:demo"), "win", 0, "hi", names=("demo_echo", "demo_yes_no"))
    save_vote(cast)
    remount(data, "ro")
    code, out, err = cli(capsys, "votes", "export")
    assert code == 0, err
    assert json.loads(out)["outcome"] == "win"
    code, out, err = cli(capsys, "leaderboard", "--rounds", "0")
    assert code == 0 and "echo:demo" in out, err
    with pytest.raises(HistoryStorageError, match=r"read-only file system: cannot write .*vote"):
        save_vote(cast)


def test_stdout_on_a_full_disk(tmp_path: Path) -> None:
    """`sutui history export > /dev/full`: the flush at the end meets ENOSPC."""
    env = {**os.environ, "SUTUI_DATA_DIR": str(tmp_path / "data"), "SUTUI_KEYRING": "off",
           "SUTUI_CONFIG_DIR": str(tmp_path / "cfg"), "SUTUI_DEMO_DELAY": "0"}  # fmt: skip
    sutui = [sys.executable, "-m", "sutui"]
    subprocess.run([*sutui, "run-sut", "--sut", "demo_echo", "--prompt", "hi"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    with open("/dev/full", "w") as full:
        done = subprocess.run([*sutui, "history", "export", "--all"], env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert_plain(done.stderr)
    assert "disk full: cannot write the output" in done.stderr
