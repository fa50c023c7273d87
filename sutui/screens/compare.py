"""The home screen: one prompt, N SUT columns streaming at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.screen import Screen
from textual.widgets import Header

from sutui.screens.arena_mode import ArenaMode
from sutui.screens.column_secrets import SecretsLookedUp, check_columns, show_looked_up
from sutui.screens.column_tabs import ColumnTabs
from sutui.screens.compare_history import TICK_S, CompareRecording
from sutui.screens.compare_threads import NEW_KEY, Threads
from sutui.screens.compare_timing import TimingBars
from sutui.services import Services
from sutui.widgets.answer_view import REFRESH_S, AnswerView
from sutui.widgets.column_scroll import ColumnScroll
from sutui.widgets.column_status import ColumnStatus
from sutui.widgets.footer import Footer
from sutui.widgets.prompt_editor import TITLE, PromptEditor
from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:  # the driver layer loads after the first frame (sutui/services.py)
    from textual.widgets import Tabs

    from drivers.options import SUTOptions
    from sutui.screens.options import OptionsResult


MIN_COLUMN = 30
VOTE_OFF = "Voting is for blind rounds: ctrl+g starts arena mode."
NEXT_KEYS, PREVIOUS_KEYS = "alt+right", "alt+left"
"""Next/previous column from any focus: a terminal (tmux too) delivers them, and neither the
prompt nor a column uses them (ctrl+→/← move by word in the prompt; alt+] is read as ])."""
REVEAL_S = 0.05


class CompareScreen(Screen[None]):
    AUTO_FOCUS = "#prompt, #prompt-stand-in"  # focused as the screen mounts (prompt_editor.py)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="compare.send",
                tooltip="Send the prompt to every SUT"),
        Binding("escape", "cancel_all", "Cancel all", id="compare.cancel_all",
                tooltip="Cancel every running column"),
        Binding("escape", "restore", "Restore column", id="compare.restore",
                tooltip="A maximized column back among the others"),
        Binding("ctrl+n", "add", "Add SUT", id="compare.add", tooltip="Add a column"),
        Binding(NEW_KEY, "new_conversation", "New chat", id="compare.new",
                tooltip="A new conversation: the threads are cleared, the columns stay"),
        Binding("ctrl+o", "options", "Options", id="compare.options",
                tooltip="Options shared by every column"),
        Binding("ctrl+r", "toggle_timing", "Timings", id="compare.timings",
                tooltip="Bars of each column's time to first token and total time, one scale"),
        Binding("ctrl+t", "toggle_system", "System prompt", id="compare.system", show=False,
                tooltip="Show or hide the system prompt"),
        # From any focus (priority: the columns' scroller pages on ctrl+pgdn); ] and [ are a
        # focused column's own keys (in the prompt they are typed), sutui/widgets/sut_column.py.
        Binding(f"{NEXT_KEYS},ctrl+pagedown", "next_column(1)", "Next SUT",
                id="compare.next", show=False, priority=True,
                tooltip="The next column (its tab in a narrow terminal), from anywhere"),
        Binding(f"{PREVIOUS_KEYS},ctrl+pageup", "next_column(-1)", "Previous SUT",
                id="compare.previous", show=False, priority=True,
                tooltip="The previous column (its tab in a narrow terminal), from anywhere"),
        Binding("f8", "diff", "Diff", id="compare.diff", priority=True, show=False,
                tooltip="A word-level diff of two columns' answers"),
        Binding("ctrl+g", "toggle_arena", "Arena", id="compare.arena", show=False,
                tooltip="Blind vote: shuffle the columns and hide their SUTs until you vote"),
        Binding("f9", "vote", "Vote", id="compare.vote", priority=True,
                tooltip="Vote on a blind round once every column has answered"),
        Binding("f9", "vote_off", show=False, priority=True),  # says how to start arena mode
    ]  # fmt: skip

    def __init__(self, services: Services, suts: list[str] | None = None):
        super().__init__(id="compare")
        self.services = services
        self.arena = ArenaMode(self)
        self.recording = CompareRecording(self)
        """Each send saved in the history as it happens (`recording.run_id`: the current run)."""
        self.threads = Threads(self)
        """The conversation: every column's thread, turn after turn."""
        self.column_tabs = ColumnTabs(self)
        self.timing = TimingBars(self)
        """The timing bars under the columns (ctrl+r)."""
        self.start_suts = list(services.settings.start_suts if suts is None else suts)
        self._shared: SUTOptions | None = None
        self.timeout_s: float | None = None
        """The shared timeout in seconds (None: sutui.timeouts.DEFAULT_TIMEOUT_S)."""
        self._next = 0
        self._fitted: tuple[int, tuple[str, ...], bool] | None = None
        self._to_reveal: SUTColumn | None = None

    @property
    def shared(self) -> SUTOptions:
        """The options every column uses unless it has its own."""
        if self._shared is None:
            from drivers.options import SUTOptions

            self._shared = SUTOptions()
        return self._shared

    @shared.setter
    def shared(self, options: SUTOptions) -> None:
        self._shared = options

    def compose(self) -> ComposeResult:
        self._breakpoint_early()
        yield Header(show_clock=False)
        # The first columns are composed with the screen (one styling pass, not two).
        first = [self._new_column(uid) for uid in self.start_suts]
        if first:
            first[0].add_class("-shown", update=False)  # as the first tab will say it
        if self.has_class("-narrow"):  # else the tabs are made if the terminal narrows
            yield self.column_tabs.make(first, first[0] if first else None)
        scroller = ColumnScroll(id="columns", can_focus=False)
        if first:  # their widths in the first layout (fitted after it, they were laid out twice)
            self._fit(self.app.size.width, scroller, first, self.has_class("-narrow"))
        with scroller:
            yield from first
        yield PromptEditor()  # the arena bar is mounted above it when first needed
        yield Footer(compact=True)

    @property
    def editor(self) -> PromptEditor:
        return self.query_one(PromptEditor)

    @property
    def system_text(self) -> str:
        return self.editor.system_text

    def set_system(self, text: str) -> None:
        self.editor.set_system(text)

    def _breakpoint_early(self) -> None:
        """The -narrow/-wide class is set before the children mount. Textual sets it on the
        first Resize, after they are styled, and a class change on the screen restyles every
        widget under it: a third of the styling work before the first frame."""
        width = self.app.size.width
        classes = {name: False for _, name in self.HORIZONTAL_BREAKPOINTS}
        for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if width >= edge:
                classes[name] = True
                break
        self.update_classes(classes, update=False)

    def on_mount(self) -> None:
        self.sub_title = "compare"
        self.watch(self, "maximized", self._maximized, init=False)
        self.set_interval(TICK_S, self.recording.tick)
        self._turn = 0
        self._drawing = self.set_interval(REFRESH_S / 2, self._draw_answers, pause=True)

    def on_unmount(self) -> None:
        self.recording.close()  # what is still streaming is kept, as partial

    def _maximized(self, widget: object) -> None:
        """A maximized column fills the screen: the width `fit_columns` set is cleared while
        it is, and set again after. The footer says what esc does now."""
        self.refresh_bindings()
        if isinstance(widget, SUTColumn):
            widget.styles.width = None
        else:
            self._fitted = None
            self.fit_columns()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_columns)

    def fit_columns(self) -> None:
        """Share the width between the columns, none narrower than MIN_COLUMN (then scroll)."""
        columns = self.columns
        if not columns:
            return
        narrow = self.has_class("-narrow")
        if narrow:
            self.column_tabs.narrowed(columns)
        self._fit(self.size.width, self.query_one("#columns", ColumnScroll), columns, narrow)

    def _fit(
        self, width: int, scroller: ColumnScroll, columns: list[SUTColumn], narrow: bool
    ) -> None:
        fit = (width, tuple(c.key for c in columns), narrow)
        if fit == self._fitted:
            return  # a layout change sends Resize again: do nothing twice (no resize loop)
        self._fitted = fit
        # As many columns as fit at MIN_COLUMN fill the width exactly, the others are scrolled
        # to a column at a time (ColumnScroll); a few cells to spare stay blank on the right.
        shown = max(1, min(len(columns), width // MIN_COLUMN))
        each = width // shown
        scroller.styles.width = shown * each if len(columns) > shown and not narrow else None
        for column in columns:
            column.styles.width = None if narrow else each

    @property
    def tabs(self) -> Tabs | None:
        """The tabs a narrow terminal shows (None until it first is narrow)."""
        return self.column_tabs.widget

    # ----- columns ---------------------------------------------------------------------------
    @property
    def columns(self) -> list[SUTColumn]:
        return list(self.query(SUTColumn))

    def _new_column(self, uid: str) -> SUTColumn:
        self._next += 1
        timings = self.services.settings.show_timings
        column = SUTColumn(uid, f"col-{self._next}", self.services, show_timings=timings)
        column.on_run_event = self.recording.event
        return column

    def add_column(self, uid: str, remember: bool = True, reveal: bool = True) -> SUTColumn:
        """A column for `uid` on the right; `remember`: the user added it (its secrets are
        checked, it is remembered for the next start); `reveal`: scrolled to and focused."""
        column = self._new_column(uid)
        self.arena.added(column)
        self.threads.added(column)
        self.query_one("#columns", HorizontalScroll).mount(column)
        self.column_tabs.added(column)
        self.fit_columns()
        if reveal:
            self._to_reveal = column
            self.set_timer(REVEAL_S, self._reveal)  # once the new widths are laid out
        if remember:  # the user added it: say now if a secret it needs is missing
            check_columns(self, [column], added=True)
            self.services.settings.remember(uid)
            self.services.settings.save()
        return column

    @on(SecretsLookedUp)
    def _secrets_looked_up(self, message: SecretsLookedUp) -> None:
        show_looked_up(self, message)

    def on_screen_resume(self) -> None:
        if self._to_reveal is not None:
            self.set_timer(REVEAL_S, self._reveal)
        # Back from the guided setup or the secrets screen: a secret may have been set.
        check_columns(
            self, [c for c in self.columns if c.missing and c.status is ColumnStatus.idle]
        )

    def _reveal(self, tries: int = 10) -> None:
        """A new column is scrolled into view and focused (it may be off-screen on the right).
        Not while a dialog or the palette is on top: the layout waits for the screen."""
        column = self._to_reveal
        if column is None or not self.is_current or not column.is_attached:
            return
        scroller = self.query_one("#columns", HorizontalScroll)
        column.focus(scroll_visible=False)
        scroller.scroll_to_widget(column, animate=False, immediate=True)
        if scroller.region.contains_region(column.region) or tries <= 0:
            self._to_reveal = None
        else:  # the new widths are not laid out yet
            self.set_timer(REVEAL_S, lambda: self._reveal(tries - 1))

    def remove_column(self, column: SUTColumn) -> None:
        self.remove_columns([column])

    def remove_columns(self, columns: list[SUTColumn]) -> None:
        """Columns go (their answers kept in the history as they stand), in one removal: one
        at a time, each re-lays the others out."""
        for column in columns:
            self.recording.removed(column)
            self.threads.removed(column)
            column.cancel_quietly()
            self.arena.removed(column)
            self.column_tabs.removed(column)
        self.query_one("#columns", HorizontalScroll).remove_children(columns)
        self.call_after_refresh(self.fit_columns)
        if self.timing.shown:
            self.call_after_refresh(self.timing.draw)  # the scale may change

    @on(SUTColumn.Removed)
    def _removed(self, message: SUTColumn.Removed) -> None:
        """A column that holds an answer (or is writing one) goes only once the user says so."""
        from sutui.screens.dialogs import ConfirmScreen

        column = message.column

        def remove(yes: bool | None = True) -> None:
            if yes and column.is_attached:
                self.remove_column(column)
                self.notify(f"Removed {column.border_title}.", markup=False)

        if not (column.running or column.text.strip()):
            remove()
            return
        question = f"Remove column {column.border_title} and its answer?"
        self.app.push_screen(ConfirmScreen(question), remove)

    @on(events.DescendantFocus)
    def _focused(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, SUTColumn):
            self.column_tabs.focused(event.widget)

    # Handlers by name, not @on(Tabs...): Tabs is imported when the tabs are first made.
    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        self.column_tabs.activated(event.tab)

    def on_tabs_cleared(self) -> None:
        self.column_tabs.activated(None)

    @on(AnswerView.Streaming)
    def _streaming(self, message: AnswerView.Streaming) -> None:
        message.stop()
        self._drawing.resume()

    def _draw_answers(self) -> None:
        """Half the streaming columns draw what came since their last turn, in one layout
        pass; the other half at the next tick. Each column draws every REFRESH_S."""
        self._turn = 1 - self._turn
        views = [c.answer for c in self.columns if c.is_mounted and c.answer.streaming]
        if not views:
            self._drawing.pause()
            return
        with self.app.batch_update():
            for view in views[self._turn :: 2]:
                view.flush()

    @on(SUTColumn.StatusChanged)
    def _status_changed(self, message: SUTColumn.StatusChanged) -> None:
        self.column_tabs.relabel(message.column)
        self.arena.status_changed()

    @on(SUTColumn.Sent)
    def _sent(self, message: SUTColumn.Sent) -> None:
        self.recording.sent(message.column)
        if self.timing.shown:
            self.timing.draw()

    @on(SUTColumn.Ended)
    def _ended(self, message: SUTColumn.Ended) -> None:
        self.threads.ended(message.column, message.event)
        self.recording.ended(message)
        if self.timing.shown:
            self.timing.draw()

    def action_next_column(self, step: int) -> None:
        """In a narrow terminal the next (or previous) tab; else focus the next column."""
        columns = self.columns
        if not columns:
            return
        if self.has_class("-narrow"):
            self.column_tabs.step(step)
            return
        focused = self.focused
        index = columns.index(focused) if isinstance(focused, SUTColumn) else -1 if step > 0 else 0
        target = columns[(index + step) % len(columns)]
        target.focus()

    # ----- actions ---------------------------------------------------------------------------
    def action_send(self) -> None:
        text = self.editor.text
        if not text.strip():
            self.notify("Type a prompt first.", severity="warning")
            return
        if not self.columns:
            self.notify("Add a SUT first (ctrl+n).", severity="warning")
            return
        self.threads.send(text, self.system_text)

    def sent(self) -> None:
        """A turn went out: the prompt box is empty for the next one."""
        self.editor.text = ""

    def action_use_for_all(self) -> None:
        """`a` in a column: its answer is what every column continues from."""
        if isinstance(self.focused, SUTColumn):
            self.threads.use_for_all(self.focused)

    def action_edit_question(self) -> None:
        """Pick an earlier question to edit; sent again, it forks the conversation there."""
        from sutui.screens.dialogs import PickScreen
        from sutui.widgets.answer_view import user_line

        questions = self.threads.questions()
        if not questions:
            self.notify("No question to edit yet: send one first.", severity="warning")
            return

        def picked(turn: int | None) -> None:
            if turn is not None:
                self.threads.edit(turn)

        lines = [f"{i + 1}. {user_line(q, 70).plain[2:]}" for i, q in enumerate(questions)]
        help_text = ("Sent again, the edited question forks the conversation: the later turns "
                     "leave every column (the history keeps them).")  # fmt: skip
        self.app.push_screen(PickScreen("Edit which question?", lines, help_text), picked)

    def edited(self, turn: int | None, text: str = "") -> None:
        """The prompt box edits turn `turn`'s question (None: a new turn again)."""
        editor = self.editor
        if turn is None:
            editor.title = TITLE
            return
        editor.text = text
        editor.title = f"{TITLE} · editing question {turn + 1} (esc: stop editing)"
        editor.focus_prompt()
        self.notify(f"Editing question {turn + 1}: ctrl+s sends it there, and the later turns "
                    "leave every column.")  # fmt: skip

    def action_new_conversation(self) -> None:
        if not self.threads.turns:
            self.notify("Nothing to clear: this conversation has no turn yet.")
            return
        self.threads.new()
        self.notify("New conversation: the columns stay, their threads are cleared.")

    def action_restore(self) -> None:
        self.minimize()

    def action_cancel_all(self) -> None:
        if self.threads.editing is not None and not any(c.running for c in self.columns):
            self.threads.stop_editing()
            self.editor.text = ""
            self.notify("Stopped editing: the next send is a new turn.")
            return
        cancelled = [c.uid for c in self.columns if c.cancel()]
        if not cancelled and self.focused is not None and not self.editor.prompt_has_focus:
            self.editor.focus_prompt()

    def action_add(self) -> None:
        def added(uid: str | None) -> None:
            if uid:
                self.add_column(uid)  # scrolled into view and focused
                self.notify(f"Added {uid}.", markup=False)

        from sutui.screens.picker import PickerScreen

        in_use = [column.uid for column in self.columns]
        self.app.push_screen(PickerScreen(self.services, in_use), added)

    def action_options(self) -> None:
        from sutui.screens.options import OptionsScreen, options_summary

        def chosen(result: OptionsResult | None) -> None:
            if result is not None and result.options is not None:
                self.shared = result.options
                self.timeout_s = result.timeout_s
                summary = options_summary(self.shared, self.timeout_s)
                self.notify(f"Shared options: {summary}.", markup=False)

        screen = OptionsScreen(self.shared, "Options for every column", timeout_s=self.timeout_s)
        self.app.push_screen(screen, chosen)

    @on(SUTColumn.OptionsWanted)
    def _column_options(self, message: SUTColumn.OptionsWanted) -> None:
        from sutui.screens.options import OptionsResult, OptionsScreen, options_summary

        column = message.column

        def chosen(result: OptionsResult | None) -> None:
            if result is None:
                return
            if (result.options, result.timeout_s) == (self.shared, self.timeout_s):
                result = OptionsResult(None)  # saved unchanged: it still follows the shared ones
            column.own_options, column.own_timeout = result.options, result.timeout_s
            column.watch_status(column.status, column.status)
            summary = (
                options_summary(result.options, result.timeout_s)
                if result.options
                else "the shared options"
            )
            self.notify(f"{column.border_title} now uses {summary}.", markup=False)

        current = column.own_options or self.shared
        timeout = column.own_timeout if column.own_options else self.timeout_s
        title = f"Options for {column.border_title} only"
        screen = OptionsScreen(current, title, per_column=True, timeout_s=timeout)
        self.app.push_screen(screen, chosen)

    def action_diff(self) -> None:
        from sutui.screens.diff import open_diff

        open_diff(self, self.columns)

    def action_toggle_arena(self) -> None:
        self.arena.toggle()

    def action_vote(self) -> None:
        self.arena.open_vote()

    def action_vote_off(self) -> None:
        self.notify(VOTE_OFF, severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """One esc binding at a time (the footer names the one that acts); f9's footer entry
        exists in arena mode only, and outside it the key says how to start one."""
        if action == "vote":
            return self.arena.enabled
        if action == "vote_off":
            return not self.arena.enabled
        if action == "restore":
            return self.maximized is not None
        if action == "cancel_all":
            return self.maximized is None
        return True

    def action_toggle_timing(self) -> None:
        self.timing.toggle()

    def action_toggle_system(self) -> None:
        self.editor.toggle_system()
