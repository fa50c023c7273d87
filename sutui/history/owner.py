"""Which process writes a run, and whether it is gone: what turns a dead process's unfinished
answers into `partial` when the history is next opened.

A pid alone is not enough: pids are reused (a long-dead writer's pid may now be any live
process, even this one), and a history in a home shared between machines holds pids of other
hosts. So a run keeps its writer's host name, pid and the process's start time (Linux: from
/proc; elsewhere unknown, and the pid alone decides). A run of another host is that host's to
recover, unless it has not been touched for STALE_S (no answer runs that long: it was left).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

STALE_S = 24 * 3600.0
"""A run of another host untouched for this long has no live writer."""


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    started: str | None
    """The process's start time as the OS counts it (clock ticks since boot), None if unknown."""


def me() -> Owner:
    """This process."""
    return _me(os.getpid())  # a forked child is another process


@cache
def _me(pid: int) -> Owner:
    return Owner(socket.gethostname(), pid, process_start(pid))


def process_start(pid: int) -> str | None:
    """When process `pid` started (field 22 of /proc/PID/stat), or None: no such process, or
    no /proc (not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            line = stat.read()
    except OSError:
        return None
    fields = line.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return fields[19] if len(fields) > 19 else None


def gone(owner: Owner, touched_at: str | None, now: datetime | None = None) -> bool:
    """True when the process that wrote a run is certainly not writing it any more."""
    if owner.host != me().host:
        return _age_s(touched_at, now) > STALE_S
    started = process_start(owner.pid)
    if owner.started is not None and started is not None:
        return started != owner.started  # the pid now names another process
    return not _alive(owner.pid)


def _age_s(stamp: str | None, now: datetime | None) -> float:
    if stamp is None:
        return float("inf")
    try:
        then = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return ((now or datetime.now(UTC)) - then).total_seconds()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return False
    return True
