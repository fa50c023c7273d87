"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test writes its history (and any other user data) to its own directory, and its
    caches (model lists a not_found looks up, batch answers) to another."""
    monkeypatch.setenv("SUTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def _no_secrets_from_other_tests() -> Iterator[None]:
    """Secrets loaded by one test are not masked in the next one's answers, and the values one
    kept for its session are gone for the next."""
    yield
    from drivers.known_secrets import forget_registration
    from drivers.redaction import forget_all
    from drivers.session_secrets import session_secrets

    session_secrets().clear()
    forget_all()
    forget_registration()


# ----- the loopback provider server (tests/provider_server) -----------------------------------


@pytest.fixture(scope="session")
def _provider_server_process() -> Iterator[object]:
    from provider_server import ProviderServer

    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture
def provider_server(_provider_server_process: object) -> Iterator[object]:
    """The provider server (really listening on 127.0.0.1), reset for this test."""
    _provider_server_process.reset()  # type: ignore[attr-defined]
    yield _provider_server_process


# ----- real Secret Service fixtures (tests/keyring_fixtures.py) ------------------------------

pytest_plugins = ["keyring_fixtures"]


# ----- a real llama.cpp server (tests/llm_peer.py) ------------------------------------------

pytest_plugins.append("llm_peer")


# ----- headless Chromium (tests/browser.py) -------------------------------------------------

pytest_plugins.append("browser")


# ----- the shared HTTP client is closed with each test's event loop ----------------------------


@pytest.fixture(autouse=True)
async def _close_shared_http_client() -> AsyncIterator[None]:
    """Each test's loop gets its own client (drivers.transport); close it before the loop ends,
    as the app and the CLI do, so aiohttp never warns about an unclosed session."""
    yield
    from drivers.transport import aclose_client

    await aclose_client()
