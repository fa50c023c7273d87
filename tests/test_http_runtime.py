"""The HTTP runtime a run carries (drivers/http/transport.py: HttpRuntime, use_runtime) and the
HttpSUT helpers over it, with responses injected the way httpx intends (httpx.MockTransport);
the wire formats themselves are tested against the loopback server (test_drivers_http.py)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from drivers.errors import ErrorKind, SUTError
from drivers.http import transport
from drivers.http.sut import HttpFactory, HttpSUT
from drivers.http.transport import HttpRuntime, RetryPolicy, Timeouts, use_runtime

FAST = RetryPolicy(max_tries=3, base_delay=0.001, max_delay=0.002)


def test_the_old_module_names_are_the_package_modules() -> None:
    import drivers.http_client
    import drivers.http_errors
    import drivers.protocol_faults
    import drivers.streams
    import drivers.transport
    from drivers.http import client, errors, faults, streams

    assert drivers.transport is transport
    assert drivers.streams is streams
    assert drivers.http_client is client
    assert drivers.http_errors is errors
    assert drivers.protocol_faults is faults


def test_the_default_runtime_reads_the_module_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code written before the runtime replaced the module defaults: that still works (the
    one test that sets them; the others bring a runtime)."""
    import drivers.transport as old_name

    timeouts = Timeouts(read=1.5)
    monkeypatch.setattr(old_name, "DEFAULT_TIMEOUTS", timeouts)
    monkeypatch.setattr(old_name, "DEFAULT_RETRY", FAST)
    rt = transport.current_runtime()
    assert rt.timeouts is timeouts and rt.retry is FAST and rt.transport is None
    assert rt.backend == transport.client.HTTP_BACKEND
    assert transport.current_runtime() is rt  # made once while the defaults stay


def test_use_runtime_reaches_the_tasks_started_inside_and_is_undone() -> None:
    mine = HttpRuntime(retry=FAST)

    async def main() -> list[HttpRuntime]:
        with use_runtime(mine):
            inside = await asyncio.create_task(_current())
        return [inside, transport.current_runtime()]

    inside, after = asyncio.run(main())
    assert inside is mine and after is not mine


async def _current() -> HttpRuntime:
    return transport.current_runtime()


class _Echo(HttpSUT):
    driver = "echo-driver"

    def headers(self) -> dict[str, str]:
        return {"Authorization": "Bearer k"}


def test_post_json_goes_through_an_injected_transport_with_the_suts_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, json={"error": "loading"})
        return httpx.Response(200, json={"echo": json.loads(request.content)})

    rt = HttpRuntime(retry=FAST, transport=httpx.MockTransport(handler))

    async def main() -> dict[str, Any]:
        with use_runtime(rt):
            return await _Echo().post_json("https://example.test/v1/x", {"q": "é"})

    assert asyncio.run(main()) == {"echo": {"q": "é"}}
    assert len(seen) == 2  # the 503 was retried with the runtime's policy
    assert seen[1].headers["authorization"] == "Bearer k"
    assert seen[1].headers["content-type"] == "application/json"


def test_a_suts_own_retry_policy_overrides_the_runtimes() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500, json={"error": "boom"})

    sut = _Echo()
    sut.retry = replace(FAST, max_tries=1)

    async def main() -> None:
        with use_runtime(HttpRuntime(retry=FAST, transport=httpx.MockTransport(handler))):
            await sut.post_json("https://example.test/v1/x", {})

    with pytest.raises(SUTError) as caught:
        asyncio.run(main())
    assert caught.value.kind is ErrorKind.server and calls == 1


def test_stream_sse_over_an_injected_transport_checks_the_end_marker() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = b'data: {"n": 1}\n\ndata: {"n": 2, "end": true}\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    cut = b'data: {"n": 1}\n\n'

    def cut_handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=cut)

    async def events(h: Any) -> list[dict[str, Any]]:
        with use_runtime(HttpRuntime(retry=FAST, transport=httpx.MockTransport(h))):
            stream = _Echo().stream_sse("https://example.test/s", {}, is_end=lambda e: "end" in e)
            return [e async for e in stream]

    assert asyncio.run(events(handler)) == [{"n": 1}, {"n": 2, "end": True}]
    with pytest.raises(SUTError) as caught:
        asyncio.run(events(cut_handler))
    assert caught.value.kind is ErrorKind.truncated


def test_the_runtimes_limits_give_each_drivers_cap() -> None:
    asked: list[str] = []
    in_flight = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={})

    async def main() -> None:
        one = asyncio.Semaphore(1)

        def limits(key: str) -> asyncio.Semaphore:
            asked.append(key)
            return one

        rt = HttpRuntime(transport=httpx.MockTransport(handler), limits=limits)
        with use_runtime(rt):
            calls = (_Echo().post_json("https://example.test/", {}) for _ in range(4))
            await asyncio.gather(*calls)

    asyncio.run(main())
    assert asked == ["echo-driver"] * 4 and most == 1


class _Lister(HttpFactory):
    """A factory's HTTP side (no DRIVER_NAME in this module: its cap key is the class name)."""


def test_a_factorys_get_json_takes_the_list_timeout_the_runtimes_retry_and_its_cap() -> None:
    seen: list[httpx.Request] = []
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(429, json={"error": "slow down"})
        return httpx.Response(200, json={"data": [{"id": "m"}]})

    def limits(key: str) -> asyncio.Semaphore:
        asked.append(key)
        return asyncio.Semaphore(1)

    rt = HttpRuntime(retry=FAST, transport=httpx.MockTransport(handler), limits=limits)

    async def main() -> Any:
        with use_runtime(rt):
            return await _Lister().get_json(
                "https://example.test/v1/models", {"k": "v"}, {"a": "1"}
            )

    assert asyncio.run(main()) == {"data": [{"id": "m"}]}
    assert len(seen) == 2 and asked == ["_Lister", "_Lister"]
    assert seen[1].method == "GET" and seen[1].url.params["a"] == "1"
    assert seen[1].headers["k"] == "v"
    assert seen[1].extensions["timeout"]["read"] == HttpFactory.LIST_TIMEOUT_S


def test_a_suts_get_json_sends_its_headers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"auth": request.headers["authorization"]})

    async def main() -> Any:
        with use_runtime(HttpRuntime(transport=httpx.MockTransport(handler))):
            return await _Echo().get_json("https://example.test/info")

    assert asyncio.run(main()) == {"auth": "Bearer k"}
