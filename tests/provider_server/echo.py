"""Echo mode: a provider that gives back the key it was sent, for the secret canary
(tests/test_secret_canary.py). `server.echo_key(Echo(...))` turns it on for every wire format
until `reset()`; auth is not checked while it is on (any key is "right", and is echoed).

The key echoed is the one the request carried (Bearer, x-api-key, x-goog-api-key), else
`Echo.key` (a server that takes none, such as ollama, reciting a key it was told). It is
written in `form` ("all": every form below in one text) at `place`:

    answer        in the answer (plain, or streamed with each form split across events)
    tail          the answer ends after `at` characters of the form (a stream: then its end)
    error         an HTTP `status` error in the provider's own error format
    error-text    the same as a text/plain body (a proxy's answer)
    error-cut     an error whose message has exactly 500 - `at` characters before the form,
                  so sutui's 500-character cut lands `at` characters into it
    stream-error  a stream: an error event after a few events; a plain call: HTTP 500
    malformed     a body (or a stream event) that is not JSON and holds the form
    cut           a plain body cut `at` characters into the form; a stream whose event
                  holding it is cut there, and the connection closed
    truncate      a stream that ends cleanly, without its end marker, right after `at`
                  characters of the form (a plain call: as `tail`)
"""

from __future__ import annotations

import base64
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from aiohttp import web

from . import faults

FORMS = ("raw", "json", "repr", "url", "url-plus", "basic", "basic-", "basic-a", "basic-ab")
"""`basic-NAME` is base64 of `NAME:key` (Basic auth); the three user lengths here put the key
at each of base64's three alignments; `basic` is `user:key`."""


def formed(key: str, form: str) -> str:
    """`key` written in `form`."""
    if form.startswith("basic"):
        user = form.partition("-")[2] if "-" in form else "user"
        return base64.b64encode(f"{user}:{key}".encode()).decode()
    return {
        "raw": key,
        "json": json.dumps(key)[1:-1],
        "repr": repr(key)[1:-1],
        "url": quote(key, safe=""),
        "url-plus": quote_plus(key, safe=""),
    }[form]


@dataclass(frozen=True)
class Echo:
    place: str = "answer"
    form: str = "all"
    at: int = 0
    """For tail, error-cut, cut and truncate: how many characters of the form show."""
    key: str | None = None
    status: int = 401


@dataclass(frozen=True)
class Echoed:
    """An Echo applied to one request, with the key it carried."""

    echo: Echo
    key: str

    def text(self) -> str:
        """What the provider says: every form of the key, or one form (cut at `at`)."""
        echo = self.echo
        if echo.form == "all":
            return "Your key is " + " ".join(f"{f}={formed(self.key, f)}" for f in FORMS) + " ok"
        whole = formed(self.key, echo.form)
        if echo.place in ("tail", "truncate"):
            return "Your key is " + whole[: echo.at]
        return f"Your key is {whole} ok"

    def tokens(self) -> list[str]:
        """The answer, one word per token; a word longer than 5 characters is split into
        pieces of 5 (a key spread over many stream events), except where a stream is cut
        inside it (it must be in one event)."""
        out: list[str] = []
        for i, word in enumerate(self.text().split(" ")):
            word = word if i == 0 else " " + word
            if self.echo.place == "cut" or len(word) <= 5:
                out.append(word)
            else:
                out += [word[j : j + 5] for j in range(0, len(word), 5)]
        return out

    def error_message(self) -> str:
        if self.echo.place != "error-cut":
            return "Incorrect API key provided: " + self.text()
        head = "Incorrect API key provided: "
        pad = 500 - self.echo.at - len(head)
        assert pad >= 0, "error-cut: `at` is too large"
        return head + "." * pad + formed(self.key, self.echo.form) + ". Check it."

    def fault(self, streaming: bool) -> str | None:
        """The server's fault that carries this place."""
        if not streaming:
            return None
        return {
            "stream-error": "midstream-error",
            "malformed": "malformed",
            "truncate": "truncate",
        }.get(self.echo.place)

    def before_answer(self, flavour: str, streaming: bool) -> web.Response | None:
        """The places answered before any generation: errors, a plain malformed body."""
        place = self.echo.place
        if place in ("error", "error-cut") or (place == "stream-error" and not streaming):
            status = self.echo.status if place != "stream-error" else 500
            kind = "server_error" if status >= 500 and flavour not in ("tgi", "hf-router") else ""
            payload = faults.error_body(flavour, status, self.error_message(), kind)
            return web.json_response(payload, status=status)
        if place == "error-text":
            return web.Response(status=self.echo.status, text=self.error_message())
        if place == "malformed" and not streaming:
            body = '{"id": "x", "note": "' + json.dumps(self.text())[1:-1]
            return web.Response(text=body, content_type="application/json")
        return None

    def after_answer(self, response: web.StreamResponse) -> web.StreamResponse:
        """A plain answer cut inside the key (a proxy that gave up): malformed JSON."""
        if self.echo.place != "cut" or not isinstance(response, web.Response):
            return response
        body = response.body
        assert isinstance(body, bytes)
        return web.Response(
            body=self._cut(body), status=response.status, content_type=response.content_type
        )

    def _cut(self, data: bytes) -> bytes:
        whole = formed(self.key, self.echo.form)
        at = data.find(json.dumps(whole)[1:-1].encode())
        assert at >= 0, "the key is not in this body"
        return data[: at + len(json.dumps(whole[: self.echo.at])) - 2]

    def stream(
        self, events: list[bytes], error_event: bytes, malformed: bytes
    ) -> tuple[list[bytes], bytes, bytes, bool]:
        """The stream's events, error event and malformed event made to hold the key, and
        whether to close the connection after the events (a cut)."""
        message = self.error_message()
        error_event = _with_message(error_event, message)
        ending = malformed[len(malformed.rstrip(b"\r\n")) :]
        malformed = malformed.rstrip(b"\r\n") + b'"' + json.dumps(message)[1:-1].encode() + ending
        if self.echo.place != "cut":
            return events, error_event, malformed, False
        whole = json.dumps(formed(self.key, self.echo.form))[1:-1].encode()
        for i, event in enumerate(events):
            if whole in event:
                return [*events[:i], self._cut(event)], error_event, malformed, True
        raise AssertionError("the key is in no event")


def _with_message(event: bytes, message: str) -> bytes:
    """An error event (SSE or an NDJSON line) whose error message is `message`."""
    lines = []
    for line in event.split(b"\n"):
        prefix = b""
        for start in (b"data: ", b"data:"):
            if line.startswith(start):
                prefix = start
                break
        data = line[len(prefix) :].rstrip(b"\r")
        if data.startswith(b"{"):
            line = prefix + json.dumps(_replace_messages(json.loads(data), message)).encode()
            line += b"\r" if event.endswith(b"\r\n\r\n") else b""
        lines.append(line)
    return b"\n".join(lines)


def _replace_messages(data: Any, message: str) -> Any:
    if isinstance(data, dict):
        return {
            k: message if k in ("message", "error") and isinstance(v, str)
            else _replace_messages(v, message)
            for k, v in data.items()
        }  # fmt: skip
    return data


ECHOED: ContextVar[Echoed | None] = ContextVar("echoed", default=None)
"""The echo of the request being answered (set by the server around its handler)."""


def received_key(headers: Any) -> str | None:
    auth = headers.get("Authorization", "")
    return (
        headers.get("x-api-key")
        or headers.get("x-goog-api-key")
        or (auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None)
    )


def answer_tokens(last_user: str, max_tokens: int | None) -> tuple[list[str], bool]:
    """faults.answer_tokens, or the echo's tokens while echo mode is on."""
    echoed = ECHOED.get()
    if echoed is not None:
        return echoed.tokens(), False
    return faults.answer_tokens(last_user, max_tokens)
