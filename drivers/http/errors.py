"""How HTTP and network failures become SUTErrors carrying the provider's own words.

Reads every provider's error body (OpenAI, TGI/HF, Anthropic, Google, and plain `message`/
`detail`/`title`), Retry-After / retry-after-ms / x-ratelimit-reset and HF's estimated_time, and
labels network failures with their phase. Pure functions: transport.py and streams.py call them,
private helpers included (one package: drivers/http/).
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from drivers.errors import ErrorKind, SUTError, from_status
from drivers.http.faults import protocol_fault, too_deep
from drivers.redaction import shorten

_ERROR_TYPES: dict[str, ErrorKind] = {
    # Anthropic's error.type values, TGI's error_type values, Google's status values.
    "authentication_error": ErrorKind.auth,
    "permission_error": ErrorKind.permission,
    "not_found_error": ErrorKind.not_found,
    "invalid_request_error": ErrorKind.validation,
    "request_too_large": ErrorKind.validation,
    "rate_limit_error": ErrorKind.rate_limited,
    "overloaded_error": ErrorKind.overloaded,
    "api_error": ErrorKind.server,
    "overloaded": ErrorKind.overloaded,
    "validation": ErrorKind.validation,
    "generation": ErrorKind.server,
    "incomplete_generation": ErrorKind.server,
    "UNAUTHENTICATED": ErrorKind.auth,
    "PERMISSION_DENIED": ErrorKind.permission,
    "NOT_FOUND": ErrorKind.not_found,
    "INVALID_ARGUMENT": ErrorKind.validation,
    "RESOURCE_EXHAUSTED": ErrorKind.rate_limited,
    "UNAVAILABLE": ErrorKind.overloaded,
    "INTERNAL": ErrorKind.server,
    "DEADLINE_EXCEEDED": ErrorKind.timeout,
}
_AUTH_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED"})
_MAX_MESSAGE = 500


@dataclass(frozen=True)
class ErrorBody:
    """What a provider's error body says, whatever its shape."""

    message: str | None = None
    type: str | None = None
    status: int | None = None
    """A status carried inside the body (TGI's http_status_code, Google's code)."""
    estimated_time: float | None = None
    auth: bool = False
    """Google answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID."""
    code: str | None = None
    """A word code (OpenAI's `model_not_found`, Together's `model_not_available`)."""


def parse_error_body(body: Any) -> ErrorBody:
    """Read OpenAI {"error":{"message","type","code"}}, TGI/HF {"error":"...","error_type"},
    Anthropic {"type":"error","error":{"type","message"}}, Google {"error":{"message","status",
    "code","details"}}, and the common {"message"}/{"detail"}/{"title"} shapes."""
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            body = json.loads(text)
        except RecursionError:
            return ErrorBody(message="an error body of JSON nested too deeply to read")
        except ValueError:
            text = " ".join(text.split())
            return ErrorBody(message=shorten(text, _MAX_MESSAGE) or None)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return ErrorBody(
            message=shorten(str(body), _MAX_MESSAGE) if body not in (None, "") else None
        )
    estimated = _number(body.get("estimated_time"))
    error = body.get("error")
    if isinstance(error, str):
        return ErrorBody(
            message=shorten(error, _MAX_MESSAGE),
            type=_text(body.get("error_type")),
            estimated_time=estimated,
        )
    if isinstance(error, dict):
        message = _text(error.get("message"))
        kind = _text(error.get("type")) or _text(error.get("status"))
        code = error.get("http_status_code", error.get("code"))
        reasons = {d.get("reason") for d in error.get("details") or [] if isinstance(d, dict)}
        status_word = _text(error.get("status"))
        if message and status_word and status_word not in message:
            message = f"{message} ({status_word})"
        return ErrorBody(
            message=shorten(message, _MAX_MESSAGE) if message else None,
            type=kind,
            status=code if isinstance(code, int) and 100 <= code < 600 else None,
            estimated_time=estimated or _number(error.get("estimated_time")),
            auth=bool(reasons & _AUTH_REASONS),
            code=_text(code),
        )
    detail = body.get("message") or body.get("detail") or body.get("title")
    if isinstance(detail, list):  # FastAPI/pydantic validation details
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    message = _text(detail)
    return ErrorBody(
        message=shorten(message, _MAX_MESSAGE) if message else None,
        type=_text(body.get("type")),
        estimated_time=estimated,
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


MAX_RETRY_AFTER = 86400.0
"""The longest wait a provider may ask for that is believed: a day. A larger (or infinite)
Retry-After is read as this, so a message says "retry after 86400s", never "infs"."""


def _seconds(value: float) -> float | None:
    if value != value:  # NaN: not a number of seconds
        return None
    return min(MAX_RETRY_AFTER, max(0.0, value))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from retry-after-ms, or Retry-After as seconds or an HTTP date (at
    most MAX_RETRY_AFTER)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return _seconds(float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return _seconds(float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return _seconds(when.timestamp() - (time.time() if now is None else now))


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_RESET_HEADERS = (
    ("x-ratelimit-reset", "x-ratelimit-remaining"),
    ("x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"),
    ("x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"),
)


def _reset_seconds(raw: str, now: float) -> float | None:
    """One x-ratelimit-reset value: seconds ("1", "0.5"), a duration ("6m0s", "20ms", "1h2m"),
    a Unix timestamp in seconds or milliseconds, an ISO 8601 timestamp or an HTTP date."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        pass
    else:
        if value >= 1e12:  # a Unix timestamp in milliseconds
            value = value / 1000.0 - now
        elif value >= 1e9:  # a Unix timestamp in seconds
            value = value - now
        return max(0.0, value)
    parts = _DURATION.findall(raw)
    if parts and "".join(n + u for n, u in parts) == raw:
        factor = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
        return sum(float(n) * factor[u] for n, u in parts)
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def parse_ratelimit_reset(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until the exhausted rate limit resets, from x-ratelimit-reset (Together: seconds)
    or x-ratelimit-reset-requests / -tokens (OpenAI: durations like "1s" or "6m0s"). When the
    matching x-ratelimit-remaining* says 0, only those limits count; else the longest wait."""
    now = time.time() if now is None else now
    exhausted: list[float] = []
    others: list[float] = []
    for reset_name, remaining_name in _RESET_HEADERS:
        raw = headers.get(reset_name)
        if raw is None:
            continue
        seconds = _reset_seconds(raw, now)
        if seconds is None:
            continue
        remaining = (headers.get(remaining_name) or "").strip()
        (exhausted if remaining in ("0", "0.0") else others).append(seconds)
    found = exhausted or others
    return _seconds(max(found)) if found else None


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> SUTError:
    """The SUTError for an HTTP error answer, with the provider's message and retry time, and
    whether the provider says to retry (`x-should-retry: true|false`, sent by OpenAI)."""
    error = _error_from_response(status, headers, body)
    flag = (headers.get("x-should-retry") or "").strip().lower()
    if flag in ("true", "false"):
        error.should_retry = flag == "true"
    return error


def _error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> SUTError:
    info = parse_error_body(body)
    retry_after = parse_retry_after(headers)
    if retry_after is None and status == 429:
        retry_after = parse_ratelimit_reset(headers)
    if retry_after is None and info.estimated_time is not None:
        retry_after = info.estimated_time
    message = info.message or ""
    if status == 400 and info.auth:
        return SUTError(
            ErrorKind.auth,
            "the provider rejected the credentials",
            status=status,
            provider_message=message or None,
        )
    if status == 503 and info.estimated_time is not None:
        return SUTError(
            ErrorKind.overloaded,
            "the model is loading",
            status=status,
            provider_message=message or None,
            retry_after=retry_after,
        )
    if status == 400 and names_a_missing_model(info):
        return SUTError(
            ErrorKind.not_found,
            "the model is not found or was retired",
            status=status,
            provider_message=message or None,
        )
    if status == 429 and info.type == "overloaded":
        return SUTError(
            ErrorKind.overloaded,
            "the model is overloaded",
            status=status,
            provider_message=message or None,
            retry_after=retry_after,
        )
    return from_status(status, message, retry_after)


_MISSING_MODEL_CODES = frozenset(
    {
        "model_not_found",
        "model_not_available",
        "invalid_model",
        "model_deprecated",
        "model_decommissioned",
    }
)
"""Error codes and types that say the model is unknown or gone (OpenAI, Together, Mistral)."""
_MISSING_MODEL_WORDS = re.compile(
    r"\bmodel\b[^.]{0,120}?\b(not found|does ?n[o']t exist|deprecated|decommissioned|retired"
    r"|no longer (available|supported)|not supported by any provider)"
    r"|\b(invalid|unknown) model\b",
    re.IGNORECASE,
)
"""How providers say it on a 400: "The model `x` has been decommissioned" (Groq), "Invalid model:
x" (Mistral), "The requested model 'x' is not supported by any provider you have enabled" (the
HF router). The word must follow "model" in the same sentence: "'max_tokens' is deprecated"
is a refused option, not a missing model."""


def names_a_missing_model(info: ErrorBody) -> bool:
    """Does this error body say the model asked for is unknown, deprecated or retired?"""
    if info.code in _MISSING_MODEL_CODES or info.type in _MISSING_MODEL_CODES:
        return True
    return bool(info.message and _MISSING_MODEL_WORDS.search(info.message))


def error_in_stream(payload: Any) -> SUTError:
    """The SUTError for an error event sent inside a stream."""
    info = parse_error_body(payload)
    message = info.message or "the provider reported an error"
    if info.status is not None and info.status >= 400:
        err = from_status(info.status, message)
        return SUTError(
            err.kind,
            f"{err.message}, inside the stream",
            status=info.status,
            provider_message=message,
        )
    kind = _ERROR_TYPES.get(info.type or "", ErrorKind.server)
    return SUTError(kind, "the provider sent an error inside the stream", provider_message=message)


HOST_NOT_FOUND = "the host name could not be resolved"
"""One wording for a DNS failure, whichever library met it: aiohttp's errno reads "Unknown
error -2" through os.strerror, httpx's "[Errno -2] Name or service not known". What to do is
the connection error's hint (drivers/errors.py), said once beside it."""


def _connect_reason(exc: BaseException, fallback: str) -> str:
    """Why a connection failed, the same words from aiohttp and httpx: the OS's words for the
    OSError at the root ("Connection refused"), HOST_NOT_FOUND for the resolver's."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return HOST_NOT_FOUND
        if isinstance(current, ssl.SSLError):  # its errno (1) would read "Operation not permitted"
            return _tls_reason(current)
        if isinstance(current, OSError) and current.errno and current.errno > 0:
            return os.strerror(current.errno)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return fallback


def _tls_reason(exc: ssl.SSLError) -> str:
    """A TLS handshake that failed, said as such, with what to check."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"its TLS certificate was not trusted ({exc.verify_message}): for a self-signed "
            "one, point SSL_CERT_FILE at its CA"
        )
    reason = exc.reason or exc.strerror or str(exc)
    if reason == "WRONG_VERSION_NUMBER":
        return "the TLS handshake failed (WRONG_VERSION_NUMBER): is it an http:// server?"
    return f"the TLS handshake failed ({reason})"


def network_error_message(exc: httpx.HTTPError, url: str) -> str:
    """What went wrong talking to `url`, in the words a SUT's failure uses (for callers
    outside a SUT call, such as `sutui secrets test`)."""
    return _network_error(exc, "connect", url).message


def _aiohttp_error(exc: httpx.HTTPError, phase: str, where: str) -> SUTError | None:
    """Classify from the aiohttp error behind an httpx-aiohttp one: that transport maps every
    aiohttp connection error (refused, disconnected) to httpx.ConnectTimeout, which is wrong."""
    cause = exc.__cause__
    if cause is None or not type(cause).__module__.startswith("aiohttp"):
        return None
    import aiohttp

    detail = str(cause) or type(cause).__name__
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return SUTError(ErrorKind.timeout, f"connecting to {where} took too long", phase="connect")
    if isinstance(cause, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError):
        return _timeout(phase, where)
    if isinstance(cause, aiohttp.ClientConnectorError):
        # aiohttp's own text names its ssl setting even for http:// ("ssl:default"): say why
        # the connection failed, in the OS's words ("Connection refused").
        dns = isinstance(cause, aiohttp.ClientConnectorDNSError)
        os_error = cause.os_error
        reason = HOST_NOT_FOUND if dns else _connect_reason(os_error, os_error.strerror or detail)
        return SUTError(ErrorKind.connection, f"could not connect to {where}: {reason}")
    if isinstance(
        cause, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError | aiohttp.ClientOSError
    ):
        return SUTError(
            ErrorKind.connection, f"the connection to {where} was cut: {detail}", phase=phase
        )
    return None


def _network_error(exc: httpx.HTTPError, phase: str, url: str) -> SUTError:
    where = _host(url)
    detail = str(exc) or type(exc).__name__
    from_aiohttp = _aiohttp_error(exc, phase, where)
    if from_aiohttp is not None:
        return from_aiohttp
    broken = protocol_fault(exc, where)  # not HTTP at all (a bad status line)
    if broken is not None:
        return broken
    if isinstance(exc, httpx.ConnectTimeout):
        return SUTError(ErrorKind.timeout, f"connecting to {where} took too long", phase="connect")
    if isinstance(exc, httpx.PoolTimeout):
        return SUTError(ErrorKind.timeout, "no free connection in the pool", phase="pool")
    if isinstance(exc, httpx.WriteTimeout):
        return SUTError(
            ErrorKind.timeout, f"sending the request to {where} took too long", phase="write"
        )
    if isinstance(exc, httpx.ReadTimeout):
        return _timeout(phase, where)
    if isinstance(exc, httpx.ConnectError):
        reason = _connect_reason(exc, detail)
        return SUTError(ErrorKind.connection, f"could not connect to {where}: {reason}")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return SUTError(
            ErrorKind.config,
            f"bad URL {url!r}: {detail}",
            hint="check the ;url= option of the UID.",
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return SUTError(
            ErrorKind.connection, f"the connection to {where} was cut: {detail}", phase=phase
        )
    if isinstance(exc, httpx.DecodingError):
        return SUTError(ErrorKind.protocol, f"{where} sent a body that cannot be decoded: {detail}")
    return SUTError(ErrorKind.connection, f"talking to {where} failed: {detail}", phase=phase)


def _timeout(phase: str, where: str) -> SUTError:
    what = {
        "first byte": f"{where} did not start answering in time",
        "read": f"{where} stalled: nothing arrived for too long",
        "idle": f"{where} stalled mid-stream: no event arrived for too long",
        "total": f"the call to {where} took too long in total",
    }.get(phase, f"{where} took too long")
    return SUTError(ErrorKind.timeout, what, phase=phase)


def _host(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "the provider"
    host = parsed.host or "the provider"
    return f"{host}:{parsed.port}" if parsed.port else host


def _json(text: bytes | str, url: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(_host(url)) from None
    except ValueError:
        # Redacted before it is cut, and quoted as JSON: never repr() of provider bytes.
        whole = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        sample = json.dumps(shorten(whole, 120), ensure_ascii=False)
        raise SUTError(ErrorKind.protocol, f"{_host(url)} sent malformed JSON: {sample}") from None
