"""One SUT's column: a status line, the streamed answer, and its figures.

A send runs in a worker (sutui/widgets/column_send.py: one fan-out for every column sent); a
column can still be cancelled and retried alone. The worker never touches widgets: chunk text
goes into a plain buffer that a short timer draws (so 8 fast columns stay smooth), and every
other event is a message.
Provider text is always a rich Text: never read as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from sutui.services import Services
from sutui.timeouts import effective
from sutui.widgets.answer_view import AnswerView
from sutui.widgets.column_status import ColumnStatus
from sutui.widgets.column_text import problem_text, status_lines
from sutui.widgets.figures import Figures, figure_parts
from sutui.widgets.fit_line import FitLine

if TYPE_CHECKING:  # the driver layer loads after the first frame (sutui/services.py)
    from collections.abc import Callable

    from rich.text import Text

    from drivers.errors import SUTError
    from drivers.options import SUTOptions
    from drivers.prompt import Prompt
    from drivers.runner import FanOut, RunEvent, Timings
    from drivers.secrets import SecretDescription
    from sutui.widgets.column_send import ColumnRun


class SUTColumn(Vertical, can_focus=True):
    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding("r", "retry", "Retry", id="column.retry", tooltip="Send this column again"),
        Binding("k", "cancel", "Cancel", id="column.cancel", tooltip="Cancel this column only"),
        Binding("m", "maximize", "Maximize", id="column.maximize", tooltip="Fill the screen"),
        Binding("c", "copy", "Copy", id="column.copy", tooltip="Copy the answer (OSC 52)"),
        Binding("o", "options", "Options", id="column.options", tooltip="This column's options"),
        Binding(
            "a",
            "screen.use_for_all",
            "Use for all",
            id="column.for_all",
            tooltip="Every column continues the conversation from this answer",
        ),
        Binding(
            "e",
            "screen.edit_question",
            "Edit question",
            id="column.edit",
            show=False,
            tooltip="Edit an earlier question and send it again (a fork)",
        ),
        Binding("x,delete", "remove", "Remove", id="column.remove", tooltip="Remove the column"),
        Binding("s", "setup", "Set secret", id="column.setup", tooltip="Set up the missing secret"),
        Binding(
            "t",
            "toggle_reasoning",
            "Thinking",
            id="column.reasoning",
            tooltip="Show or hide the reasoning of every column",
        ),
        Binding(
            "d",
            "screen.diff",
            "Diff",
            id="column.diff",
            show=False,
            tooltip="Diff with the next column",
        ),
        Binding(
            "right_square_bracket",
            "screen.next_column(1)",
            "Next SUT",
            id="column.next",
            show=False,
            tooltip="The next column (alt+→ from anywhere)",
        ),
        Binding(
            "left_square_bracket",
            "screen.next_column(-1)",
            "Previous SUT",
            id="column.previous",
            show=False,
            tooltip="The previous column (alt+← from anywhere)",
        ),
        Binding("up", "scroll('up')", show=False),
        Binding("down", "scroll('down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
    ]

    status: reactive[ColumnStatus] = reactive(ColumnStatus.idle)

    # Plain classes, not dataclasses (see sutui/messages.py: they load before the first frame).
    class Event(Message):
        def __init__(
            self, column: SUTColumn, run: int, event: RunEvent,
            missing: tuple[SecretDescription, ...] = (),
        ) -> None:  # fmt: skip
            super().__init__()
            self.column = column
            self.run = run
            self.event = event
            self.missing = missing

    class Ended(Message):
        """The answer ended (Finished, Failed or Cancelled): the compare screen saves it."""

        def __init__(self, column: SUTColumn, event: RunEvent, options: SUTOptions) -> None:
            super().__init__()
            self.column = column
            self.event = event
            self.options = options
            """The options it ran with."""

    class Warned(Message):
        """Said before the send (a thread that may not fit the model's context)."""

        def __init__(self, column: SUTColumn, run: int, text: str) -> None:
            super().__init__()
            self.column = column
            self.run = run
            self.text = text

    class Removed(Message):
        def __init__(self, column: SUTColumn) -> None:
            super().__init__()
            self.column = column

    class OptionsWanted(Message):
        def __init__(self, column: SUTColumn) -> None:
            super().__init__()
            self.column = column

    class StatusChanged(Message):
        def __init__(self, column: SUTColumn) -> None:
            super().__init__()
            self.column = column

    class Sent(Message):
        """The column sends (a send of the screen, or this column's retry): the recorder starts
        its answer again if it had ended."""

        def __init__(self, column: SUTColumn) -> None:
            super().__init__()
            self.column = column

    @property
    def mark(self) -> str:
        """A short status mark for the column's tab (narrow terminals)."""
        return self.status.icon

    def __init__(self, uid: str, key: str, services: Services, *, show_timings: bool = True):
        super().__init__(id=key)
        self.uid = uid
        self.key = key
        self.services = services
        self.show_timings = show_timings
        self.own_options: SUTOptions | None = None
        self.missing: tuple[SecretDescription, ...] = ()
        self.error: SUTError | None = None
        self._run = 0
        self._fanout: FanOut | None = None
        self.own_timeout: float | None = None
        """With own options: this column's timeout in seconds (None: the default one)."""
        self._last: tuple[Prompt, SUTOptions, float | None, str | None] | None = None
        """The last send's prompt, shared options, timeout and fix (a retry sends it again)."""
        self.send_notes: list[str] = []
        """Notes on what this turn's prompt is (questions sent without an answer)."""
        self.question: str | None = None
        """The current turn's question (None: nothing sent in this conversation yet)."""
        self.turn: int | None = None
        """The current turn's number in the conversation (0-based)."""
        self._first_token: float | None = None
        self.timings: Timings | None = None
        """The ended run's timings (the compare screen's timing bars); None while one runs."""
        self.on_run_event: Callable[[SUTColumn, RunEvent], None] | None = None
        """Given every event of the current run (the compare screen's history recorder)."""
        self.note = ""
        """What the status line adds while retrying (the attempt, the wait) or streaming
        ("thinking")."""
        self.border_title = uid
        self.earlier: list[tuple[Text, int | None]] = []
        """Turns (text, turn) drawn above the first when it mounts (a conversation reopened
        from the history); set before it mounts."""

    def compose(self) -> ComposeResult:
        # The status's class (-idle, -streaming, -done, ...) colours it: on the status line,
        # not the column, so a change restyles one widget, not every block of the answer.
        yield FitLine(classes="status -idle")  # as much as fits: 8 columns are narrow
        yield AnswerView(self.earlier)
        # Figures are mounted with the first ones to show (an idle column has none).

    def on_mount(self) -> None:
        self.answer = self.query_one(AnswerView)
        self.answer.show_reasoning = self.services.settings.show_reasoning
        if self.send_notes:  # how it joins a conversation under way
            self.answer.show_notes(self.send_notes)
        self.query_one(".status").set_classes(f"status -{self.status}")  # if it changed before
        self._draw_status()

    @property
    def composed(self) -> bool:
        """Mounted, and its answer view too (what a send draws into): a new column takes a few
        frames."""
        return self.is_mounted and self.answer.is_mounted

    @property
    def text(self) -> str:
        """The answer drawn so far."""
        return self.answer.text

    # ----- running --------------------------------------------------------------------------
    @property
    def current_run(self) -> int:
        """The number of this column's current run (events of older ones are dropped)."""
        return self._run

    def begin(
        self,
        prompt: Prompt,
        shared: SUTOptions,
        timeout_s: float | None,
        question: str | None = None,
        fix: str | None = None,
        turn: int | None = None,
    ) -> ColumnRun:
        """Start a new run in this column (cancelling one in flight), for a send to run; own
        options (and timeout) win over the shared ones. `question`: a new turn's (the answer
        shown becomes an earlier turn above it); None: this turn again (a retry replaces it).
        `fix`: what to do if the SUT cannot take `prompt`; `turn`: the new turn's number."""
        from sutui.widgets.column_send import ColumnRun

        self.cancel_quietly()
        if question is not None:
            if self.question is not None:
                self.answer.archive(self.question, self._ending(), self.turn)
            self.question, self.turn = question, turn
            self.answer.show_user(question)
        self._run += 1
        self._last = (prompt, shared, timeout_s, fix)
        self.error, self.missing = None, ()
        self.answer.clear()
        self.answer.show_notes(self.send_notes)
        self._first_token = None
        self.timings = None
        self.note = ""
        for figures in self.query(Figures).results(Figures):
            figures.set_parts([])
        self.status = ColumnStatus.connecting
        self.post_message(self.Sent(self))
        if self.own_options is not None:
            timeout_s = self.own_timeout
        options = self.own_options or shared
        return ColumnRun(self, self._run, prompt, options, effective(timeout_s), fix)

    def _ending(self) -> str:
        """How the current turn ended, for its line once it is an earlier turn: the status,
        and (unless blind) the figures or the problem."""
        status = self.status
        words = f"{status.icon} {status.words}"
        if self.has_class("-blind"):
            return words
        if self.error is not None:
            return f"{words}: {self.error.one_line()}"
        figures = next(self.query(Figures).results(Figures), None)
        parts = figures.parts if figures is not None else []
        return " · ".join([words, *parts])

    def new_conversation(self) -> None:
        """Forget the earlier turns and the answer (a new conversation); the column stays."""
        self.answer.reset()
        self._drop_current()

    def drop_turns(self, first: int) -> None:
        """Turn `first` and the later ones go (an edited question is sent as turn `first`)."""
        self.answer.drop_past(first)
        if self.turn is not None and self.turn >= first:
            self.answer.show_user("")
            self.answer.clear()
            self._drop_current()

    def _drop_current(self) -> None:
        self.cancel_quietly()
        self._run += 1
        self.question, self.turn = None, None
        self.border_subtitle = ""
        self._last = None
        self.send_notes = []
        self.error = None  # a missing secret found at add time stays said
        self.timings = None
        for figures in self.query(Figures).results(Figures):
            figures.set_parts([])
        self.note = ""
        self.status = ColumnStatus.idle
        self._draw_status()

    def start(
        self,
        prompt: Prompt,
        shared: SUTOptions,
        timeout_s: float | None = None,
        fix: str | None = None,
        question: str | None = None,
    ) -> None:
        """Send `prompt` to this column alone (a retry; a history run re-sent): a send of its
        own."""
        from sutui.widgets.column_send import send_columns

        run = self.begin(prompt, shared, timeout_s, question, fix)
        self.run_worker(send_columns([run], self.services), group="send", exit_on_error=False)

    def deliver(
        self, run: int, event: RunEvent, missing: tuple[SecretDescription, ...] = ()
    ) -> None:
        """An event of run `run` (from a send's worker): text goes to the answer's buffer,
        which a timer draws, every other event is a message its handler draws."""
        from drivers.runner import Chunk, ReasoningChunk, Retrying

        if run != self._run:
            return  # a run that was replaced
        if self.on_run_event is not None:
            self.on_run_event(self, event)
        if isinstance(event, Chunk):
            self.answer.push(event.text)
        elif isinstance(event, ReasoningChunk):
            self.answer.push_reasoning(event.text)
        else:
            if isinstance(event, Retrying) and event.restart:
                self.answer.restart()
            self.post_message(self.Event(self, run, event, missing))

    def joined(self, fanout: FanOut) -> None:
        """This column's current run is in `fanout` (cancel reaches it there)."""
        self._fanout = fanout

    def left(self, fanout: FanOut) -> None:
        if self._fanout is fanout:
            self._fanout = None

    def cancel(self) -> bool:
        """Cancel this column's run; False when nothing is running."""
        if self._fanout is not None:
            self._fanout.cancel(self.key)  # the runner reports Cancelled with the partial text
            return True
        if self.status.before_start:  # its SUT is still being made: the send skips it
            from drivers.runner import Cancelled, Timings

            self._run += 1
            self.deliver(self._run, Cancelled(self.key, "", Timings(None, 0.0)))
            return True
        return False

    def cancel_quietly(self) -> None:
        """Leave the run in flight without a word (sent again, or removed)."""
        if self._fanout is not None:
            self._fanout.cancel(self.key)
        self._fanout = None

    @property
    def running(self) -> bool:
        return self.status.running

    # ----- events (handlers: the only place the widgets change) ----------------------------
    @on(Event)
    def _on_event(self, message: Event) -> None:
        from drivers.runner import (
            Cancelled,
            Failed,
            Finished,
            FirstReasoning,
            FirstToken,
            Queued,
            Retrying,
            Started,
        )

        message.stop()
        if message.run != self._run:
            return  # from a run that was replaced
        event = message.event
        if isinstance(event, Queued):
            self.status = ColumnStatus.queued
        elif isinstance(event, Started):
            self.status = ColumnStatus.waiting
        elif isinstance(event, FirstReasoning):
            self.note = "thinking"
            self.status = ColumnStatus.streaming
            self._draw_status()
            self.answer.start()
        elif isinstance(event, FirstToken):
            self._first_token = event.first_token_s
            self.note = ""
            self.status = ColumnStatus.streaming
            self._draw_status()
            self.answer.start()
        elif isinstance(event, Finished):
            self.answer.flush()
            response = event.response
            if response.text and response.text != self.text:
                self.answer.replace(response.text)  # a SUT that did not stream
                if response.reasoning:
                    self.answer.push_reasoning(response.reasoning)
            elif response.reasoning and not self.answer.reasoning:
                self.answer.push_reasoning(response.reasoning)
            self.note = ""
            self.answer.show_notes([*self.send_notes, *response.notes])
            self._finish(ColumnStatus.done, event.timings)
            usage = response.usage
            self._draw_figures(
                event.timings,
                usage.prompt_tokens if usage else None,
                usage.completion_tokens if usage else None,
                usage.reasoning_tokens if usage else None,
                unreported=usage is None,
                reasoned=bool(response.reasoning),
            )
        elif isinstance(event, Failed):
            self.error, self.missing = event.error, message.missing
            self.answer.show_notes([*self.send_notes, *event.notes])
            self._finish(ColumnStatus.error, event.timings)
            self._draw_problem()
            self._draw_figures(event.timings, None, None)
        elif isinstance(event, Cancelled):
            self._finish(ColumnStatus.cancelled, event.timings)
            self._draw_figures(event.timings, None, None)
        elif isinstance(event, Retrying):
            self.show_retrying(event.attempt, event.wait_s, event.error if event.restart else None)
        if isinstance(event, Finished | Failed | Cancelled) and self._last is not None:
            self.post_message(self.Ended(self, event, self.own_options or self._last[1]))

    @on(Warned)
    def _warned(self, message: Warned) -> None:
        message.stop()
        if message.run != self._run:
            return
        self.send_notes = [*self.send_notes, message.text]
        self.answer.show_notes(self.send_notes)
        self.notify(f"{self.border_title}: {message.text}", severity="warning", markup=False)

    def action_toggle_reasoning(self) -> None:
        """Reasoning in full or as one line, in every column; remembered in the settings."""
        settings = self.services.settings
        settings.show_reasoning = not settings.show_reasoning
        for column in self.screen.query(SUTColumn).results(SUTColumn):
            column.answer.set_reasoning_shown(settings.show_reasoning)
        problem = settings.save()
        if problem:
            self.notify(problem, severity="warning")

    def show_retrying(
        self, attempt: int | None, wait_s: float | None, broke: SUTError | None = None
    ) -> None:
        """Status "retrying", with the attempt and the wait when the transport reports them;
        `broke`: the stream broke after text had come, and the answer starts again."""
        parts = [
            f"{broke.kind.value}: answer starts again" if broke else "",
            f"attempt {attempt}" if attempt else "",
            f"in {wait_s:.0f} s" if wait_s else "",
        ]
        self.note = " ".join(p for p in parts if p)
        self.status = ColumnStatus.retrying

    def _finish(self, status: ColumnStatus, timings: Timings) -> None:
        self.answer.stop()
        self.timings = timings
        self.status = status

    # ----- drawing ---------------------------------------------------------------------------
    def watch_status(self, old: ColumnStatus, new: ColumnStatus) -> None:
        if self.is_mounted:
            status = self.query_one(".status", Static)
            status.update_classes({f"-{old}": False, f"-{new}": True})
            self._draw_status()
            if self.has_focus_within:  # the footer shows this column's keys only then; a
                self.refresh_bindings()  # refresh rebuilds it (8 columns starting: 100 times)
            self.post_message(self.StatusChanged(self))

    def _draw_status(self) -> None:
        self.query_one(".status", FitLine).show(status_lines(self))

    def needs(self, missing: tuple[SecretDescription, ...]) -> None:
        """Secrets found missing before any send (or none any more): the status says so, and
        s sets them up."""
        self.missing = missing
        if self.is_mounted:  # else on_mount draws it
            self._draw_status()
            self.refresh_bindings()

    def _draw_figures(
        self,
        timings: Timings,
        tokens_in: int | None,
        out: int | None,
        reasoning: int | None = None,
        *,
        unreported: bool = False,
        reasoned: bool = False,
    ) -> None:
        parts = figure_parts(
            timings, tokens_in, out, reasoning, show_timings=self.show_timings,
            unreported=unreported, reasoned=reasoned,
        )  # fmt: skip
        if self.turn and tokens_in is not None:  # a later turn: what the whole thread holds
            parts.insert(1, f"thread {tokens_in + (out or 0):,} tokens")
        figures = next(self.query(Figures).results(Figures), None)
        if figures is None and parts:
            figures = Figures()
            self.mount(figures)
        if figures is not None:
            figures.set_parts(parts)

    def _draw_problem(self) -> None:
        if self.error is not None:
            self.answer.show_problem(problem_text(self, self.error))

    # ----- actions -------------------------------------------------------------------------
    def action_retry(self) -> None:
        if self._last is None:
            self.notify("Nothing to retry yet: send a prompt first.", severity="warning")
            return
        self.start(*self._last)

    def action_cancel(self) -> None:
        if not self.cancel():
            self.notify(f"{self.border_title} is not running.", severity="warning", markup=False)

    def action_maximize(self) -> None:
        if self.screen.maximized is self:
            self.screen.minimize()
        else:
            self.screen.maximize(self, container=False)  # the screen restores the width after

    def action_scroll(self, how: str) -> None:
        body = self.answer
        if how in ("up", "page_up") and body.scroll_y <= 0:  # past the top: folded turns
            body.unfold()
        getattr(body, f"action_scroll_{how}" if "page" not in how else f"action_{how}")()

    def action_copy(self) -> None:
        """Copy the answer; with no answer, the error (one line), else say there is nothing."""
        what, text = "answer", self.text
        if not text and self.error is not None:
            what, text = "error", self.error.one_line()
        if not text:
            self.notify(f"{self.border_title} has no answer to copy yet.", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Copied {len(text)} characters of {self.border_title}'s {what} with OSC 52. "
            "If nothing was copied, your terminal blocks OSC 52: select the text with the "
            "mouse (shift+drag in most terminals) instead.",
            title="Copy",
            markup=False,
        )

    def action_options(self) -> None:
        self.post_message(self.OptionsWanted(self))

    def action_remove(self) -> None:  # the screen cancels it once the removal is confirmed
        self.post_message(self.Removed(self))

    @property
    def auth_failed(self) -> bool:
        """The provider refused the credentials: s sets up this SUT's secrets."""
        from drivers.errors import ErrorKind  # the driver layer loads after the first frame

        return self.error is not None and self.error.kind is ErrorKind.auth

    def action_setup(self) -> None:
        from sutui.messages import SetupSecrets

        if self.missing:
            self.post_message(SetupSecrets(self.missing, self.uid))
            return
        if self.auth_failed:
            statuses = self.services.readiness(self.uid).secrets
            self.post_message(SetupSecrets([s.description for s in statuses], self.uid))
            return
        self.notify("This column has no secret to set up.", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "setup":
            return bool(self.missing) or self.auth_failed
        if action == "cancel":
            return self.running
        return True
