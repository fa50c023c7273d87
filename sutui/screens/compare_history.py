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
    from sutui.records import ResultRecord
    from sutui.screens.compare import CompareScreen

TICK_S = 1.0
"""How often the text of running columns is saved (as run-sut's PARTIAL_EVERY_S)."""


def _columns(count: int) -> str:
    return "1 column" if count == 1 else f"{count} columns"


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
    def begin(
        self,
        text: str,
        system: str,
        columns: list[SUTColumn],
        *,
        threads: dict[str, str] | None = None,
        previous_id: int | None = None,
        branch_of: int | None = None,
    ) -> int | None:
        """A send: save the run before the columns start (the screen calls this). A turn of a
        conversation names its columns' `threads` (by column key) and the run it continues
        (`previous_id`) or replaces (`branch_of`, an edited question). Returns the run's id
        (None: no history)."""
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
            thread = (threads or {}).get(column.key)
            planned.append(Planned(name, self._canonical(column.uid), options, thread))
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
            previous_id=previous_id,
            branch_of=branch_of,
        )
        return self._recorder.run_id

    def set_for_all(self, run_id: int, thread: str | None) -> None:
        """After run `run_id`'s turn every thread continues from `thread`'s answer (None: each
        its own): saved, so the conversation goes on the same way from the history."""
        from sutui.history.errors import HistoryError

        store = self.store()
        if store is None:
            return
        try:
            store.set_for_all(run_id, thread)
        except HistoryError as exc:
            self._problem(f"history not saved: {exc}")

    def resolves(self, uid: str) -> bool:
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
        """Send `run` again (or its answers that did not finish well): its SUTs, prompt, system
        prompt and options, a new run that names `run` its parent. Columns of other SUTs on the
        screen are not lost silently: the user chooses to replace them or to open the run
        beside them (no question when there is no column, or the run's SUTs are the columns)."""
        from sutui.history.rerun import to_send
        from sutui.screens.dialogs import ChoiceScreen

        screen = self.screen
        answers = run.failed if only_failed else run.answers
        if not answers:
            screen.notify(f"Every SUT of run {run.id} finished well: nothing to re-run.")
            return
        if run.previous_id is not None:  # a later turn: sent with its thread, a new branch
            from sutui.screens.compare_resume import rerun_turn

            rerun_turn(screen, run, only_failed)
            return
        uids = [to_send(answer, self.resolves) for answer in answers]
        now = [column.uid for column in screen.columns]
        if not now or now == uids:
            self.replace(run, answers, uids)
            return

        def chosen(choice: str | None) -> None:
            if choice == "replace":
                self.replace(run, answers, uids)
            elif choice == "beside":
                self.beside(run, answers, uids)

        count = len(now)
        what = "the failed answers of " if only_failed else ""
        question = f"Re-run {what}run {run.id}: {', '.join(uids)}"
        detail = (
            f"The compare screen has {_columns(count)}: {', '.join(now)}. "
            "Replace them (a new conversation), or open the run beside them: its SUTs are added "
            "as new columns and only they are sent its prompt; the others keep their answers."
        )
        replace = (
            f"Replace the {'current column' if count == 1 else f'{count} current columns'} (r)"
        )
        choices = [("replace", replace, "r"), ("beside", "Open beside them (b)", "b"),
                   ("cancel", "Cancel (esc)", "escape")]  # fmt: skip
        screen.app.push_screen(ChoiceScreen(question, choices, detail), chosen)

    def rerun_of(self, run_id: int) -> None:
        """The columns on the screen now re-run run `run_id`: sent once mounted, the run
        naming it its parent."""
        self._parent = run_id
        self._send_when_mounted()

    def replace(self, run: StoredRun, answers: tuple[ResultRecord, ...], uids: list[str]) -> None:
        """The run's SUTs become the columns, with its prompt, system prompt and options."""
        from drivers.options import SUTOptions

        screen = self.screen
        screen.remove_columns(screen.columns)
        screen.threads.new()  # a re-run is a conversation of its own
        shared = SUTOptions(**run.options)
        screen.shared, screen.timeout_s = shared, run.timeout_s
        for answer, uid in zip(answers, uids, strict=True):
            column = screen.add_column(uid, remember=False)
            if answer.options != run.options:
                column.own_options = SUTOptions(**answer.options)
                column.own_timeout = run.timeout_s
        screen.editor.text = run.prompt
        screen.set_system(run.system or "")
        self.rerun_of(run.id)

    def beside(self, run: StoredRun, answers: tuple[ResultRecord, ...], uids: list[str]) -> None:
        """The run's SUTs join the columns on the right and only they are sent its prompt and
        system prompt, each with the run's options as its own where they differ from the shared
        ones. The other columns, the prompt box, the system prompt and the shared options stay
        as they are; the new columns are outside the conversation until its next send, which
        they join as any added column does (with its questions, said in a note)."""
        from drivers.options import SUTOptions

        screen = self.screen
        columns = []
        for answer, uid in zip(answers, uids, strict=True):
            column = screen.add_column(uid, remember=False)
            options = SUTOptions(**answer.options)
            if (options, run.timeout_s) != (screen.shared, screen.timeout_s):
                column.own_options, column.own_timeout = options, run.timeout_s
            columns.append(column)
        self._parent = run.id
        self._send_beside_when_mounted(run, columns)

    def _send_beside_when_mounted(
        self, run: StoredRun, columns: list[SUTColumn], tries: int = 100
    ) -> None:
        screen = self.screen
        if not all(c.composed for c in columns) and tries > 0:
            screen.set_timer(0.02, lambda: self._send_beside_when_mounted(run, columns, tries - 1))
            return
        from drivers.prompt import make_prompt
        from sutui.widgets.column_send import send_columns

        screen.fit_columns()
        columns = [c for c in columns if c.is_attached]  # one may be removed meanwhile
        if not columns:
            return
        # This send is its own run in the history; answers still streaming in the other
        # columns are kept as they stand (partial), as a new send of the screen would.
        self.begin(run.prompt, run.system or "", columns)
        note = f"re-run of run {run.id}, beside this conversation (not part of its threads)"
        prompt = make_prompt(run.prompt, run.system)
        runs = []
        for column in columns:
            column.send_notes = [note]
            runs.append(column.begin(prompt, screen.shared, screen.timeout_s, run.prompt))
        screen.run_worker(send_columns(runs, screen.services), group="send", exit_on_error=False)

    def _send_when_mounted(self, tries: int = 100) -> None:
        """Send once the new columns are composed (mounting them takes a few frames)."""
        ready = all(c.composed for c in self.screen.columns)
        if ready or tries <= 0:
            self.screen.fit_columns()  # the widths, now that the old columns are gone
            self.screen.action_send()
        else:
            self.screen.set_timer(0.02, lambda: self._send_when_mounted(tries - 1))
