"""The picker and the composer offer the models a provider serves now (issue 13).

Against a tiny OpenAI-style server run here (fixed ids, a request counter, a 401 mode and a
stall mode) and the real llama.cpp peer (tests/llm_peer.py). The picker's snapshot uses a
cached list (drivers/model_cache.py) so nothing on screen depends on a port.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from llm_peer import LlmPeer
from test_app_support import (
    TEST_SUTS,
    columns,
    fixed_catalog,
    fixed_registry,
    isolated,
    new_app,
    no_blink,
    settle,
    steady,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from drivers.catalog import Catalog, load_file
from drivers.model_listing import ListedModel, ModelList, listing_definition, now_iso
from drivers.secret_store import SecretStore
from sutui.app import SutuiApp, make_app
from sutui.live_models import ListingSource, find_sources
from sutui.screens.composer import ComposerScreen
from sutui.screens.picker import PickerScreen
from sutui.services import Services
from sutui.settings import Settings

__all__ = ["isolated"]

IDS = ("alpha-7b", "beta/chat-2", "gamma")


@dataclass
class ModelsServer:
    """GET /v1/models with IDS; `mode` "401" refuses the key, "stall" never answers."""

    base_url: str = ""
    mode: str = "ok"
    requests: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
async def models_server() -> AsyncIterator[ModelsServer]:
    from aiohttp import web

    state = ModelsServer()

    async def models(request: web.Request) -> web.Response:
        state.requests += 1
        if state.mode == "401":
            error = {"message": "Incorrect API key provided", "type": "invalid_request_error"}
            return web.json_response({"error": error}, status=401)
        if state.mode == "stall":
            await state.release.wait()
        data = [{"id": i, "object": "model", "created": 1700000000, "owned_by": "t"} for i in IDS]
        return web.json_response({"object": "list", "data": data})

    app = web.Application()
    app.router.add_get("/v1/models", models)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.base_url = f"http://127.0.0.1:{port}/v1"
    yield state
    state.release.set()
    await runner.cleanup()


def used(server_url: str, model: str = "old-model") -> str:
    return f"{model}:local:openai;url={server_url}"


def app_with(recent: list[str], environ: dict[str, str] | None = None) -> SutuiApp:
    return new_app(["demo_yes_no"], environ, Settings(show_timings=False, recent=recent))


def choices(app: SutuiApp) -> OptionList:
    return app.screen.query_one("#choices", OptionList)


def live_uids(app: SutuiApp) -> list[str]:
    return [(o.id or "")[2:] for o in choices(app).options if (o.id or "").startswith("l:")]


def lines(app: SutuiApp) -> list[str]:
    """The picker's status lines (disabled options): spinners, headers, failures."""
    return [str(o.prompt) for o in choices(app).options if o.disabled]


async def open_picker(pilot: Pilot[None]) -> PickerScreen:
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerScreen)
    return pilot.app.screen


# ----- the picker ------------------------------------------------------------------------------
async def test_the_picker_lists_a_servers_models_and_enter_adds_its_uid(
    models_server: ModelsServer,
) -> None:
    app = app_with([used(models_server.base_url)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot)
        await wait_until(pilot, lambda: bool(live_uids(app)))
        wanted = [used(models_server.base_url, m) for m in IDS]
        assert live_uids(app) == wanted
        where = models_server.base_url.split("//")[1].removesuffix("/v1")
        assert any(line.startswith(f"live  {where}") and "3 models" in line for line in lines(app))
        await pilot.press(*"chat")  # the search filters the live models too
        await pilot.pause()
        assert live_uids(app) == [used(models_server.base_url, "beta/chat-2")]
        await pilot.press("enter")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_yes_no", wanted[1]]
        assert models_server.requests == 1


async def test_the_picker_lists_the_real_llama_cpp_peers_model(llm_peer: LlmPeer) -> None:
    app = app_with([used(llm_peer.base_url)], {"SUTUI_LOCAL__API_KEY": llm_peer.api_key})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot)
        await wait_until(pilot, lambda: bool(live_uids(app)), tries=1000)
        uid = f"smollm2:local:openai;url={llm_peer.base_url}"
        assert live_uids(app) == [uid]
        assert all(llm_peer.api_key not in line for line in lines(app))
        await pilot.press(*"smol", "enter")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_yes_no", uid]


async def test_a_failing_source_says_why_in_one_line_and_the_catalog_still_works(
    models_server: ModelsServer,
) -> None:
    models_server.mode = "401"
    app = app_with([used(models_server.base_url)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot)
        await wait_until(pilot, lambda: any(line.startswith("✗") for line in lines(app)))
        (failure,) = [line for line in lines(app) if line.startswith("✗")]
        assert "auth [HTTP 401]" in failure and "Incorrect API key" in failure
        assert "\n" not in failure and not live_uids(app)
        await pilot.press(*"always_angry", "enter")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_yes_no", "demo_always_angry"]


async def test_a_stalled_source_spins_while_the_keys_work_and_leaving_cancels_it(
    models_server: ModelsServer,
) -> None:
    models_server.mode = "stall"
    app = app_with([used(models_server.base_url)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot)
        await wait_until(pilot, lambda: models_server.requests == 1)
        first = [line for line in lines(app) if "listing models at 127.0.0.1" in line]
        await pilot.pause(0.3)
        later = [line for line in lines(app) if "listing models at 127.0.0.1" in line]
        assert len(first) == len(later) == 1 and first != later  # the spinner turns
        await pilot.press(*"angry")
        await pilot.pause()
        assert "listing models at" in " ".join(lines(app))
        await pilot.press("enter")
        await pilot.pause()
        assert [c.uid for c in columns(app)] == ["demo_yes_no", "demo_always_angry"]
        await wait_until(pilot, lambda: not [w for w in app.workers if w.is_running])


async def test_nothing_is_listed_until_the_picker_opens_then_the_cache_answers(
    models_server: ModelsServer,
) -> None:
    app = app_with([used(models_server.base_url)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the first frame, the warm-up, a send
        await pilot.press("f5", "f2")
        await settle(pilot)
        assert models_server.requests == 0
        await open_picker(pilot)
        await wait_until(pilot, lambda: bool(live_uids(app)))
        assert models_server.requests == 1
        await pilot.press("escape")
        await open_picker(pilot)
        await wait_until(pilot, lambda: bool(live_uids(app)))
        assert models_server.requests == 1  # a day's cache
        assert any("3 models · cached" in line for line in lines(app))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: models_server.requests == 2)
        await wait_until(pilot, lambda: bool(live_uids(app)))


async def test_a_refresh_that_fails_keeps_the_list_it_had(models_server: ModelsServer) -> None:
    """ctrl+r asks again; the server refuses now: the failure is said, the list stays."""
    app = app_with([used(models_server.base_url)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_picker(pilot)
        await wait_until(pilot, lambda: len(live_uids(app)) == len(IDS))
        models_server.mode = "401"
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any("✗" in line for line in lines(app)))
        assert len(live_uids(app)) == len(IDS), "the list had before is still offered"


async def test_no_source_no_live_section() -> None:
    app = app_with([])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_picker(pilot)
        await wait_until(pilot, lambda: not screen.discovering)
        await settle(pilot)
        assert lines(app) == [] and screen.live == {}


# ----- the composer ----------------------------------------------------------------------------
async def test_the_composer_fills_the_model_from_the_live_list(
    models_server: ModelsServer,
) -> None:
    app = app_with([])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposerScreen)
        screen.query_one("#uid", Input).value = f"x:local:openai;url={models_server.base_url}"
        listed = screen.query_one("#live-models", OptionList)
        await wait_until(pilot, lambda: listed.option_count == len(IDS))
        status = str(screen.query_one("#live-status").render())
        assert "3 live models at 127.0.0.1" in status and "↓ to them" in status
        await pilot.press("down")  # from the UID to the list
        assert listed.has_focus
        await pilot.press("down", "enter")
        await pilot.pause()
        uid = f"beta/chat-2:local:openai;url={models_server.base_url}"
        assert screen.query_one("#uid", Input).value == uid and screen.valid
        assert screen.query_one("#f-maker", Input).value == "beta"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == ["demo_yes_no", uid]
        assert models_server.requests == 1


async def test_the_composer_says_in_one_line_why_a_list_failed(
    models_server: ModelsServer,
) -> None:
    models_server.mode = "401"
    app = app_with([])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, ComposerScreen)
        screen.query_one("#uid", Input).value = f"x:local:openai;url={models_server.base_url}"
        status = screen.query_one("#live-status")
        await wait_until(pilot, lambda: str(status.render()).startswith("✗"))
        assert "auth [HTTP 401]" in str(status.render())
        assert not screen.query_one("#live-models").display and screen.valid


async def test_the_composer_says_nothing_for_a_driver_whose_key_is_not_set() -> None:
    app = app_with([])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, ComposerScreen)
        screen.query_one("#uid", Input).value = "gpt-4o-mini:openai"
        await pilot.pause()
        await settle(pilot)
        assert not screen.query_one("#live-status").display
        assert not screen.query_one("#live-models").display


# ----- looks -----------------------------------------------------------------------------------
SNAP_URL = "http://127.0.0.1:8080/v1"
SNAP_MODELS = (
    ListedModel("smollm2", context_length=2048),
    ListedModel("Qwen/Qwen2.5-0.5B-Instruct"),
    ListedModel("meta-llama/Llama-3.2-1B-Instruct"),
)
SNAP_SUT = """
[[sut]]
uid = "smollm2-local"
driver = "openai"
provider = "local"
model = "smollm2"
options = { url = "http://127.0.0.1:8080/v1" }
description = "SmolLM2 on the llama.cpp server here."
"""


def snapshot_app() -> SutuiApp:
    """A cached list (fresh, so nothing asks 127.0.0.1:8080) and a server that refuses."""
    from drivers import model_cache

    definition = listing_definition("openai", "local", {"url": SNAP_URL})
    model_cache.save(ModelList(definition, SNAP_MODELS, now_iso()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "suts.toml"
        path.write_text(TEST_SUTS + SNAP_SUT, encoding="utf-8")
        catalog = Catalog(load_file(path))
    recent = [f"old:local:openai;url={SNAP_URL}", "x:openai;url=http://127.0.0.1:9/v1"]
    store = SecretStore(environ={}, search_file=False, use_keyring=False)
    settings = Settings(show_timings=False, recent=recent)
    return make_app(
        store=store, catalog=catalog, registry=fixed_registry(), settings=settings, suts=[]
    )


def test_snapshot_picker_with_live_models(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("ctrl+n")
        screen = pilot.app.screen
        assert isinstance(screen, PickerScreen)
        await wait_until(pilot, lambda: bool(screen.live), tries=500)
        await wait_until(pilot, lambda: not any(s.loading for s in screen.live.values()), 500)
        await pilot.press(*"local")  # the search applies to the live models too
        no_blink(pilot)
        await steady(pilot)

    assert snap_compare(snapshot_app(), run_before=run_before, terminal_size=(100, 40))


# ----- which sources ---------------------------------------------------------------------------
def test_the_sources_are_keyed_drivers_and_the_servers_and_providers_in_use() -> None:
    def sources(environ: dict[str, str], uids: list[str]) -> list[ListingSource]:
        store = SecretStore(environ=environ, search_file=False, use_keyring=False)
        services = Services(store, fixed_catalog(), fixed_registry(), Settings())
        return find_sources(services, uids)

    server = "x:local:openai;url=http://127.0.0.1:8080/v1"
    used = [server, server, "gpt-4o", "y:together:hfrelay", "bad:nodriver", "echo:demo"]
    assert sources({}, used) == [ListingSource("openai", "local", "http://127.0.0.1:8080/v1")]
    keyed = {"SUTUI_OPENAI__API_KEY": "sk-test-1234567890", "HF_TOKEN": "hf_test_1234567890"}
    assert sources(keyed, used) == [
        ListingSource("openai"),  # hfrelay needs a provider: only the one in use
        ListingSource("openai", "local", "http://127.0.0.1:8080/v1"),
        ListingSource("hfrelay", "together"),
    ]
