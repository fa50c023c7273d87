"""Helpers for the app tests (no tests here): an isolated app with in-memory parts."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea

from drivers.catalog import Catalog, load_file
from drivers.keyring_layer import KeyringLayer
from drivers.registry import DYNAMIC_SUT_FACTORIES, DriverRegistry
from drivers.secret_store import SecretStore
from sutui.app import SutuiApp, make_app
from sutui.settings import Settings
from sutui.widgets.sut_column import SUTColumn


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No demo delay, no user config or cached model lists, no NO_COLOR: the same app on every
    machine."""
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NO_COLOR", raising=False)


def fixed_catalog() -> Catalog:
    """A fixed catalog, so snapshots do not change when config/suts.toml grows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "suts.toml"
        path.write_text(TEST_SUTS, encoding="utf-8")
        loaded = load_file(path)
    return Catalog(loaded)


def fixed_registry() -> DriverRegistry:
    """A fixed set of drivers and no entry-point plugins (the installed ones vary)."""
    names = ("demo", "openai", "hfrelay", "ollama")
    return DriverRegistry(
        builtins={n: DYNAMIC_SUT_FACTORIES[n] for n in names}, group="sutui.tests.no-plugins"
    )


def new_app(
    suts: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    keyring: KeyringLayer | None = None,
) -> SutuiApp:
    """Timings hidden (they change from run to run), secrets only from `environ` (and the
    given keyring layer; none by default), a fixed catalog and registry."""
    store = SecretStore(
        environ=dict(environ or {}),
        search_file=False,
        keyring=keyring,
        use_keyring=keyring is not None,
    )
    return make_app(
        store=store,
        catalog=fixed_catalog(),
        registry=fixed_registry(),
        settings=settings or Settings(show_timings=False),
        suts=suts,
    )


async def wait_until(pilot: Pilot[None], predicate: Callable[[], bool], tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never became true")


async def send(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, SutuiApp)
    app.compare.editor.text = text
    await pilot.press("ctrl+s")
    await settle(pilot)


async def prompt_ready(pilot: Pilot[None]) -> TextArea:
    """The prompt's TextArea, once it has taken the place of the first frame's stand-in
    (sutui/widgets/prompt_editor.py)."""
    app = pilot.app
    assert isinstance(app, SutuiApp)
    await wait_until(pilot, lambda: app.compare.editor.prompt is not None)
    prompt = app.compare.editor.prompt
    assert prompt is not None
    return prompt


async def settle(pilot: Pilot[None]) -> None:
    """Wait for workers, and for a screen's background look-up to be shown: on a slow
    machine the worker may not have started when the key press returns."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "loaded", True), tries=500)
    await steady(pilot)


async def steady(pilot: Pilot[None]) -> None:
    """The last step before a snapshot. A DataTable sizes its columns on an Idle event, which a
    loaded machine may deliver after `pilot.pause()` returns: wait until every table has."""
    await pilot.app.workers.wait_for_complete()
    await wait_until(pilot, lambda: not _tables_pending(pilot.app), tries=500)
    await pilot.pause()
    await pilot.pause()


def _tables_pending(app: App[object]) -> bool:
    tables = app.screen.query(DataTable)
    return any(t._require_update_dimensions or t._updated_cells for t in tables)


def columns(app: SutuiApp) -> list[SUTColumn]:
    return app.compare.columns


SnapRun = Callable[[Pilot[None]], Awaitable[None]]


TEST_SUTS = """
[[sut]]
uid = "demo_yes_no"
driver = "demo"
model = "yes_no"
description = "Offline: Yes or No by the parity of the prompt's word count."

[[sut]]
uid = "demo_echo"
driver = "demo"
model = "echo"
description = "Offline: echoes the prompt."

[[sut]]
uid = "demo_always_sorry"
driver = "demo"
model = "always_sorry"
description = "Offline: always refuses."

[[sut]]
uid = "demo_always_angry"
driver = "demo"
model = "always_angry"
description = "Offline: always angry."

[[sut]]
uid = "demo_random_words"
driver = "demo"
model = "random_words"
description = "Offline: random words; needs [demo] api_key = 12345."

[[sut]]
uid = "gpt-4o"
driver = "openai"
model = "gpt-4o"
description = "OpenAI GPT-4o."

[[sut]]
uid = "llama-3.1-8b-hfrelay"
driver = "hfrelay"
maker = "meta-llama"
model = "Llama-3.1-8B-Instruct"
provider = "together"
description = "Llama 3.1 8B through the Hugging Face router."
"""


FIXED_VOTES: list[tuple[tuple[str, ...], str, int | None]] = [
    (("yes_no:demo", "echo:demo"), "win", 1),
    (("echo:demo", "always_sorry:demo"), "win", 0),
    (("always_sorry:demo", "yes_no:demo"), "tie", None),
    (("echo:demo", "yes_no:demo", "always_sorry:demo"), "win", 0),
    (("yes_no:demo", "always_sorry:demo"), "win", 0),
    (("echo:demo", "yes_no:demo"), "both_bad", None),
]
"""Votes for a leaderboard snapshot: (contestants, outcome, winner)."""


def save_votes(votes: list[tuple[tuple[str, ...], str, int | None]]) -> None:
    """Saved with fixed times, a second apart: the same leaderboard on every run."""
    from sutui.arena.votes import Vote, save_vote

    for i, (contestants, outcome, winner) in enumerate(votes):
        created = f"2026-01-01T00:00:{i:02d}.000Z"
        save_vote(Vote(contestants, outcome, winner, "p", created_at=created))


def no_blink(pilot: Pilot[None]) -> None:
    """A blinking cursor makes snapshots differ from run to run."""
    from textual.widgets import Input, TextArea

    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
