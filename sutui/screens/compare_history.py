"""The compare screen's runs, saved in the history as they happen, and re-runs from it.

Each send is one run: a row per column, in column order. A column's answer is saved the moment
it ends, and its streamed text every PARTIAL_EVERY_S while it runs; a retry (r) sends that
column again within the same run, replacing its answer. Leaving the app mid-run keeps what came
as partial. The compare screen calls in here; the history is opened on the first send (the
first frame never waits for it), and a history that cannot be opened is said once, never
stopping a send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from drivers.runner import RunEvent
    from sutui.history.recorder import RunRecorder
    from sutui.history.store import HistoryStore, StoredRun
    from sutui.screens.compare import CompareScreen

TICK_S = 1.0
"""How often the text of running columns is saved (as run-sut's PARTIAL_EVERY_S)."""


class CompareRecording:
    def __init__(self, screen: CompareScreen):
        self.screen = screen
        self._store: HistoryStore | None = None
        self._opened = False
        self._recorder: RunRecorder | None = None
        self._columns: dict[str, SUTColumn] = {}
        self._parent: int | None = None

    @property
    def run_id(self) -> int | None:
        """The history id of the current run (None before the first send, or no history)."""
        return None if self._recorder is None else self._recorder.run_id

    def store(self) -> HistoryStore | None:
        if not self._opened:
            from sutui.history.errors import HistoryError
            from sutui.history.store import HistoryStore

            self._opened = True
            try:
                self._store = HistoryStore()
            except HistoryError as exc:
                self._problem(f"history not saved: {exc}")
        return self._store

    def _problem(self, text: str) -> None:
        self.screen.notify(text, title="History", severity="warning", markup=False, timeout=10)

    # ----- a run ---------------------------------------------------------------------------
    def begin(self, text: str, system: str, columns: list[SUTColumn]) -> None:
        """A send: save the run before the columns start (the screen calls this)."""
        from drivers.known_secrets import register_environment
        from drivers.run_plan import run_keys
        from sutui.history.recorder import RunRecorder
        from sutui.history.store import Planned
        from sutui.records import options_dict

        self.stop()  # a run still going on is replaced by this one
        screen = self.screen
        planned = []
        for column, name in zip(columns, run_keys([c.uid for c in columns]), strict=True):
            options = options_dict(column.own_options or screen.shared)
            planned.append(Planned(name, self._canonical(column.uid), options))
        # The environment's and the file's keys now (no keyring call on this thread); the
        # keyring's were registered by the start-up worker (SutuiApp._warm_up_thread).
        register_environment(self.screen.services.store)
        self._recorder = RunRecorder(self.store(), self._problem)
        self._columns = {c.key: c for c in columns}
        parent, self._parent = self._parent, None
        self._recorder.begin(
            [c.key for c in columns],
            planned,
            prompt=text,
            system=system if system.strip() else None,
            options=options_dict(screen.shared),
            origin="app",
            timeout_s=screen.timeout_s,
            parent_id=parent,
        )

    def _resolves(self, uid: str) -> bool:
        return self._canonical(uid) is not None

    def _canonical(self, uid: str) -> str | None:
        try:
            definition, _ = self.screen.services.resolve(uid)
        except Exception:  # a bad UID: its column says why when it runs
            return None
        return str(definition.format())

    def ended(self, message: SUTColumn.Ended) -> None:
        """A column's answer ended: saved at once, with what the column shows."""
        from drivers.runner import Cancelled, Failed, Finished
        from sutui.records import record_from_event

        recorder, column, event = self._recorder, message.column, message.event
        if recorder is None or self._columns.get(column.key) is not column:
            return
        if not isinstance(event, Finished | Failed | Cancelled):
            return
        record = record_from_event(event, sut=column.uid, uid=None, prompt="",
                                   options=message.options)  # fmt: skip
        if not isinstance(event, Finished):  # all that came (a cancelled worker says none)
            record = record.model_copy(update={"text": recorder.text(column.key)})
        recorder.finish(column.key, record)

    def event(self, column: SUTColumn, event: RunEvent) -> None:
        """Every event of a column's current run (its worker calls this): the recorder reads
        the answer from them, never from the widgets."""
        if self._recorder is not None and self._columns.get(column.key) is column:
            self._recorder.feed(event)

    def sent(self, column: SUTColumn) -> None:
        """A column sends: if its answer in this run had ended, this is a retry that replaces
        it."""
        recorder = self._recorder
        if recorder is None or self._columns.get(column.key) is not column:
            return
        if recorder.ended(column.key):
            from sutui.records import options_dict

            recorder.restart(column.key, options_dict(column.own_options or self.screen.shared))

    def tick(self) -> None:
        """Save the text of every running column that grew (a timer calls this)."""
        if self._recorder is not None:
            self._recorder.flush([k for k, c in self._columns.items() if c.running])

    def removed(self, column: SUTColumn) -> None:
        if self._recorder is not None and self._columns.get(column.key) is column:
            recorder, key = self._recorder, column.key
            if not recorder.ended(key):
                recorder.stop({key: recorder.text(key)}, {key: recorder.reasoning(key)})
            del self._columns[column.key]

    def stop(self) -> None:
        """The run stops (the app quits, a new send): unfinished answers are kept as partial."""
        if self._recorder is not None:
            recorder, keys = self._recorder, self._columns
            recorder.stop(
                {k: recorder.text(k) for k in keys}, {k: recorder.reasoning(k) for k in keys}
            )

    def close(self) -> None:
        self.stop()
        if self._store is not None:
            self._store.close()
            self._store, self._opened = None, False

    # ----- re-running a saved run ----------------------------------------------------------
    def rerun(self, run: StoredRun, only_failed: bool = False) -> None:
        """Make the columns those of `run` (or of its answers that did not finish well), with
        its prompt, system prompt and options, and send: a new run that names `run` its parent."""
        from textual.widgets import TextArea

        from drivers.options import SUTOptions
        from sutui.history.rerun import to_send

        screen = self.screen
        answers = run.failed if only_failed else run.answers
        if not answers:
            screen.notify(f"Every SUT of run {run.id} finished well: nothing to re-run.")
            return
        for column in screen.columns:
            screen.remove_column(column)
        screen.threads.new()  # a re-run is a conversation of its own
        shared = SUTOptions(**run.options)
        screen.shared, screen.timeout_s = shared, run.timeout_s
        for answer in answers:
            column = screen.add_column(to_send(answer, self._resolves), remember=False)
            if answer.options != run.options:
                column.own_options = SUTOptions(**answer.options)
                column.own_timeout = run.timeout_s
        screen.query_one("#prompt", TextArea).text = run.prompt
        screen.set_system(run.system or "")
        self._parent = run.id
        self._send_when_mounted()

    def _send_when_mounted(self, tries: int = 100) -> None:
        """Send once the new columns are composed (mounting them takes a few frames)."""
        ready = all(c.is_mounted and c.query(".answer") for c in self.screen.columns)
        if ready or tries <= 0:
            self.screen.fit_columns()  # the widths, now that the old columns are gone
            self.screen.action_send()
        else:
            self.screen.set_timer(0.02, lambda: self._send_when_mounted(tries - 1))
