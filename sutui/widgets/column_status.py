"""A SUT column's status: one enum, its mark, its words, and whether the column is running.
The status's value is also the class that colours the status line (`-streaming`, sutui.tcss).
No Textual here: the screens and the history recorder read it as well."""

from __future__ import annotations

from enum import StrEnum


class ColumnStatus(StrEnum):
    idle = "idle"
    queued = "queued"
    connecting = "connecting"
    waiting = "waiting"
    """Started: waiting for the first token."""
    streaming = "streaming"
    retrying = "retrying"
    done = "done"
    error = "error"
    cancelled = "cancelled"

    @property
    def icon(self) -> str:
        """The mark before the status (and on a narrow terminal's tab)."""
        return _ICONS[self]

    @property
    def words(self) -> str:
        return "waiting for first token" if self is ColumnStatus.waiting else self.value

    @property
    def running(self) -> bool:
        """A run is on: queued, connecting, waiting, streaming or retrying."""
        return self in _RUNNING

    @property
    def before_start(self) -> bool:
        """Sent, but no request made yet (connecting: the SUT is being made; queued)."""
        return self in (ColumnStatus.connecting, ColumnStatus.queued)


_ICONS = {
    ColumnStatus.idle: "·",
    ColumnStatus.queued: "…",
    ColumnStatus.connecting: "…",
    ColumnStatus.waiting: "◌",
    ColumnStatus.streaming: "▸",
    ColumnStatus.retrying: "↻",
    ColumnStatus.done: "✓",
    ColumnStatus.error: "✗",
    ColumnStatus.cancelled: "■",
}
_RUNNING = frozenset(
    {
        ColumnStatus.queued,
        ColumnStatus.connecting,
        ColumnStatus.waiting,
        ColumnStatus.streaming,
        ColumnStatus.retrying,
    }
)
