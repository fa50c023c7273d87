"""The shared client's two backends (aiohttp pool by default, httpx's own on request)."""

from __future__ import annotations

import pytest

from drivers import SUTOptions, TextPrompt, http_client, make_sut, respond, transport


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_both_backends_answer(
    backend: str, provider_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_client, "HTTP_BACKEND", backend)
    base = provider_server.url + "/openai/v1"  # type: ignore[attr-defined]
    sut = make_sut(f"gpt-4o:openai;url={base}", {"openai": {"api_key": "sk-test-openai-0001"}})
    response = await respond(sut, TextPrompt(text="hello"), SUTOptions())
    assert response.text


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


async def test_the_runner_reports_each_retry(
    provider_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 then a success: the column sees Retrying (attempt 1, its wait, the error)."""
    from drivers.errors import ErrorKind
    from drivers.runner import FanOut, Finished, Retrying, RunTarget

    monkeypatch.setattr(
        transport, "DEFAULT_RETRY", transport.RetryPolicy(base_delay=0.01, max_delay=0.02)
    )
    provider_server.queue_fault("500")  # type: ignore[attr-defined]
    base = provider_server.url + "/openai/v1"  # type: ignore[attr-defined]
    sut = make_sut(f"gpt-4o:openai;url={base}", {"openai": {"api_key": "sk-test-openai-0001"}})
    events = [e async for e in FanOut([RunTarget("a", sut)], TextPrompt(text="hi")).events()]
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1
    assert retries[0].attempt == 1 and 0 < retries[0].wait_s <= 0.02
    assert retries[0].error.kind is ErrorKind.server and retries[0].error.status == 500
    assert isinstance(events[-1], Finished)
