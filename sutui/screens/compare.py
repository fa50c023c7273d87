"""The home screen: one prompt, N SUT columns streaming at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Tab, Tabs, TextArea

from sutui.screens.arena_mode import ArenaMode
from sutui.screens.compare_history import TICK_S, CompareRecording
from sutui.services import Services
from sutui.widgets.action_links import ActionLinks
from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:  # the driver layer loads after the first frame (sutui/services.py)
    from drivers.options import SUTOptions
    from drivers.prompt import Prompt
    from sutui.screens.options import OptionsResult


def build_prompt(text: str, system: str) -> Prompt:
    from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, TextPrompt

    if not system.strip():
        return TextPrompt(text=text)
    return ChatPrompt(
        messages=[
            ChatMessage(text=system, role=ChatRole.system),
            ChatMessage(text=text, role=ChatRole.user),
        ]
    )


MIN_COLUMN = 30
REVEAL_S = 0.05


def tab_label(column: SUTColumn) -> str:
    """A tab (narrow terminals): the status mark (✓ done, ✗ error, … running) and the UID."""
    return f"{column.mark} {column.border_title or column.uid}"  # a letter in a blind round


class CompareScreen(Screen[None]):
    AUTO_FOCUS = "#prompt"  # focused as the screen mounts: one focus change, not two
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="compare.send",
                tooltip="Send the prompt to every SUT"),
        Binding("escape", "cancel_all", "Cancel all", id="compare.cancel_all",
                tooltip="Cancel every running column (or leave a maximized one)"),
        Binding("ctrl+n", "add", "Add SUT", id="compare.add", tooltip="Add a column"),
        Binding("ctrl+o", "options", "Options", id="compare.options",
                tooltip="Options shared by every column"),
        Binding("ctrl+t", "toggle_system", "System prompt", id="compare.system", show=False,
                tooltip="Show or hide the system prompt"),
        Binding("ctrl+pagedown,right_square_bracket", "next_column(1)", "Next SUT",
                id="compare.next", show=False,
                tooltip="The next column (its tab in a narrow terminal)"),
        Binding("ctrl+pageup,left_square_bracket", "next_column(-1)", "Previous SUT",
                id="compare.previous", show=False,
                tooltip="The previous column (its tab in a narrow terminal)"),
        Binding("f8", "diff", "Diff", id="compare.diff", priority=True, show=False,
                tooltip="A word-level diff of two columns' answers"),
        Binding("ctrl+g", "toggle_arena", "Arena", id="compare.arena", show=False,
                tooltip="Blind vote: shuffle the columns and hide their SUTs until you vote"),
        Binding("f9", "vote", "Vote", id="compare.vote", priority=True,
                tooltip="Vote on a blind round once every column has answered"),
    ]  # fmt: skip

    def __init__(self, services: Services, suts: list[str] | None = None):
        super().__init__(id="compare")
        self.services = services
        self.arena = ArenaMode(self)
        self.recording = CompareRecording(self)
        """Each send saved in the history as it happens (`recording.run_id`: the current run)."""
        self.start_suts = list(services.settings.start_suts if suts is None else suts)
        self._shared: SUTOptions | None = None
        self.timeout_s: float | None = None
        """The shared timeout in seconds (None: no limit)."""
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
        if self.has_class("-narrow"):  # else the tabs are mounted if the terminal narrows
            yield self._make_tabs(first)
        with HorizontalScroll(id="columns", can_focus=False):
            yield from first
        # The arena bar is mounted when arena mode is first turned on (arena_mode.py), the
        # system prompt's editor when it is first shown (set_system).
        with Vertical(id="editor"), Horizontal(id="prompt-row"):
            prompt = TextArea(id="prompt", show_line_numbers=False)
            prompt.border_title = "prompt"
            prompt.border_subtitle = "ctrl+s sends · f3 drivers · f4 SUTs · f5 compose · f6 secrets"
            yield prompt
            yield ActionLinks(
                [("Send", "screen.send"), ("Add SUT", "screen.add"), ("Options", "screen.options")],
                id="prompt-buttons",
            )
        yield Footer(compact=True)

    # ----- the system prompt -------------------------------------------------------------------
    @property
    def system_text(self) -> str:
        """The system prompt ("" while its editor was never opened)."""
        editor = self._system_editor(create=False)
        return editor.text if editor is not None else ""

    def _system_editor(self, create: bool = True) -> TextArea | None:
        """The system prompt's editor, mounted on first use: most sends have none, and a
        hidden TextArea would still cost the first frame its styling."""
        editor = next(iter(self.query("#system").results(TextArea)), None)
        if editor is None and create:
            editor = TextArea(id="system", show_line_numbers=False)
            editor.border_title = "system prompt (optional)"
            self.query_one("#editor").mount(editor, before=0)
        return editor

    def set_system(self, text: str) -> None:
        """Put `text` in the system prompt and show its editor, or hide it when `text` is empty."""
        if text or self._system_editor(create=False) is not None:
            editor = self._system_editor()
            assert editor is not None
            editor.text = text
        self.query_one("#editor").set_class(bool(text), "-system")

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

    def on_unmount(self) -> None:
        self.recording.close()  # what is still streaming is kept, as partial

    def _maximized(self, widget: object) -> None:
        """A maximized column fills the screen: the width `fit_columns` set is cleared while
        it is, and set again after."""
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
        if narrow and self.tabs is None:
            focused = self.focused
            shown = focused if isinstance(focused, SUTColumn) else columns[0]
            self.mount(self._make_tabs(columns, shown), before="#columns")
        fit = (self.size.width, tuple(c.key for c in columns), narrow)
        if fit == self._fitted:
            return  # a layout change sends Resize again: do nothing twice (no resize loop)
        self._fitted = fit
        width = max(MIN_COLUMN, self.size.width // len(columns))
        for column in columns:
            column.styles.width = None if narrow else width

    # ----- tabs (narrow terminals) ----------------------------------------------------------
    @property
    def tabs(self) -> Tabs | None:
        """One tab per column, shown in a narrow terminal only; None until it first is one (six
        widgets the first frame of a wide terminal does without)."""
        return next(self.query("#tabs").results(Tabs), None)

    def _make_tabs(self, columns: list[SUTColumn], shown: SUTColumn | None = None) -> Tabs:
        tabs = Tabs(
            *(Tab(tab_label(c), id=f"tab-{c.key}") for c in columns),
            active=f"tab-{shown.key}" if shown else None,
            id="tabs",
        )
        tabs.can_focus = False  # Tab goes from the prompt to the columns; ] and [ switch tabs
        return tabs

    # ----- columns ---------------------------------------------------------------------------
    @property
    def columns(self) -> list[SUTColumn]:
        return list(self.query(SUTColumn))

    def _new_column(self, uid: str) -> SUTColumn:
        self._next += 1
        timings = self.services.settings.show_timings
        return SUTColumn(uid, f"col-{self._next}", self.services, show_timings=timings)

    def add_column(self, uid: str, remember: bool = True) -> SUTColumn:
        column = self._new_column(uid)
        self.arena.added(column)
        self.query_one("#columns", HorizontalScroll).mount(column)
        tabs = self.tabs
        if tabs is not None:
            tabs.add_tab(Tab(tab_label(column), id=f"tab-{column.key}"))
            tabs.active = f"tab-{column.key}"
        self.fit_columns()
        self._to_reveal = column
        self.set_timer(REVEAL_S, self._reveal)  # once the new widths are laid out
        if remember:
            self.services.settings.remember(uid)
            self.services.settings.save()
        return column

    def on_screen_resume(self) -> None:
        if self._to_reveal is not None:
            self.set_timer(REVEAL_S, self._reveal)

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
        self.recording.removed(column)
        column.cancel_quietly()
        self.arena.removed(column)
        if self.tabs is not None:
            self.tabs.remove_tab(f"tab-{column.key}")
        column.remove()
        self.call_after_refresh(self.fit_columns)

    @on(SUTColumn.Removed)
    def _removed(self, message: SUTColumn.Removed) -> None:
        """A column that holds an answer (or is writing one) goes only once the user says so."""
        from sutui.screens.secrets import ConfirmScreen

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

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        key = (event.tab.id or "").removeprefix("tab-")
        for column in self.columns:
            column.set_class(column.key == key, "-shown")

    @on(SUTColumn.StatusChanged)
    def _status_changed(self, message: SUTColumn.StatusChanged) -> None:
        for tab in self.query(f"#tab-{message.column.key}").results(Tab):
            tab.label = tab_label(message.column)
        self.arena.status_changed()
        self.recording.status_changed(message.column)

    @on(SUTColumn.Ended)
    def _ended(self, message: SUTColumn.Ended) -> None:
        self.recording.ended(message)

    def action_next_column(self, step: int) -> None:
        """In a narrow terminal the next (or previous) tab; else focus the next column."""
        columns = self.columns
        if not columns:
            return
        if self.has_class("-narrow"):
            tabs = self.tabs
            if tabs is None:
                return
            tabs.action_next_tab() if step > 0 else tabs.action_previous_tab()
            key = (tabs.active or "").removeprefix("tab-")
            self.call_after_refresh(self._focus_key, key)
            return
        focused = self.focused
        index = columns.index(focused) if isinstance(focused, SUTColumn) else -1 if step > 0 else 0
        target = columns[(index + step) % len(columns)]
        target.focus()

    def _focus_key(self, key: str) -> None:
        for column in self.columns:
            if column.key == key and column.display:
                column.focus()

    @on(Tabs.Cleared)
    def _tabs_cleared(self) -> None:
        for column in self.columns:
            column.remove_class("-shown")

    # ----- actions ---------------------------------------------------------------------------
    def action_send(self) -> None:
        text = self.query_one("#prompt", TextArea).text
        if not text.strip():
            self.notify("Type a prompt first.", severity="warning")
            return
        if not self.columns:
            self.notify("Add a SUT first (ctrl+n).", severity="warning")
            return
        system = self.system_text
        self.arena.before_send(text, system)  # in arena mode: shuffled and blind
        prompt = build_prompt(text, system)
        self.recording.begin(text, system, self.columns)
        with self.app.batch_update():
            for column in self.columns:
                column.start(prompt, self.shared, self.timeout_s)

    def action_cancel_all(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        cancelled = [c.uid for c in self.columns if c.cancel()]
        if not cancelled and self.focused is not None and self.focused.id != "prompt":
            self.query_one("#prompt", TextArea).focus()

    def action_add(self) -> None:
        def added(uid: str | None) -> None:
            if uid:
                self.add_column(uid)  # scrolled into view and focused
                self.notify(f"Added {uid}.", markup=False)

        from sutui.screens.picker import PickerScreen

        self.app.push_screen(PickerScreen(self.services), added)

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

        open_diff(self)

    def action_toggle_arena(self) -> None:
        self.arena.toggle()

    def action_vote(self) -> None:
        self.arena.open_vote()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "vote":
            return self.arena.enabled  # the key and the footer entry exist in arena mode only
        return True

    def action_toggle_system(self) -> None:
        editor = self.query_one("#editor")
        editor.toggle_class("-system")
        system = self._system_editor()
        assert system is not None
        (system if editor.has_class("-system") else self.query_one("#prompt", TextArea)).focus()
