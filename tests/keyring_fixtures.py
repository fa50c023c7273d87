"""Pytest fixtures for a REAL Secret Service: a private dbus-daemon and gnome-keyring-daemon.

Every XDG dir points into a temp dir and DISPLAY/WAYLAND_DISPLAY are stripped, so nothing touches
the developer's keyring and no unlock dialog appears. The daemons' environment is applied to
os.environ per test (monkeypatch), so child processes (the sutui CLI, secret-tool, the keyring
command line) see the same keyring. Without dbus-daemon or gnome-keyring-daemon the tests are
skipped locally and fail when CI is set (`apt-get install gnome-keyring libsecret-tools`).

Fixtures: `real_keyring` (unlocked, emptied around each test), `locked_keyring`,
`uninitialised_keyring` (no login collection), `no_dbus_keyring` (fail backend),
`forced_backend_keyring` (PYTHON_KEYRING_BACKEND forced, cannot work), `stalled_keyring`
(daemon SIGSTOPped, resumed at teardown). Every test also gets `_no_desktop_keyring`: D-Bus and
display variables removed, so no test reads the developer's own keyring by accident.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers import keyring_layer

PASSWORD = "sutui-test-password"
STRIPPED = ("DISPLAY", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND", "SUTUI_KEYRING")


def require_daemons() -> None:
    missing = [p for p in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(p) is None]
    if missing:
        why = (
            f"{' and '.join(missing)} not installed: `apt-get install -y "
            "--no-install-recommends gnome-keyring libsecret-tools dbus` (scripts/test does it)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"real keyring tests cannot run on CI: {why}")
        pytest.skip(why)


@dataclass
class SecretServiceProcess:
    """A private session bus with gnome-keyring-daemon on it."""

    root: Path
    unlock: bool = True
    env: dict[str, str] = field(default_factory=dict)
    bus: subprocess.Popen[bytes] | None = None
    daemon: subprocess.Popen[bytes] | None = None
    stopped: bool = False

    def start(self) -> SecretServiceProcess:
        run = self.root / "run"
        for name in ("run", "data", "config", "cache", "home"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        run.chmod(0o700)
        self.env = {
            "XDG_RUNTIME_DIR": str(run),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
        }
        base = {k: v for k, v in os.environ.items() if k not in STRIPPED}
        base.pop("DBUS_SESSION_BUS_ADDRESS", None)
        base |= self.env
        self.bus = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--print-address=1",
                f"--address=unix:path={run / 'bus'}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=base,
        )
        assert self.bus.stdout is not None
        address = self.bus.stdout.readline().decode().strip()
        if not address:
            self.stop()
            pytest.fail("dbus-daemon printed no address")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        base["DBUS_SESSION_BUS_ADDRESS"] = address
        base["HOME"] = str(self.root / "home")
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        if self.unlock:
            args.insert(2, "--unlock")
        self.daemon = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if self.unlock else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=base,
        )
        if self.unlock:
            assert self.daemon.stdin is not None
            self.daemon.stdin.write(PASSWORD.encode())
            self.daemon.stdin.close()
        self._wait_for_name(base)
        return self

    def _wait_for_name(self, env: dict[str, str]) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            out = subprocess.run(
                [
                    "dbus-send",
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if "boolean true" in out.stdout:
                return
            if self.daemon is not None and self.daemon.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        pytest.fail("gnome-keyring-daemon did not register org.freedesktop.secrets")

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point this process (and its children) at this keyring; python-keyring re-detects."""
        for name in STRIPPED:
            monkeypatch.delenv(name, raising=False)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)
        keyring_layer.reset_keyring_backend()
        keyring_layer.reset_default_keyring()

    def collection(self) -> object:
        import secretstorage

        connection = secretstorage.dbus_init()
        return secretstorage.get_default_collection(connection)

    def wipe(self) -> None:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            for item in collection.get_all_items():
                item.delete()
        finally:
            connection.close()

    def lock(self) -> None:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            secretstorage.get_default_collection(connection).lock()
        finally:
            connection.close()

    def sigstop(self) -> None:
        assert self.daemon is not None
        self.daemon.send_signal(signal.SIGSTOP)
        self.stopped = True

    def sigcont(self) -> None:
        if self.daemon is not None and self.stopped:
            self.daemon.send_signal(signal.SIGCONT)
            self.stopped = False

    def stop(self) -> None:
        self.sigcont()
        for proc in (self.bus, self.daemon):  # the keyring daemon exits when its bus dies
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in (self.daemon, self.bus):
            if proc is None:
                continue
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()


def _restore_keyring() -> None:
    """After the env is restored: python-keyring and sutui forget the test's backend."""
    keyring_layer.reset_keyring_backend()
    keyring_layer.reset_default_keyring()


@pytest.fixture(autouse=True)
def _no_desktop_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reaches the developer's own keyring (or opens an unlock dialog)."""
    changed = False
    for name in ("DBUS_SESSION_BUS_ADDRESS", *STRIPPED):
        if name in os.environ:
            monkeypatch.delenv(name)
            changed = True
    if changed:
        _restore_keyring()
    else:
        keyring_layer.reset_default_keyring(keyring_layer.KeyringLayer())
    yield


@pytest.fixture(scope="session")
def _secret_service_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SecretServiceProcess]:
    require_daemons()
    service = SecretServiceProcess(tmp_path_factory.mktemp("secret-service")).start()
    yield service
    service.stop()


@pytest.fixture
def real_keyring(
    _secret_service_session: SecretServiceProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceProcess]:
    """An unlocked real Secret Service, empty at the start and the end of the test."""
    service = _secret_service_session
    service.apply(monkeypatch)
    service.wipe()
    yield service
    service.wipe()
    monkeypatch.undo()
    _restore_keyring()


def _own_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unlock: bool
) -> SecretServiceProcess:
    require_daemons()
    service = SecretServiceProcess(tmp_path / "secret-service", unlock=unlock).start()
    service.apply(monkeypatch)
    return service


@pytest.fixture
def locked_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceProcess]:
    """A real Secret Service whose login collection is locked."""
    service = _own_service(tmp_path, monkeypatch, unlock=True)
    try:
        service.lock()
        yield service
    finally:
        service.stop()
        monkeypatch.undo()
        _restore_keyring()


@pytest.fixture
def uninitialised_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceProcess]:
    """A Secret Service started without --unlock: no login collection, no prompt to make one."""
    service = _own_service(tmp_path, monkeypatch, unlock=False)
    try:
        yield service
    finally:
        service.stop()
        monkeypatch.undo()
        _restore_keyring()


@pytest.fixture
def stalled_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceProcess]:
    """A Secret Service whose daemon is SIGSTOPped (resumed and stopped at teardown)."""
    service = _own_service(tmp_path, monkeypatch, unlock=True)
    try:
        service.sigstop()
        yield service
    finally:
        service.stop()
        monkeypatch.undo()
        _restore_keyring()


@pytest.fixture
def no_dbus_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No session bus at all: python-keyring falls back to its fail backend."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    _restore_keyring()
    yield
    monkeypatch.undo()
    _restore_keyring()


@pytest.fixture
def forced_backend_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PYTHON_KEYRING_BACKEND forces SecretService with no bus: a plain RuntimeError."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    with pytest.raises(RuntimeError):  # as python-keyring does on every call from now on
        keyring_layer.reset_keyring_backend()
    keyring_layer.reset_default_keyring()
    yield
    monkeypatch.undo()
    _restore_keyring()


# ----- an in-memory keyring and a key-echoing HTTP server, for tests without daemons -----------


class MemoryBackend:
    """A python-keyring-like backend in a dict; `fail` makes every call raise it."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.fail: BaseException | None = None
        self.calls = 0

    def _maybe_fail(self) -> None:
        self.calls += 1
        if self.fail is not None:
            raise self.fail

    def get_password(self, service: str, user: str) -> str | None:
        self._maybe_fail()
        return self.items.get((service, user))

    def set_password(self, service: str, user: str, value: str) -> None:
        self._maybe_fail()
        self.items[(service, user)] = value

    def delete_password(self, service: str, user: str) -> None:
        import keyring.errors

        self._maybe_fail()
        if (service, user) not in self.items:
            raise keyring.errors.PasswordDeleteError("No such password!")
        del self.items[(service, user)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryBackend]:
    """The process-wide keyring layer backed by a dict (what `sutui` in-process uses)."""
    backend = MemoryBackend()
    keyring_layer.reset_default_keyring(keyring_layer.KeyringLayer(backend=backend, timeout=5))
    yield backend
    keyring_layer.reset_default_keyring(keyring_layer.KeyringLayer())


@dataclass
class EchoServer:
    """127.0.0.1 HTTP server: 200 for `good_key`, else 401 with the key it got in the body.
    Under /echo/ it answers any chat completion (plain or streamed) with the key it got, as a
    provider (or a model talked into it) might: "your key is Bearer sk-…"."""

    url: str
    good_key: str
    seen: list[dict[str, str]]


@pytest.fixture
def key_echo_server() -> Iterator[EchoServer]:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[dict[str, str]] = []
    good = "sk-good-0123456789abcdef"

    class Handler(BaseHTTPRequestHandler):
        def _echo(self, auth: str, streamed: bool) -> None:
            text = f"your key is {auth}"
            if not streamed:
                message = {"role": "assistant", "content": text}
                choice = {"index": 0, "message": message, "finish_reason": "stop"}
                data = json.dumps({"id": "x", "object": "chat.completion", "choices": [choice]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            half = len(text) - 6  # the key split across two events
            for piece in (text[:half], text[half:]):
                delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                event = {"id": "x", "object": "chat.completion.chunk", "choices": [delta]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body_in = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen.append({"path": self.path, **headers})
            auth = headers.get("authorization", "")
            key = auth.removeprefix("Bearer ") or headers.get("x-api-key", "")
            if self.path.startswith("/echo/"):
                streamed = bool(body_in and json.loads(body_in).get("stream"))
                self._echo(auth, streamed)
                return
            if key == good:
                status, body = 200, {"object": "list", "data": [{"id": "m", "object": "model"}]}
            else:
                status = 401
                body = {
                    "error": {
                        "message": f"Incorrect API key provided: {key}. Check it.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                }
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield EchoServer(f"http://127.0.0.1:{server.server_address[1]}/v1", good, seen)
    finally:
        server.shutdown()
        server.server_close()
