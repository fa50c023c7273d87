"""The sutui terminal app: screens, bindings, the command palette and the remembered theme.

Thin on purpose: screens do the work, `Services` holds the store, catalog and registry, and
`make_app` lets tests inject each of them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from sutui import warm_up
from sutui.messages import AddSUT, ComposeUID, ContinueConversation, RerunRequested, SetupSecrets
from sutui.screens.compare import CompareScreen
from sutui.screens.registry import ScreenContext, screen_spec, view_bindings
from sutui.services import Services
from sutui.settings import Settings

if TYPE_CHECKING:
    from textual.command import Provider

    from drivers.catalog import Catalog
    from drivers.registry import DriverRegistry
    from drivers.secret_store import SecretStore


class SutuiApp(App[None]):
    TITLE = "sutui"
    CSS_PATH = "sutui.tcss"
    COMMANDS = App.COMMANDS | {lambda: _commands()}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Leave sutui",
                show=False),
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys for this screen"),
        # The views work from any widget (a TextArea would take f6), and stay out of the footer:
        # the help screen and the palette list them. One per screen with a key in the registry.
        *view_bindings(),
    ]  # fmt: skip

    def __init__(self, services: Services, suts: list[str] | None = None):
        super().__init__()
        self.services = services
        self.compare = CompareScreen(services, suts)
        self._restoring = suts is None
        """The columns are the settings' (the last exit's): their options follow after the
        first frame (sutui/screens/column_sets.py)."""

    def get_default_screen(self) -> Screen[Any]:
        return self.compare

    def _tune_gc(self) -> None:
        """Streaming 8 columns makes Textual allocate fast; at Python's default thresholds the
        collector ran a full pass (70-140 ms, scanning every cached strip and segment) about
        three times a second, and a key press arriving then waited for it (bench/app_keys.py:
        max 120-250 ms). Larger thresholds make young passes rarer and full ones rarer still;
        reference counting frees most objects anyway. Restored when the app ends."""
        self._gc_before = gc.get_threshold()
        gc.set_threshold(2000, 10, 100)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's default (App._handle_exception, textual 8.2.8, pinned) renders the crash
        # with every frame's locals, where a driver may hold a key: the same steps, with
        # sutui's report instead (sutui/crash.py). test_app_crash.py fails if this drifts.
        from sutui.crash import crash_report

        self._return_code = 1
        if self._exception is None:  # a test's pilot re-raises the first one
            self._exception = error
            self._exception_event.set()
        self.panic(crash_report(error))

    def on_mount(self) -> None:
        self._tune_gc()
        settings = self.services.settings
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.watch(self, "theme", self._remember_theme, init=False)
        if settings.problem:
            self.notify(settings.problem, severity="warning", markup=False)
        self.call_after_refresh(self._warm_up)

    def on_ready(self) -> None:
        """The first frame is painted. `sutui` alone starts with the collector off
        (sutui/__main__.py): what start-up made is frozen (out of every later pass; its few
        unreachable cycles stay, rather than pay a full pass now) and the collector is on."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)):
            self.services.warming.input_seen()  # the warm-up steps aside (sutui/warm_up.py)
        await super().on_event(event)

    def on_app_focus(self) -> None:
        """In a browser (`sutui serve`) the app starts blurred until the page has focus, and
        Textual does not auto-focus a screen composed while blurred: the prompt would take no
        typing until clicked. Focus what the screen would have focused (textual 8.2.8)."""
        screen = self.screen
        auto = screen.AUTO_FOCUS if screen.AUTO_FOCUS is not None else self.AUTO_FOCUS
        if screen.focused is not None or not auto:
            return
        for widget in screen.query(auto):
            if widget.focusable:
                widget.focus(scroll_visible=False)
                return

    def _warm_up(self) -> None:
        if self._restoring:  # the first frame has its columns: now their options
            from sutui.screens.column_sets import restore_options

            restore_options(self.compare, self.services.settings.start)
        uids = [c.uid for c in self.compare.columns]  # read here: widgets stay on this thread
        self.run_worker(
            lambda: self._warm_up_thread(uids), thread=True, group="warm-up", exit_on_error=False
        )

    def _warm_up_thread(self, uids: list[str]) -> None:
        """After the first frame: the driver layer loads while the user reads the screen, and
        the command palette's modules (its first ctrl+p does not import them)."""
        self.services.warm_up(uids)
        problem = self.services.catalog_problem
        self.post_message(self.WarmedUp(list(self.services.registry.warnings), problem))

    class WarmedUp(Message):  # a plain class: see sutui/messages.py
        def __init__(self, warnings: list[str], catalog_problem: str | None = None) -> None:
            super().__init__()
            self.warnings = warnings
            self.catalog_problem = catalog_problem

    @on(WarmedUp)
    def _warmed_up(self, message: WarmedUp) -> None:
        # What exists now (modules, classes, styles) lives as long as the app: out of the
        # garbage collector's full passes (see _tune_gc).
        gc.freeze()
        self._prepare_palette()
        for warning in message.warnings:
            self.notify(warning, title="Driver plugin", severity="warning", markup=False)
        if message.catalog_problem:
            self.notify(
                message.catalog_problem, title="SUT catalog", severity="error", timeout=30,
                markup=False,
            )  # fmt: skip

    def _prepare_palette(self) -> None:
        """The palette's styles, parsed while the user does nothing (sutui/commands.py)."""
        if not self.services.warming.quiet():
            self.set_timer(warm_up.QUIET_S, self._prepare_palette)
            return
        from sutui.commands import prepare_palette_styles

        prepare_palette_styles(self)

    def exit(self, result: None = None, return_code: int = 0, message: Any = None) -> None:
        """Quitting remembers the columns (with their options) for the next start; a settings
        file that cannot be written is said on the terminal after the app has gone."""
        from sutui.screens.column_sets import remember_columns

        problem = remember_columns(self.compare, self.services.settings)
        super().exit(result, return_code, message or problem)

    async def on_unmount(self) -> None:
        """Close the shared HTTP client while its event loop still runs (else aiohttp warns on
        the terminal after the app has gone); give the garbage collector back its defaults."""
        gc.set_threshold(*self._gc_before)
        gc.unfreeze()
        gc.enable()
        http_client = sys.modules.get("drivers.http_client")
        if http_client is not None:  # never imported: nothing to close
            await http_client.aclose_client()

    def _remember_theme(self, theme: str) -> None:
        self.services.settings.theme = theme
        problem = self.services.settings.save()
        if problem:
            self.notify(problem, severity="warning", markup=False)

    # ----- navigation ------------------------------------------------------------------------
    def _to_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_view(self, name: str, text: str = "") -> None:
        if name == "help":
            self.action_help()
            return
        self._to_home()
        if name == "compare":
            return
        self.push_screen(self.make_screen(name, text))

    def make_screen(self, name: str, text: str = "") -> Screen[Any]:
        """The screen registered under `name` (sutui/screens/registry.py), made for this visit,
        or the one kept for the app's life."""
        spec = screen_spec(name)
        if spec.factory is None:
            raise ValueError(f"screen {name!r} is not opened by name")
        context = ScreenContext(
            self.services, text, [column.uid for column in self.compare.columns]
        )
        if not spec.keep:
            return spec.factory(context)
        if not self.is_screen_installed(name):
            self.install_screen(spec.factory(context), name)
        screen = self.get_screen(name)
        if spec.refresh is not None:
            spec.refresh(screen, context)
        return screen

    def in_compare(self, action: Callable[[], object]) -> None:
        self._to_home()
        action()

    def action_command_palette(self) -> None:
        """Our palette (sutui/commands.py: drawn as it opens), as Textual's action would."""
        from sutui.commands import Palette

        if self.use_command_palette and not isinstance(self.screen, Palette):
            self.push_screen(Palette())

    def action_help(self) -> None:
        from sutui.screens.help import HelpScreen

        if type(self.screen).__name__ != "HelpScreen":
            self.push_screen(HelpScreen(self.screen))

    # ----- messages from any screen ----------------------------------------------------------
    @on(AddSUT)
    def _add_sut(self, message: AddSUT) -> None:
        self._to_home()
        self.compare.add_column(message.uid)
        self.notify(f"Added {message.uid} to compare.", markup=False)

    @on(RerunRequested)
    def _rerun(self, message: RerunRequested) -> None:
        self._to_home()
        self.compare.recording.rerun(message.run, message.only_failed)

    @on(ContinueConversation)
    def _continue(self, message: ContinueConversation) -> None:
        from sutui.screens.compare_resume import reopen

        self._to_home()
        reopen(self.compare, message.resumed)

    @on(ComposeUID)
    def _compose(self, message: ComposeUID) -> None:
        self.action_view("composer", message.text)

    @on(SetupSecrets)
    def _setup(self, message: SetupSecrets) -> None:
        from sutui.screens.setup import SetupScreen

        screen = SetupScreen(self.services, list(message.descriptions), message.purpose)
        self.push_screen(screen, self._after_setup)

    def _after_setup(self, stored: bool | None) -> None:
        """Screens showing secret states look them up again."""
        look_up = getattr(self.screen, "look_up", None)
        if stored and callable(look_up):
            look_up()


def _commands() -> type[Provider]:
    """The palette's commands, loaded when the palette first opens."""
    from sutui.commands import SutuiCommands

    return SutuiCommands


def make_app(
    services: Services | None = None,
    *,
    store: SecretStore | None = None,
    catalog: Catalog | None = None,
    registry: DriverRegistry | None = None,
    settings: Settings | None = None,
    suts: list[str] | None = None,
) -> SutuiApp:
    """The app, with any part injected (tests pass an empty store and in-memory settings)."""
    if services is None:
        services = Services(store, catalog, registry, settings)
    return SutuiApp(services, suts)


def run_app(secrets_file: Path | None = None) -> int:
    """`sutui` with no command (from sutui.__main__, or sutui.cli.main given --secrets): the
    exit code, 1 when a bug ended the app."""
    return run_to_exit(SutuiApp(Services(secrets_file=secrets_file)))


def run_to_exit(app: App[Any], *, headless: bool = False) -> int:
    app.run(headless=headless)
    return app.return_code or 0
