"""Faults below the providers' formats: a reply that is not HTTP at all (`bad-status-line`, as a
server speaking another protocol on the port gives), and a 200 whose JSON nests 100,000 levels
deep (`deep-json`: the whole body, or a stream's first event)."""

from __future__ import annotations

from aiohttp import web

NAMES = frozenset({"bad-status-line", "deep-json"})
DEPTH = 100_000
NOT_HTTP = b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n"
"""A whole head (a blank line ends it) whose status line is not HTTP's."""


def deep_json() -> bytes:
    return b"[" * DEPTH + b"]" * DEPTH


async def answer(
    fault: str, flavour: str, request: web.Request, streaming: bool
) -> web.StreamResponse:
    assert request.transport is not None
    if fault == "bad-status-line":  # raw bytes on the socket, then close: no HTTP reply at all
        request.transport.write(NOT_HTTP)
        request.transport.close()
        return web.Response()
    if not streaming:
        return web.Response(body=deep_json(), content_type="application/json")
    ndjson = flavour == "ollama"
    response = web.StreamResponse(
        status=200,
        headers={"Content-Type": "application/x-ndjson" if ndjson else "text/event-stream"},
    )
    await response.prepare(request)
    await response.write(deep_json() + b"\n" if ndjson else b"data: " + deep_json() + b"\n\n")
    await response.write_eof()
    return response
