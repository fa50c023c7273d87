"""A command in its own process, timed: wall seconds, exit code, stderr and its rusage (CPU time,
peak RSS) from wait4, for the benches that measure a whole `sutui` command."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Timed:
    wall: float
    returncode: int
    stderr: str
    usage: resource.struct_rusage


def timed(args: list[str], env: dict[str, str]) -> Timed:
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return Timed(wall, os.waitstatus_to_exitcode(status), err, usage)
