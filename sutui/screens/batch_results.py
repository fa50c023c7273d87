"""A batch's results: a table of its records (results.jsonl), one record in full on enter, and
charts of them on g (each SUT's total time, the answers over time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from drivers.visible_text import visible
from sutui.batch.results import RESULTS
from sutui.history.export import STATUS_STYLES
from sutui.screens.base import Dialog, Page
from sutui.screens.chart_view import toggle_charts
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table

MAX_ROWS = 5000
"""Records shown at most (the file may hold far more; it is read line by line)."""


def read_records(out: Path, limit: int = MAX_ROWS) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` records and how many lines the file holds."""
    records: list[dict[str, Any]] = []
    total = 0
    path = out / RESULTS
    if not path.exists():
        return records, 0
    with path.open("rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            total += 1
            if len(records) < limit:
                try:
                    data = json.loads(raw)
                except (ValueError, RecursionError):  # not a record (nested too deep, even)
                    continue
                if isinstance(data, dict):
                    records.append(data)
    return records, total


def first_line(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def earlier_turns(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A conversation's turns before the one answered, its system message left out (that is
    `system`): none for a one-turn prompt or a record that holds no readable `messages`."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        return []
    turns = [m for m in messages[:-1] if isinstance(m, dict)]
    return [m for m in turns if m.get("role") != "system"]


def prompt_cell(record: dict[str, Any]) -> str:
    """The prompt's id, and how many turns came before the answered one in a conversation."""
    n = len(earlier_turns(record))
    turns = f" (+{n} turn{'s' if n != 1 else ''})" if n else ""
    return f"{record.get('prompt_id')}{turns}"


def in_prompt_order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By prompt, in the order each prompt's first answer came (each SUT reads the prompt
    file from the top, so that is the file's order; a prompt without an id is known by a
    digest, whose order means nothing), then by SUT."""
    first: dict[str, int] = {}
    for i, record in enumerate(records):
        first.setdefault(str(record.get("prompt_id")), i)

    def key(record: dict[str, Any]) -> tuple[int, int]:
        index = record.get("index")
        return first[str(record.get("prompt_id"))], index if isinstance(index, int) else 0

    return sorted(records, key=key)


class RecordScreen(Dialog[None]):
    """One record: the prompt (after the earlier turns of a conversation), the system prompt,
    the answer or the error, as plain text."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="record.close")]
    DEFAULT_CSS = """
    RecordScreen { align: center middle; }
    RecordScreen > VerticalScroll {
        width: 90%; height: 90%; border: round $primary; background: $surface; padding: 0 1;
    }
    RecordScreen .field { color: $text-muted; text-style: bold; margin-top: 1; }
    """

    def __init__(self, record: dict[str, Any]):
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        r = self.record
        with VerticalScroll() as scroll:
            scroll.border_title = f"{r.get('prompt_id')} · {r.get('sut')} · {r.get('status')}"
            if r.get("system"):
                yield Static(Text("system"), classes="field")
                yield Static(Text(visible(str(r["system"]))), id="record-system")
            turns = earlier_turns(r)
            if turns:
                yield Static(Text(f"earlier turns ({len(turns)})"), classes="field")
                shown = Text("\n").join(
                    Text.assemble(
                        (f"{turn.get('role')}: ", "bold"), visible(str(turn.get("content", "")))
                    )
                    for turn in turns
                )
                yield Static(shown, id="record-turns")
            yield Static(Text("prompt"), classes="field")
            yield Static(Text(visible(str(r.get("prompt", "")))), id="record-prompt")
            yield Static(Text("answer"), classes="field")
            yield Static(Text(visible(str(r.get("text", "")))), id="record-text")
            error = r.get("error")
            if isinstance(error, dict):
                yield Static(Text("error"), classes="field")
                message = f"{error.get('kind')}: {error.get('message')}"
                if error.get("hint"):
                    message += f"\nwhat to do: {error['hint']}"
                yield Static(Text(visible(message), style="red"), id="record-error")
            details = {k: r.get(k) for k in ("uid", "options", "usage", "timings", "run_id")}
            yield Static(Text("details"), classes="field")
            yield Static(Text(json.dumps(details, ensure_ascii=False)), id="record-details")


class ResultsScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="batch_results.back"),
        Binding("g", "charts", "Charts", id="batch_results.charts",
                tooltip="Charts of the records (total time per SUT, answers over time), or the "
                "table again"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    ResultsScreen #results-note { height: 1; padding: 0 1; color: $text-muted; }
    ResultsScreen #results-charts { display: none; }
    ResultsScreen.-charts #results-charts { display: block; }
    ResultsScreen.-charts #results { display: none; }
    """

    @dataclass
    class Loaded(Message):
        records: list[dict[str, Any]]
        total: int

    def __init__(self, out: Path):
        super().__init__(id="batch-results")
        self.out = out
        self.records: list[dict[str, Any]] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical():
            yield Static(Text(f"reading {self.out / RESULTS}…"), id="results-note")
            table: DataTable[Any] = Table(id="results", cursor_type="row", zebra_stripes=True)
            table.add_columns("prompt", "SUT", "status", "answer")
            yield table
            yield Vertical(id="results-charts")  # filled on the first g (plotext loads then)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "batch results"
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exit_on_error=False, group="results")
    def load(self) -> None:
        records, total = read_records(self.out)
        self.post_message(self.Loaded(records, total))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        # By prompt, then by SUT (the file is in the order answers came).
        self.records = in_prompt_order(message.records)
        table = self.query_one(DataTable)
        table.clear()
        for i, r in enumerate(self.records):
            status = str(r.get("status"))
            error = r.get("error")
            answer = (
                f"{error.get('kind')}: {error.get('message')}"
                if isinstance(error, dict)
                else str(r.get("text", ""))
            )
            table.add_row(
                Text(prompt_cell(r)),
                Text(str(r.get("sut"))),
                Text(status, style=STATUS_STYLES.get(status, "")),
                Text(visible(first_line(answer))),
                key=str(i),
            )
        shown = len(self.records)
        note = f"{message.total} records in {self.out / RESULTS}"
        if shown < message.total:
            note += f" (the first {shown} shown)"
        self.query_one("#results-note", Static).update(
            Text(note + " · enter shows one · g: charts")
        )
        if self.has_class("-charts"):
            self._draw_charts()
        self.loaded = True

    def action_charts(self) -> None:
        toggle_charts(self, self._draw_charts)

    def _draw_charts(self) -> None:
        from sutui.batch.chart_data import latencies, progress
        from sutui.widgets.charts import LatencyChart, ProgressChart

        box = self.query_one("#results-charts", Vertical)
        if not box.children:
            box.mount(LatencyChart(id="latency-chart"), ProgressChart(id="progress-chart"))
        box.query_one(LatencyChart).show(latencies(self.records))
        box.query_one(ProgressChart).show(progress(self.records))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        index = int(event.row_key.value or 0)
        self.app.push_screen(RecordScreen(self.records[index]))
