"""The command palette: namespaced entries ("view: …", "sut: add …", "secret: set …")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual.command import DiscoveryHit, Hit, Hits, Provider

from sutui.messages import AddSUT, ComposeUID, SetupSecrets
from sutui.screens.registry import views

if TYPE_CHECKING:
    from sutui.app import SutuiApp
    from sutui.screens.compare import CompareScreen


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
    services = app.services
    for uid in services.settings.recent:
        yield Command(f"sut: add {uid}", partial(app.post_message, AddSUT(uid)), "recent")
    for entry in services.catalog.current():  # a retired SUT's name answers when it is run
        yield Command(
            f"sut: add {entry.uid}",
            partial(app.post_message, AddSUT(entry.uid)),
            entry.description or entry.definition.driver,
        )
    yield Command("sut: compose a UID…", partial(app.post_message, ComposeUID("")), "composer")
    for name, info in services.drivers().items():
        example = (info.factory.EXAMPLE_UIDS or [f"model:{name}"])[0]
        yield Command(
            f"driver: compose a UID with {name}",
            partial(app.post_message, ComposeUID(example)),
            info.factory.DESCRIPTION,
        )
    for secret in services.declared_secrets():
        yield Command(
            f"secret: set {secret.name}",
            partial(app.post_message, SetupSecrets([secret.description], secret.name)),
            "used by " + ", ".join(secret.used_by),
        )


def _column_sets(action: str, compare: CompareScreen) -> None:
    from sutui.screens import column_sets  # with its dialogs, when first used

    getattr(column_sets, action)(compare)


class SutuiCommands(Provider):
    """Help texts come from catalog descriptions ("needs [together] api_key"): escaped, since
    the palette reads help as markup."""

    def _commands(self) -> list[Command]:
        return list(app_commands(cast("SutuiApp", self.app)))

    async def discover(self) -> Hits:
        for command in self._commands():
            if command.discover:
                yield DiscoveryHit(command.title, command.run, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                display = matcher.highlight(command.title)
                yield Hit(score, display, command.run, help=escape(command.help))
