"""textual-serve's server, run for sutui: every browser session gets a fresh `python -m sutui`
(the interpreter running this, so the same install and the same settings), the page is ours
(templates/: nothing from the internet), the guard decides who may connect, and stopping
the server ends every app (sessions.py)."""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from sutui.serve.guard import guard
from sutui.serve.sessions import Sessions

TEMPLATES = Path(__file__).resolve().parent / "templates"


def app_command(secrets_file: Path | None) -> tuple[str, dict[str, str]]:
    """The shell command textual-serve runs per session, and what it must add to the
    environment. Settings travel in the environment the session inherits, never on the
    command line (another user of the machine can read a command line)."""
    command = f"exec {shlex.quote(sys.executable)} -m sutui"
    env = {"SUTUI_SECRETS_FILE": str(secrets_file.resolve())} if secrets_file else {}
    return command, env


class SutuiServer(Server):
    def __init__(self, command: str, *, loopback: bool) -> None:
        super().__init__(command, title="sutui", templates_path=TEMPLATES)
        self.loopback = loopback
        self.sessions = Sessions(self)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        return await self.sessions.handle(request)

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: `sutui serve` says itself where to go (textual-serve prints a logo)."""

    async def make_app(self) -> web.Application:
        app = await self._make_app()
        app.middlewares.append(guard(loopback=self.loopback))
        app.on_shutdown.append(self.sessions.close_all)
        return app

    def run(self, sock: socket.socket) -> None:
        """Serve on `sock` until SIGINT or SIGTERM."""
        web.run_app(self.make_app(), sock=sock, print=None, access_log=None, shutdown_timeout=5)


def serve(sock: socket.socket, *, loopback: bool, secrets_file: Path | None) -> None:
    command, env = app_command(secrets_file)
    os.environ.update(env)  # each session's app inherits it
    SutuiServer(command, loopback=loopback).run(sock)
