"""The command palette: namespaced entries ("view: …", "sut: add …", "secret: set …")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.markup import escape
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from sutui.messages import AddSUT, ComposeUID, SetupSecrets
from sutui.screens.registry import views

if TYPE_CHECKING:
    from textual.app import App
    from textual.fuzzy import Matcher

    from drivers.secrets import SecretDescription
    from sutui.app import SutuiApp
    from sutui.screens.compare import CompareScreen
    from sutui.services import Services


@dataclass(frozen=True)
class Command:
    title: str
    run: Callable[[], object]
    help: str
    discover: bool = False


def app_commands(app: SutuiApp) -> Iterator[Command]:
    for view in views():
        yield Command(
            f"view: {view.name}", partial(app.action_view, view.name), view.summary, discover=True
        )
    compare = app.compare
    for title, action, text in (
        ("compare: send", compare.action_send, "send the prompt to every column"),
        ("compare: cancel all", compare.action_cancel_all, "cancel every running column"),
        (
            "compare: new conversation",
            compare.action_new_conversation,
            "clear every column's thread, keep the columns",
        ),
        ("compare: add a SUT…", compare.action_add, "pick a SUT for a new column"),
        ("compare: shared options…", compare.action_options, "max tokens, temperature, …"),
        ("compare: toggle system prompt", compare.action_toggle_system, "a system prompt"),
        ("compare: diff two answers", compare.action_diff, "word-level, side by side"),
        ("compare: toggle arena (blind vote)", compare.action_toggle_arena, "hide the SUTs"),
        ("compare: vote on the blind round", compare.action_vote, "then the SUTs are shown"),
    ):
        yield Command(title, partial(app.in_compare, action), text, discover=True)
    for title, set_action, text in (
        ("compare: save column set…", "save_set", "the columns and their options, by name"),
        ("compare: open column set…", "open_set", "replace the columns, or add them beside"),
        ("compare: delete column set…", "delete_set", "a saved set of columns"),
    ):
        yield Command(title, partial(app.in_compare, partial(_column_sets, set_action, compare)),
                      text, discover=True)  # fmt: skip


@dataclass(frozen=True)
class Known:
    """What the SUT, driver and secret commands list: read off the UI thread, since the first
    read imports every driver module (and the HTTP stack), ~150 ms a key must not wait for."""

    suts: list[tuple[str, str]]
    """(UID, help) of the current catalog entries."""
    drivers: list[tuple[str, str, str]]
    """(name, example UID, description)."""
    secrets: list[tuple[str, SecretDescription, str]]
    """(name, description, help)."""


def known(services: Services) -> Known:
    suts = [(e.uid, e.description or e.definition.driver) for e in services.catalog.current()]
    drivers = [
        (name, (info.factory.EXAMPLE_UIDS or [f"model:{name}"])[0], info.factory.DESCRIPTION)
        for name, info in services.drivers().items()
    ]
    secrets = [(s.name, s.description, "used by " + ", ".join(s.used_by))
               for s in services.declared_secrets()]  # fmt: skip
    return Known(suts, drivers, secrets)


def data_commands(app: SutuiApp, data: Known) -> Iterator[Command]:
    for uid in app.services.settings.recent:
        yield Command(f"sut: add {uid}", partial(app.post_message, AddSUT(uid)), "recent")
    for uid, text in data.suts:  # a retired SUT's name answers when it is run
        yield Command(f"sut: add {uid}", partial(app.post_message, AddSUT(uid)), text)
    yield Command("sut: compose a UID…", partial(app.post_message, ComposeUID("")), "composer")
    for name, example, text in data.drivers:
        yield Command(f"driver: compose a UID with {name}",
                      partial(app.post_message, ComposeUID(example)), text)  # fmt: skip
    for name, description, text in data.secrets:
        setup = SetupSecrets([description], name)
        yield Command(f"secret: set {name}", partial(app.post_message, setup), text)


def _column_sets(action: str, compare: CompareScreen) -> None:
    from sutui.screens import column_sets  # with its dialogs, when first used

    getattr(column_sets, action)(compare)


class SutuiCommands(Provider):
    """Help texts come from catalog descriptions ("needs [together] api_key"): escaped, since
    the palette reads help as markup. The palette opens with the views and the compare screen's
    commands (nothing to load); what a search also matches (SUTs, drivers, secrets) is read in
    a thread, started by the first search."""

    _known: asyncio.Future[Known] | None = None

    def _read_known(self) -> asyncio.Future[Known]:
        """Started by the first search, not as the palette opens: a thread reading the SUTs,
        drivers and secrets while the palette is drawn took the interpreter from it."""
        if self._known is None:
            app = cast("SutuiApp", self.app)
            self._known = asyncio.ensure_future(asyncio.to_thread(known, app.services))
        return self._known

    async def discover(self) -> Hits:
        for command in app_commands(cast("SutuiApp", self.app)):
            if command.discover:
                yield DiscoveryHit(command.title, command.run, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        app = cast("SutuiApp", self.app)
        matcher = self.matcher(query)
        for hit in _hits(matcher, app_commands(app)):  # at once
            yield hit
        for hit in _hits(matcher, data_commands(app, await asyncio.shield(self._read_known()))):
            yield hit


def _hits(matcher: Matcher, commands: Iterable[Command]) -> Iterator[Hit]:
    for command in commands:
        score = matcher.match(command.title)
        if score > 0:
            yield Hit(score, matcher.highlight(command.title), command.run,
                      help=escape(command.help))  # fmt: skip


class Palette(CommandPalette):
    """Textual's command palette, shown as it opens. Textual's keeps its search box hidden until
    every provider has listed its commands and the list is drawn (`-ready`, textual 8.2.8), so
    nothing showed for ~45 ms after ctrl+p. This one is ready at once: its search box is drawn,
    focused, in the palette's first frame and the list of commands comes in a later one
    (bench/app_start.py times both)."""

    def __init__(self) -> None:
        super().__init__(id="--command-palette", classes="-ready")


def prepare_palette_styles(app: App[Any]) -> None:
    """Add the command palette's widget styles to the app's stylesheet and parse them now (on
    an idle moment after start-up), not when ctrl+p first opens it: Textual parses a widget
    class's DEFAULT_CSS when its first instance mounts, and the palette's classes then cost its
    first opening ~10 ms. The rules are the ones its mounting would add (same source, same
    place), so opening it later finds them and parses nothing. (`_get_default_css` is
    Textual's, pinned at 8.2.8.)"""
    from textual.command import CommandInput, CommandList, SearchIcon
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Button, LoadingIndicator

    widgets = (Palette(), CommandInput(), CommandList(), SearchIcon(), LoadingIndicator(),
               Button(), Horizontal(), Vertical())  # fmt: skip
    for widget in widgets:
        for read_from, css, tie_breaker, scope in widget._get_default_css():
            app.stylesheet.add_source(
                css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker,
                scope=scope,
            )  # fmt: skip
    _ = app.stylesheet.rules_map  # parsed and indexed now
