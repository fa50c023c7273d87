"""The HTTP transport every network driver shares: the run's HttpRuntime, phase-labelled
timeouts, a small bounded retry. Every HTTP or network failure becomes a drivers.errors.SUTError
carrying the provider's own message (the reading of error bodies and rate-limit headers lives in
errors.py; streams in streams.py). Also importable as drivers.transport (the same module).

A request goes through the HttpRuntime current where it is made (`current_runtime()`): its
timeouts, its retry policy, how it is sent (its httpx transport, else the running loop's shared
client of its backend, client.py) and its cap per driver. A run or a test brings its own with
`use_runtime(rt)` (a context variable: the tasks it starts inherit it, a thread does not); with
none, the process default: DEFAULT_TIMEOUTS, DEFAULT_RETRY, client.HTTP_BACKEND, the shared
client and the process-wide caps (drivers/concurrency.py). A test injects responses the way
httpx intends: `HttpRuntime(transport=httpx.MockTransport(handler))`.

Drivers' SUTs derive from HttpSUT (sut.py), whose post_json / stream_sse / stream_ndjson pass
the runtime, the driver's cap and its headers; the functions here take them as arguments (a
`timeout` or `retry` given overrides the runtime's).

Timeouts have phases, named in the SUTError: `connect` (TCP/TLS), `first byte` (waiting for the
response headers, then for the first event of a stream), `read` (idle time between two chunks of
a body or two events of a stream) and `total` (a whole non-streamed call).

Retries (see RetryPolicy) cover 408, 409, 429, 5xx, connection failures and connect timeouts,
honour retry-after-ms / Retry-After (seconds or an HTTP date) / x-ratelimit-reset (seconds, a
duration such as OpenAI's "6m0s" or a reset timestamp) / Hugging Face's estimated_time, and never
retry 400/401/403/404/422 nor a stream that has already yielded an event. The `total` timeout
bounds a whole non-streamed call, retries and their waits included (and the opening of a stream).

Concurrency: each driver (the `limit_key` a driver passes) holds a slot of the runtime's
`limits(key)` while a call is in flight; by default that is drivers/concurrency.py's cap
(`concurrency_limit(key)` per event loop, DEFAULT_CONCURRENCY unless `set_concurrency_limit` or a
run's `run_limits` says otherwise). A stream holds its slot until it ends, a retry wait none;
within a fan-out's call (runner.FanOut), which holds its driver's slot from start to end
(`concurrency.hold`), the transport takes no second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx

from drivers.concurrency import DEFAULT_CONCURRENCY as DEFAULT_CONCURRENCY
from drivers.concurrency import concurrency_limit as concurrency_limit
from drivers.concurrency import driver_semaphore
from drivers.concurrency import set_concurrency_limit as set_concurrency_limit
from drivers.errors import ErrorKind, SUTError
from drivers.http import client
from drivers.http.client import USER_AGENT, Backend, Send, loop_client
from drivers.http.client import aclose_client as aclose_client
from drivers.http.client import get_client as get_client
from drivers.http.errors import ErrorBody as ErrorBody
from drivers.http.errors import _host, _json, _network_error, _timeout
from drivers.http.errors import error_from_response as error_from_response
from drivers.http.errors import error_in_stream as error_in_stream
from drivers.http.errors import parse_error_body as parse_error_body
from drivers.http.errors import parse_ratelimit_reset as parse_ratelimit_reset
from drivers.http.errors import parse_retry_after as parse_retry_after
from drivers.http.faults import protocol_fault
from drivers.progress import report_retry

T = TypeVar("T")


# ----- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeouts:
    """Seconds per phase; None means no limit for that phase."""

    connect: float | None = 10.0
    first_byte: float | None = 120.0
    read: float | None = 60.0
    write: float | None = 30.0
    pool: float | None = 30.0
    total: float | None = 600.0

    def for_httpx(self) -> httpx.Timeout:
        """httpx's own limits; first byte and idle are enforced around them, per phase."""
        reads = [v for v in (self.first_byte, self.read) if v is not None]
        read = max(reads) if len(reads) == 2 else None
        return httpx.Timeout(connect=self.connect, read=read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class RetryPolicy:
    """A small bounded retry. `max_retry_after` is the longest provider-asked wait we honour:
    a longer one is raised at once (its retry_after tells the caller when to come back)."""

    max_tries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({408, 409, 429}))

    def is_retryable(self, error: SUTError) -> bool:
        if error.should_retry is not None:  # the provider knows best (x-should-retry)
            return error.should_retry
        if error.status is not None:
            return error.status in self.retry_statuses or error.status >= 500
        if error.kind is ErrorKind.connection:
            return True
        return error.kind is ErrorKind.timeout and error.phase == "connect"

    def delay(self, error: SUTError, attempt: int) -> float | None:
        """Seconds to wait before try number `attempt + 1`, or None to give up."""
        if attempt >= self.max_tries or not self.is_retryable(error):
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return max(0.0, error.retry_after)
        return self._backoff(attempt)

    def restart_delay(self, error: SUTError, attempt: int) -> float | None:
        """Seconds to wait before starting a broken stream again (attempt `attempt + 1`), or
        None: a stream that broke (error.stream_broke) gets the same budget and backoff as a
        failed request; other errors were already retried where they happened."""
        if attempt >= self.max_tries or not error.stream_broke:
            return None
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)


DEFAULT_TIMEOUTS = Timeouts()
"""The process default runtime's timeouts. Replacing it still works (read at each call), for
code written before the runtime; a run or a test brings its own with `use_runtime`."""
DEFAULT_RETRY = RetryPolicy()
"""The process default runtime's retry policy (as DEFAULT_TIMEOUTS)."""


# ----- the runtime ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpRuntime:
    """What a run's HTTP requests go through. Make one from the current one with
    `dataclasses.replace(current_runtime(), ...)` and bring it in with `use_runtime`."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transport: httpx.AsyncBaseTransport | None = None
    """None: the running event loop's shared client of `backend` (client.py). Else every
    request is sent to it: e.g. httpx.MockTransport."""
    backend: Backend = field(default_factory=lambda: client.HTTP_BACKEND)
    """What carries the shared client's requests: "aiohttp" (default, unless
    SUTUI_HTTP_BACKEND=httpx) or "httpx" (its own pool); unused with a `transport`."""
    limits: Callable[[str], asyncio.Semaphore] = driver_semaphore
    """The semaphore a call of driver `key` holds while in flight (a stream: until it ends). The
    default is the process-wide table of drivers/concurrency.py (set_concurrency_limit)."""

    def send(self) -> Send:
        """How a request is sent (called in the running event loop)."""
        if self.transport is None:
            return loop_client(self.backend)[1]
        return self.transport.handle_async_request

    @asynccontextmanager
    async def slot(self, key: str | None) -> AsyncIterator[None]:
        """A place in driver `key`'s cap for a call (none needed without a key)."""
        if not key:
            yield
            return
        async with self.limits(key):
            yield


_runtime: contextvars.ContextVar[HttpRuntime | None] = contextvars.ContextVar(
    "sutui_http_runtime", default=None
)
_default: HttpRuntime | None = None


def default_runtime() -> HttpRuntime:
    """The process default: DEFAULT_TIMEOUTS, DEFAULT_RETRY and client.HTTP_BACKEND as they are
    now (code written before the runtime replaced them, which still works), the shared client,
    the process-wide caps."""
    global _default
    if _default is None or (
        _default.timeouts is not DEFAULT_TIMEOUTS
        or _default.retry is not DEFAULT_RETRY
        or _default.backend != client.HTTP_BACKEND
    ):
        _default = HttpRuntime(
            timeouts=DEFAULT_TIMEOUTS, retry=DEFAULT_RETRY, backend=client.HTTP_BACKEND
        )
    return _default


def current_runtime() -> HttpRuntime:
    """The runtime a request made here goes through: the one `use_runtime` brought, else the
    process default."""
    return _runtime.get() or default_runtime()


@contextlib.contextmanager
def use_runtime(runtime: HttpRuntime) -> Iterator[HttpRuntime]:
    """Requests made inside (and in the tasks started inside) go through `runtime`."""
    token = _runtime.set(runtime)
    try:
        yield runtime
    finally:
        _runtime.reset(token)


def with_overrides(
    runtime: HttpRuntime | None,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
) -> HttpRuntime:
    """`runtime` (None: the current one) with a call's own timeout and retry policy, if given."""
    rt = runtime or current_runtime()
    if timeout is None and retry is None:
        return rt
    return replace(
        rt,
        timeouts=rt.timeouts if timeout is None else _timeouts(timeout),
        retry=retry or rt.retry,
    )


@functools.cache
def _httpx_timeout(t: Timeouts) -> dict[str, float | None]:
    """The request extension httpx transports read, made once per Timeouts."""
    return t.for_httpx().as_dict()


def _timeouts(timeout: Timeouts | float | None) -> Timeouts:
    if timeout is None:
        return current_runtime().timeouts
    if isinstance(timeout, Timeouts):
        return timeout
    value = float(timeout)
    return Timeouts(
        connect=value, first_byte=value, read=value, write=value, pool=value, total=value
    )


# ----- retries ----------------------------------------------------------------------------------


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy | None = None) -> T:
    """Run `call`, retrying retryable SUTErrors as the policy says."""
    return await _retrying(call, policy, lambda: None)


async def _retrying(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None,
    deadline: Callable[[], float | None],
) -> T:
    """with_retries, giving up at once when the wait would pass `deadline()` (loop time)."""
    policy = policy or current_runtime().retry
    loop = asyncio.get_running_loop()
    attempt = 1
    while True:
        try:
            return await call()
        except SUTError as err:
            wait = policy.delay(err, attempt)
            if wait is None:
                raise
            end = deadline()
            if end is not None and loop.time() + wait >= end:
                raise
            report_retry(attempt, wait, err)
        await asyncio.sleep(wait)
        attempt += 1


class _Deadline:
    """The end of a call's `total` budget, fixed when its first attempt gets a slot."""

    def __init__(self, total: float | None):
        self.total = total
        self.at: float | None = None

    def start(self) -> float | None:
        if self.at is None and self.total is not None:
            self.at = asyncio.get_running_loop().time() + self.total
        return self.at

    def get(self) -> float | None:
        return self.at


# ----- requests ---------------------------------------------------------------------------------


async def _open(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    t: Timeouts,
    accept: str,
    send: Send,
    method: str = "POST",
) -> httpx.Response:
    """Send a POST with a JSON body (or a GET, without one) and return the response with its
    headers read and its body not yet read; an HTTP error status is raised as a SUTError."""
    limit = None if t.first_byte is None else (t.connect or 0.0) + t.first_byte
    content: bytes | None = None
    sent = {"User-Agent": USER_AGENT, "Accept": accept}
    if method != "GET":
        try:
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except ValueError as exc:  # NaN or infinity in the payload: not JSON
            raise SUTError(ErrorKind.validation, f"the request to {_host(url)}: {exc}") from None
        content = text.encode()
        sent["Content-Type"] = "application/json"
    try:
        request = httpx.Request(
            method,
            url,
            headers={**sent, **headers},
            content=content,
            extensions={"timeout": _httpx_timeout(t)},
        )
        async with asyncio.timeout(limit):
            response = await send(request)
    except TimeoutError:
        raise _timeout("first byte", _host(url)) from None
    except httpx.HTTPError as exc:
        raise _network_error(exc, "first byte", url) from None
    except Exception as exc:  # aiohttp's own error for a reply that is not HTTP, unmapped
        broken = protocol_fault(exc, _host(url))
        if broken is None:
            raise
        raise broken from None
    if response.status_code >= 400:
        try:
            body = await _read_body(response, t, url)
        except SUTError:
            body = b""
        finally:
            await response.aclose()
        raise error_from_response(response.status_code, response.headers, body)
    return response


async def _read_body(response: httpx.Response, t: Timeouts, url: str) -> bytes:
    try:
        async with asyncio.timeout(t.read):
            return await response.aread()
    except TimeoutError:
        raise _timeout("read", _host(url)) from None
    except httpx.HTTPError as exc:
        raise _network_error(exc, "read", url) from None


async def post_json(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    *,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
    limit_key: str | None = None,
    runtime: HttpRuntime | None = None,
) -> dict[str, Any]:
    """POST a JSON body and return the JSON object answered; every failure is a SUTError.
    `limit_key` (the driver name) counts the call against that driver's concurrency cap;
    `runtime` (None: the current one) is what it goes through."""
    data = await post_json_any(
        url, payload, headers, timeout=timeout, retry=retry, limit_key=limit_key, runtime=runtime
    )
    if not isinstance(data, dict):
        raise SUTError(
            ErrorKind.protocol,
            f"{_host(url)} answered a JSON {type(data).__name__}, not an object",
        )
    return data


async def post_json_any(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    *,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
    limit_key: str | None = None,
    runtime: HttpRuntime | None = None,
) -> Any:
    """post_json for APIs that may answer a JSON array (Hugging Face's [{"generated_text"}])."""
    rt = with_overrides(runtime, timeout, retry)
    return await _request_json("POST", url, payload, headers, rt, limit_key, _error_in_body)


def _error_in_body(data: Any) -> None:
    """A 200 that carries the provider's error (some servers do): that error, retried as such."""
    if isinstance(data, dict) and data.get("error") and not data.get("choices"):
        raise error_in_stream(data)


async def _request_json(
    method: str,
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    rt: HttpRuntime,
    limit_key: str | None,
    check: Callable[[Any], None] | None = None,
) -> Any:
    """One JSON call with the runtime's timeouts, retries and driver's concurrency cap; `check`
    raises on an answer that is an error (inside the retries)."""
    t = rt.timeouts
    deadline = _Deadline(t.total)

    async def once() -> Any:
        async with rt.slot(limit_key):
            try:
                async with asyncio.timeout_at(deadline.start()):
                    response = await _open(
                        url, payload, headers, t, "application/json", rt.send(), method
                    )
                    try:
                        body = await _read_body(response, t, url)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise _timeout("total", _host(url)) from None
        data = _json(body, url)
        if check is not None:
            check(data)
        return data

    return await _retrying(once, rt.retry, deadline.get)


def host_of(url: str) -> str:
    """The host a message names (never the whole URL: it may carry a key as a parameter)."""
    return _host(url)


_requests_seen: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "sutui_requests_seen", default=None
)


@contextlib.contextmanager
def requests_seen() -> Iterator[list[str]]:
    """The GETs of `get_json` made inside, as 'GET https://host/path' (no query: it may carry a
    key), for a caller that says what it asked (`sutui secrets test`)."""
    seen: list[str] = []
    token = _requests_seen.set(seen)
    try:
        yield seen
    finally:
        _requests_seen.reset(token)


def _note_request(method: str, url: str) -> None:
    seen = _requests_seen.get()
    if seen is not None:
        seen.append(f"{method} {url.partition('?')[0]}")


async def get_json(
    url: str,
    headers: Mapping[str, str],
    *,
    params: Mapping[str, str] | None = None,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
    limit_key: str | None = None,
    runtime: HttpRuntime | None = None,
) -> Any:
    """GET a JSON document (a model list): the same timeouts, retries, error classification
    and concurrency cap as a request for an answer."""
    _note_request("GET", url)
    if params:
        url = str(httpx.URL(url).copy_merge_params(dict(params)))
    rt = with_overrides(runtime, timeout, retry)
    return await _request_json("GET", url, None, headers, rt, limit_key)
