"""The concurrency cap per driver: at most `concurrency_limit(key)` calls of one driver (the
`limit_key` a driver passes to the transport) in flight per event loop. A run may bring its
own caps (`run_limits`): within it, and in the tasks it starts, a driver it names is capped by
the run's own count and semaphore, and the process-wide caps (what the compare screen shares)
are neither used nor changed.

The fan-out (drivers/runner.py) takes a driver's slot for the whole of a SUT's call (`hold`),
so a SUT not made on the shared transport (a seed-guide driver with its own client) is capped
too; within that call the transport does not take a second slot of the same driver (that would
wait on itself with a cap of 1): one cap, one place."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

DEFAULT_CONCURRENCY = 64
"""Calls in flight per driver and event loop when no limit was set for that driver."""

_limits: dict[str, int] = {}
_semaphores: dict[tuple[asyncio.AbstractEventLoop, str], tuple[int, asyncio.Semaphore]] = {}
_limits_lock = threading.Lock()
_run_limits: ContextVar[Mapping[str, asyncio.Semaphore] | None] = ContextVar(
    "run_limits", default=None
)
_held: ContextVar[frozenset[str]] = ContextVar("held_driver_slots", default=frozenset())


class _AlreadyHeld(asyncio.Semaphore):
    """What a call gets for a driver whose slot its task already holds: never waits."""

    def __init__(self) -> None:
        super().__init__(1)


def set_concurrency_limit(key: str, limit: int | None) -> None:
    """At most `limit` calls of driver `key` in flight per event loop (None: back to default)."""
    if limit is not None and limit < 1:
        raise ValueError("a concurrency limit is at least 1")
    with _limits_lock:
        if limit is None:
            _limits.pop(key, None)
        else:
            _limits[key] = limit


def concurrency_limit(key: str) -> int:
    with _limits_lock:
        return _limits.get(key, DEFAULT_CONCURRENCY)


@contextmanager
def run_limits(limits: Mapping[str, int]) -> Iterator[None]:
    """A run's own cap per driver, for the current task and the tasks it starts meanwhile (a
    context variable): a batch's window without rewriting the caps every other run shares."""
    if any(limit < 1 for limit in limits.values()):
        raise ValueError("a concurrency limit is at least 1")
    token = _run_limits.set({key: asyncio.Semaphore(limit) for key, limit in limits.items()})
    try:
        yield
    finally:
        _run_limits.reset(token)


def driver_semaphore(key: str) -> asyncio.Semaphore:
    """The semaphore a call of driver `key` waits on: the run's own, else the process-wide
    one of this event loop (none to wait on when this task holds the driver's slot)."""
    if key in _held.get():
        return _AlreadyHeld()
    own = _run_limits.get()
    if own is not None and key in own:
        return own[key]
    loop = asyncio.get_running_loop()
    limit = concurrency_limit(key)
    with _limits_lock:
        for stale in [k for k in _semaphores if k[0].is_closed()]:
            del _semaphores[stale]
        found = _semaphores.get((loop, key))
        if found is None or found[0] != limit:  # a changed limit applies to new calls
            found = (limit, asyncio.Semaphore(limit))
            _semaphores[(loop, key)] = found
        return found[1]


@asynccontextmanager
async def driver_slot(key: str | None) -> AsyncIterator[None]:
    if not key:
        yield
        return
    async with driver_semaphore(key):
        yield


@asynccontextmanager
async def hold(key: str | None) -> AsyncIterator[None]:
    """Take a slot of driver `key` for the current task's whole call (the fan-out's gate); the
    transport's calls made within it count against it, not again."""
    if not key or key in _held.get():
        yield
        return
    async with driver_semaphore(key):
        token = _held.set(_held.get() | {key})
        try:
            yield
        finally:
            _held.reset(token)
