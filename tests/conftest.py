"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
