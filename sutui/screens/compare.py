"""The home screen: one prompt, N SUT columns streaming at once."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Tab, Tabs, TextArea

from drivers.options import SUTOptions
from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, Prompt, TextPrompt
from sutui.screens.options import OptionsResult, OptionsScreen, options_summary
from sutui.screens.picker import PickerScreen
from sutui.services import Services
from sutui.widgets.sut_column import SUTColumn


def build_prompt(text: str, system: str) -> Prompt:
    if not system.strip():
        return TextPrompt(text=text)
    return ChatPrompt(
        messages=[
            ChatMessage(text=system, role=ChatRole.system),
            ChatMessage(text=text, role=ChatRole.user),
        ]
    )


MIN_COLUMN = 30


class CompareScreen(Screen[None]):
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
    ]  # fmt: skip

    def __init__(self, services: Services, suts: list[str] | None = None):
        super().__init__(id="compare")
        self.services = services
        self.start_suts = list(services.settings.start_suts if suts is None else suts)
        self.shared = SUTOptions()
        self._next = 0
        self._fitted: tuple[int, tuple[str, ...], bool] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        # The first columns are composed with the screen (one styling pass, not two).
        first = [self._new_column(uid) for uid in self.start_suts]
        yield Tabs(*(Tab(c.uid, id=f"tab-{c.key}") for c in first), id="tabs")
        with HorizontalScroll(id="columns"):
            yield from first
        with Vertical(id="editor"):
            system = TextArea(id="system", show_line_numbers=False)
            system.border_title = "system prompt (optional)"
            yield system
            with Horizontal(id="prompt-row"):
                prompt = TextArea(id="prompt", show_line_numbers=False)
                prompt.border_title = "prompt"
                prompt.border_subtitle = (
                    "ctrl+s sends · f3 drivers · f4 SUTs · f5 compose · f6 secrets"
                )
                yield prompt
                with Vertical(id="prompt-buttons"):
                    yield Button("Send", variant="primary", id="send", compact=True)
                    yield Button("Add SUT", id="add", compact=True)
                    yield Button("Options", id="options", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "compare"
        self.query_one("#prompt", TextArea).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_columns)

    def fit_columns(self) -> None:
        """Share the width between the columns, none narrower than MIN_COLUMN (then scroll)."""
        columns = self.columns
        if not columns:
            return
        narrow = self.has_class("-narrow")
        fit = (self.size.width, tuple(c.key for c in columns), narrow)
        if fit == self._fitted:
            return  # a layout change sends Resize again: do nothing twice (no resize loop)
        self._fitted = fit
        width = max(MIN_COLUMN, self.size.width // len(columns))
        for column in columns:
            column.styles.width = None if narrow else width

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
        self.query_one("#columns", HorizontalScroll).mount(column)
        tabs = self.query_one(Tabs)
        tabs.add_tab(Tab(uid, id=f"tab-{column.key}"))
        tabs.active = f"tab-{column.key}"
        self.fit_columns()
        if remember:
            self.services.settings.remember(uid)
            self.services.settings.save()
        return column

    def remove_column(self, column: SUTColumn) -> None:
        column.cancel_quietly()
        self.query_one(Tabs).remove_tab(f"tab-{column.key}")
        column.remove()
        self.call_after_refresh(self.fit_columns)

    @on(SUTColumn.Removed)
    def _removed(self, message: SUTColumn.Removed) -> None:
        self.remove_column(message.column)
        self.notify(f"Removed {message.column.uid}.", markup=False)

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        key = (event.tab.id or "").removeprefix("tab-")
        for column in self.columns:
            column.set_class(column.key == key, "-shown")

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
        prompt = build_prompt(text, self.query_one("#system", TextArea).text)
        with self.app.batch_update():
            for column in self.columns:
                column.start(prompt, self.shared)

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
                column = self.add_column(uid)
                self.query_one("#columns", HorizontalScroll).scroll_end(animate=False)
                self.notify(f"Added {uid}.", markup=False)
                del column
                self.query_one("#prompt", TextArea).focus()

        self.app.push_screen(PickerScreen(self.services), added)

    def action_options(self) -> None:
        def chosen(result: OptionsResult | None) -> None:
            if result is not None and result.options is not None:
                self.shared = result.options
                self.notify(f"Shared options: {options_summary(self.shared)}.", markup=False)

        self.app.push_screen(OptionsScreen(self.shared, "Options for every column"), chosen)

    @on(SUTColumn.OptionsWanted)
    def _column_options(self, message: SUTColumn.OptionsWanted) -> None:
        column = message.column

        def chosen(result: OptionsResult | None) -> None:
            if result is None:
                return
            column.own_options = result.options
            column.watch_status(column.status, column.status)
            summary = options_summary(result.options) if result.options else "the shared options"
            self.notify(f"{column.uid} now uses {summary}.", markup=False)

        current = column.own_options or self.shared
        title = f"Options for {column.uid} only"
        self.app.push_screen(OptionsScreen(current, title, per_column=True), chosen)

    def action_toggle_system(self) -> None:
        editor = self.query_one("#editor")
        editor.toggle_class("-system")
        target = "#system" if editor.has_class("-system") else "#prompt"
        self.query_one(target, TextArea).focus()

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#add")
    def _add_pressed(self) -> None:
        self.action_add()

    @on(Button.Pressed, "#options")
    def _options_pressed(self) -> None:
        self.action_options()
