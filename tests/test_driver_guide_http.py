"""docs/add-a-driver.md's HTTP driver (`my_pkg.my_chat`: HttpSUT, HttpFactory) and its tests,
run as the guide writes them, so the guide stays true: its tests pass, and what the guide says
beyond them (a cut stream fails truncated, a 401 auth, the model list, the cap key) holds."""

from __future__ import annotations

import asyncio
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import drivers
from drivers import HttpRuntime, RetryPolicy, SUTOptions, TextPrompt, use_runtime
from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import listing_definition

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "add-a-driver.md"
FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
KEYS = {"my_host": {"api_key": "k-test"}}


def _block(containing: str) -> str:
    """The guide's one python block that holds `containing`."""
    blocks = re.findall(r"^```python\n(.*?)^```$", GUIDE.read_text(), re.S | re.M)
    found = [b for b in blocks if containing in b]
    assert len(found) == 1, f"the guide has {len(found)} python blocks with {containing!r}"
    return found[0]


@pytest.fixture
def my_chat(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The guide's module, importable as my_pkg.my_chat, its driver registered."""
    package = types.ModuleType("my_pkg")
    package.__path__ = []
    module = types.ModuleType("my_pkg.my_chat")
    monkeypatch.setitem(sys.modules, "my_pkg", package)
    monkeypatch.setitem(sys.modules, "my_pkg.my_chat", module)
    exec(compile(_block("class MyChatFactory(HttpFactory"), str(GUIDE), "exec"), module.__dict__)
    monkeypatch.setitem(drivers.DYNAMIC_SUT_FACTORIES, "my_chat", module.MyChatFactory)
    return module


def test_the_guides_tests_pass(my_chat: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict[str, Any] = {"__name__": "test_my_chat"}
    exec(compile(_block("def test_my_chat_"), str(GUIDE), "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test(monkeypatch)


def _run(handler: Callable[[httpx.Request], httpx.Response], call: Any) -> Any:
    async def main() -> Any:
        with use_runtime(HttpRuntime(retry=FAST, transport=httpx.MockTransport(handler))):
            return await call()

    return asyncio.run(main())


def test_a_stream_cut_before_its_end_marker_fails_truncated_after_its_tries(
    my_chat: types.ModuleType,
) -> None:
    tries = 0

    def cut(request: httpx.Request) -> httpx.Response:
        nonlocal tries
        tries += 1
        body = b'data: {"token": "To get "}\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    sut = drivers.make_sut("some/model:my_chat", KEYS)

    async def collect() -> list[Any]:
        return [c async for c in drivers.stream(sut, TextPrompt(text="Why?"), SUTOptions())]

    with pytest.raises(SUTError) as caught:
        _run(cut, collect)
    assert caught.value.kind is ErrorKind.truncated and tries == FAST.max_tries


def test_a_refused_key_fails_auth_and_the_note_is_kept(my_chat: types.ModuleType) -> None:
    sut = drivers.make_sut("some/model:my_chat", KEYS)

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "bad key"})

    with pytest.raises(SUTError) as caught:
        _run(refused, lambda: drivers.respond(sut, TextPrompt(text="Why?"), SUTOptions()))
    assert caught.value.kind is ErrorKind.auth

    def fine(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"text": "ok"})

    options = SUTOptions(temperature=0.5)
    answer = _run(fine, lambda: drivers.respond(sut, TextPrompt(text="Why?"), options))
    assert answer.text == "ok" and answer.notes == ["my-host takes no temperature: not sent"]


def test_the_model_list_goes_through_the_factorys_get_json(my_chat: types.ModuleType) -> None:
    seen: list[httpx.Request] = []
    asked: list[str] = []

    def models(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"models": [{"id": "some/model", "context": 8192}]})

    def limits(key: str) -> asyncio.Semaphore:
        asked.append(key)
        return asyncio.Semaphore(1)

    factory = my_chat.MyChatFactory(KEYS)
    rt = HttpRuntime(transport=httpx.MockTransport(models), limits=limits)

    async def main() -> Any:
        with use_runtime(rt):
            return await factory.list_models(listing_definition("my_chat"))

    (model,) = asyncio.run(main())
    assert model.id == "some/model" and model.context_length == 8192
    assert str(seen[0].url) == "https://api.my-host.example/v1/models"
    assert seen[0].headers["authorization"] == "Bearer k-test" and asked == ["my_chat"]
    assert seen[0].method == "GET" and not seen[0].content
