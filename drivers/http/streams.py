"""Streamed answers over the shared transport: server-sent events (OpenAI-style, Anthropic,
Google, TGI) and newline-delimited JSON (ollama). Opening a stream is retried like any request
(transport.py, whose internals this module shares), through the current HttpRuntime. The first
event must come within the `first byte` timeout and each next one within `read` (a stall
between events is a timeout of phase `idle`).

A stream is whole or it failed: each driver passes `is_end`, its protocol's end marker (OpenAI's
`[DONE]` or a finish_reason, Anthropic's message_stop, ...), and a stream that ends before it
(EOF, a cut connection, a broken chunked body) is a SUTError of kind `truncated`. A malformed
event stops the stream with kind `protocol`: it is never skipped. These failures, and an idle
timeout, are marked `stream_broke`: drivers/invoke.py retries the whole answer for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource, SSEError

from drivers.errors import ErrorKind, SUTError
from drivers.http.errors import _host, _json, _network_error, _timeout, error_in_stream
from drivers.http.transport import (
    HttpRuntime,
    RetryPolicy,
    Timeouts,
    _Deadline,
    _open,
    _read_body,
    _retrying,
    with_overrides,
)

T = TypeVar("T")


async def _open_stream(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    rt: HttpRuntime,
    limit_key: str | None,
    accept: str,
) -> tuple[httpx.Response, asyncio.Semaphore | None]:
    """Open a stream, with retries, within the total budget; the slot taken in the driver's
    concurrency cap (if any) is returned held, for the caller to release when the stream ends."""
    t = rt.timeouts
    deadline = _Deadline(t.total)

    async def once() -> tuple[httpx.Response, asyncio.Semaphore | None]:
        semaphore = rt.limits(limit_key) if limit_key else None
        if semaphore is not None:
            await semaphore.acquire()
        try:
            try:
                async with asyncio.timeout_at(deadline.start()):
                    response = await _open(url, payload, headers, t, accept, rt.send())
                    await _check_stream_type(response, t, url, accept)
            except TimeoutError:
                raise _timeout("total", _host(url)) from None
        except BaseException:
            if semaphore is not None:
                semaphore.release()
            raise
        return response, semaphore

    return await _retrying(once, rt.retry, deadline.get)


async def _next_with_timeout(
    iterator: AsyncIterator[T], limit: float | None, phase: str, url: str
) -> T:
    try:
        async with asyncio.timeout(limit):
            return await anext(iterator)
    except TimeoutError:
        error = _timeout(phase, _host(url))
        error.stream_broke = phase == "idle"
        raise error from None
    except httpx.HTTPError as exc:
        raise _cut(exc, url) from None


def _cut(exc: httpx.HTTPError, url: str) -> SUTError:
    """The connection broke while the stream was open: the answer is truncated."""
    cause = _network_error(exc, "idle", url)
    if cause.kind is ErrorKind.timeout:
        cause.stream_broke = True
        return cause
    return SUTError(
        ErrorKind.truncated,
        f"the stream from {_host(url)} was cut before the answer was complete: {cause.message}",
        phase="stream",
    )


def _ended_early(url: str) -> SUTError:
    return SUTError(
        ErrorKind.truncated,
        f"the stream from {_host(url)} ended before its end marker: the answer is incomplete",
        phase="stream",
    )


def _malformed(message: str) -> SUTError:
    return SUTError(ErrorKind.protocol, message, phase="stream", stream_broke=True)


def _ends(is_end: Callable[[dict[str, Any]], bool], item: dict[str, Any]) -> bool:
    """The driver's end check; an event it cannot read is a malformed one (restarted)."""
    try:
        return is_end(item)
    except SUTError as exc:
        exc.stream_broke = True
        raise


def _event_json(data: str, url: str) -> Any:
    try:
        return _json(data, url)
    except SUTError as exc:
        raise _malformed(exc.message) from None


async def _check_stream_type(response: httpx.Response, t: Timeouts, url: str, want: str) -> None:
    """A provider that answers a stream request with a plain JSON body (often an error)."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip()
    if not content_type or want in content_type:
        return
    if "json" in content_type and want == "text/event-stream":
        try:
            body = await _read_body(response, t, url)
        finally:
            await response.aclose()
        data = _json(body, url)
        if isinstance(data, dict) and data.get("error"):
            raise error_in_stream(data)
        if isinstance(data, dict):
            raise _PlainAnswer(data)
        raise SUTError(
            ErrorKind.protocol, f"{_host(url)} answered plain JSON to a streaming request"
        )


class _PlainAnswer(Exception):
    """A server that ignores `stream: true` answered the whole thing as one JSON object."""

    def __init__(self, data: dict[str, Any]):
        super().__init__("plain JSON answer")
        self.data = data


async def _timed(items: AsyncIterator[T], t: Timeouts, url: str) -> AsyncGenerator[T, None]:
    """A stream's items, the first within `first_byte` and each next within `read`; a timeout
    is a SUTError naming that phase."""
    first = True
    while True:
        limit, phase = (t.first_byte, "first byte") if first else (t.read, "idle")
        try:
            item = await _next_with_timeout(items, limit, phase, url)
        except StopAsyncIteration:
            return
        first = False
        yield item


async def stream_sse(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    *,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
    limit_key: str | None = None,
    runtime: HttpRuntime | None = None,
    plain_json_ok: bool = False,
    is_end: Callable[[dict[str, Any]], bool] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """POST and yield each server-sent event's JSON data (with `"event"` added when the event
    has a name, e.g. Anthropic's). Handles `data:` with or without a space, `[DONE]` or none,
    and raises a SUTError for an error event (Anthropic `event: error`, or a JSON `error` key).
    Opening the stream is retried here; a stream that breaks after it opened is raised
    (`stream_broke`), and drivers/invoke.py starts the whole answer again.

    Some OpenAI-compatible servers ignore `stream: true` and answer one JSON object: with
    `plain_json_ok` it is yielded as the only event (the caller reads a whole answer from it);
    without, it is a protocol error.

    `is_end` tells the protocol's end marker (`[DONE]` always is one): a stream that ends
    before it raises `truncated`. Without it, the end of the body is taken as the end (for
    drivers written before the check existed). `runtime` (None: the current one) is what the
    stream goes through; a `timeout` or `retry` given overrides its own."""
    rt = with_overrides(runtime, timeout, retry)
    t = rt.timeouts
    try:
        response, slot = await _open_stream(
            url, payload, headers, rt, limit_key, "text/event-stream"
        )
    except _PlainAnswer as plain:
        if not plain_json_ok:
            raise SUTError(
                ErrorKind.protocol, f"{_host(url)} answered plain JSON to a streaming request"
            ) from None
        yield plain.data
        return
    events = EventSource(response).aiter_sse()
    ended = is_end is None
    try:
        async with aclosing(_timed(events, t, url)) as timed:
            try:
                async for sse in timed:
                    data = sse.data.strip()
                    if not data:
                        continue
                    if data == "[DONE]":
                        return
                    item = _event_json(data, url)
                    if sse.event == "error" or (isinstance(item, dict) and item.get("error")):
                        raise error_in_stream(item)
                    if not isinstance(item, dict):
                        raise _malformed(f"{_host(url)} sent an event that is not a JSON object")
                    if sse.event != "message" and "event" not in item:
                        item["event"] = sse.event
                    if not ended and is_end is not None and _ends(is_end, item):
                        ended = True
                    yield item
            except SSEError as exc:
                raise _malformed(f"{_host(url)}: {exc}") from None
        if not ended:
            raise _ended_early(url)
    finally:
        try:
            await events.aclose()
            await response.aclose()
        finally:
            if slot is not None:
                slot.release()


async def stream_ndjson(
    url: str,
    payload: Any,
    headers: Mapping[str, str],
    *,
    timeout: Timeouts | float | None = None,
    retry: RetryPolicy | None = None,
    limit_key: str | None = None,
    runtime: HttpRuntime | None = None,
    is_end: Callable[[dict[str, Any]], bool] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """POST and yield each JSON object of a newline-delimited JSON stream (ollama); a line
    holding {"error": ...} is raised as a SUTError; `is_end` and `runtime` as for stream_sse."""
    rt = with_overrides(runtime, timeout, retry)
    t = rt.timeouts
    response, slot = await _open_stream(
        url, payload, headers, rt, limit_key, "application/x-ndjson"
    )
    ended = is_end is None
    try:
        async with aclosing(_timed(response.aiter_lines(), t, url)) as lines:
            async for line in lines:
                if not line.strip():
                    continue
                item = _event_json(line, url)
                if not isinstance(item, dict):
                    raise _malformed(f"{_host(url)} sent a line that is not a JSON object")
                if item.get("error"):
                    raise error_in_stream(item)
                if not ended and is_end is not None and _ends(is_end, item):
                    ended = True
                yield item
        if not ended:
            raise _ended_early(url)
    finally:
        try:
            await response.aclose()
        finally:
            if slot is not None:
                slot.release()
