"""The one error the history raises: its message says what went wrong and what to do."""

from __future__ import annotations


class HistoryError(Exception):
    """The history database cannot be opened, read or written (a runtime failure, exit 1)."""
