"""One error taxonomy for everything that can go wrong between a prompt and an answer.

Every caller (CLI, runner, app) sees a SUTError with a kind, the HTTP status and the
provider's own message, and can render it as one readable line.
"""

from __future__ import annotations

import asyncio
from enum import Enum

from drivers.redaction import redact, shorten
from drivers.unicode_repair import repaired
from drivers.visible_text import visible


class ErrorKind(str, Enum):
    auth = "auth"
    permission = "permission"
    not_found = "not_found"
    validation = "validation"
    rate_limited = "rate_limited"
    overloaded = "overloaded"
    timeout = "timeout"
    connection = "connection"
    server = "server"
    protocol = "protocol"
    truncated = "truncated"
    cancelled = "cancelled"
    config = "config"
    internal = "internal"


DEFAULT_HINTS: dict[ErrorKind, str] = {
    ErrorKind.auth: "the provider rejected the key: `sutui secrets list` shows where it comes "
    "from, `sutui secrets test SCOPE` checks it, `sutui secrets set SCOPE KEY` replaces it.",
    ErrorKind.permission: "the key works but may not use this model: check your plan or access.",
    ErrorKind.not_found: "check the model name and the base URL in the UID.",
    ErrorKind.validation: "the provider refused the request: check the options you sent.",
    ErrorKind.rate_limited: "wait, then retry; or lower the concurrency.",
    ErrorKind.overloaded: "the model is loading or busy: retry in a little while.",
    ErrorKind.timeout: "retry, or raise the timeout.",
    ErrorKind.connection: "check the URL, your network, and that the server is running.",
    ErrorKind.server: "the provider failed: retry later.",
    ErrorKind.protocol: "the provider answered in a form sutui did not expect.",
    ErrorKind.truncated: "the stream ended before the provider said the answer was complete: "
    "the text kept is partial; retry.",
    ErrorKind.cancelled: "",
    ErrorKind.config: "",
    ErrorKind.internal: "this is a bug in the driver: please report it.",
}


class SUTError(Exception):
    """A classified failure of one SUT call. The message never holds a secret."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        provider_message: str | None = None,
        retry_after: float | None = None,
        phase: str | None = None,
        hint: str | None = None,
        should_retry: bool | None = None,
        stream_broke: bool = False,
    ):
        self.kind = kind
        # Valid Unicode (a lone surrogate cannot be printed or stored) with control characters
        # shown (a message is read in a terminal: no provider bytes may drive it).
        self.message = visible(redact(repaired(message)))
        self.status = status
        self.provider_message = (
            visible(redact(repaired(provider_message))) if provider_message else None
        )
        self.retry_after = retry_after
        self.phase = phase
        self.hint = DEFAULT_HINTS[kind] if hint is None else hint
        self.should_retry = should_retry
        """The provider's own say (OpenAI's `x-should-retry` header); None when it said nothing."""
        self.stream_broke = stream_broke or kind is ErrorKind.truncated
        """An open stream broke (cut, ended early, a malformed event, an idle timeout): the
        answer is retried from scratch (drivers/invoke.py), whatever text had come."""
        super().__init__(self.one_line())

    def one_line(self) -> str:
        head = self.kind.value
        if self.phase:
            head += f" ({self.phase})"
        if self.status is not None:
            head += f" [HTTP {self.status}]"
        text = f"{head}: {self.message}"
        if self.provider_message and self.provider_message not in self.message:
            text += f" (provider says: {self.provider_message})"
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g}s"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "status": self.status,
            "provider_message": self.provider_message,
            "retry_after": self.retry_after,
            "phase": self.phase,
            "hint": self.hint,
        }


def classify(exc: BaseException) -> SUTError:
    """Map any exception raised by a driver to a SUTError; never raises itself.

    Drivers written from the modelgauge guide may use requests or urllib, so their HTTP and
    network errors are recognised too (by duck typing: neither library is imported here).
    """
    try:
        return _classify(exc)
    except Exception as inner:  # a classifier that fails would lose the event: never
        return SUTError(
            ErrorKind.internal,
            f"{type(exc).__name__}: {_safe_str(exc)} "
            f"(and classifying it failed: {type(inner).__name__})",
        )


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable>"


def _response_text(response: object) -> str:
    """The body of an error response, if it was read; a streamed one may not have been."""
    try:
        text = getattr(response, "text", "")
        return shorten(text, 500) if isinstance(text, str) else ""
    except Exception:  # e.g. httpx.ResponseNotRead on a streamed response
        return ""


def _classify(exc: BaseException) -> SUTError:
    from drivers.secrets import MissingSecretValues

    if isinstance(exc, SUTError):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        return SUTError(ErrorKind.cancelled, "cancelled")
    if isinstance(exc, MissingSecretValues):
        return SUTError(ErrorKind.config, str(exc), hint="set the missing secrets listed above.")
    from drivers.invoke import MissingSUTCapabilities

    if isinstance(exc, MissingSUTCapabilities):  # the input asks what the SUT does not do
        return SUTError(ErrorKind.config, exc.describe(), hint="")
    from drivers.protocol_faults import protocol_fault

    broken = protocol_fault(exc)  # not HTTP, JSON too deep: the provider's fault, not ours
    if broken is not None:
        return broken
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return SUTError(ErrorKind.timeout, str(exc) or type(exc).__name__, phase="network")
    if isinstance(exc, httpx.TransportError):
        return SUTError(ErrorKind.connection, str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.HTTPStatusError):
        return from_status(exc.response.status_code, _response_text(exc.response))
    # urllib.error.HTTPError: .code and a readable body.
    code = getattr(exc, "code", None)
    if isinstance(code, int) and 400 <= code < 600 and hasattr(exc, "read"):
        try:
            body = shorten(exc.read(65536).decode("utf-8", "replace"), 500)
        except Exception:
            body = ""
        return from_status(code, body or str(getattr(exc, "reason", "")))
    # requests.HTTPError and friends: .response.status_code.
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int) and 400 <= status < 600:
        return from_status(status, _response_text(getattr(exc, "response", None)))
    if isinstance(exc, TimeoutError) or type(exc).__name__ in (
        "Timeout",
        "ReadTimeout",
        "ConnectTimeout",
    ):
        return SUTError(ErrorKind.timeout, str(exc) or "the call took too long", phase="total")
    # urllib.error.URLError (an OSError with .reason), requests.ConnectionError, OSError.
    if isinstance(exc, ConnectionError | OSError) or type(exc).__name__ == "ConnectionError":
        reason = getattr(exc, "reason", None) or exc
        return SUTError(ErrorKind.connection, str(reason) or type(exc).__name__)
    return SUTError(ErrorKind.internal, f"{type(exc).__name__}: {exc}")


_STATUS_KINDS: dict[int, ErrorKind] = {
    400: ErrorKind.validation,
    401: ErrorKind.auth,
    403: ErrorKind.permission,
    404: ErrorKind.not_found,
    408: ErrorKind.timeout,
    410: ErrorKind.not_found,
    409: ErrorKind.server,
    413: ErrorKind.validation,
    422: ErrorKind.validation,
    429: ErrorKind.rate_limited,
    503: ErrorKind.overloaded,
    529: ErrorKind.overloaded,
}


def from_status(status: int, provider_message: str, retry_after: float | None = None) -> SUTError:
    """The SUTError for an HTTP error status, keeping the provider's own words."""
    kind = _STATUS_KINDS.get(status)
    if kind is None:
        kind = ErrorKind.server if status >= 500 else ErrorKind.validation
    reason = {
        ErrorKind.auth: "the provider rejected the credentials",
        ErrorKind.permission: "access denied",
        ErrorKind.not_found: "not found",
        ErrorKind.validation: "the provider refused the request",
        ErrorKind.rate_limited: "rate limited",
        ErrorKind.overloaded: "the model is overloaded or loading",
        ErrorKind.timeout: "the provider timed out",
        ErrorKind.server: "the provider had an error",
    }[kind]
    if status == 410:
        reason = "gone: the provider retired it"
    return SUTError(
        kind,
        reason,
        status=status,
        provider_message=provider_message or None,
        retry_after=retry_after,
    )
