"""The compare screen: Pilot for behaviour, snapshots for looks (timings hidden)."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from test_app_support import columns, isolated, new_app, no_blink, send, settle, steady, wait_until
from textual.pilot import Pilot
from textual.widgets import Input, Static, Tabs

from sutui.screens.options import OptionsScreen
from sutui.screens.picker import PickerScreen
from sutui.screens.setup import SetupScreen

__all__ = ["isolated"]


async def test_send_streams_into_every_column() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "one two [bold]three[/bold]")
        texts = [c.text for c in columns(app)]
        assert texts == ["No", "one two [bold]three[/bold]", "Sorry, I can't help with that."]
        assert [c.status for c in columns(app)] == ["done"] * 3
        # Provider text is never read as markup.
        echo = columns(app)[1].query_one(".answer", Static)
        assert "[bold]" in str(echo.render())
        figures = str(columns(app)[1].query_one(".figures", Static).render())
        assert figures == "tokens 3 in / 3 out"  # timings hidden by the setting


async def test_a_send_is_one_fanout_and_the_driver_cap_holds_in_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One fan-out per send (as run-sut's): the driver's cap counts every column's call, so
    with a cap of 1 the second demo column waits, queued, until the first is done."""
    from drivers import concurrency

    monkeypatch.setattr(concurrency, "_limits", {})
    concurrency.set_concurrency_limit("demo", 1)
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.02")
    app = new_app(["demo_echo", "demo_echo", "demo_yes_no"])
    async with app.run_test(size=(120, 30)) as pilot:
        app.compare.editor.text = " ".join(["w"] * 40)
        await pilot.press("ctrl+s")
        first, second, third = columns(app)
        await wait_until(pilot, lambda: first.status == "streaming")
        assert first._fanout is not None and first._fanout is second._fanout is third._fanout
        assert second.status == "queued" and third.status == "queued"
        await settle(pilot)
        assert [c.status for c in columns(app)] == ["done"] * 3
        assert second.text.count("w") == 40


async def test_empty_prompt_warns_and_runs_nothing() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert all(c.status == "idle" for c in columns(app))


async def test_escape_cancels_all_and_retry_reruns_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.05")
    app = new_app(["demo_echo", "demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.compare.editor.text = " ".join(["word"] * 200)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: all(c.status == "streaming" for c in columns(app)))
        await pilot.press("escape")
        await settle(pilot)
        assert [c.status for c in columns(app)] == ["cancelled", "cancelled"]
        first = columns(app)[0]
        assert first.text.startswith("word")  # the partial text is kept
        monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
        first.focus()
        await pilot.press("r")
        await settle(pilot)
        assert first.status == "done" and first.text.count("word") == 200
        assert columns(app)[1].status == "cancelled"


async def test_cancel_one_column_leaves_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0.02")
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.compare.editor.text = " ".join(["w"] * 300)
        await pilot.press("ctrl+s")
        echo, yes_no = columns(app)
        await wait_until(pilot, lambda: echo.status == "streaming")
        echo.focus()
        await pilot.press("k")
        await settle(pilot)
        assert echo.status == "cancelled"
        assert yes_no.status == "done" and yes_no.text == "Yes"


async def test_missing_secret_column_explains_and_opens_setup() -> None:
    app = new_app(["demo_random_words"])
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        assert column.status == "error"
        assert [d.name for d in column.missing] == ["demo/api_key"]
        problem = str(column.query_one(".problem", Static).render())
        assert "Missing secret: demo/api_key" in problem and "Press s" in problem
        column.focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert [d.name for d in app.screen.descriptions] == ["demo/api_key"]


async def test_a_wrong_key_is_an_auth_error_with_its_hint() -> None:
    app = new_app(["demo_random_words"], environ={"SUTUI_DEMO__API_KEY": "wrong"})
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        assert column.error is not None and column.error.kind.value == "auth"
        problem = str(column.query_one(".problem", Static).render())
        assert "auth [HTTP 401]" in problem and "the demo key is 12345" in problem


async def test_a_retried_error_column_shows_its_problem_again_and_a_success_hides_it() -> None:
    app = new_app(["demo_random_words"], environ={"SUTUI_DEMO__API_KEY": "wrong"})
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        for _ in range(3):  # r at once: the new run fails before the old problem could go
            column.focus()
            await pilot.press("r")
            await settle(pilot)
            problems = list(column.query(".problem").results(Static))
            assert len(problems) == 1 and problems[0].display
            assert "auth [HTTP 401]" in str(problems[0].render())
        app.services.store.environ["SUTUI_DEMO__API_KEY"] = "12345"
        column.focus()
        await pilot.press("r")
        await settle(pilot)
        assert column.status == "done"
        assert not any(p.display for p in column.query(".problem").results(Static))


async def test_picker_adds_catalog_sut_and_rejects_a_bad_uid() -> None:
    app = new_app(["demo_yes_no"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"echo:dmeo")
        await pilot.pause()
        verdict = str(app.screen.query_one("#verdict", Static).render())
        assert "there is no driver 'dmeo'" in verdict and "Did you mean 'demo'" in verdict
        await pilot.press("enter")  # a bad UID is not added
        assert isinstance(app.screen, PickerScreen)
        app.screen.query_one(Input).value = "always_angry"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert [c.uid for c in columns(app)] == ["demo_yes_no", "demo_always_angry"]
        assert app.services.settings.recent == ["demo_always_angry"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one(Input).value = "echo:demo"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert columns(app)[-1].uid == "echo:demo"


async def test_options_shared_and_per_column() -> None:
    app = new_app(["demo_echo", "demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, OptionsScreen)
        app.screen.query_one("#max_tokens", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.compare.shared.max_tokens == 2
        second = columns(app)[1]
        second.focus()
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#max_tokens", Input).value = "3"
        app.screen.query_one("#temperature", Input).value = "9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "temperature" in str(app.screen.query_one("#problem", Static).render())
        app.screen.query_one("#temperature", Input).value = "0.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert second.own_options is not None and second.own_options.max_tokens == 3
        first = columns(app)[0]
        first.focus()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("ctrl+s")  # saved unchanged: it still follows the shared options
        await pilot.pause()
        assert first.own_options is None
        await send(pilot, "a b c d e f")
        assert [c.text for c in columns(app)] == ["a b", "a b c"]


async def test_maximize_copy_and_remove(monkeypatch: pytest.MonkeyPatch) -> None:
    app = new_app(["demo_echo", "demo_yes_no"])
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "copy me")
        echo = columns(app)[0]
        echo.focus()
        await pilot.press("m")
        assert app.screen.maximized is echo
        await pilot.press("escape")
        assert app.screen.maximized is None
        echo.focus()
        await pilot.press("c")
        assert copied == ["copy me"]
        await pilot.press("x", "y")  # it holds an answer: removed once confirmed
        await pilot.pause()
        assert [c.uid for c in columns(app)] == ["demo_yes_no"]


async def test_narrow_terminal_shows_columns_as_tabs() -> None:
    app = new_app()
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        assert app.compare.has_class("-narrow")
        tabs = app.compare.query_one(Tabs)
        assert tabs.display
        shown = [c.uid for c in columns(app) if c.display and c.has_class("-shown")]
        assert shown == ["demo_yes_no"]
        tabs.active = tabs.query("Tab").last().id or ""
        await pilot.pause()
        assert [c.uid for c in columns(app) if c.has_class("-shown")] == ["demo_always_sorry"]
        assert columns(app)[2].size.width > 60


async def test_a_terminal_that_narrows_gets_tabs_for_the_focused_column() -> None:
    """A wide start has no tabs (they cost the first frame); narrowing makes them, labelled
    with each column's state, the focused column shown; widening hides them again."""
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "hello")
        assert app.compare.tabs is None
        columns(app)[1].focus()
        await pilot.resize_terminal(70, 24)
        await wait_until(pilot, lambda: app.compare.tabs is not None)
        await pilot.pause()
        tabs = app.compare.tabs
        assert tabs is not None and tabs.display
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        assert labels == ["✓ demo_yes_no", "✓ demo_echo", "✓ demo_always_sorry"]
        assert [c.uid for c in columns(app) if c.display] == ["demo_echo"]
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert not tabs.display and all(c.display for c in columns(app))


async def test_a_column_added_on_a_narrow_terminal_gets_its_tab_shown_and_active() -> None:
    app = new_app()
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        for uid in ("demo_random_words", "demo_always_angry"):  # past the right edge
            app.compare.add_column(uid)
        tabs = app.compare.tabs
        assert tabs is not None
        last = tabs.query("Tab").last()
        await wait_until(pilot, lambda: tabs.active == last.id, tries=300)
        await wait_until(pilot, lambda: tabs.region.contains_region(last.region), tries=300)
        assert [c.uid for c in columns(app) if c.display] == ["demo_always_angry"]


async def test_the_send_link_takes_a_click() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.compare.editor.text = "clicked"
        await pilot.click("#prompt-buttons", offset=(3, 1))  # " Send ", under the top padding
        await wait_until(pilot, lambda: columns(app)[0].status == "done")
        assert columns(app)[0].text == "clicked"


async def test_the_collector_is_on_again_after_the_first_frame() -> None:
    """`sutui` alone starts with the cyclic garbage collector off (sutui/__main__.py); the
    first frame turns it back on, else a long session would never free a cycle."""
    gc.disable()
    try:
        app = new_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


async def test_many_columns_scroll_sideways() -> None:
    app = new_app(["demo_echo"] * 6)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        scroller = app.compare.query_one("#columns")
        assert scroller.max_scroll_x > 0
        assert all(c.outer_size.width >= 30 for c in columns(app))


async def test_theme_is_remembered(tmp_path: Any) -> None:
    from sutui.settings import Settings

    path = tmp_path / "app.toml"
    app = new_app(settings=Settings(path=path, show_timings=False))
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert Settings.load(path).theme == "nord"


@pytest.mark.parametrize(
    "text",
    ["[[sut]\n", '[[sut]]\nuid = "x:dmeo"\n'],
    ids=["not TOML", "a bad entry"],
)
async def test_a_broken_user_catalog_is_said_and_the_shipped_one_used(
    text: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sutui.app import make_app
    from sutui.screens.suts import SUTsScreen
    from sutui.settings import Settings

    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "suts.toml").write_text(text, encoding="utf-8")  # isolated's dir
    monkeypatch.setattr("drivers.catalog._default", None)  # read anew; restored after
    app = make_app(settings=Settings(show_timings=False), suts=["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: bool(app._notifications), tries=500)
        (note,) = [str(n.message) for n in app._notifications]
        assert "suts.toml" in note and "left out until it is mended" in note
        await send(pilot, "hello there")
        assert [c.status for c in columns(app)] == ["done", "done"]
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SUTsScreen)
        assert len(app.services.catalog) > 40  # the shipped SUTs


async def test_a_broken_settings_file_is_said_once_and_the_defaults_used(tmp_path: Any) -> None:
    from sutui.settings import DEFAULT_SUTS, Settings

    path = tmp_path / "app.toml"
    path.write_text('theme = "nord"\nstart_suts = [', encoding="utf-8")
    settings = Settings.load(path)
    assert settings.problem is not None and str(path) in settings.problem
    assert (settings.theme, settings.start_suts) == ("textual-dark", list(DEFAULT_SUTS))
    settings.show_timings = False
    app = new_app(settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any("could not be read" in note for note in notes)
    assert Settings.load(tmp_path / "missing.toml").problem is None  # a first start: no problem
    path.write_bytes(b'theme = "\xff\xfe"\n')  # not UTF-8
    assert "could not be read" in str(Settings.load(path).problem)


# ----- snapshots (fixed sizes; no timing figure on screen) -----------------------------------
def test_snapshot_compare_after_a_run(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await send(pilot, "Why did the chicken cross the road?")
        pilot.app.set_focus(None)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(100, 30))


def test_snapshot_error_column(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await send(pilot, "hello")
        pilot.app.set_focus(None)
        await steady(pilot)

    app = new_app(["demo_echo", "demo_random_words", "bogus:nodriver"])
    assert snap_compare(app, run_before=run_before, terminal_size=(110, 26))


def test_snapshot_narrow(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await send(pilot, "Why did the chicken cross the road?")
        pilot.app.set_focus(None)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(70, 24))


def test_snapshot_picker_with_an_error(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = "gpt-4o:opnai;url=http://127.0.0.1:9/v1"
        no_blink(pilot)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(100, 30))


def test_snapshot_options(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        no_blink(pilot)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(100, 30))


def test_snapshot_help(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("f1")
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(100, 34))


async def test_a_long_answer_is_drawn_in_blocks_and_kept_whole() -> None:
    app = new_app(["demo_echo"])
    words = " ".join(f"word{i}" for i in range(600))
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, words)
        (column,) = columns(app)
        blocks = [str(b.render()) for b in column.query(".answer-block")]
        tail = str(column.query_one(".answer", Static).render())
        assert len(blocks) >= 3
        assert "".join(blocks) + tail == words == column.text
        await send(pilot, "short")  # a new run starts from an empty column
        assert not column.query(".answer-block") and column.text == "short"


def help_text(app: Any) -> str:
    from rich.console import Console

    from sutui.screens.help import bindings_table

    console = Console(width=100, record=True)
    console.print(bindings_table(app.compare))
    return console.export_text()


# ----- review fixes ------------------------------------------------------------------------------
async def test_maximize_fills_the_screen_and_restores() -> None:
    app = new_app(["demo_echo"] * 4)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        first = columns(app)[0]
        first.focus()
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.maximized is first and first.outer_size.width == 120
        await pilot.press("m")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.maximized is None and first.outer_size.width == 30


async def test_timing_figures_wrap_whole_in_a_narrow_column() -> None:
    from sutui.settings import Settings

    app = new_app(["demo_echo"] * 4, settings=Settings(show_timings=True))
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "one two three four")
        await pilot.pause()
        figures = columns(app)[0].query_one(".figures", Static)
        lines = str(figures.render()).splitlines()
        assert figures.size.height == len(lines) >= 3
        assert all(len(line) <= figures.size.width for line in lines)
        assert any("total" in line for line in lines)
        assert not any(line.startswith("s ") for line in lines)  # a unit stays with its number


async def test_a_column_added_from_the_palette_is_scrolled_to_and_focused() -> None:
    app = new_app(["demo_echo"] * 4)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sut: add gpt")
        await pilot.pause(0.3)
        await pilot.press("enter")
        scroller = app.compare.query_one("#columns")
        await wait_until(pilot, lambda: scroller.scroll_x > 0 and app.focused is columns(app)[-1])
        new = columns(app)[-1]
        assert new.uid == "gpt-4o"
        assert new.region.right <= 120


async def test_tab_goes_from_the_prompt_to_the_first_column() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.focused is app.compare.query_one("#prompt")
        await pilot.press("tab")
        assert app.focused is columns(app)[0]
        await pilot.press("tab")
        assert app.focused is columns(app)[1]
        await pilot.press("right_square_bracket")
        assert app.focused is columns(app)[2]


async def test_narrow_tabs_show_status_and_switch_with_keys() -> None:
    app = new_app()
    async with app.run_test(size=(70, 24)) as pilot:
        await send(pilot, "hello")
        tabs = app.compare.query_one(Tabs)
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        assert labels == ["✓ demo_yes_no", "✓ demo_echo", "✓ demo_always_sorry"]
        columns(app)[0].focus()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert tabs.active == f"tab-{columns(app)[1].key}"
        assert app.focused is columns(app)[1]
        await pilot.press("ctrl+pageup")
        await pilot.pause()
        assert tabs.active == f"tab-{columns(app)[0].key}"
        assert "Next SUT" in help_text(app)


async def test_options_seed_timeout_and_friendly_limits() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#temperature", Input).value = "9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        problem = str(app.screen.query_one("#problem", Static).render())
        assert problem == "temperature must be between 0 and 2"
        app.screen.query_one("#temperature", Input).value = "0.5"
        app.screen.query_one("#seed", Input).value = "7"
        app.screen.query_one("#timeout_s", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "timeout must be more than 0" in str(app.screen.query_one("#problem").render())
        app.screen.query_one("#timeout_s", Input).value = "30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.compare.shared.seed == 7 and app.compare.timeout_s == 30


async def test_options_reasoning_and_the_fields_the_form_does_not_show() -> None:
    """reasoning: its own grammar's words on a bad value; options the form does not show (a
    re-run's penalties) are kept when it saves."""
    from drivers.options import SUTOptions

    app = new_app(["thinker:demo"])
    async with app.run_test(size=(100, 34)) as pilot:
        app.compare.shared = SUTOptions(presence_penalty=0.5)
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#reasoning", Input).value = "lots"
        await pilot.press("ctrl+s")
        await pilot.pause()
        problem = str(app.screen.query_one("#problem", Static).render())
        assert problem.startswith("reasoning 'lots' is neither a level")
        app.screen.query_one("#reasoning", Input).value = "minimal"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.compare.shared.reasoning == "minimal"
        assert app.compare.shared.presence_penalty == 0.5
        await send(pilot, "one two")
        (column,) = columns(app)
        assert column.answer.reasoning == "The user wrote 2 words."


async def test_help_groups_send_then_column_keys_then_views() -> None:
    app = new_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = help_text(app)
        order = ["Send", "Cancel all", "column: Retry", "column: Set secret", "Compare", "Secrets"]
        positions = [text.index(word) for word in order]
        assert positions == sorted(positions)


# ----- reasoning and broken streams ----------------------------------------------------------
def test_snapshot_reasoning_above_the_answer(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await send(pilot, "Is the sky blue today?")
        pilot.app.set_focus(None)
        await steady(pilot)

    app = new_app(["thinker:demo", "demo_yes_no"])
    assert snap_compare(app, run_before=run_before, terminal_size=(100, 24))


async def test_t_hides_and_shows_reasoning_in_every_column() -> None:
    app = new_app(["thinker:demo", "thinker:demo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "one two")
        first, second = columns(app)
        assert first.answer.reasoning.startswith("The user wrote 2 words.")
        assert first.text == "2 words: Yes."  # the answer holds no reasoning
        first.focus()
        await pilot.press("t")
        await steady(pilot)
        for column in (first, second):
            line = str(column.query_one(".reasoning", Static).render())
            assert line.startswith("▸ thinking · ") and "The user" not in line
        assert app.services.settings.show_reasoning is False  # remembered
        await pilot.press("t")
        await steady(pilot)
        assert "The user wrote" in str(second.query_one(".reasoning", Static).render())


async def test_a_column_whose_stream_breaks_starts_its_answer_again(provider_server: Any) -> None:
    """The stream is cut after text was shown: the column says it starts again, and in the end
    shows the whole answer once (nothing of the void attempt)."""
    from drivers import transport

    provider_server.queue_fault("cut-mid-event", 1)
    uid = f"Qwen/Qwen2.5-7B-Instruct:vllm:openai;url={provider_server.url}/vllm/v1"
    app = new_app([uid], environ={"SUTUI_VLLM__API_KEY": "ms-test-vllm-0006"})
    seen: list[str] = []
    slow = transport.HttpRuntime(retry=transport.RetryPolicy(base_delay=0.2, max_delay=0.2))
    with transport.use_runtime(slow):  # the app's tasks, started inside, run in it
        async with app.run_test(size=(100, 30)) as pilot:
            (column,) = columns(app)
            original = column.show_retrying

            def spy(*args: Any) -> None:
                original(*args)
                seen.append(column.note)

            column.show_retrying = spy  # type: ignore[method-assign]
            await send(pilot, "hello there world")
            await wait_until(pilot, lambda: column.status == "done", tries=500)
            await steady(pilot)
            assert column.text == "Echo: hello there world"
            assert any(note.startswith("truncated: answer starts again") for note in seen), seen
            assert len(provider_server.requests) == 2


async def test_a_restart_clears_the_text_on_screen_and_notes_show() -> None:
    """After a broken stream starts again, nothing of the void attempt stays drawn, even when
    the new attempt only reasons; the notes of an answer are shown above it."""
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        (column,) = columns(app)
        view = column.answer
        view.push("STALE-ANSWER")
        view.flush()
        view.restart()
        view.push_reasoning("thinking again")
        view.flush()
        await steady(pilot)
        assert str(view.query_one(".answer", Static).render()) == ""
        assert view.text == "" and view.reasoning == "thinking again"
        view.show_notes(["o3 does not take temperature=0.3: dropped"])
        await steady(pilot)
        notes = str(view.query_one(".notes", Static).render())
        assert notes == "note: o3 does not take temperature=0.3: dropped"
