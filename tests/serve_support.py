"""`sutui serve` as a person starts it: a subprocess in a process group of its own (its
per-session apps join it), so a test ends all of them at once, whatever happened."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str

    def stderr_line(self, timeout: float = 10) -> str:
        return read_line(self.process.stderr, time.monotonic() + timeout)


def serve_env(tmp_path: Path) -> dict[str, str]:
    """The demo SUTs answer at once; data, settings and (no) keyring private to the test."""
    return {
        **os.environ,
        "SUTUI_DEMO_DELAY": "0",
        "SUTUI_KEYRING": "off",
        "SUTUI_DATA_DIR": str(tmp_path / "data"),
        "SUTUI_CONFIG_DIR": str(tmp_path / "config"),
    }


def read_line(stream: object, deadline: float) -> str:
    fd = stream.fileno()  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            return str(stream.readline())  # type: ignore[attr-defined]
    raise TimeoutError("sutui serve printed nothing in time")


@contextmanager
def serving(*args: str, tmp_path: Path, timeout: float = 30) -> Iterator[Served]:
    """`sutui serve ARGS` running until the block ends; yields once it printed its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sutui", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=serve_env(tmp_path),
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        first = read_line(process.stdout, deadline)
        if "http://" not in first:
            process.wait(timeout)
            problem = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"sutui serve did not start: {first}{problem}")
        url = first[first.index("http://") :].split()[0]
        yield Served(process, url)
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the group (the server and each app it started), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(10)
            break
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # an app child outliving the server
        os.killpg(process.pid, signal.SIGKILL)
