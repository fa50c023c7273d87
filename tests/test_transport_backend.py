"""The shared client's two backends (aiohttp pool by default, httpx's own on request)."""

from __future__ import annotations

import pytest

from drivers import SUTOptions, TextPrompt, make_sut, respond, transport


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_both_backends_answer(
    backend: str, provider_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "HTTP_BACKEND", backend)
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
    assert transport._proxy_configured() is False
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert transport._proxy_configured() is True
