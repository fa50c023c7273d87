"""TLS to an OpenAI-style endpoint on 127.0.0.1, for real: a self-signed certificate (a test CA
made by trustme) is refused with a message that says so and what to do, and trusted once
SSL_CERT_FILE names its CA; an http:// server reached as https:// is said to be one. A SUT's
answer (`run-sut`) and a key check (`secrets test`) say the same, over either backend of the
shared client (aiohttp, httpx's own pool)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from drivers.http.transport import HttpRuntime, use_runtime
from sutui.cli.main import run

ANSWER = "over TLS"


class OpenAIish(BaseHTTPRequestHandler):
    """Just enough of OpenAI's API: the models list and a chat completion (whole or streamed)."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._send(200, "application/json", json.dumps({"object": "list", "data": []}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        if body.get("stream"):
            chunk = {"choices": [{"index": 0, "delta": {"content": ANSWER}, "finish_reason": None}]}
            done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            events = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(done)}\n\ndata: [DONE]\n\n"
            self._send(200, "text/event-stream", events.encode())
            return
        message = {"role": "assistant", "content": ANSWER}
        reply = {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        self._send(200, "application/json", json.dumps(reply).encode())

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _serve(context: ssl.SSLContext | None) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OpenAIish)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    yield f"{scheme}://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_url(ca: trustme.CA) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    yield from _serve(context)


@pytest.fixture
def plain_url() -> Iterator[str]:
    yield from _serve(None)


@pytest.fixture(autouse=True, params=["aiohttp", "httpx"])
def _env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-tls-test")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with use_runtime(HttpRuntime(backend=request.param)):
        yield


def both(capsys: pytest.CaptureFixture[str], url: str) -> tuple[tuple[int, str], tuple[int, str]]:
    """(exit code, what it said) of `run-sut` on the endpoint, then of `secrets test`."""
    code = run(["run-sut", "--sut", f"m:openai;url={url}", "--prompt", "hi"])
    out, err = capsys.readouterr()
    tested = run(["secrets", "test", "openai", "--url", url])
    out2, err2 = capsys.readouterr()
    return (code, out + err), (tested, out2 + err2)


def test_a_self_signed_certificate_is_refused_and_says_what_to_do(
    capsys: pytest.CaptureFixture[str], tls_url: str
) -> None:
    for code, said in both(capsys, tls_url):
        assert code == 1, said
        assert "TLS certificate was not trusted" in said and "SSL_CERT_FILE" in said, said
        assert "Operation not permitted" not in said


def test_ssl_cert_file_trusts_a_self_signed_endpoint(
    capsys: pytest.CaptureFixture[str],
    tls_url: str,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    (code, said), (tested, test_said) = both(capsys, tls_url)
    assert code == 0 and ANSWER in said, said
    assert tested == 0, test_said


def test_an_http_server_reached_as_https_is_said_to_be_one(
    capsys: pytest.CaptureFixture[str], plain_url: str
) -> None:
    url = plain_url.replace("http://", "https://")
    for code, said in both(capsys, url):
        assert code == 1, said
        assert "is it an http:// server?" in said and "Operation not permitted" not in said
