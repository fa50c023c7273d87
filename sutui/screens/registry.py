"""Every screen of the app, one entry each: its name, what the palette and the help say of it,
its key, and how it is made. The app's view keys (`SutuiApp.BINDINGS`), `app.make_screen`, the
palette's "view: …" commands (sutui/commands.py) and the help's intros (sutui/screens/help.py)
all read this table; adding a screen is adding an entry here (docs/add-a-screen.md).

Cheap to import (the app's first frame needs it): no screen module is imported here. A factory
imports its screen when the screen is first opened, so a screen and the driver layer behind it
load then, not at start (tests/test_import_hygiene.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.screen import Screen

    from sutui.services import Services


class ScreenContext(NamedTuple):
    """What a factory may give the screen it makes. (NamedTuples here, not frozen dataclasses:
    a dataclass costs ~0.4 ms to make, and this module loads before the first frame.)"""

    services: Services
    text: str = ""
    """The text asked for (the composer starts with it)."""
    suts: Sequence[str] = ()
    """The compare screen's SUT UIDs, in column order (the batch runs on them)."""


ScreenFactory = Callable[[ScreenContext], "Screen[Any]"]


class ScreenSpec(NamedTuple):
    name: str
    """The screen's id: `app.action_view(name)`, the palette's 'view: name', the help's intro."""
    summary: str = ""
    """The palette's help line for 'view: name'; empty: not a view (no palette entry)."""
    intro: str = ""
    """What the help (f1) says the screen is for; empty: help.OTHER."""
    key: str | None = None
    """The app-wide key that opens it (binding id `app.<name>`), or None."""
    label: str = ""
    tooltip: str = ""
    factory: ScreenFactory | None = None
    """Makes the screen (importing it then); None: the app shows it itself (compare, help), or
    another screen opens it with what it needs (a saved run, a diff)."""
    keep: bool = False
    """Made once and kept for the app's life (installed under its name); `refresh` is called
    with each visit's context."""
    refresh: Callable[[Screen[Any], ScreenContext], None] | None = None

    def binding(self) -> Binding:
        assert self.key is not None
        return Binding(
            self.key, f"view('{self.name}')", self.label, id=f"app.{self.name}",
            tooltip=self.tooltip, show=False, priority=True,
        )  # fmt: skip


# ----- factories: each imports its screen when first called ----------------------------------
def _drivers(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.drivers import DriversScreen

    return DriversScreen(context.services)


def _suts(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.suts import SUTsScreen

    return SUTsScreen(context.services)


def _composer(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.composer import ComposerScreen

    return ComposerScreen(context.services, context.text)


def _secrets(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.secrets import SecretsScreen

    return SecretsScreen(context.services)


def _history(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.history import HistoryScreen

    return HistoryScreen(context.services)


def _leaderboard(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.leaderboard import LeaderboardScreen

    return LeaderboardScreen()


def _batch(context: ScreenContext) -> Screen[Any]:
    from sutui.screens.batch import BatchScreen

    return BatchScreen(context.services, list(context.suts))


def _batch_suts(screen: Screen[Any], context: ScreenContext) -> None:
    """A running batch goes on while the user looks elsewhere; back on it, it shows (and, when
    idle, will run on) the compare screen's SUTs of now."""
    from sutui.screens.batch import BatchScreen

    assert isinstance(screen, BatchScreen)
    screen.set_suts(list(context.suts))


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec(
        "compare", "the home screen: one prompt, many SUTs side by side",
        intro="sutui sends one prompt to many SUTs side by side. Tab goes from the prompt to the "
        "first column, then to each next column and back to the prompt (shift+tab goes the other "
        "way); alt+→ and alt+← (or ctrl+pgdn, ctrl+pgup) move between columns from anywhere, ] "
        "and [ from a focused column (between SUT tabs in a narrow terminal). Each send "
        "after the first is the next turn of the conversation: every column is sent its own "
        "thread (ctrl+f starts a new one). A focused column has its own keys: r k m c o x s d, "
        "a (its answer for all) and e (edit an earlier question). The Send, Add SUT and Options "
        "buttons take a "
        "click or their keys (ctrl+s, ctrl+n, ctrl+o). ctrl+p opens the command palette: "
        "'view: …', 'sut: add …', 'secret: set …'.",
        key="f2", label="Compare", tooltip="The home screen",
    ),
    ScreenSpec(
        "drivers", "every driver, its options, its secrets and example UIDs",
        intro="Every registered driver, built in or from a plugin: what it is, the UID options "
        "it takes, the secrets it needs (set or missing) and example UIDs.",
        key="f3", label="Drivers", tooltip="Every driver", factory=_drivers,
    ),
    ScreenSpec(
        "suts", "the predefined SUTs, searchable, with readiness",
        intro="The predefined SUTs of the catalog (the shipped one plus your own suts.toml). The "
        "search box has the focus: type to search by name, driver or description; ↓ or enter "
        "goes to the list, / back to the search.",
        key="f4", label="SUTs", tooltip="The predefined SUTs", factory=_suts,
    ),
    ScreenSpec(
        "composer", "write a dynamic UID, validated as you type",
        intro="Write a SUT UID, [maker/]model:[provider:]driver[:date][;key=value]...: it is "
        "checked as you type, with the grammar's own error, and tab takes the completion shown. "
        "The form follows the text, and the text the form, whenever the UID's parts parse.",
        key="f5", label="Compose", tooltip="Write a dynamic SUT UID", factory=_composer,
    ),
    ScreenSpec(
        "secrets", "every declared secret: set, delete, test, import",
        intro="Every secret a driver or SUT declares: set, missing or optional; the layer it "
        "comes from (environment, OS keyring, or a secrets.toml; the first one found wins) and a "
        "masked value. What you set here goes to the OS keyring.",
        key="f6", label="Secrets", tooltip="Provider keys", factory=_secrets,
    ),
    ScreenSpec(
        "history", "every saved conversation: search, open, re-run, go on, export, delete",
        intro="Every send is kept here, one row per conversation, newest first; the search looks "
        "in prompts, SUTs and answers. t goes on with a conversation in compare: its SUTs become "
        "the columns, each with its earlier turns, and your next send is its next turn.",
        key="f7", label="History", tooltip="Every saved run: search, open, re-run, delete",
        factory=_history,
    ),
    ScreenSpec(
        "leaderboard", "blind-vote results: win rates, Bradley-Terry and Elo scores",
        intro="The blind A/B votes of arena mode, as a leaderboard.",
        key="ctrl+l", label="Leaderboard", tooltip="Blind-vote results per SUT",
        factory=_leaderboard,
    ),
    ScreenSpec(
        "batch", "run a prompt file on the compare screen's SUTs; progress and results",
        intro="A prompt file run on the compare screen's SUTs with its shared options; each "
        "answer is appended to a JSONL file as it arrives. Esc leaves the screen; the batch goes "
        "on.",
        factory=_batch, keep=True, refresh=_batch_suts,
    ),
    ScreenSpec("help", "key bindings"),
    # Opened by another screen, with what it shows: listed for their help intros.
    ScreenSpec("history-run", intro="A saved run, read-only, its answers side by side."),
    ScreenSpec("diff", intro="A word-level diff of two answers."),
    ScreenSpec(
        "batch-results",
        intro="The records of a batch's results.jsonl, one row per answer; enter shows one "
        "whole.",
    ),
)  # fmt: skip

BY_NAME = {spec.name: spec for spec in SCREENS}


def screen_spec(name: str) -> ScreenSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"no screen named {name!r}") from None


def view_bindings() -> list[Binding]:
    """The app-wide keys that open a screen, in the table's order."""
    return [spec.binding() for spec in SCREENS if spec.key]


def views() -> list[ScreenSpec]:
    """The screens the palette lists as 'view: …', in the table's order."""
    return [spec for spec in SCREENS if spec.summary]
