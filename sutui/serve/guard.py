"""Who may use the served app. A web page on any site can open a WebSocket to 127.0.0.1 (no
same-origin rule covers them), and a site whose name resolves to 127.0.0.1 (DNS rebinding)
is even same-origin with it: either would drive the app with the user's keys. So a WebSocket
whose Origin is not this server's page is refused, and on loopback a request naming any host
but a loopback one is refused too."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def loopback_name(host: str) -> bool:
    """`host` (from a Host header, port stripped) names this machine's loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(request: web.Request, *, loopback: bool) -> str | None:
    """Why `request` is refused, or None."""
    host = request.host
    if loopback and not loopback_name(urlsplit(f"//{host}").hostname or ""):
        return f"this server answers only to a loopback address, not {host!r}"
    origin = request.headers.get("Origin")
    if request.path == "/ws" and origin is not None and urlsplit(origin).netloc != host:
        return f"a page from {origin!r} may not open this app"
    return None


def guard(*, loopback: bool) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = refusal(request, loopback=loopback)
        if reason is not None:
            raise web.HTTPForbidden(text=f"sutui serve: {reason}.\n")
        return await handler(request)

    return middleware
