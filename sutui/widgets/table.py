"""A DataTable that shows its columns' measured widths as soon as they are measured.

Textual's DataTable measures new rows on an Idle event, and caches the lines it draws under a
counter that this measuring does not change. So a frame drawn between `add_row` and that Idle
(which a busy machine often draws) keeps the columns as wide as their labels, cut text and all,
until something else (a cursor move) redraws the table: Textual issues #3533 and #4470, open
in the pinned 8.2.8. Until they are fixed, this subclass bumps the counter after measuring.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

CellType = TypeVar("CellType")


class Table(DataTable[CellType]):
    """Every sutui table: a DataTable whose cached lines never outlive a new measure."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1  # lines drawn before the measure were cached under the old one
        self.refresh()
