"""The batch screen: run a prompt file on the compare screen's SUTs, watch each SUT's progress,
open the results.

The batch uses the compare screen's shared options and timeout (ctrl+o there); per-column
options are not used, and the screen says so when a column has its own. The setup (checks,
output-directory lock) is sutui.batch.setup's, the same as `sutui batch`'s.

The batch runs in a thread worker with its own event loop (the same BatchRunner as `sutui
batch`), so a busy batch never slows the app's own loop; the runner's progress arrives here as
messages. Leaving the screen (escape, as everywhere) does not stop it (the app keeps this
screen); Stop (ctrl+t) does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Label, Static

from drivers.options import SUTOptions
from drivers.redaction import redact
from sutui.batch.progress import SUTProgress, duration
from sutui.batch.scheduler import BatchRunner, Outcome
from sutui.batch.setup import BatchRequest, PreparedBatch, prepare_batch
from sutui.screens.base import Page
from sutui.services import Services
from sutui.timeouts import effective
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table


def default_out(prompts: Path) -> Path:
    """`p.csv-results` beside `p.csv`: the whole name, so p.csv and p.jsonl never share one."""
    return prompts.with_name(f"{prompts.name}-results")


@dataclass(frozen=True)
class BatchOptions:
    """The options a batch from this screen uses: the compare screen's shared ones."""

    options: SUTOptions
    timeout_s: float | None
    own: tuple[str, ...] = ()
    """Columns with options of their own (not used by the batch)."""

    @property
    def effective_timeout(self) -> float:
        return effective(self.timeout_s)

    def describe(self) -> str:
        from sutui.screens.options import options_summary

        text = (
            f"Options: {options_summary(self.options, self.timeout_s, always=True)} · "
            "compare's shared options (ctrl+o there)"
        )
        if self.own:
            text += (
                f". Not used: the own options of {', '.join(self.own)}: the batch sends "
                "every SUT the shared ones"
            )
        return text + "."


def compare_options(app: Any) -> BatchOptions:
    compare = getattr(app, "compare", None)
    if compare is None:
        return BatchOptions(SUTOptions(), None)
    shared, timeout_s = compare.shared, compare.timeout_s
    own = tuple(
        c.uid
        for c in compare.columns
        if c.own_options is not None and (c.own_options, c.own_timeout) != (shared, timeout_s)
    )
    return BatchOptions(shared, timeout_s, own)


class BatchScreen(Page[None]):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="batch.start", tooltip="Run the prompt file"),
        Binding("ctrl+t", "stop", "Stop", id="batch.stop",
                tooltip="Stop the running batch (resumable: start again)"),
        Binding("escape", "app.view('compare')", "Back", id="batch.back",
                tooltip="Compare (a running batch goes on)"),
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
    BatchScreen #batch-suts, BatchScreen #batch-options { height: auto; }
    BatchScreen #batch-status { height: auto; }
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
        self.options = BatchOptions(SUTOptions(), None)
        """Of the running batch, else what the next one would use."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="batch-form"):
            yield Static(id="batch-suts")
            yield Static(id="batch-options")
            with Horizontal(classes="batch-row"):
                yield Label("prompt file")
                yield Input(placeholder="prompts.csv or prompts.jsonl", id="batch-prompts")
            with Horizontal(classes="batch-row"):
                yield Label("output dir")
                yield Input(
                    placeholder="default: <prompt file name>-results (p.csv: p.csv-results)",
                    id="batch-out",
                )
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
        table: DataTable[Any] = Table(id="batch-progress", cursor_type="row")
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
        self._status(
            "Give a prompt file (CSV with a prompt column, or modelgauge's UID,Text; JSONL with "
            "a prompt or messages a line), then ctrl+s."
        )
        self.query_one("#batch-prompts", Input).focus()

    def on_screen_resume(self) -> None:
        if not self.running:
            compare = getattr(self.app, "compare", None)
            if compare is not None:
                self.suts = [c.uid for c in compare.columns]
            self._show_suts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.running else None  # shown dimmed when nothing runs
        return True

    def set_suts(self, suts: list[str]) -> None:
        if not self.running:
            self.suts = list(suts)
            if self.is_mounted:
                self._show_suts()

    def _show_suts(self) -> None:
        names = ", ".join(self.suts) if self.suts else "none: add SUTs on the compare screen"
        self.query_one("#batch-suts", Static).update(Text(f"SUTs (from compare): {names}"))
        if not self.running:
            self.options = compare_options(self.app)
        self.query_one("#batch-options", Static).update(Text(self.options.describe()))

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#batch-status", Static).update(Text(text, style=style))

    def _buttons(self) -> None:
        self.query_one("#batch-start", Button).disabled = self.running
        self.query_one("#batch-stop", Button).disabled = not self.running
        self.query_one("#batch-results", Button).disabled = self.out is None
        self.refresh_bindings()

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
        self.options = compare_options(self.app)
        self._show_suts()
        request = BatchRequest(
            suts=list(self.suts),
            prompts=prompts,
            out=out,
            options=self.options.options,
            timeout_s=self.options.effective_timeout,
            cache=self.query_one("#batch-cache", Checkbox).value,
        )
        self.running, self.out, self.outcome = True, out, None
        self.query_one("#batch-progress", DataTable).clear()
        self._buttons()
        self._status(f"Starting: {prompts} into {out}…")
        self.run_batch(request)

    def action_stop(self) -> None:
        if self.running and self.runner is not None:
            self.runner.stop()
            self._status("Stopping…", "yellow")

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
        self.action_stop()

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
    def run_batch(self, request: BatchRequest) -> None:
        """Check everything (file, UIDs, secrets, output dir and its lock), then run; all in
        this thread, holding the output directory's lock to the end."""
        try:
            prepared = prepare_batch(self.services, request)
        except Exception as exc:  # bad input: said on the screen, nothing sent
            self.post_message(self.Ended(request.out, None, redact(str(exc))))
            return
        with prepared.lock:
            self._run_prepared(prepared)

    def _run_prepared(self, prepared: PreparedBatch) -> None:
        out = prepared.config.out
        source = prepared.source
        if source.bad:
            count = len(source.bad_lines)
            lines = "1 bad line" if count == 1 else f"{count} bad lines"
            text = f"{lines} in {source.path} skipped (the first: {source.bad[0]})."
            self.post_message(self.Note(text))

        def progress(rows: list[SUTProgress]) -> None:
            self.post_message(self.Progress(rows))

        runner = self.runner = BatchRunner(prepared.config, prepared.previous, progress)

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

    # ----- messages from the worker ----------------------------------------------------------
    @on(Progress)
    def _progress(self, message: Progress) -> None:
        if message.rows:
            self._fill(message.rows)
            done = sum(p.finished_count for p in message.rows)
            total = sum(p.total for p in message.rows)
            self._status(
                f"Running: {done} of {total} answers · ctrl+t stops (resumable) · "
                "escape: back to compare (the batch goes on)."
            )

    @on(Note)
    def _note(self, message: Note) -> None:
        self.notify(message.text, severity="warning", markup=False)

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        self.running = False
        self.options = BatchOptions(SUTOptions(), None)
        """Of the running batch, else what the next one would use."""
        self.runner = None
        self.outcome = message.outcome
        if message.problem is not None:
            self.out = None
            self._status(message.problem, "red")
        elif message.outcome is not None:
            o = message.outcome
            noun = "answer" if o.written == 1 else "answers"
            text = f"{o.written} {noun} written to {message.out}"
            if o.failed:
                text += f", {o.failed} failed"
            for note in o.notes:  # the cache could not be written...: nothing stopped
                self.notify(note, severity="warning", markup=False)
            if o.problem:  # a full disk stopped it
                self._status(f"{text}. {o.problem}", "red")
            elif o.interrupted:
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
