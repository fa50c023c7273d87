"""The provider server: an aiohttp.web app on 127.0.0.1 in its own thread (see __init__.py).
The wire formats are in wire_chat.py and wire_other.py; errors in faults.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from . import broken_http
from .echo import ECHOED, Echo, Echoed, received_key
from .faults import (
    auth_fault,
    error_body,
    loading_fault,
    model_not_found,
    overloaded_fault,
    rate_limit_message,
    ratelimit_headers,
)
from .model import (
    _FAULT_RE,
    CHAT_FLAVOURS,
    KEYS,
    RETIRED,
    SLOW_FIRST,
    STALL,
    Fault,
    Recorded,
    State,
)
from .wire_chat import ChatWire
from .wire_lists import ListWires
from .wire_other import OtherWires

# ----- the server ---------------------------------------------------------------------------------


class ProviderServer(ChatWire, OtherWires, ListWires):
    def __init__(self) -> None:
        self.state = State()
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._fault_sockets: list[socket.socket] = []
        self.refused_url = ""
        """http://127.0.0.1:PORT where nothing listens (a bound, never listening socket keeps the
        port from being reused): connecting is refused at once."""
        self.connect_timeout_url = ""
        """http://127.0.0.1:PORT whose listen queue (backlog 0) is already full and never
        accepted: the kernel drops new SYNs, so connecting hangs until the client's connect
        timeout. Loopback only."""

    # -- lifecycle --
    def start(self) -> ProviderServer:
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="provider-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the provider server did not start")
        self._open_fault_sockets()
        return self

    def _open_fault_sockets(self) -> None:
        closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        closed.bind(("127.0.0.1", 0))
        self.refused_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        full = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        self._fault_sockets = [closed, full]
        for _ in range(3):  # fill the accept queue; nothing ever accepts
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # the handshake completes anyway
                filler.connect(("127.0.0.1", port))
            self._fault_sockets.append(filler)
        time.sleep(0.05)
        self.connect_timeout_url = f"http://127.0.0.1:{port}"

    async def _start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self._runner = web.AppRunner(
            self.app(), handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{port}"

    async def _cleanup(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None
        for sock in self._fault_sockets:
            sock.close()
        self._fault_sockets = []

    # -- test helpers --
    def reset(self) -> None:
        with self.state.lock:
            self.state.requests.clear()
            self.state.counts.clear()
            self.state.queued.clear()
            self.state.max_in_flight = self.state.in_flight
            self.state.echo = None

    def echo_key(self, echo: Echo | None) -> None:
        """Answer every request by echoing its key as `echo` says (provider_server/echo.py);
        None (or `reset()`) turns it off."""
        with self.state.lock:
            self.state.echo = echo

    def queue_fault(self, name: str, times: int = 1) -> None:
        with self.state.lock:
            self.state.queued.extend([name] * times)

    @property
    def max_in_flight(self) -> int:
        with self.state.lock:
            return self.state.max_in_flight

    @property
    def requests(self) -> list[Recorded]:
        with self.state.lock:
            return list(self.state.requests)

    def last(self) -> Recorded:
        return self.requests[-1]

    # -- the app --
    def app(self) -> web.Application:
        app = web.Application()
        for flavour in CHAT_FLAVOURS:
            app.router.add_post(f"/{flavour}/v1/chat/completions", self._wrap(flavour, self.chat))
        app.router.add_post("/v1/chat/completions", self._wrap("openai", self.chat))
        app.router.add_post("/anthropic/v1/messages", self._wrap("anthropic", self.anthropic))
        app.router.add_post("/google/v1beta/models/{target:.+}", self._wrap("google", self.google))
        app.router.add_post("/ollama/api/chat", self._wrap("ollama", self.ollama))
        app.router.add_post("/tgi/generate", self._wrap("tgi", self.tgi_generate))
        # TGI's root route: /generate or /generate_stream, as the body's `stream` says (what
        # huggingface_hub's InferenceClient posts to when given an endpoint's URL).
        app.router.add_post("/tgi", self._wrap("tgi", self.tgi_generate))
        app.router.add_post("/tgi/generate_stream", self._wrap("tgi", self.tgi_generate))
        self.list_routes(app)
        app.router.add_post("/_control/fault", self.control_fault)
        app.router.add_post("/_control/reset", self.control_reset)
        return app

    async def control_fault(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.queue_fault(str(data["fault"]), int(data.get("times", 1)))
        return web.json_response({"queued": data["fault"]})

    async def control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"reset": True})

    def _wrap(
        self,
        flavour: str,
        handler: Callable[[str, web.Request, Any, str | None], Awaitable[web.StreamResponse]],
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            with self.state.lock:
                self.state.in_flight += 1
                self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
            try:
                return await answer(request)
            finally:
                with self.state.lock:
                    self.state.in_flight -= 1

        async def answer(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with self.state.lock:
                self.state.requests.append(
                    Recorded(flavour, request.path_qs, CIMultiDict(request.headers), body)
                )
            echo = self.state.echo
            try:
                if echo is None:
                    self._check_auth(flavour, request)
                if not isinstance(body, dict):
                    raise Fault(400, "We could not parse the JSON body of your request.")
                streaming = self._streaming(flavour, request, body)
                if echo is not None:
                    return await self._echo(echo, flavour, request, body, streaming, handler)
                model = self._model(flavour, request, body)
                fault = self._fault(flavour, model)
                if fault in broken_http.NAMES:
                    return await broken_http.answer(fault, flavour, request, streaming)
                if fault == "cut" and not streaming:
                    assert request.transport is not None
                    request.transport.close()
                    return web.Response()
                if fault == "stall" and not streaming:
                    return await self._stalled_body(request)
                await self._plain_fault(flavour, fault, streaming)
                if fault is None and RETIRED in model and flavour != "tgi":  # TGI: one model
                    raise model_not_found(flavour, model)
                return await handler(flavour, request, body, fault)
            except Fault as f:
                return self._error_response(flavour, f)

        return handle

    def _error_response(self, flavour: str, f: Fault) -> web.Response:
        """The provider's own error answer for `f`."""
        payload = error_body(flavour, f.status, f.message, f.kind)
        if f.extra and isinstance(payload.get("error"), dict):
            payload["error"].update(f.extra)
        elif f.extra:
            payload.update(f.extra)
        if f.status == 401 and flavour == "tgi":
            return web.Response(status=401)  # TGI's --api-key answers with no body
        return web.json_response(payload, status=f.status, headers=f.headers)

    async def _echo(
        self,
        echo: Echo,
        flavour: str,
        request: web.Request,
        body: dict[str, Any],
        streaming: bool,
        handler: Callable[[str, web.Request, Any, str | None], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        echoed = Echoed(echo, received_key(request.headers) or echo.key or "")
        early = echoed.before_answer(flavour, streaming)
        if early is not None:
            return early
        token = ECHOED.set(echoed)  # read by answer_tokens and _write_stream
        try:
            response = await handler(flavour, request, body, echoed.fault(streaming))
        finally:
            ECHOED.reset(token)
        return echoed.after_answer(response)

    def _check_auth(self, flavour: str, request: web.Request) -> None:
        expected = KEYS[flavour]
        if expected is None:
            return
        if flavour == "anthropic":  # x-api-key, or a Bearer key (the SDK's since 2026)
            auth = request.headers.get("Authorization", "")
            given = request.headers.get("x-api-key") or auth.removeprefix("Bearer ") or None
            if not request.headers.get("anthropic-version"):
                raise Fault(400, "anthropic-version: header is required")
        elif flavour == "google":
            given = request.headers.get("x-goog-api-key") or request.query.get("key")
            if not given:
                raise Fault(
                    403,
                    "Method doesn't allow unregistered callers (callers without "
                    "established identity). Please use API Key or other form of API "
                    "consumer identity to call this API.",
                    "PERMISSION_DENIED",
                )
        else:
            auth = request.headers.get("Authorization", "")
            given = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
        if given != expected:
            raise auth_fault(flavour)

    def _model(self, flavour: str, request: web.Request, body: dict[str, Any]) -> str:
        if flavour == "google":
            return request.match_info["target"].rpartition(":")[0]
        return str(body.get("model", ""))

    def _streaming(self, flavour: str, request: web.Request, body: dict[str, Any]) -> bool:
        if request.path.endswith("/generate_stream"):
            return True
        if request.path.endswith("/tgi"):
            return bool(body.get("stream"))
        if request.path.endswith("/generate"):
            return False
        if flavour == "google":
            return request.match_info["target"].endswith(":streamGenerateContent")
        if flavour == "ollama":
            return body.get("stream", True) is not False
        return bool(body.get("stream"))

    def _fault(self, flavour: str, model: str) -> str | None:
        with self.state.lock:
            if self.state.queued:
                queued = self.state.queued.pop(0)
                return None if queued == "none" else queued
            match = _FAULT_RE.search(model)
            if not match:
                return None
            name = match.group(1)
            key = (flavour, model)
            seen = self.state.counts.get(key, 0)
            self.state.counts[key] = seen + 1
        if name.endswith("-once") or name == "429-date":
            return name if seen == 0 else None
        return name

    async def _stalled_body(self, request: web.Request) -> web.StreamResponse:
        """A plain answer whose headers and first bytes arrive, then nothing for STALL s."""
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"id": "stalled", ')
        await asyncio.sleep(STALL)
        await response.write(b"}")
        await response.write_eof()
        return response

    async def _plain_fault(self, flavour: str, fault: str | None, streaming: bool) -> None:
        """Faults that answer before any generation (statuses, slow first byte)."""
        if fault is None:
            return
        if fault == "slow-first":
            if not streaming:  # a stream sends its headers, then waits (see _write_stream)
                await asyncio.sleep(SLOW_FIRST)
            return
        if fault in ("429", "429-once", "429-date"):
            retry_after = {
                "429": "7",
                "429-once": "0",
                "429-date": formatdate(time.time() - 1, usegmt=True),
            }[fault]
            message, kind = rate_limit_message(flavour)
            raise Fault(429, message, kind, {"Retry-After": retry_after})
        if fault in ("429-reset", "429-reset-once"):
            message, kind = rate_limit_message(flavour)
            raise Fault(429, message, kind, ratelimit_headers(flavour, fault == "429-reset"))
        if fault in ("loading", "loading-once"):
            raise loading_fault(fault == "loading")
        if fault in ("overloaded", "overloaded-once"):
            raise overloaded_fault(flavour, fault == "overloaded")
        if fault in ("401", "401-once"):
            if flavour == "google":
                raise Fault(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential.",
                    "UNAUTHENTICATED",
                )
            raise auth_fault(flavour)
        if fault == "500-no-retry":  # OpenAI's own verdict overrides the status
            raise Fault(500, "The server had an error", "server_error", {"x-should-retry": "false"})
        if fault == "409-retry-once":
            raise Fault(409, "Conflict: try again", "", {"x-should-retry": "true"})
        status = fault.removesuffix("-once")
        if status.isdigit():
            code = int(status)
            messages = {
                403: "You do not have access to this model",
                404: "The model does not exist or you do not have access to it",
                422: "Input validation error: the request is invalid",
                500: "The server had an error while processing your request",
                503: "The service is temporarily unavailable",
            }
            kind = "server_error" if code >= 500 and flavour not in ("tgi", "hf-router") else ""
            raise Fault(code, messages.get(code, f"error {code}"), kind)

    # -- streaming helpers --
    async def _sse(
        self,
        request: web.Request,
        events: list[bytes],
        fault: str | None,
        error_event: bytes,
        malformed: bytes,
        error_at: int = 3,
        tail: int = 1,
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        await self._write_stream(
            request, response, events, fault, error_event, malformed, error_at, tail
        )
        return response

    async def _write_stream(
        self,
        request: web.Request,
        response: web.StreamResponse,
        events: list[bytes],
        fault: str | None,
        error_event: bytes,
        malformed: bytes,
        error_at: int = 3,
        tail: int = 1,
    ) -> None:
        """Write the events, or break the stream as `fault` says. `tail` is how many of the
        last events make the protocol's end (finish reason, usage, [DONE], message_stop...):
        `truncate` leaves them out and ends the body cleanly, as a proxy that gives up does;
        `cut-mid-event` sends half of the third event and closes the connection."""
        echoed = ECHOED.get()
        close = False
        if echoed is not None:
            events, error_event, malformed, close = echoed.stream(events, error_event, malformed)
        if fault == "slow-first":
            await asyncio.sleep(SLOW_FIRST)
        if fault == "truncate":
            events = events[:-tail]
        for i, event in enumerate(events):
            if fault == "cut-mid-event" and i == 2:
                await response.write(event[: len(event) // 2])
                assert request.transport is not None
                request.transport.close()
                return
            if fault == "malformed" and i == 1:
                await response.write(malformed)
                break
            if fault == "midstream-error" and i == error_at:
                await response.write(error_event)
                break
            await response.write(event)
            if fault == "stall" and i == 1:
                await asyncio.sleep(STALL)
            if fault == "cut" and i == 1:
                assert request.transport is not None
                request.transport.close()
                return
        if close:  # echo mode's cut: the last event was cut inside the key
            assert request.transport is not None
            request.transport.close()
            return
        await response.write_eof()
