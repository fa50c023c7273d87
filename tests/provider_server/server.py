"""The provider server: an aiohttp.web app on 127.0.0.1 in its own thread (see __init__.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

KEYS: dict[str, str | None] = {
    "openai": "sk-test-openai-0001",
    "together": "tg-test-together-0002",
    "mistral": "ms-test-mistral-0003",
    "nim": "nvapi-test-nim-0004",
    "hf-router": "hf_test_token_0005",
    "tgi": "hf_test_token_0005",
    "vllm": "ms-test-vllm-0006",
    "local": None,
    "anthropic": "sk-ant-test-0007",
    "google": "AIza-test-google-0008",
    "ollama": None,
}
"""The key each provider accepts (None: no auth, like a local server)."""

SLOW_FIRST = 0.8
STALL = 5.0
CHAT_FLAVOURS = ("openai", "together", "mistral", "nim", "hf-router", "tgi", "vllm", "local")
OPENAI_ROLES = {"system", "user", "assistant", "developer", "tool"}
MISTRAL_FIELDS = {
    "model",
    "messages",
    "temperature",
    "top_p",
    "max_tokens",
    "stream",
    "stop",
    "random_seed",
    "response_format",
    "tools",
    "tool_choice",
    "presence_penalty",
    "frequency_penalty",
    "n",
    "safe_prompt",
    "prediction",
    "parallel_tool_calls",
}
_FAULT_RE = re.compile(r"fault-([a-z0-9]+(?:-[a-z0-9]+)*)")


@dataclass
class Recorded:
    flavour: str
    path: str
    headers: CIMultiDict[str]
    """Case-insensitive, as HTTP header names are."""
    body: Any


class Fault(Exception):
    """Raised inside a handler to answer with an error."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.headers = headers or {}
        self.extra = extra or {}


@dataclass
class State:
    requests: list[Recorded] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    queued: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    """The most provider requests answered at once since the last reset."""
    lock: threading.Lock = field(default_factory=threading.Lock)


# ----- answers ------------------------------------------------------------------------------------


def answer_tokens(last_user: str, max_tokens: int | None) -> tuple[list[str], bool]:
    words = f"Echo: {last_user}".split(" ")
    tokens = [w if i == 0 else " " + w for i, w in enumerate(words)]
    if max_tokens is not None and len(tokens) > max_tokens:
        return tokens[:max_tokens], True
    return tokens, False


def count_words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def error_body(flavour: str, status: int, message: str, kind: str) -> dict[str, Any]:
    if flavour == "anthropic":
        types = {
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            500: "api_error",
            529: "overloaded_error",
            503: "overloaded_error",
        }
        return {
            "type": "error",
            "error": {
                "type": kind or types.get(status, "invalid_request_error"),
                "message": message,
            },
            "request_id": "req_test",
        }
    if flavour == "google":
        statuses = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL",
            503: "UNAVAILABLE",
        }
        return {
            "error": {
                "code": status,
                "message": message,
                "status": kind or statuses.get(status, "UNKNOWN"),
            }
        }
    if flavour in ("tgi", "hf-router"):
        error_type = kind or {
            422: "validation",
            424: "generation",
            500: "incomplete_generation",
        }.get(status)
        return {"error": message, **({"error_type": error_type} if error_type else {})}
    if flavour == "ollama":
        return {"error": message}
    if flavour == "mistral":
        return {
            "object": "error",
            "message": message,
            "type": kind or "invalid_request_error",
            "param": None,
            "code": None,
        }
    if flavour == "nim":
        return {"status": status, "title": kind or "Error", "detail": message}
    return {
        "error": {
            "message": message,
            "type": kind or "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


def auth_fault(flavour: str) -> Fault:
    if flavour == "google":
        fault = Fault(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
        fault.extra = {
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ]
        }
        return fault
    messages = {
        "openai": (
            "Incorrect API key provided. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        ),
        "together": (
            "Invalid API key provided. You can find your API key at "
            "https://api.together.xyz/settings/api-keys."
        ),
        "anthropic": "invalid x-api-key",
        "hf-router": "Invalid credentials in Authorization header",
        "tgi": "Invalid credentials in Authorization header",
        "mistral": "Unauthorized",
        "nim": "Authentication failed",
        "vllm": "Unauthorized",
    }
    kind = {
        "openai": "invalid_request_error",
        "together": "invalid_request_error",
        "nim": "Unauthorized",
    }.get(flavour, "")
    return Fault(401, messages.get(flavour, "Unauthorized"), kind)


def rate_limit_message(flavour: str) -> tuple[str, str]:
    """(message, error type) of each provider's 429."""
    return {
        "together": (
            "You have reached the rate limit specific to this model. The maximum rate limit "
            "for this model is 60.0 queries per minute.",
            "dynamic_request_limited",
        ),
        "anthropic": (
            "Number of request tokens has exceeded your per-minute rate limit",
            "rate_limit_error",
        ),
        "google": (
            "Resource has been exhausted (e.g. check quota).",
            "RESOURCE_EXHAUSTED",
        ),
        "mistral": ("Requests rate limit exceeded", "rate_limited"),
        "tgi": (
            "Rate limit reached. You reached free usage limit (reset hourly). Please subscribe "
            "to a plan at https://huggingface.co/pricing to use the API at this rate",
            "",
        ),
        "hf-router": (
            "Rate limit reached. You reached free usage limit (reset hourly). Please subscribe "
            "to a plan at https://huggingface.co/pricing to use the API at this rate",
            "",
        ),
        "ollama": ("too many requests, please retry later", ""),
    }.get(
        flavour,
        (
            "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.",
            "requests",
        ),
    )


def ratelimit_headers(flavour: str, long: bool) -> dict[str, str]:
    """A 429's rate-limit headers with no Retry-After: Together's x-ratelimit-reset (seconds),
    else OpenAI's x-ratelimit-reset-{requests,tokens} (durations; requests exhausted)."""
    if flavour == "together":
        return {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "60" if long else "0.01",
        }
    return {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "6m0s" if long else "10ms",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "2s",
    }


def loading_fault(long: bool) -> Fault:
    """Hugging Face's 503 while a model loads (or an endpoint scales up from zero)."""
    return Fault(
        503,
        "Model test/model is currently loading",
        extra={"estimated_time": 20.0 if long else 0.01},
    )


def overloaded_fault(flavour: str, long: bool) -> Fault:
    """Each provider's own "busy" answer: HF/TGI 503 loading, Anthropic 529, others 503."""
    if flavour in ("tgi", "hf-router"):
        return loading_fault(long)
    if flavour == "anthropic":
        return Fault(529, "Overloaded", "overloaded_error")
    if flavour == "google":
        return Fault(503, "The model is overloaded. Please try again later.", "UNAVAILABLE")
    if flavour == "ollama":
        return Fault(503, "server busy, please try again.  maximum pending requests exceeded")
    return Fault(503, "The engine is currently overloaded, please try again later", "server_error")


TGI_LIMITS = {"stop": 4}


def tgi_validate(inputs: Any, params: dict[str, Any]) -> None:
    """TGI's router validation (validation/mod.rs), with its own messages."""

    def bad(message: str) -> Fault:
        return Fault(422, f"Input validation error: {message}", "validation")

    if not isinstance(inputs, str) or not inputs:
        raise bad("`inputs` cannot be empty")
    temperature = params.get("temperature")
    if temperature is not None and not float(temperature) > 0.0:
        raise bad("`temperature` must be strictly positive")
    top_p = params.get("top_p")
    if top_p is not None and not 0.0 < float(top_p) < 1.0:
        raise bad("`top_p` must be > 0.0 and < 1.0")
    top_k = params.get("top_k")
    if top_k is not None and not int(top_k) > 0:
        raise bad("`top_k` must be strictly positive")
    max_new = params.get("max_new_tokens")
    if max_new is not None and not int(max_new) > 0:
        raise bad("`max_new_tokens` must be strictly positive")
    stop = params.get("stop") or []
    if len(stop) > TGI_LIMITS["stop"]:
        raise bad(f"`stop` supports up to {TGI_LIMITS['stop']} stop sequences. Given: {len(stop)}")
    n = params.get("top_n_tokens")
    if n is not None and int(n) > 5:
        raise bad(f"`top_n_tokens` must be >= 0 and <= 5. Given: {n}")


# ----- the server ---------------------------------------------------------------------------------


class ProviderServer:
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
        app.router.add_post("/tgi/generate_stream", self._wrap("tgi", self.tgi_generate))
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
            try:
                self._check_auth(flavour, request)
                if not isinstance(body, dict):
                    raise Fault(400, "We could not parse the JSON body of your request.")
                model = self._model(flavour, request, body)
                fault = self._fault(flavour, model)
                streaming = self._streaming(flavour, request, body)
                if fault == "cut" and not streaming:
                    assert request.transport is not None
                    request.transport.close()
                    return web.Response()
                if fault == "stall" and not streaming:
                    return await self._stalled_body(request)
                await self._plain_fault(flavour, fault, streaming)
                return await handler(flavour, request, body, fault)
            except Fault as f:
                payload = error_body(flavour, f.status, f.message, f.kind)
                if f.extra and isinstance(payload.get("error"), dict):
                    payload["error"].update(f.extra)
                elif f.extra:
                    payload.update(f.extra)
                if f.status == 401 and flavour == "tgi":
                    return web.Response(status=401)  # TGI's --api-key answers with no body
                return web.json_response(payload, status=f.status, headers=f.headers)

        return handle

    def _check_auth(self, flavour: str, request: web.Request) -> None:
        expected = KEYS[flavour]
        if expected is None:
            return
        if flavour == "anthropic":
            given = request.headers.get("x-api-key")
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
                return self.state.queued.pop(0)
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
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        await self._write_stream(request, response, events, fault, error_event, malformed, error_at)
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
    ) -> None:
        if fault == "slow-first":
            await asyncio.sleep(SLOW_FIRST)
        for i, event in enumerate(events):
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
        await response.write_eof()

    # -- OpenAI-style chat --
    async def chat(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Fault(400, "'messages' must be a non-empty array")
        for m in messages:
            if not isinstance(m, dict) or m.get("role") not in OPENAI_ROLES:
                raise Fault(
                    400 if flavour != "tgi" else 422,
                    f"Invalid value for 'role': {m.get('role') if isinstance(m, dict) else m!r}",
                )
        if flavour == "mistral":
            extra = sorted(set(body) - MISTRAL_FIELDS)
            if extra:
                raise Fault(422, f"Extra inputs are not permitted: {', '.join(extra)}")
        if flavour == "tgi":
            top_p = body.get("top_p")
            if top_p is not None and not 0.0 < float(top_p) < 1.0:
                raise Fault(
                    422, "Input validation error: `top_p` must be > 0.0 and < 1.0", "validation"
                )
        if flavour == "openai" and "max_tokens" in body and "max_completion_tokens" in body:
            raise Fault(400, "max_tokens and max_completion_tokens cannot both be set")
        last_user = next(
            (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
        )
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        tokens, cut = answer_tokens(str(last_user), limit)
        stop = "eos" if flavour == "together" else "stop"
        reason = "length" if cut else stop
        usage = {
            "prompt_tokens": count_words([str(m.get("content", "")) for m in messages]),
            "completion_tokens": len(tokens),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        model = body.get("model")
        cid = "" if flavour == "tgi" else "chatcmpl-test"
        logprobs = None
        if body.get("logprobs"):
            if flavour == "together":
                logprobs = {"tokens": tokens, "token_logprobs": [-0.5] * len(tokens)}
            else:
                n = int(body.get("top_logprobs") or 0)
                logprobs = {
                    "content": [
                        {
                            "token": t,
                            "logprob": -0.5,
                            "top_logprobs": [
                                {"token": t, "logprob": -0.5},
                                *[
                                    {"token": f"alt{j}", "logprob": -2.0 - j}
                                    for j in range(max(0, n - 1))
                                ],
                            ],
                        }
                        for t in tokens
                    ]
                }
        if not body.get("stream"):
            if fault == "malformed":
                return web.Response(
                    text='{"id": "chatcmpl-test", "choices": [', content_type="application/json"
                )
            data: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion",
                "created": 1735689600,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "".join(tokens)},
                        "logprobs": logprobs,
                        "finish_reason": reason,
                    }
                ],
                "usage": usage,
            }
            if flavour == "together":
                data["prompt"] = []
            return web.json_response(data)
        sep = b"data:" if flavour == "tgi" else b"data: "

        def event(obj: Any) -> bytes:
            return sep + json.dumps(obj).encode() + b"\n\n"

        def chunk(
            delta: dict[str, Any], finish: str | None, use: Any = None, lp: Any = None
        ) -> bytes:
            return event(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": 1735689600,
                    "model": model,
                    "choices": [
                        {"index": 0, "delta": delta, "logprobs": lp, "finish_reason": finish}
                    ],
                    "usage": use,
                }
            )

        events = [chunk({"role": "assistant", "content": ""}, None)]
        for i, t in enumerate(tokens):
            delta = {"role": "assistant", "content": t} if flavour == "tgi" else {"content": t}
            lp = (
                {"content": logprobs["content"][i : i + 1]}
                if logprobs and "content" in logprobs
                else None
            )
            events.append(chunk(delta, None, lp=lp))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if flavour in ("together", "mistral"):  # usage comes with the finish reason
            events.append(chunk({}, reason, usage))
        else:
            events.append(chunk({}, reason))
            if include_usage:
                events.append(
                    event(
                        {
                            "id": cid,
                            "object": "chat.completion.chunk",
                            "model": model,
                            "choices": [],
                            "usage": usage,
                        }
                    )
                )
        events.append(sep + b"[DONE]\n\n")
        if flavour == "tgi":
            err = event(
                {
                    "error": {
                        "message": "Request failed during generation: out of memory",
                        "http_status_code": 422,
                    }
                }
            )
        else:
            err = event(
                {
                    "error": {
                        "message": "The server had an error while processing your request.",
                        "type": "server_error",
                    }
                }
            )
        return await self._sse(request, events, fault, err, sep + b'{"choices": [{"delta": \n\n')

    # -- TGI native /generate, /generate_stream --
    async def tgi_generate(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        params = body.get("parameters") or {}
        if not isinstance(params, dict):
            raise Fault(422, "Failed to deserialize the JSON body into the target type")
        inputs = body.get("inputs")
        tgi_validate(inputs, params)
        tokens, cut = answer_tokens(str(inputs), params.get("max_new_tokens"))
        stop = [s for s in params.get("stop") or [] if s]
        reason = "length" if cut else "eos_token"
        for i, t in enumerate(tokens):
            if t.strip() in stop:
                tokens, reason = tokens[: i + 1], "stop_sequence"
                break
        input_length = count_words([str(inputs)])
        generated = len(tokens) + (1 if reason == "eos_token" else 0)
        text = "".join(tokens)
        n = int(params.get("top_n_tokens") or 0)

        def token(i: int, t: str, special: bool = False) -> dict[str, Any]:
            return {"id": 1000 + i, "text": t, "logprob": -0.5, "special": special}

        def top(i: int, t: str) -> list[dict[str, Any]]:
            alts = [token(i, t)] + [
                {"id": 2000 + j, "text": f"alt{j}", "logprob": -2.0 - j, "special": False}
                for j in range(max(0, n - 1))
            ]
            return alts[:n]

        details: dict[str, Any] = {
            "finish_reason": reason,
            "generated_tokens": generated,
            "seed": params.get("seed"),
        }
        if request.path.endswith("/generate"):
            if fault == "malformed":
                return web.Response(text='{"generated_text": ', content_type="application/json")
            if not params.get("details"):
                return web.json_response({"generated_text": text})
            details["prefill"] = []
            details["tokens"] = [token(i, t) for i, t in enumerate(tokens)]
            if n:
                details["top_tokens"] = [top(i, t) for i, t in enumerate(tokens)]
            return web.json_response({"generated_text": text, "details": details})

        def event(obj: Any) -> bytes:
            return b"data:" + json.dumps(obj).encode() + b"\n\n"

        events: list[bytes] = []
        stream_tokens = [(t, False) for t in tokens]
        if reason == "eos_token":
            stream_tokens.append(("</s>", True))
        for i, (t, special) in enumerate(stream_tokens):
            last = i == len(stream_tokens) - 1
            item: dict[str, Any] = {
                "index": i + 1,
                "token": token(i, t, special),
                "generated_text": text if last else None,
                "details": (
                    {**details, "input_length": input_length}
                    if last and params.get("details")
                    else None
                ),
            }
            if n:
                item["top_tokens"] = top(i, t)
            events.append(event(item))
        err = event(
            {
                "error": "Request failed during generation: Server error: CUDA out of memory",
                "error_type": "generation",
            }
        )
        return await self._sse(request, events, fault, err, b'data:{"token": \n\n')

    # -- Anthropic --
    async def anthropic(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        if not isinstance(body.get("max_tokens"), int):
            raise Fault(400, "max_tokens: Field required", "invalid_request_error")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Fault(400, "messages: at least one message is required")
        for m in messages:
            if m.get("role") not in ("user", "assistant"):
                raise Fault(
                    400,
                    f'messages: Unexpected role "{m.get("role")}". Allowed roles '
                    'are "user" or "assistant". Use the top-level system parameter.',
                )
        last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        if isinstance(last_user, list):
            last_user = "".join(b.get("text", "") for b in last_user)
        tokens, cut = answer_tokens(str(last_user), body["max_tokens"])
        reason = "max_tokens" if cut else "end_turn"
        texts = [m["content"] if isinstance(m["content"], str) else "" for m in messages]
        prompt_tokens = count_words([*texts, str(body.get("system") or "")])
        model = body.get("model")
        if not body.get("stream"):
            if fault == "malformed":
                return web.Response(
                    text='{"type": "message", "content": [', content_type="application/json"
                )
            return web.json_response(
                {
                    "id": "msg_test",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": "".join(tokens)}],
                    "stop_reason": reason,
                    "stop_sequence": None,
                    "usage": {"input_tokens": prompt_tokens, "output_tokens": len(tokens)},
                }
            )

        def event(name: str, obj: Any) -> bytes:
            return f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode()

        events = [
            event(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_test",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": prompt_tokens, "output_tokens": 1},
                    },
                },
            ),
            event(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            event("ping", {"type": "ping"}),
        ]
        for t in tokens:
            events.append(
                event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": t},
                    },
                )
            )
        events += [
            event("content_block_stop", {"type": "content_block_stop", "index": 0}),
            event(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": None},
                    "usage": {"output_tokens": len(tokens)},
                },
            ),
            event("message_stop", {"type": "message_stop"}),
        ]
        err = event(
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        )
        return await self._sse(
            request, events, fault, err, b"event: content_block_delta\ndata: {not json\n\n", 5
        )

    # -- Google Gemini --
    async def google(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        target = request.match_info["target"]
        _, _, action = target.rpartition(":")
        if action not in ("generateContent", "streamGenerateContent"):
            raise Fault(404, f"Method {action} not found", "NOT_FOUND")
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            raise Fault(400, "* GenerateContentRequest.contents: contents is not specified")
        for c in contents:
            if c.get("role") not in ("user", "model"):
                raise Fault(400, f"Please use a valid role: user, model. Got {c.get('role')}")
        last_user = next(
            (
                "".join(p.get("text", "") for p in c.get("parts", []))
                for c in reversed(contents)
                if c.get("role") == "user"
            ),
            "",
        )
        config = body.get("generationConfig") or {}
        tokens, cut = answer_tokens(last_user, config.get("maxOutputTokens"))
        reason = "MAX_TOKENS" if cut else "STOP"
        texts = ["".join(p.get("text", "") for p in c.get("parts", [])) for c in contents]
        system = body.get("systemInstruction") or {}
        texts += [p.get("text", "") for p in system.get("parts", [])]
        usage = {
            "promptTokenCount": count_words(texts),
            "candidatesTokenCount": len(tokens),
            "totalTokenCount": count_words(texts) + len(tokens),
        }

        def response(parts: list[str], finish: str | None, with_usage: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {
                "content": {"parts": [{"text": p} for p in parts], "role": "model"},
                "index": 0,
            }
            if finish:
                candidate["finishReason"] = finish
            out: dict[str, Any] = {
                "candidates": [candidate],
                "modelVersion": target.rpartition(":")[0],
            }
            if with_usage:
                out["usageMetadata"] = usage
            return out

        if action == "generateContent":
            if fault == "malformed":
                return web.Response(text='{"candidates": [', content_type="application/json")
            return web.json_response(response(["".join(tokens)], reason, True))
        if request.query.get("alt") != "sse":
            raise Fault(400, "this test server streams only with ?alt=sse")
        events = [
            b"data: " + json.dumps(response([t], None, False)).encode() + b"\r\n\r\n"
            for t in tokens[:-1]
        ]
        events.append(
            b"data: " + json.dumps(response([tokens[-1]], reason, True)).encode() + b"\r\n\r\n"
        )
        events.insert(0, b": keep-alive\r\n\r\n")
        err = (
            b"data: "
            + json.dumps(
                {
                    "error": {
                        "code": 500,
                        "message": "An internal error has occurred.",
                        "status": "INTERNAL",
                    }
                }
            ).encode()
            + b"\r\n\r\n"
        )
        return await self._sse(request, events, fault, err, b'data: {"candidates": [\r\n\r\n')

    # -- ollama --
    async def ollama(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        model = str(body.get("model", ""))
        if model.startswith("missing"):
            raise Fault(404, f"model '{model}' not found, try pulling it first")
        messages = body.get("messages") or []
        last_user = next(
            (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
        )
        options = body.get("options") or {}
        tokens, cut = answer_tokens(str(last_user), options.get("num_predict"))
        reason = "length" if cut else "stop"
        prompt_count = count_words([str(m.get("content", "")) for m in messages])

        def line(content: str, done: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "model": model,
                "created_at": "2026-11-26T00:00:00Z",
                "message": {"role": "assistant", "content": content},
                "done": done,
            }
            if done:
                out.update(
                    {
                        "done_reason": reason,
                        "total_duration": 1000,
                        "prompt_eval_count": prompt_count,
                        "eval_count": len(tokens),
                    }
                )
            return out

        if body.get("stream") is False:
            if fault == "malformed":
                return web.Response(text='{"model": ', content_type="application/json")
            return web.json_response(line("".join(tokens), True))
        events = [json.dumps(line(t, False)).encode() + b"\n" for t in tokens]
        events.append(json.dumps(line("", True)).encode() + b"\n")
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        await self._write_stream(
            request,
            response,
            events,
            fault,
            b'{"error": "an error was encountered while running the model"}\n',
            b'{"model": "x", "message": \n',
        )
        return response
