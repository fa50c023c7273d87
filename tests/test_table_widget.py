"""sutui's Table: a table drawn before it measures its new rows shows their widths after."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from sutui.widgets.table import Table


class OneTable(App[None]):
    CSS = "DataTable { height: 1fr; }"  # as sutui's screens: new rows do not resize it

    def __init__(self, table: DataTable[object]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def drawn_early(table: DataTable[object]) -> str:
    """Add a row, draw its line before the Idle that measures it, then draw it again after."""
    async with OneTable(table).run_test(size=(60, 5)) as pilot:
        table.add_columns("run", "when")
        await pilot.pause()
        table.add_row("1", "2026-11-21 14:30")
        table.render_line(1)  # what a busy machine draws before the Idle event
        await pilot.pause()
        return table.render_line(1).text


async def test_a_row_drawn_before_it_is_measured_is_shown_whole_after() -> None:
    assert "2026-11-21 14:30" in await drawn_early(Table())


@pytest.mark.xfail(strict=True, reason="Textual issues #3533 and #4470: why Table exists")
async def test_textuals_own_table_keeps_the_label_width() -> None:
    assert "2026-11-21 14:30" in await drawn_early(DataTable())
