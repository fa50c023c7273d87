"""The minimal compare screen: behaviour with Pilot, looks with a snapshot."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TextArea

from drivers.secret_store import SecretStore
from sutui.app import SutuiApp
from sutui.widgets.sut_column import SUTColumn


@pytest.fixture(autouse=True)
def fast_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")


def make_app(*suts: str) -> SutuiApp:
    store = SecretStore(environ={}, search_file=False)
    return SutuiApp(suts=suts, store=store) if suts else SutuiApp(store=store)


def answer(app: SutuiApp, index: int) -> str:
    column = app.query_one(f"#col-{index}", SUTColumn)
    return str(column.query_one(".answer", Static).render())


async def test_send_streams_into_every_column() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one("#prompt", TextArea).text = "one two [bold]three[/bold]"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert answer(app, 0) == "No"
        # Provider text is never read as markup.
        assert answer(app, 1) == "one two [bold]three[/bold]"
        assert answer(app, 2) == "Sorry, I can't help with that."


async def test_a_sut_that_cannot_be_made_shows_its_error_and_others_run() -> None:
    app = make_app("demo_random_words", "demo_echo")
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one("#prompt", TextArea).text = "hello"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        bad = app.query_one("#col-0", SUTColumn)
        assert bad.has_class("-error")
        assert "config" in str(bad.query_one(".status", Static).render())
        assert answer(app, 1) == "hello"


async def test_empty_prompt_warns() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.workers


def test_snapshot_after_a_run(snap_compare: object, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_before(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        app.query_one("#prompt", TextArea).text = "Why did the chicken cross the road?"
        await pilot.press("ctrl+s")  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        app.query_one("#prompt", TextArea).blur()
        # Timings vary from run to run: blank them for the picture.
        for column in app.query(SUTColumn):
            column.query_one(".status", Static).update("done")
        await pilot.pause()  # type: ignore[attr-defined]

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 24))  # type: ignore[operator]
