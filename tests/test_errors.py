"""classify(): every exception a driver may raise becomes a SUTError, and it never raises."""

from __future__ import annotations

import io
import json
import os
import socket
import urllib.error
from typing import Any

import aiohttp
import httpx
import pytest

from drivers.errors import ErrorKind, SUTError, classify
from drivers.http_errors import HOST_NOT_FOUND, network_error_message


def test_urllib_http_error_keeps_status_and_body() -> None:
    exc = urllib.error.HTTPError(
        "http://h/x",
        401,
        "Unauthorized",
        {},  # type: ignore[arg-type]
        io.BytesIO(b'{"error": "bad key"}'),
    )
    err = classify(exc)
    assert (err.kind, err.status) == (ErrorKind.auth, 401)
    assert err.provider_message is not None and "bad key" in err.provider_message


def test_urllib_url_error_is_a_connection_error() -> None:
    err = classify(urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")))
    assert err.kind is ErrorKind.connection and "refused" in err.message


class FakeRequestsResponse:
    status_code = 429
    text = "slow down"


class FakeRequestsHTTPError(IOError):
    """Shaped like requests.HTTPError (requests is not a dependency)."""

    def __init__(self) -> None:
        super().__init__("429 Client Error")
        self.response = FakeRequestsResponse()


def test_requests_style_http_error() -> None:
    err = classify(FakeRequestsHTTPError())
    assert (err.kind, err.status, err.provider_message) == (
        ErrorKind.rate_limited,
        429,
        "slow down",
    )


async def test_streamed_httpx_error_whose_body_was_not_read() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, stream=httpx.ByteStream(b"busy"))

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client,
        client.stream("POST", "http://h/x") as response,
    ):
        with pytest.raises(httpx.HTTPStatusError) as info:
            response.raise_for_status()
    err = classify(info.value)
    assert (err.kind, err.status) == (ErrorKind.overloaded, 503)


def test_classify_never_raises() -> None:
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str for you")

        @property
        def code(self) -> int:
            raise RuntimeError("nor code")

    err = classify(Nasty())
    assert isinstance(err, SUTError) and err.kind is ErrorKind.internal


def test_plain_exception_is_internal_with_its_type() -> None:
    err = classify(KeyError("MY_SUT_URL"))
    assert err.kind is ErrorKind.internal and "KeyError" in err.message


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        (socket.gaierror(-2, "Name or service not known"), HOST_NOT_FOUND),
        (socket.gaierror(-3, "Temporary failure in name resolution"), HOST_NOT_FOUND),
        (ConnectionRefusedError(111, "Connection refused"), os.strerror(111)),
    ],
)
def test_a_connect_error_says_why_in_the_words_aiohttp_gets_too(
    root: OSError, expected: str
) -> None:
    """httpx says "[Errno -2] Name or service not known" where aiohttp says "Unknown error -2":
    both become the same sentence."""
    exc = httpx.ConnectError(f"[Errno {root.errno}] {root.strerror}")
    exc.__cause__ = root
    message = network_error_message(exc, "http://nosuchhost.invalid/v1/models")
    assert message == f"could not connect to nosuchhost.invalid: {expected}"


def _json_too_deep() -> RecursionError:
    try:
        json.loads("[" * 100_000 + "]" * 100_000)
    except RecursionError as exc:
        return exc
    raise AssertionError("json parsed 100,000 levels")


def _own_recursion() -> RecursionError:
    def again() -> None:
        again()

    try:
        again()
    except RecursionError as exc:
        return exc
    raise AssertionError("no recursion limit")


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        (_json_too_deep, ErrorKind.protocol, "nested too deeply"),
        (_own_recursion, ErrorKind.internal, "RecursionError"),  # a driver's own bug stays one
        (
            lambda: httpx.RemoteProtocolError("illegal status line: bytearray(b'SSH-2.0')"),
            ErrorKind.protocol,
            "did not answer in HTTP (illegal status line)",
        ),
        (
            lambda: httpx.RemoteProtocolError("Server disconnected without sending a response."),
            ErrorKind.connection,
            "disconnected",
        ),
        (
            lambda: httpx.LocalProtocolError("Illegal header value b'sk-live-123456\\n'"),
            ErrorKind.config,
            "cannot be sent as HTTP (Illegal header value)",
        ),
        (
            lambda: aiohttp.ClientResponseError(
                None,  # type: ignore[arg-type]
                (),
                status=400,
                message="Bad status line:\n  Expected HTTP/:\n\n  b'SSH-2.0'\n     ^",
            ),
            ErrorKind.protocol,
            "did not answer in HTTP (Bad status line)",
        ),
    ],
    ids=["json-too-deep", "own-recursion", "bad-status-line", "disconnect", "local", "aiohttp"],
)
def test_protocol_faults_are_the_providers_never_a_driver_bug(
    make: Any, kind: ErrorKind, words: str
) -> None:
    err = classify(make())
    assert err.kind is kind and words in err.one_line(), err.one_line()
    assert "SSH-2.0" not in err.one_line() and "sk-live" not in err.one_line()  # no bytes quoted
