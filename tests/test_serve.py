"""`sutui serve` from the command line: loopback unless --public (with its warning), a port
in use, and the guard against pages from elsewhere."""

from __future__ import annotations

import asyncio
import http.client
import signal
import socket
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from serve_support import serving

from sutui.cli.main import run
from sutui.serve.server import app_command


def test_a_non_loopback_host_needs_public(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--host 0.0.0.0 is not a loopback address" in err and "--public" in err
    assert "Traceback" not in err


def test_a_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(["serve", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert f"port {port} on 127.0.0.1 is in use: pick another with --port" in err


def test_an_unresolvable_host_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "--host", "no-such-host.invalid"]) == 2
    assert "--host 'no-such-host.invalid': not an address" in capsys.readouterr().err


def test_public_warns_that_the_page_uses_your_keys(tmp_path: Path) -> None:
    with serving("--host", "0.0.0.0", "--public", "--port", "0", tmp_path=tmp_path) as served:
        warning = served.stderr_line()
        assert warning.startswith("sutui: warning: serving on 0.0.0.0")
        assert "uses sutui as you: your API keys" in warning
        assert served.url.startswith("http://127.0.0.1:")
        # Reachable on the machine's other addresses too: any Host is answered.
        port = urlsplit(served.url).port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/", headers={"Host": f"sutui.example:{port}"})
        assert connection.getresponse().status == 200


def test_loopback_serves_only_pages_from_itself(tmp_path: Path) -> None:
    with serving("--port", "0", tmp_path=tmp_path) as served:
        port = urlsplit(served.url).port
        assert served.url == f"http://127.0.0.1:{port}/"

        def status(host: str) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/", headers={"Host": host})
            return connection.getresponse().status

        assert status(f"127.0.0.1:{port}") == 200
        assert status(f"localhost:{port}") == 200
        # A name that resolves to 127.0.0.1 for an attacker's page (DNS rebinding).
        assert status(f"rebind.example:{port}") == 403


async def test_a_websocket_from_another_site_is_refused(tmp_path: Path) -> None:
    with serving("--port", "0", tmp_path=tmp_path) as served:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(
                    served.url + "ws", headers={"Origin": "https://evil.example"}
                )
            assert refused.value.status == 403


def test_the_session_command_carries_no_setting(tmp_path: Path) -> None:
    """textual-serve runs a shell command per browser session: the secrets file travels in
    the environment the session inherits, never on its command line."""
    secrets = tmp_path / "my secrets.toml"
    command, env = app_command(secrets)
    assert command.endswith(" -m sutui") and "secrets" not in command
    assert env == {"SUTUI_SECRETS_FILE": str(secrets.resolve())}
    assert app_command(None)[1] == {}


async def only_child(pid: int) -> str:
    """The one process `pid` started (Linux: from /proc), once it runs its own program: between
    its fork and its exec a child still shows the server's command line (a loaded machine hit
    that window)."""
    parent = Path(f"/proc/{pid}/cmdline").read_bytes()
    for _ in range(100):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            (child,) = children
            if Path(f"/proc/{child}/cmdline").read_bytes() != parent:
                return child
        await asyncio.sleep(0.1)
    raise AssertionError("the server started no app")


async def test_a_served_app_gets_the_secrets_file_in_its_environment(tmp_path: Path) -> None:
    """What the browser's WebSocket starts is `python -m sutui` with SUTUI_SECRETS_FILE in its
    environment; the path is on no command line (Linux: read from /proc)."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[demo]\n", encoding="utf-8")
    with serving("--secrets", str(secrets), "--port", "0", tmp_path=tmp_path) as served:
        pid = served.process.pid
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(served.url + "ws?width=80&height=24"),
        ):
            child = await only_child(pid)
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        assert cmdline[1:] == [b"-m", b"sutui", b""]
        assert f"SUTUI_SECRETS_FILE={secrets}".encode() in environ
        assert not any(b"secrets" in part for part in cmdline)


async def test_stopping_the_server_ends_the_apps_of_connected_tabs(tmp_path: Path) -> None:
    """SIGTERM (or ctrl+c) while a tab is connected: its app quits too, not left running."""
    with serving("--port", "0", tmp_path=tmp_path) as served:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(served.url + "ws?width=80&height=24"),
        ):
            child = await only_child(served.process.pid)
            served.process.send_signal(signal.SIGTERM)
            loop = asyncio.get_running_loop()
            assert await loop.run_in_executor(None, served.process.wait, 8) == 0
            # Gone with the server, while the tab is still connected.
            assert not Path(f"/proc/{child}").exists()
