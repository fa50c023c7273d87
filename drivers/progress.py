"""Progress a call reports from deep inside the transport, without knowing who listens.

The runner sets ON_RETRY in each SUT's task; the transport calls it before waiting to retry.
A context variable keeps each task's listener to itself (and drivers that do not use our
transport simply never report).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.errors import SUTError

RetryListener = Callable[[int, float, "SUTError", bool], None]
"""Called with the attempt that failed (1 for the first), the wait before the next, the error,
and whether text had come (a broken stream: the next attempt starts the answer again)."""

ON_RETRY: ContextVar[RetryListener | None] = ContextVar("sutui_on_retry", default=None)


def report_retry(attempt: int, wait_s: float, error: SUTError, restart: bool = False) -> None:
    listener = ON_RETRY.get()
    if listener is not None:
        listener(attempt, wait_s, error, restart)
