"""The leaderboard: every SUT that took part in a blind vote, best score first, by the name the
user knows it by (the column's name); the highlighted row's canonical UID, which its votes are
kept under, below the table. g draws the scores and their intervals as a chart instead."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from sutui.arena.ratings import Standing
from sutui.screens.base import Page
from sutui.screens.chart_view import toggle_charts
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table

if TYPE_CHECKING:
    from drivers.catalog import CatalogEntry


class LeaderboardScreen(Page[None]):
    DEFAULT_CSS = """
    #board-summary { height: auto; padding: 0 1; color: $text-muted; }
    #board { height: 1fr; }
    #board-detail { height: auto; padding: 0 1; color: $text-muted; }
    #board-chart { display: none; }
    LeaderboardScreen.-charts #board-chart { display: block; }
    LeaderboardScreen.-charts #board, LeaderboardScreen.-charts #board-detail { display: none; }
    """
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="leaderboard.back"),
        Binding("r", "reload", "Reload", id="leaderboard.reload", tooltip="Read the votes again"),
        Binding("g", "chart", "Chart", id="leaderboard.chart",
                tooltip="The scores and their 95% intervals as a chart, or the table again"),
    ]  # fmt: skip

    def __init__(self, path: Path | None = None):
        super().__init__(id="leaderboard")
        self.path = path
        self.loaded = False
        """True once the votes have been read and shown (tests wait for it)."""
        self.uids: list[str] = []
        """The canonical UID of each row, in order."""
        self.names: dict[str, str] = {}
        """Canonical UID -> the name shown (sutui.arena.board.known_names)."""
        self.standings: list[Standing] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Reading the votes…", id="board-summary", markup=False)
        yield Table(id="board", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-detail", markup=False)
        yield Vertical(id="board-chart")  # filled on the first g (plotext loads then)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "leaderboard"
        from sutui.arena.board import HEADERS

        table = self.query_one(DataTable)
        for header in HEADERS:
            table.add_column(header, key=header)
        self.look_up()

    @work(thread=True, exclusive=True, group="leaderboard", exit_on_error=False)
    def look_up(self) -> None:
        """Reading and bootstrapping take a moment: off the UI thread."""
        from sutui.arena.board import board, known_names
        from sutui.arena.votes import load_votes

        try:
            votes = load_votes(self.path)
            table = board(votes)
            names = known_names(votes, self._catalog())
        except Exception as exc:
            self.app.call_from_thread(self._problem, str(exc))
            return
        self.app.call_from_thread(self._show, table, len(votes), names)

    def _catalog(self) -> list[CatalogEntry]:
        """The app's catalog, to name a SUT a vote saved by UID only (none: UIDs shown)."""
        services = getattr(self.app, "services", None)
        try:
            return list(services.catalog) if services is not None else []
        except Exception:  # a broken user catalog: the UIDs will do
            return []

    def _show(self, table: list[Standing], votes: int, names: dict[str, str]) -> None:
        from sutui.arena.board import HEADERS, explanation, rows

        self.uids = [row.uid for row in table]
        self.names = names
        self.standings = table
        grid = self.query_one(DataTable)
        cells = rows(table, names)
        # Widths given, not measured later on idle: the table is drawn right at once.
        grid.clear(columns=True)
        for i, header in enumerate(HEADERS):
            width = max([len(header), *(len(str(row[i])) for row in cells)])
            grid.add_column(header, key=header, width=width)
        for row in cells:
            rank, uid, *figures = row  # figures read best right-aligned
            grid.add_row(
                Text(rank, justify="right"), uid, *(Text(f, justify="right") for f in figures)
            )
        summary = explanation(votes)
        if not votes:
            summary = (
                "No votes yet. On the compare screen, ctrl+g turns arena mode on: send a "
                "prompt, read the blind answers, press f9 to vote."
            )
        self.query_one("#board-summary", Static).update(summary)
        self._detail(grid.cursor_row)
        if self.has_class("-charts"):
            self._draw_chart()
        self.loaded = True

    @on(DataTable.RowHighlighted, "#board")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        """The highlighted SUT's name and the canonical UID its votes are kept under."""
        detail = ""
        if 0 <= row < len(self.uids):
            uid = self.uids[row]
            name = self.names.get(uid, uid)
            detail = f"{name}: votes kept under {uid}" if name != uid else f"{uid}"
        self.query_one("#board-detail", Static).update(detail)

    def _problem(self, message: str) -> None:
        self.query_one("#board-summary", Static).update(f"The votes cannot be read: {message}")
        self.loaded = True

    def action_chart(self) -> None:
        toggle_charts(self, self._draw_chart)

    def _draw_chart(self) -> None:
        from sutui.widgets.charts import ScoreChart

        box = self.query_one("#board-chart", Vertical)
        if not box.children:
            box.mount(ScoreChart(id="score-chart"))
        box.query_one(ScoreChart).show(self.standings, self.names)

    def action_reload(self) -> None:
        self.loaded = False
        self.look_up()
