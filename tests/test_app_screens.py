"""Drivers, SUTs, composer, secrets (in-memory and real keyring), guided setup, the palette,
an error column fed by the loopback provider server; snapshots of each screen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from test_app_support import columns, isolated, new_app, no_blink, send, settle, steady, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from drivers import keyring_layer
from sutui.app import SutuiApp
from sutui.screens.composer import ComposerScreen
from sutui.screens.drivers import DriversScreen
from sutui.screens.secrets import ConfirmScreen, ImportScreen, SecretsScreen
from sutui.screens.setup import SetupScreen
from sutui.screens.suts import SUTsScreen

__all__ = ["isolated"]


def detail(app: SutuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def row_of(table: DataTable[Any], name: str) -> int:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)].index(name)


# ----- drivers ---------------------------------------------------------------------------------
async def test_drivers_screen_shows_options_secrets_and_composes() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, DriversScreen)
        assert list(app.screen.infos) == ["demo", "hfrelay", "ollama", "openai"]
        text = detail(app, "#detail")
        assert ";delay=" in text and "demo/api_key (required)  missing" in text
        assert "yes_no:demo" in text
        await pilot.press("down")  # hfrelay
        await pilot.pause()
        assert "hugging_face/token" in detail(app, "#detail")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ComposerScreen)
        uid = app.screen.query_one("#uid", Input).value
        assert uid.endswith(":hfrelay")


async def test_drivers_add_example_goes_to_compare() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is app.compare
        assert [c.uid for c in columns(app)] == ["demo_echo", "yes_no:demo"]


# ----- SUTs ------------------------------------------------------------------------------------
async def test_suts_screen_searches_shows_readiness_and_adds() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SUTsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 7
        await pilot.press(*"random")  # the search box has the focus: letters search, not act
        await pilot.pause()
        assert table.row_count == 1
        assert "missing demo/api_key" in str(table.get_row_at(0)[2])
        await pilot.press("down")  # to the table
        assert table.has_focus
        await pilot.press("slash", "ctrl+u", *"echo", "enter")  # back to search, then the list
        await pilot.pause()
        assert table.has_focus and table.row_count == 1
        await pilot.press("a")  # add
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_echo", "demo_echo"]


async def test_help_says_what_the_screen_beneath_is_for() -> None:
    from sutui.screens.help import HelpScreen
    from sutui.screens.registry import screen_spec

    INTRO = screen_spec("compare").intro

    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        intro = detail(app, ".help-intro")
        assert "type to search" in intro and intro != INTRO
        await pilot.press("escape", "ctrl+l")  # the leaderboard
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert "blind A/B votes" in detail(app, ".help-intro")


# ----- composer --------------------------------------------------------------------------------
async def test_composer_keeps_text_and_form_in_step() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ComposerScreen)
        await pilot.press(*"meta-llama/Llama-3.1-8B-Instruct:together:hfrelay")
        await pilot.pause()
        form = {n: app.screen.query_one(f"#f-{n}", Input).value for n in ("maker", "model")}
        assert form == {"maker": "meta-llama", "model": "Llama-3.1-8B-Instruct"}
        assert app.screen.query_one("#f-provider", Input).value == "together"
        assert "✓ valid" in detail(app, "#verdict")
        # The form writes the text back, percent-encoding what needs it.
        app.screen.query_one("#f-model", Input).value = "llama3:8b"
        app.screen.query_one("#f-maker", Input).value = ""
        app.screen.query_one("#f-provider", Input).value = ""
        app.screen.query_one("#f-driver", Input).value = "ollama"
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#uid", Input).value == "llama3%3A8b:ollama"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_echo", "llama3%3A8b:ollama"]


async def test_composer_shows_the_grammars_error_and_completes() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.press(*"a:b:c:d:e")
        await pilot.pause()
        assert "at most 4" in detail(app, "#verdict")
        screen = app.screen
        assert isinstance(screen, ComposerScreen)
        screen.query_one("#uid", Input).value = "gpt-4o:op"
        await pilot.pause()
        assert await screen.suggester.get_suggestion("gpt-4o:op") == "gpt-4o:openai"
        assert "openai" in detail(app, "#candidates")
        await pilot.press("ctrl+s")  # not valid: nothing added
        assert isinstance(app.screen, ComposerScreen)


async def test_composer_form_never_keeps_a_uid_the_text_no_longer_has() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, ComposerScreen)
        uid = screen.query_one("#uid", Input)

        def form() -> dict[str, str]:
            return {n: screen.query_one(f"#f-{n}", Input).value for n in ("model", "options")}

        uid.value = "yes_no:demo;delay=abc"  # only the options are wrong: the form shows them
        await pilot.pause()
        assert form() == {"model": "yes_no", "options": "delay=abc"}
        assert not screen.query_one("#form").disabled
        uid.value = ""  # cleared: so is the form
        await pilot.pause()
        assert form() == {"model": "", "options": ""}
        screen.query_one("#f-model", Input).value = "mymodel"
        await pilot.pause()
        assert "delay" not in uid.value  # nothing deleted comes back
        uid.value = "echo:dem"  # the hint completes the chunk typed...
        await pilot.pause()
        assert "demo" in detail(app, "#candidates")
        screen.query_one("#f-driver", Input).value = "demo"
        await pilot.pause()
        assert uid.value == "echo:demo"
        assert detail(app, "#candidates") == ""  # ...and goes when the form writes the text
        uid.value = "a:b:c:d:e:f"  # no parts to show: the form waits, empty and disabled
        await pilot.pause()
        assert form() == {"model": "", "options": ""} and screen.query_one("#form").disabled
        assert "once its parts parse" in detail(app, "#form-note")
        uid.value = ";delay=abc"  # options with nothing before them: not "it is empty"
        await pilot.pause()
        assert "it is empty" not in detail(app, "#verdict")
        uid.value = "demo_echo"  # a predefined SUT: the form shows what it stands for
        await pilot.pause()
        assert form()["model"] == "echo" and not screen.query_one("#form").disabled
        assert detail(app, "#form-note") == ""


# ----- secrets ---------------------------------------------------------------------------------
async def test_secrets_screen_lists_layers_masked() -> None:
    env = {"SUTUI_DEMO__API_KEY": "12345", "OPENAI_API_KEY": "sk-test-abcdefgh1234"}
    app = new_app(environ=env)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SecretsScreen)
        table = app.screen.query_one(DataTable)
        rows = {
            str(r[0]): [str(c) for c in r[1:]]
            for r in (table.get_row_at(i) for i in range(table.row_count))
        }
        assert rows["demo/api_key"][:3] == ["set", "env", "•••••"]
        assert rows["openai/api_key"][:3] == ["set", "env", "sk-…234"]  # a third at most
        assert rows["hugging_face/token"][0] == "missing"
        assert rows["openai/organization"][0] == "optional"  # not needed: not "missing"
        assert "keyring: off" in detail(app, "#keyring")


@pytest.fixture
def memory_layer(memory_keyring: Any) -> keyring_layer.KeyringLayer:
    return keyring_layer.default_keyring()


async def test_an_added_sut_says_its_missing_secret_before_any_send() -> None:
    app = new_app(["demo_echo"], environ={})
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        column = app.compare.add_column("gpt-4o")
        await settle(pilot)
        status = str(column.query_one(".status", Static).render())
        assert "needs openai/api_key: s sets it up" in status
        assert any("gpt-4o needs openai/api_key" in str(n.message) for n in app._notifications)
        column.focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert [d.name for d in app.screen.descriptions] == ["openai/api_key"]
        await pilot.press("escape")
        await settle(pilot)
        assert column.missing  # not set: still said
        app.services.store.environ["OPENAI_API_KEY"] = "sk-set-elsewhere-1234"
        await pilot.press("f6", "f2")  # the secrets screen and back: looked up again
        await settle(pilot)
        assert column.missing == () and "needs" not in str(column.query_one(".status").render())
        ready = app.compare.add_column("demo_yes_no")  # nothing missing: nothing said
        await settle(pilot)
        assert ready.missing == () and "needs" not in str(ready.query_one(".status").render())


async def test_an_error_column_does_not_promise_a_keyring_that_cannot_be_used(
    no_dbus_keyring: None,
) -> None:
    app = new_app(["demo_random_words"], keyring=keyring_layer.default_keyring())
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        await wait_until(pilot, lambda: column.status == "error")
        problem = column.answer.query_one(".problem", Static).render()
        assert "Missing secret: demo/api_key" in str(problem)
        assert "cannot be used here" in str(problem) and "stored in the OS keyring" not in str(
            problem
        )


async def delete_on_the_secrets_screen(pilot: Pilot[None], name: str) -> None:
    """Open the secrets screen (f6) and press d on the secret `name`."""
    await pilot.press("f6")
    await settle(pilot)
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("d")
    await pilot.pause()


async def test_deleting_a_secret_that_is_not_set_asks_nothing_when_the_keyring_answered(
    memory_keyring: Any, memory_layer: keyring_layer.KeyringLayer
) -> None:
    app = new_app(keyring=memory_layer)
    async with app.run_test(size=(100, 30)) as pilot:
        await delete_on_the_secrets_screen(pilot, "hugging_face/token")
        assert isinstance(app.screen, SecretsScreen)  # no confirmation asked
        assert any("Nothing to delete" in str(n.message) for n in app._notifications)


async def test_deleting_with_the_keyring_off_says_why_it_cannot() -> None:
    app = new_app()  # keyring off: it cannot say what it holds
    async with app.run_test(size=(100, 30)) as pilot:
        await delete_on_the_secrets_screen(pilot, "hugging_face/token")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications]
        assert any("turned off" in note for note in notes), notes


async def test_guided_setup_from_an_error_column_stores_in_the_keyring(
    memory_keyring: Any, memory_layer: keyring_layer.KeyringLayer
) -> None:
    app = new_app(["demo_random_words"], keyring=memory_layer)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        column.focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        await pilot.press(*"12345", "enter")
        await settle(pilot)
        await wait_until(pilot, lambda: not isinstance(app.screen, SetupScreen))
        assert memory_keyring.items == {("sutui", "demo/api_key"): "12345"}
        column.focus()
        await pilot.press("r")
        await settle(pilot)
        assert column.status == "done" and len(column.text.split()) == 30


async def test_delete_asks_first_and_import_reads_a_secrets_toml(
    memory_keyring: Any, memory_layer: keyring_layer.KeyringLayer, tmp_path: Path
) -> None:
    memory_keyring.items[("sutui", "demo/api_key")] = "12345"
    app = new_app(keyring=memory_layer)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=row_of(table, "demo/api_key"))
        assert str(table.get_row_at(table.cursor_row)[2]) == "keyring"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert ("sutui", "demo/api_key") in memory_keyring.items
        await pilot.press("d", "y")
        await settle(pilot)
        await wait_until(pilot, lambda: not memory_keyring.items)
        secrets = tmp_path / "secrets.toml"
        secrets.write_text('[together]\napi_key = "tg-imported-00001"\n', encoding="utf-8")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#path", Input).value = str(secrets)
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: bool(memory_keyring.items))
        assert memory_keyring.items == {("sutui", "together/api_key"): "tg-imported-00001"}


async def test_a_secret_set_in_the_ui_lands_in_the_real_keyring(real_keyring: Any) -> None:
    import keyring

    app = new_app(keyring=keyring_layer.default_keyring())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=row_of(table, "demo/api_key"))
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"12345", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SetupScreen), tries=1000)
        assert keyring.get_password("sutui", "demo/api_key") == "12345"


# ----- palette and the loopback provider server ------------------------------------------------
async def test_palette_views_and_adds() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"view: drivers")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DriversScreen)
        await pilot.press("ctrl+p")
        await pilot.press(*"sut: add demo_always_angry")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.compare
        assert [c.uid for c in columns(app)] == ["demo_echo", "demo_always_angry"]


async def test_the_palette_is_drawn_and_typed_into_before_its_list_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual's palette stays hidden until every provider has listed its commands; ours shows
    its search box at once. A provider held back keeps the list from coming: the box is on
    screen, focused, and what is typed lands in it."""
    from textual.command import CommandInput, CommandList, DiscoveryHit, Hits, Provider

    from sutui.commands import Palette

    release = asyncio.Event()

    class Slow(Provider):
        async def discover(self) -> Hits:
            await release.wait()
            yield DiscoveryHit("slow: command", lambda: None)

        async def search(self, query: str) -> Hits:
            return
            yield

    app = new_app(["demo_echo"])
    monkeypatch.setattr(type(app), "COMMANDS", type(app).COMMANDS | {Slow})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        palette = app.screen
        assert isinstance(palette, Palette)
        box = palette.query_one(CommandInput)
        assert box.region.height > 0 and box.has_focus
        assert not palette.query_one(CommandList).has_class("--visible")  # no list yet
        await pilot.press(*"vie")
        assert box.value == "vie"
        release.set()
        await wait_until(pilot, lambda: palette.query_one(CommandList).option_count > 0)


async def test_error_column_from_the_provider_server(provider_server: Any) -> None:
    uid = f"Qwen/Qwen2.5-7B-Instruct:vllm:openai;url={provider_server.url}/vllm/v1"
    app = new_app([uid, "demo_echo"], environ={"SUTUI_VLLM__API_KEY": "wrong-vllm-key"})
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        bad, echo = columns(app)
        assert bad.status == "error" and echo.text == "hello"
        assert bad.error is not None and bad.error.kind.value == "auth"
        problem = detail(app, f"#{bad.key} .problem")
        assert "HTTP 401" in problem and "Press s" in problem
        assert "wrong-vllm-key" not in problem


# ----- snapshots -------------------------------------------------------------------------------
def _view(key: str, *more: str) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press(key)
        await settle(pilot)
        if more:
            await pilot.press(*more)
            await settle(pilot)
        no_blink(pilot)
        await steady(pilot)

    return run_before


def test_snapshot_drivers(snap_compare: Any) -> None:
    assert snap_compare(new_app(), run_before=_view("f3"), terminal_size=(100, 30))


def test_snapshot_suts(snap_compare: Any) -> None:
    assert snap_compare(new_app(), run_before=_view("f4"), terminal_size=(110, 20))


def test_snapshot_composer_with_an_error(snap_compare: Any) -> None:
    keys = tuple("meta-llama/Llama-3.1-8B:together:hfrelay;reas=maybe")
    assert snap_compare(new_app(), run_before=_view("f5", *keys), terminal_size=(100, 30))


def test_snapshot_secrets(snap_compare: Any) -> None:
    app = new_app(environ={"SUTUI_DEMO__API_KEY": "12345"})
    assert snap_compare(app, run_before=_view("f6"), terminal_size=(100, 20))


def test_snapshot_setup(snap_compare: Any) -> None:
    app = new_app()
    assert snap_compare(app, run_before=_view("f6", "s"), terminal_size=(100, 30))


# ----- review fixes ------------------------------------------------------------------------------
async def test_without_a_keyring_a_pasted_key_is_kept_for_this_session_and_used_at_once(
    no_dbus_keyring: None,
) -> None:
    """No Secret Service: the setup says so once (no second keyring paragraph, the environment
    advised once), keeps the pasted key in memory for this session, and the column's retry
    uses it at once; the secrets screen shows it as layer `session`."""
    app = new_app(["demo_random_words"], keyring=keyring_layer.default_keyring())
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        column.focus()
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        screen = app.screen
        await wait_until(pilot, lambda: not screen.can_store)
        notice = detail(app, "#keyring")
        said = detail(app, "#step") + notice
        assert notice.startswith("No OS keyring is available") and "kept for this session" in notice
        assert said.count("SUTUI_DEMO__API_KEY") == 1 and "Meanwhile" not in said
        assert said.count("OS keyring") == 1 and "secrets.toml" in notice
        label = str(screen.query_one("#store").label)  # type: ignore[attr-defined]
        assert label == "Keep for session & test"
        await pilot.press(*"12345", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SetupScreen))
        assert screen.kept == 1 and screen.stored == 0
        assert any("kept for this session only" in str(n.message) for n in app._notifications)
        column.focus()
        await pilot.press("r")
        await settle(pilot)
        assert column.status == "done" and len(column.text.split()) == 30
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        row = [str(c) for c in table.get_row_at(table.get_row_index("demo/api_key"))]
        assert row[1:4] == ["set", "session", "•••••"]


async def test_without_a_keyring_an_import_is_kept_for_this_session_and_written_nowhere(
    tmp_path: Path,
) -> None:
    """SUTUI_KEYRING=off (the store's use_keyring=False): i imports into this session's memory,
    says so in the dialog and after, writes the value nowhere; d forgets it."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[hugging_face]\ntoken = "hf-session-only-0001"\n', encoding="utf-8")
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))
        assert "kept for this session only" in detail(app, "#session")
        app.screen.query_one("#path", Input).value = str(secrets)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SecretsScreen)
        notes = [str(n.message) for n in app._notifications]
        assert any("Imported 1 secrets" in n and "never written" in n for n in notes), notes
        table = app.screen.query_one(DataTable)
        row = table.get_row_index("hugging_face/token")
        assert [str(c) for c in table.get_row_at(row)][1:3] == ["set", "session"]
        assert "1 kept for this session only" in detail(app, "#keyring")
        assert app.services.store.lookup("hugging_face", "token").layer == "session"  # type: ignore[union-attr]
        secrets.unlink()
        await pilot.press("f2")
        await send(pilot, "hf-session-only-0001?")  # quoted in a prompt: stored masked
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        written = [f for f in tmp_path.rglob("*") if f.is_file()]
        assert written and not [f for f in written if b"hf-session-only" in f.read_bytes()]
        table.move_cursor(row=row)
        await pilot.press("d")
        await pilot.pause()
        assert "Forget hugging_face/token" in str(app.screen.question)  # type: ignore[attr-defined]
        await pilot.press("y")
        await settle(pilot)
        assert app.services.store.lookup("hugging_face", "token") is None


async def test_composer_reports_the_driver_before_the_options_and_keeps_the_form() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        app.screen.query_one("#uid", Input).value = "meta-llama/Llama-3:togther;mod=maybe"
        await pilot.pause()
        verdict = detail(app, "#verdict")
        assert "there is no driver 'togther'" in verdict and "must be yes or no" not in verdict
        assert app.screen.query_one("#f-options", Input).value == "mod=maybe"
        assert app.screen.query_one("#f-model", Input).value == "Llama-3"
        app.screen.query_one("#uid", Input).value = "meta-llama/Llama-3:demo;mod=maybe"
        await pilot.pause()
        assert "'mod' must be yes or no" in detail(app, "#verdict")


async def test_picker_and_composer_reject_what_the_driver_rejects() -> None:
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for uid in ("x:demo", "echo:demo;delay=abc"):
            await pilot.press("f5")
            await settle(pilot)
            app.screen.query_one("#uid", Input).value = uid
            await pilot.pause()
            assert isinstance(app.screen, ComposerScreen) and not app.screen.valid
            await pilot.press("f2", "ctrl+n")
            await pilot.pause()
            app.screen.query_one(Input).value = uid
            await pilot.pause()
            assert "can be added" not in detail(app, "#verdict")
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "PickerScreen"
            await pilot.press("escape")
            await pilot.pause()


async def test_a_model_not_found_names_the_close_ones_in_its_column(provider_server: Any) -> None:
    """The provider's list is fetched for the hint (drivers/model_hints.py): the column that
    fails not_found says which of the listed models look close."""
    uid = f"retired-qwen2.5-7b:vllm:openai;url={provider_server.url}/vllm/v1"
    app = new_app([uid], environ={"SUTUI_VLLM__API_KEY": "ms-test-vllm-0006"})
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        (column,) = columns(app)
        await wait_until(pilot, lambda: column.status == "error", tries=500)
        assert column.error is not None and column.error.kind.value == "not_found"
        problem = detail(app, f"#{column.key} .problem")
        assert "models this key can use that look close:" in problem, problem
