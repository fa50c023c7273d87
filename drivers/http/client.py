"""The shared HTTP clients: one httpx.AsyncClient per running event loop and backend, over an
aiohttp connection pool by default (keep-alive, per-host limits), with certifi's CAs, and no
proxy lookups unless a proxy is configured. A request goes through the client of the backend its
HttpRuntime names (transport.py), unless the runtime brings its own httpx transport.
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import certifi
import httpx

USER_AGENT = "sutui-drivers/0.1"

LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=256, keepalive_expiry=30.0)
PER_HOST_CONNECTIONS = 256
"""Connections to one host at most; the per-driver concurrency cap usually binds first."""

Send = Callable[[httpx.Request], Awaitable[httpx.Response]]
Backend = Literal["aiohttp", "httpx"]
"""What carries a shared client's requests. 'aiohttp': httpx's API over an aiohttp connection
pool (the httpx-aiohttp transport). Measured by bench/transport.py on this kind of machine,
httpx's own pool costs about 4 ms of CPU per request and falls to about 0.15 of the ideal
throughput at 128 concurrent requests; over aiohttp it costs well under 1 ms. 'httpx' keeps
httpx's own pool (for comparison, or if aiohttp misbehaves somewhere)."""

HTTP_BACKEND: Backend = "httpx" if os.getenv("SUTUI_HTTP_BACKEND") == "httpx" else "aiohttp"
"""The backend of a runtime that names none (HttpRuntime.backend's default): aiohttp unless
SUTUI_HTTP_BACKEND=httpx. A run or a test that wants the other one says so in its runtime."""


# ----- TLS --------------------------------------------------------------------------------------


def _ssl() -> ssl.SSLContext:
    """The TLS context of a new client. Its CAs are certifi's (as httpx's default), or the file
    SSL_CERT_FILE names (when it is a file), as httpx does: how a self-signed endpoint is
    trusted. Read when a client is made, so a changed SSL_CERT_FILE reaches the next client."""
    named = os.environ.get("SSL_CERT_FILE", "")
    return _ssl_context(named if named and os.path.isfile(named) else certifi.where())


@functools.cache
def _ssl_context(cafile: str) -> ssl.SSLContext:
    """One TLS context per CA file: building one costs tens of milliseconds, and each event
    loop gets its own client."""
    return ssl.create_default_context(cafile=cafile)


def _proxy_configured() -> bool:
    import urllib.request

    return any(k in urllib.request.getproxies() for k in ("http", "https", "all"))


def _make_client(context: ssl.SSLContext, backend: Backend) -> tuple[httpx.AsyncClient, Send]:
    """A client, and how a request is sent. Over aiohttp, requests go straight to the client's
    transport: httpx.AsyncClient.send adds auth, redirect, cookie and event-hook layers we never
    use (no redirects are followed, no cookies kept), which cost about a fifth of the CPU per
    request at 128 in flight (bench/transport.py)."""
    common: dict[str, Any] = {
        "timeout": httpx.Timeout(30.0),  # each request carries its own (transport.Timeouts)
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
    }
    if backend == "httpx":
        client = httpx.AsyncClient(limits=LIMITS, verify=context, **common)

        async def send(request: httpx.Request) -> httpx.Response:
            return await client.send(request, stream=True)

        return client, send
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=LIMITS.max_connections or 0,
            limit_per_host=PER_HOST_CONNECTIONS,
            keepalive_timeout=LIMITS.keepalive_expiry or 30.0,
            ssl=context,
        )
        # trust_env makes aiohttp read the proxy settings on every request: that doubled the
        # CPU per request (bench/transport.py). Pay for it only when a proxy is configured.
        return aiohttp.ClientSession(connector=connector, trust_env=_proxy_configured())

    transport = AiohttpTransport(verify=context, client=session)
    return httpx.AsyncClient(transport=transport, **common), transport.handle_async_request


# ----- the shared clients -----------------------------------------------------------------------


class _LoopClients:
    """The shared clients, one per (event loop, backend): an httpx client is bound to the loop
    it was made in, and the app, the CLI and each test run their own loops (a thread's
    asyncio.run too). Made on first use; a closed loop's entries are dropped at the next use;
    `close_loop` closes the running loop's before it ends (or aiohttp warns)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[asyncio.AbstractEventLoop, str], tuple[httpx.AsyncClient, Send]]
        self._clients = {}
        self._lock = threading.Lock()

    def get(self, backend: Backend) -> tuple[httpx.AsyncClient, Send]:
        loop = asyncio.get_running_loop()
        with self._lock:
            for stale in [key for key in self._clients if key[0].is_closed()]:
                del self._clients[stale]
            found = self._clients.get((loop, backend))
            if found is None or found[0].is_closed:
                found = _make_client(_ssl(), backend)
                self._clients[(loop, backend)] = found
            return found

    async def close_loop(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            mine = [key for key in self._clients if key[0] is loop]
            found = [self._clients.pop(key)[0] for key in mine]
        for client in found:
            await client.aclose()


_shared = _LoopClients()


def loop_client(backend: Backend | None = None) -> tuple[httpx.AsyncClient, Send]:
    """The running loop's shared client of `backend` (None: HTTP_BACKEND) and its send."""
    return _shared.get(backend or HTTP_BACKEND)


def get_client(backend: Backend | None = None) -> httpx.AsyncClient:
    """The keep-alive client of the running event loop (an httpx client is bound to one loop)."""
    return loop_client(backend)[0]


async def aclose_client() -> None:
    """Close the running loop's clients (at the end of a loop's life, e.g. in tests or on exit)."""
    await _shared.close_loop()
