"""The shared client's two backends (aiohttp pool by default, httpx's own when the run's
HttpRuntime says so)."""

from __future__ import annotations

from typing import Literal

import pytest

from drivers import SUTOptions, TextPrompt, http_client, make_sut, respond, transport
from drivers.http.transport import HttpRuntime, use_runtime


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_both_backends_answer(
    backend: Literal["aiohttp", "httpx"], provider_server: object
) -> None:
    base = provider_server.url + "/openai/v1"  # type: ignore[attr-defined]
    sut = make_sut(f"gpt-4o:openai;url={base}", {"openai": {"api_key": "sk-test-openai-0001"}})
    with use_runtime(HttpRuntime(backend=backend)):
        response = await respond(sut, TextPrompt(text="hello"), SUTOptions())
    assert response.text


async def test_each_backend_has_its_own_client_in_a_loop_and_both_close() -> None:
    aiohttp_client = http_client.get_client("aiohttp")
    httpx_client = http_client.get_client("httpx")
    assert aiohttp_client is not httpx_client
    assert http_client.get_client("httpx") is httpx_client
    await http_client.aclose_client()
    assert aiohttp_client.is_closed and httpx_client.is_closed
    assert http_client.get_client("httpx") is not httpx_client  # a new one after closing


def test_proxy_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert http_client._proxy_configured() is False
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert http_client._proxy_configured() is True


async def test_the_runner_reports_each_retry(provider_server: object) -> None:
    """A 500 then a success: the column sees Retrying (attempt 1, its wait, the error)."""
    from drivers.errors import ErrorKind
    from drivers.runner import FanOut, Finished, Retrying, RunTarget

    provider_server.queue_fault("500")  # type: ignore[attr-defined]
    base = provider_server.url + "/openai/v1"  # type: ignore[attr-defined]
    sut = make_sut(f"gpt-4o:openai;url={base}", {"openai": {"api_key": "sk-test-openai-0001"}})
    fast = HttpRuntime(retry=transport.RetryPolicy(base_delay=0.01, max_delay=0.02))
    with use_runtime(fast):
        events = [e async for e in FanOut([RunTarget("a", sut)], TextPrompt(text="hi")).events()]
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1
    assert retries[0].attempt == 1 and 0 < retries[0].wait_s <= 0.02
    assert retries[0].error.kind is ErrorKind.server and retries[0].error.status == 500
    assert isinstance(events[-1], Finished)
