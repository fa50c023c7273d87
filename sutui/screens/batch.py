"""The batch screen: run a prompt file on the compare screen's SUTs, watch each SUT's progress,
open the results.

The batch runs in a thread worker with its own event loop (the same BatchRunner as `sutui
batch`), so a busy batch never slows the app's own loop; the runner's progress arrives here as
messages. Leaving the screen does not stop it (the app keeps this screen); Stop does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, Static

from drivers.options import SUTOptions
from drivers.redaction import redact
from sutui.batch import preflight
from sutui.batch import prompts as prompt_file
from sutui.batch.cache import ResponseCache
from sutui.batch.progress import SUTProgress, duration
from sutui.batch.results import OutputDirError, batch_id, load, prepare
from sutui.batch.scheduler import BatchConfig, BatchRunner, Outcome
from sutui.services import Services

if TYPE_CHECKING:
    from sutui.cli.context import CliContext

CONCURRENCY = 32


def default_out(prompts: Path) -> Path:
    return prompts.with_name(f"{prompts.stem}-results")


class BatchScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="batch.start", tooltip="Run the prompt file"),
        Binding("escape", "stop_or_back", "Stop / back", id="batch.stop",
                tooltip="Stop the running batch (resumable), else back to compare"),
        Binding("ctrl+r", "results", "Results", id="batch.results",
                tooltip="The records written so far"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    BatchScreen #batch-form { height: auto; padding: 0 1; }
    BatchScreen .batch-row { height: 3; }
    BatchScreen .batch-row Label { width: 14; padding: 1 1 0 0; }
    BatchScreen .batch-row Input { width: 1fr; }
    BatchScreen #batch-buttons { height: 1; margin: 1 0 0 0; }
    BatchScreen #batch-buttons Button { margin-right: 2; }
    BatchScreen #batch-suts, BatchScreen #batch-status { height: auto; padding: 0 0 0 0; }
    BatchScreen #batch-progress { height: 1fr; margin-top: 1; }
    """

    @dataclass
    class Progress(Message):
        rows: list[SUTProgress]

    @dataclass
    class Note(Message):
        text: str

    @dataclass
    class Ended(Message):
        out: Path
        outcome: Outcome | None
        problem: str | None = None

    def __init__(self, services: Services, suts: list[str]):
        super().__init__(id="batch")
        self.services = services
        self.suts = list(suts)
        self.runner: BatchRunner | None = None
        self.out: Path | None = None
        self.outcome: Outcome | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="batch-form"):
            yield Static(id="batch-suts")
            with Horizontal(classes="batch-row"):
                yield Label("prompt file")
                yield Input(placeholder="prompts.csv or prompts.jsonl", id="batch-prompts")
            with Horizontal(classes="batch-row"):
                yield Label("output dir")
                yield Input(placeholder="default: <prompt file>-results", id="batch-out")
            with Horizontal(id="batch-buttons"):
                for button in (
                    Button("Start", variant="primary", id="batch-start", compact=True),
                    Button("Stop", id="batch-stop", compact=True, disabled=True),
                    Button("Results", id="batch-results", compact=True, disabled=True),
                ):
                    button.can_focus = False
                    yield button
                yield Checkbox("response cache", id="batch-cache", compact=True)
            yield Static(id="batch-status")
        table: DataTable[Any] = DataTable(id="batch-progress", cursor_type="row")
        table.add_column("SUT", key="sut")
        table.add_column("done", key="done")
        table.add_column("failed", key="failed")
        table.add_column("cached", key="cached")
        if self.services.settings.show_timings:
            table.add_column("rate/s", key="rate")
            table.add_column("ETA", key="eta")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "batch"
        self._show_suts()
        self._status("Give a prompt file (CSV with a prompt column, or JSONL), then ctrl+s.")
        self.query_one("#batch-prompts", Input).focus()

    def on_screen_resume(self) -> None:
        if not self.running:
            compare = getattr(self.app, "compare", None)
            if compare is not None:
                self.suts = [c.uid for c in compare.columns]
            self._show_suts()

    def set_suts(self, suts: list[str]) -> None:
        if not self.running:
            self.suts = list(suts)
            if self.is_mounted:
                self._show_suts()

    def _show_suts(self) -> None:
        names = ", ".join(self.suts) if self.suts else "none: add SUTs on the compare screen"
        self.query_one("#batch-suts", Static).update(Text(f"SUTs (from compare): {names}"))

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#batch-status", Static).update(Text(text, style=style))

    def _buttons(self) -> None:
        self.query_one("#batch-start", Button).disabled = self.running
        self.query_one("#batch-stop", Button).disabled = not self.running
        self.query_one("#batch-results", Button).disabled = self.out is None

    # ----- actions ---------------------------------------------------------------------------
    def action_start(self) -> None:
        if self.running:
            self.notify("A batch is running: stop it first.", severity="warning")
            return
        if not self.suts:
            self.notify("Add SUTs on the compare screen first.", severity="warning")
            return
        text = self.query_one("#batch-prompts", Input).value.strip()
        if not text:
            self.notify("Give the prompt file's path.", severity="warning")
            return
        prompts = Path(text).expanduser()
        out_text = self.query_one("#batch-out", Input).value.strip()
        out = Path(out_text).expanduser() if out_text else default_out(prompts)
        self.running, self.out, self.outcome = True, out, None
        self.query_one("#batch-progress", DataTable).clear()
        self._buttons()
        self._status(f"Starting: {prompts} into {out}…")
        cache = self.query_one("#batch-cache", Checkbox).value
        self.run_batch(list(self.suts), prompts, out, cache)

    def action_stop_or_back(self) -> None:
        if self.running and self.runner is not None:
            self.runner.stop()
            self._status("Stopping…", "yellow")
        elif not self.running:
            self.app.action_view("compare")  # type: ignore[attr-defined]

    def action_results(self) -> None:
        if self.out is None:
            self.notify("No batch yet.", severity="warning")
            return
        from sutui.screens.batch_results import ResultsScreen

        self.app.push_screen(ResultsScreen(self.out))

    @on(Button.Pressed, "#batch-start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#batch-stop")
    def _stop_pressed(self) -> None:
        self.action_stop_or_back()

    @on(Button.Pressed, "#batch-results")
    def _results_pressed(self) -> None:
        self.action_results()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_start()

    def on_unmount(self) -> None:
        if self.runner is not None:
            self.runner.stop()

    # ----- the worker ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="batch", exit_on_error=False)
    def run_batch(self, suts: list[str], prompts: Path, out: Path, cache: bool = False) -> None:
        """Check everything (file, UIDs, secrets, output dir), then run; all in this thread."""
        try:
            runner = self._prepare(suts, prompts, out, cache)
        except Exception as exc:  # bad input: said on the screen, nothing sent
            self.post_message(self.Ended(out, None, redact(str(exc))))
            return
        self.runner = runner

        async def main() -> Outcome:
            from drivers.transport import aclose_client

            try:
                return await runner.run()
            finally:
                await aclose_client()

        try:
            outcome = asyncio.run(main())
        except Exception as exc:
            self.post_message(self.Ended(out, None, f"the batch failed: {redact(str(exc))}"))
            return
        self.post_message(self.Ended(out, outcome))

    def _prepare(self, suts: list[str], prompts: Path, out: Path, cache: bool) -> BatchRunner:
        from sutui.cli.run_sut import make_targets

        source = prompt_file.scan(prompts)
        if source.count == 0:
            raise ValueError(f"{prompts} holds no prompt.")
        canonical: dict[str, str] = {}
        # Services holds the same store, catalog and registry a CLI context does.
        targets = make_targets(cast("CliContext", self.services), tuple(suts), canonical)
        refused = preflight.problems(targets, source, SUTOptions())
        if refused:
            raise ValueError("\n".join(refused))
        try:
            prepare(out)
            run_id = batch_id(out)
        except OutputDirError as exc:
            raise ValueError(str(exc)) from None
        config = BatchConfig(
            targets=targets,
            canonical=canonical,
            source=source,
            out=out,
            run_id=run_id,
            concurrency=CONCURRENCY,
            cache=ResponseCache() if cache else None,  # made in this thread, used only here
        )
        if source.bad_lines:
            bad, first = len(source.bad_lines), source.bad[0]
            self.post_message(self.Note(f"{bad} bad lines in {prompts} skipped (first: {first})."))

        def progress(rows: list[SUTProgress]) -> None:
            self.post_message(self.Progress(rows))

        return BatchRunner(config, load(out), on_progress=progress)

    # ----- messages from the worker ----------------------------------------------------------
    @on(Progress)
    def _progress(self, message: Progress) -> None:
        if message.rows:
            self._fill(message.rows)
            done = sum(p.finished_count for p in message.rows)
            total = sum(p.total for p in message.rows)
            self._status(f"Running: {done} of {total} answers · escape stops (resumable).")

    @on(Note)
    def _note(self, message: Note) -> None:
        self.notify(message.text, severity="warning", markup=False)

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        self.running = False
        self.runner = None
        self.outcome = message.outcome
        if message.problem is not None:
            self.out = None
            self._status(message.problem, "red")
        elif message.outcome is not None:
            o = message.outcome
            text = f"{o.written} answers written to {message.out}"
            if o.failed:
                text += f", {o.failed} failed"
            if o.interrupted:
                self._status(text + ". Stopped: start again to resume. ctrl+r: results.", "yellow")
            else:
                style = "red" if o.failed else "green"
                self._status(text + ". Finished. ctrl+r: results.", style)
        self._buttons()

    def _fill(self, rows: list[SUTProgress]) -> None:
        table = self.query_one("#batch-progress", DataTable)
        timings = self.services.settings.show_timings
        keys = {str(k.value) for k in table.rows}
        for p in rows:
            cells: dict[str, Any] = {
                "sut": Text(p.key),
                "done": f"{p.finished_count}/{p.total}",
                "failed": Text(str(p.errors), style="red" if p.errors else ""),
                "cached": str(p.cached),
            }
            if timings:
                cells["rate"] = p.rate_text()
                cells["eta"] = duration(p.eta_s()) if p.remaining else "done"
            if p.key not in keys:
                table.add_row(*cells.values(), key=p.key)
                continue
            for column, value in cells.items():
                table.update_cell(p.key, column, value, update_width=True)
        stale = keys - {p.key for p in rows}
        for key in stale:
            table.remove_row(key)
