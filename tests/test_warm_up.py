"""The app's warm-up steps aside for input (sutui/warm_up.py): it waits while input is recent,
between its steps and before each module it executes, but never while the UI thread waits for
it. Real threads and real imports (modules written to a temporary folder)."""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sutui import warm_up
from sutui.warm_up import WarmUp

LONG = 60.0
"""A quiet window no test waits out: a step that runs inside it was not held back."""


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for this test's modules (forgotten afterwards)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("warm_"):
            del sys.modules[name]


def start(warm: WarmUp, *steps: object) -> threading.Thread:
    thread = threading.Thread(target=warm.run, args=(steps,), daemon=True)
    thread.start()
    return thread


def test_a_step_waits_until_input_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm_up, "QUIET_S", 0.3)
    warm = WarmUp()
    ran: list[float] = []
    warm.input_seen()
    typed = time.monotonic()
    start(warm, lambda: ran.append(time.monotonic()))
    assert warm.done.wait(10)
    assert ran and ran[0] >= typed + 0.3


def importing(name: str) -> tuple[threading.Event, threading.Event, object]:
    """A step that imports `name` once let go, and its two events (entered, go): the test
    makes input recent between the two, so the pause happens inside the import."""
    entered, go = threading.Event(), threading.Event()

    def step() -> None:
        entered.set()
        go.wait(10)
        importlib.import_module(name)

    return entered, go, step


def until(predicate: object, limit: float = 10.0) -> None:
    end = time.monotonic() + limit
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < end, "the warm-up never got there"
        time.sleep(0.005)


def paused_in(module: str, monkeypatch: pytest.MonkeyPatch) -> WarmUp:
    """A warm-up importing `module` (written by the test), paused at the start of its body:
    the user typed while the step ran, and the quiet window is a minute."""
    monkeypatch.setattr(warm_up, "QUIET_S", LONG)
    warm = WarmUp()
    entered, go, step = importing(module)
    start(warm, step)
    assert entered.wait(10)
    warm.input_seen()  # the user types while the step runs
    go.set()
    until(lambda: module in sys.modules)  # the module exists: its body is about to run
    return warm


def test_an_import_pauses_at_the_next_module_and_hurry_lets_it_finish(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (modules / "warm_outer.py").write_text("import warm_inner\n", encoding="utf-8")
    (modules / "warm_inner.py").write_text("VALUE = 1\n", encoding="utf-8")
    warm = paused_in("warm_outer", monkeypatch)
    time.sleep(0.2)
    assert "warm_inner" not in sys.modules and not warm.done.is_set()
    warm.hurry()  # the UI thread needs the driver layer now: no more stepping aside
    assert warm.done.wait(10)
    assert sys.modules["warm_inner"].VALUE == 1


def test_the_ui_thread_never_waits_for_a_paused_import(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paused at a module's start, the warm-up holds that module's import lock: the UI thread
    (the main thread: this test's) importing the same module is not kept waiting for the quiet
    window (a minute here) to end."""
    (modules / "warm_shared.py").write_text("VALUE = 2\n", encoding="utf-8")
    warm = paused_in("warm_shared", monkeypatch)
    begun = time.monotonic()
    shared = importlib.import_module("warm_shared")  # waits for the warm-up's import
    assert time.monotonic() - begun < LONG / 2
    assert shared.VALUE == 2  # type: ignore[attr-defined]
    assert warm.done.wait(10)


async def test_the_palette_opens_without_parsing_styles_after_the_warm_up() -> None:
    """Its widgets' styles are parsed on an idle moment after start-up, not at the first ctrl+p
    (which added ~10 ms of parsing to its opening)."""
    from test_app_support import new_app, settle, wait_until
    from textual.command import CommandPalette

    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, app.services.warming.done.is_set)
        await wait_until(
            pilot, lambda: "CommandPalette.DEFAULT_CSS" in str(list(app.stylesheet.source))
        )
        sources = len(app.stylesheet.source)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert len(app.stylesheet.source) == sources  # nothing new to parse
