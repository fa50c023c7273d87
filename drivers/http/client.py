"""The shared HTTP client: one httpx.AsyncClient per running event loop, over an aiohttp
connection pool (keep-alive, per-host limits), with certifi's CAs, and no proxy lookups unless a
proxy is configured. transport.py sends every request through it, unless the run's HttpRuntime
brings its own httpx transport.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import certifi
import httpx

USER_AGENT = "sutui-drivers/0.1"

LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=256, keepalive_expiry=30.0)
PER_HOST_CONNECTIONS = 256
"""Connections to one host at most; the per-driver concurrency cap usually binds first."""


# ----- the shared client ------------------------------------------------------------------------

Send = Callable[[httpx.Request], Awaitable[httpx.Response]]
_clients: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, Send]] = {}
_clients_lock = threading.Lock()


_ssl_context: ssl.SSLContext | None = None


def _ssl() -> ssl.SSLContext:
    """One TLS context for every client: building one costs tens of milliseconds, and each
    event loop gets its own client. Its CAs are certifi's (as httpx's default), or the file
    SSL_CERT_FILE names (when it is a file), as httpx does: how a self-signed endpoint is
    trusted."""
    global _ssl_context
    if _ssl_context is None:
        named = os.environ.get("SSL_CERT_FILE", "")
        cafile = named if named and os.path.isfile(named) else certifi.where()
        _ssl_context = ssl.create_default_context(cafile=cafile)
    return _ssl_context


HTTP_BACKEND = os.environ.get("SUTUI_HTTP_BACKEND", "aiohttp")
"""What carries the shared httpx client's requests. 'aiohttp' (default): httpx's API over an
aiohttp connection pool (the httpx-aiohttp transport). Measured by bench/transport.py on this
kind of machine, httpx's own pool costs about 4 ms of CPU per request and falls to about 0.15
of the ideal throughput at 128 concurrent requests; over aiohttp it costs well under 1 ms.
'httpx' keeps httpx's own pool (for comparison, or if aiohttp misbehaves somewhere)."""


def _proxy_configured() -> bool:
    import urllib.request

    return any(k in urllib.request.getproxies() for k in ("http", "https", "all"))


def _make_client(context: ssl.SSLContext) -> tuple[httpx.AsyncClient, Send]:
    """The loop's client, and how a request is sent. Over aiohttp, requests go straight to the
    client's transport: httpx.AsyncClient.send adds auth, redirect, cookie and event-hook layers
    we never use (no redirects are followed, no cookies kept), which cost about a fifth of the
    CPU per request at 128 in flight (bench/transport.py)."""
    common: dict[str, Any] = {
        "timeout": httpx.Timeout(30.0),  # each request carries its own (transport.Timeouts)
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
    }
    if HTTP_BACKEND == "httpx":
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


def get_client() -> httpx.AsyncClient:
    """The keep-alive client of the running event loop (an httpx client is bound to one loop)."""
    return loop_client()[0]


def loop_client() -> tuple[httpx.AsyncClient, Send]:
    loop = asyncio.get_running_loop()
    with _clients_lock:
        for stale in [lp for lp in _clients if lp.is_closed()]:
            del _clients[stale]
        found = _clients.get(loop)
        if found is None or found[0].is_closed:
            found = _make_client(_ssl())
            _clients[loop] = found
        return found


async def aclose_client() -> None:
    """Close the running loop's client (at the end of a loop's life, e.g. in tests or on exit)."""
    loop = asyncio.get_running_loop()
    with _clients_lock:
        found = _clients.pop(loop, None)
    if found is not None:
        await found[0].aclose()
