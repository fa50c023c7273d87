"""The errors the history raises: their messages say what went wrong and what to do."""

from __future__ import annotations

from sutui.storage import StorageError


class HistoryError(Exception):
    """The history database cannot be opened, read or written (a runtime failure, exit 1)."""


class HistoryStorageError(HistoryError, StorageError):
    """The history cannot be written where it is (disk full, read-only directory): the user
    must fix that (exit 2); it is still read meanwhile."""
