"""The history: one row per conversation (its latest run; `· 3 turns`), newest first, with live
search (a row is then the latest turn that matches: `· turn 2 of 3`); open one, re-run it, go
on with it in compare, delete it.

The database is read in a thread worker (a search never blocks typing), each time with its own
connection (SQLite connections stay in their thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input

from drivers.visible_text import visible
from sutui.screens.base import Page
from sutui.screens.history_actions import (
    confirm_delete,
    copy_markdown,
    export_runs,
    go_on,
    rerun,
    with_history,
)
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table

if TYPE_CHECKING:
    from sutui.history.store import RunSummary, StoredRun
    from sutui.services import Services

LIMIT = 500
"""The most runs listed at once (search to find older ones)."""
PROMPT_WIDTH = 40
"""A prompt's first line is cut to this many characters in the list."""


def suts_text(summary: RunSummary) -> Text:
    from sutui.history.export import MARKS, STATUS_STYLES

    text = Text()
    for i, (sut, status) in enumerate(summary.suts):
        if i:
            text.append(" · ", style="dim")
        text.append(f"{MARKS.get(status, '?')} ", style=STATUS_STYLES.get(status, "dim"))
        text.append(sut)
    return text


LIST_ACTIONS = {"open", "rerun", "go_on", "delete", "copy", "export"}
"""What the list's keys do to the selected run."""


class HistoryScreen(Page[None]):
    DEFAULT_CSS = """
    HistoryScreen #runs { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="history.back", tooltip="Compare"),
        Binding("enter", "open", "Open", id="history.open", show=False,
                tooltip="Open the run (read-only)"),
        Binding("r", "rerun(False)", "Re-run", id="history.rerun",
                tooltip="Send the run again to all its SUTs (on the compare screen)"),
        Binding("f", "rerun(True)", "Re-run failed", id="history.rerun_failed",
                tooltip="Send the run again to the SUTs that did not finish well"),
        Binding("t", "go_on", "Continue", id="history.continue",
                tooltip="Go on with the conversation in compare: each SUT its own thread"),
        Binding("d,delete", "delete", "Delete", id="history.delete",
                tooltip="Delete the run (a conversation: all its turns)"),
        Binding("c", "copy", "Copy", id="history.copy", tooltip="Copy the run as Markdown"),
        Binding("e", "export", "Export", id="history.export",
                tooltip="Write the runs listed (the search's) to a .md, .json, .jsonl or .csv"),
        Binding("slash", "search", "Search", id="history.search",
                tooltip="Search prompts, SUTs and answers"),
        Binding("down", "to_table", "To the list", show=False),  # from the search box
    ]  # fmt: skip

    @dataclass
    class Loaded(Message):
        generation: int
        runs: list[RunSummary]
        problem: str | None = None

    def __init__(self, services: Services) -> None:
        super().__init__(id="history")
        self.services = services
        self.runs: list[RunSummary] = []
        self._generation = 0
        """Counts the reads asked for: only the newest one's answer is shown."""
        self._shown = -1

    @property
    def loaded(self) -> bool:
        """Whether the newest read has been shown (tests wait for it before a snapshot)."""
        return self._shown == self._generation

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(placeholder="search: prompt, SUT, answer (↓ or enter: the list; / back here)",
                    id="search")  # fmt: skip
        table: DataTable[object] = Table(id="runs", cursor_type="row", zebra_stripes=True)
        table.add_columns("run", "when", "prompt", "SUTs")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "history"
        # Open to type: in the list, letters are keys (r re-runs), and a search typed there
        # would act on the newest run.
        self.query_one("#search", Input).focus()

    def on_screen_resume(self) -> None:
        self.load()  # when shown, and when back: a run may have been deleted or re-run

    def load(self) -> None:
        self._generation += 1
        self._read(self._generation, self.query_one("#search", Input).value)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _read(self, generation: int, query: str) -> None:
        from sutui.history.errors import HistoryError

        try:
            runs = with_history(lambda store: store.runs(query, limit=LIMIT))
        except HistoryError as exc:
            self.post_message(self.Loaded(generation, [], str(exc)))
            return
        self.post_message(self.Loaded(generation, runs))

    @on(Loaded)
    def _loaded_runs(self, message: Loaded) -> None:
        from sutui.history.export import runs_count, when

        if message.generation != self._generation:
            return  # an older read: a newer one is on its way
        self._shown = message.generation
        self.runs = message.runs
        table = self.query_one(DataTable)
        keep = self.current
        table.clear()
        for run in message.runs:
            prompt = visible(run.prompt.strip().splitlines()[0]) if run.prompt.strip() else ""
            if len(prompt) > PROMPT_WIDTH:
                prompt = prompt[: PROMPT_WIDTH - 1] + "…"
            line = Text(prompt)
            if run.turns_text:
                line.append(f" · {run.turns_text}", style="dim")
            table.add_row(
                Text(str(run.id)), Text(when(run.started_at), style="dim"), line,
                suts_text(run), key=str(run.id),
            )  # fmt: skip
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        query = self.query_one("#search", Input).value
        shown = runs_count(len(message.runs)) + (f" matching '{query}'" if query else "")
        if not message.runs and not query:
            shown = "no runs yet: every send is saved here"
        self.sub_title = f"history · {shown}"
        if message.problem:
            self.notify(message.problem, title="History", severity="error", markup=False)

    @property
    def current(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value)) if row_key.value is not None else None

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self.load()

    @on(Input.Submitted, "#search")
    def _to_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the search box has the focus, letters are typed, not keys: the list's keys
        leave the footer (shown there, they would seem to work)."""
        return not (action in LIST_ACTIONS and isinstance(self.focused, Input))

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_to_table(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def _with_run(self, then: Callable[[StoredRun], object]) -> None:
        """Read the current run (small: one query, on the UI thread) and act on it."""
        from sutui.history.errors import HistoryError

        run_id = self.current
        if run_id is None:
            self.notify("No run selected.", severity="warning")
            return
        try:
            run = with_history(lambda store: store.run(run_id))
        except HistoryError as exc:
            self.notify(str(exc), title="History", severity="error", markup=False)
            return
        if run is None:
            self.notify(f"Run {run_id} is no longer in the history.", severity="warning")
            self.load()
            return
        then(run)

    def action_open(self) -> None:
        from sutui.screens.history_run import HistoryRunScreen

        settings = self.services.settings
        self._with_run(lambda run: self.app.push_screen(HistoryRunScreen(run, settings)))

    def action_rerun(self, only_failed: bool) -> None:
        self._with_run(lambda run: rerun(self, run, only_failed))

    def action_copy(self) -> None:
        timings = self.services.settings.show_timings
        self._with_run(lambda run: copy_markdown(self, run, timings))

    def action_go_on(self) -> None:
        run_id = self.current
        if run_id is None:
            self.notify("No run selected.", severity="warning")
            return
        go_on(self, run_id, self._resolves)

    def _resolves(self, name: str) -> bool:
        try:
            self.services.resolve(name)
        except Exception:  # renamed or removed since: its canonical UID is sent instead
            return False
        return True

    def action_delete(self) -> None:
        run_id = self.current
        if run_id is not None:
            confirm_delete(self, run_id, self.load, whole=True)  # a row is a conversation

    def action_export(self) -> None:
        ids = [r.id for r in reversed(self.runs)]  # oldest first, as the CLI exports
        if not ids:
            self.notify("No runs to export.", severity="warning")
            return
        from sutui.history.export import runs_count

        settings = self.services.settings
        export_runs(self, ids, runs_count(len(ids)), "sutui-history.md", settings, whole=True)
