"""One browser tab, one app, each kept in a table so that stopping the server ends every app it
started. Replaces textual-serve's WebSocket handler (1.1.3), which leaves an app running after
a SIGTERM while a tab is connected (its web driver does not exit when its input closes); the
page's protocol (the `width`/`height` query, a 15 s heartbeat, AppService relaying the
terminal's bytes) is textual-serve's, through its public AppService and its pinned
`_process_messages`."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

STOP_WAIT = 5.0
"""Seconds an app has to quit when asked (it saves its settings) before it is killed."""


class Sessions:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.live: dict[AppService, web.WebSocketResponse] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """A tab connected: start its app, relay until either side closes, end the app."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)

        async def close() -> None:
            await websocket.close()

        service = AppService(
            self.server.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.server.download_manager,
            debug=self.server.debug,
        )
        self.live[service] = websocket
        try:
            await service.start(width, height)
            await self.server._process_messages(websocket, service)
        finally:
            del self.live[service]
            await asyncio.shield(end(service))
        return websocket

    async def close_all(self, _: web.Application) -> None:
        """The server is stopping (aiohttp's on_shutdown): close every tab; each handler then
        ends its app."""
        for websocket in list(self.live.values()):
            await websocket.close()


async def end(service: AppService) -> None:
    """Ask the app to quit and wait for it; kill it if it has not quit within STOP_WAIT."""
    process = service._process
    try:
        async with asyncio.timeout(STOP_WAIT):
            await service.stop()
            if process is not None:
                await process.wait()
    except TimeoutError:
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
