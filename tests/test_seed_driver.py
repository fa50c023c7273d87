"""A driver written as the modelgauge guide says works in sutui with only its imports changed.

The driver is tests/seed_plugin/my_sut_driver.py. It is used the two ways the guide and sutui allow:
- installed as a plugin: a folder on PYTHONPATH holding the module and a `*.dist-info` with an
  entry point in the group `sutui.drivers`, exactly what `pip install` of a package declaring
  `[project.entry-points."sutui.drivers"]` leaves behind; the real `sutui` CLI runs in a subprocess;
- registered in-process by adding it to drivers.DYNAMIC_SUT_FACTORIES, the guide's step 3.

Its provider is a real HTTP server on 127.0.0.1 that checks the bearer key.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import drivers

SEED_PLUGIN = Path(__file__).resolve().parent / "seed_plugin"
KEY = "sk-seed-test-7d41c9e2b5"
UID = "some/model:my_sut"
PROMPT = "Why did the chicken cross the road?"
ANSWER = "To get to the other side."


# ----- the provider: a real HTTP server on loopback ------------------------------------------


@dataclass
class Provider:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            auth = self.headers.get("Authorization")
            provider.requests.append({"path": self.path, "auth": auth, "body": body})
            if auth != f"Bearer {KEY}":
                self._send(401, {"error": "Authorization header is correct, but the token is bad"})
                return
            try:
                inputs = json.loads(body)["inputs"]
            except (ValueError, KeyError, TypeError):
                self._send(422, {"error": "expected a JSON object with 'inputs'"})
                return
            self._send(200, [{"generated_text": f"{ANSWER} (you asked: {inputs})"}])

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    host, port = server.server_address[:2]
    state.url = f"http://{host}:{port}/models/generate"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ----- installing the driver as a plugin, without pip ---------------------------------------


def _write_dist(site: Path, name: str, entry_points: str) -> None:
    dist_info = site / f"{name}-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder laid out as pip would leave an installed `my_sut_plugin` distribution."""
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(SEED_PLUGIN / "my_sut_driver.py", folder / "my_sut_driver.py")
    _write_dist(folder, "my_sut_plugin", "[sutui.drivers]\nmy_sut = my_sut_driver:MySUTFactory\n")
    return folder


@pytest.fixture
def broken_site(site: Path) -> Path:
    """The same, plus a second plugin whose module fails to import."""
    (site / "broken_sut_driver.py").write_text(
        "raise ImportError(\"No module named 'some_missing_sdk'\")\n", encoding="utf-8"
    )
    _write_dist(
        site, "broken_sut_plugin", "[sutui.drivers]\nbroken_sut = broken_sut_driver:Factory\n"
    )
    return site


def run_cli(
    site: Path,
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    keyring: bool = False,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`sutui ARGS` in a fresh process that sees the plugin folder, and no secret of the host.

    The keyring layer is off unless `keyring` (then the test's own Secret Service is used)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SUTUI_") and not k.lower().endswith("_proxy") and k != "MY_SUT_URL"
    }
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    base |= {
        "PYTHONPATH": str(site),
        "SUTUI_CONFIG_DIR": str(home / "config"),
        "SUTUI_DATA_DIR": str(home / "data"),
        "SUTUI_DEMO_DELAY": "0",
        "NO_COLOR": "1",
    }
    if not keyring:
        base["SUTUI_KEYRING"] = "off"
    base |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "sutui", *args],
        cwd=home,  # no config/secrets.toml above it
        env=base,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


# ----- the plugin through the real CLI -------------------------------------------------------


def test_list_drivers_shows_the_plugin_with_its_origin_and_secret(
    site: Path, tmp_path: Path
) -> None:
    result = run_cli(site, tmp_path, "list-drivers")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    out = result.stdout
    assert "demo  (built-in)" in out
    block = out[out.index("my_sut") :]
    first_line = block.splitlines()[0]
    assert first_line.startswith("my_sut  (plugin ")
    assert "my_sut_plugin" in first_line
    assert "my_sut_driver:MySUTFactory" in first_line
    assert "secrets:  [my_host] api_key" in block
    assert "example:  maker/model:my_sut" in block
    assert result.stderr == ""


def test_list_drivers_json_describes_the_plugin(site: Path, tmp_path: Path) -> None:
    result = run_cli(site, tmp_path, "list-drivers", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["driver"]: row for row in json.loads(result.stdout)}
    assert rows["demo"]["origin"] == "built-in"
    mine = rows["my_sut"]
    assert mine["origin"].startswith("plugin ")
    assert "my_sut_plugin" in mine["origin"]
    assert mine["secrets"] == [{"scope": "my_host", "key": "api_key", "required": True}]
    assert mine["options"] == {}
    assert mine["streams"] is False


def test_run_sut_answers_through_the_plugin(site: Path, tmp_path: Path, provider: Provider) -> None:
    env = {"SUTUI_MY_HOST__API_KEY": KEY, "MY_SUT_URL": provider.url}
    result = run_cli(site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    _no_traceback(result)
    assert f"{ANSWER} (you asked: {PROMPT})" in result.stdout
    assert f"━━ {UID} ━━" in result.stdout
    assert "── done" in result.stdout
    # The provider got exactly the guide's request, with the key as a bearer token.
    assert len(provider.requests) == 1
    sent = provider.requests[0]
    assert sent["path"] == "/models/generate"
    assert sent["auth"] == f"Bearer {KEY}"
    assert json.loads(sent["body"]) == {"inputs": PROMPT}
    # The key itself is never printed.
    assert KEY not in result.stdout + result.stderr


def test_a_system_prompt_to_the_text_only_driver_is_an_input_error(
    site: Path, tmp_path: Path, provider: Provider
) -> None:
    """The guide's driver takes text only: --system is the user's to drop (exit 2, naming the
    SUT and the capability, before any request), not "a bug in the driver"."""
    env = {"SUTUI_MY_HOST__API_KEY": KEY, "MY_SUT_URL": provider.url}
    args = ("run-sut", "--sut", UID, "--sut", "demo_echo", "--prompt", PROMPT)
    result = run_cli(site, tmp_path, *args, "--system", "Be brief.", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    _no_traceback(result)
    assert f"{UID} takes a text prompt only (AcceptsTextPrompt): drop --system" in result.stderr
    assert "demo_echo" not in result.stderr  # a chat SUT takes it
    assert "bug" not in result.stderr
    assert provider.requests == [] and result.stdout == ""


def test_run_sut_json(site: Path, tmp_path: Path, provider: Provider) -> None:
    env = {"SUTUI_MY_HOST__API_KEY": KEY, "MY_SUT_URL": provider.url}
    result = run_cli(site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["sut"] == UID
    assert obj["status"] == "done"
    assert obj["text"] == f"{ANSWER} (you asked: {PROMPT})"
    assert obj["error"] is None
    assert obj["timings"]["total_s"] >= 0


def test_run_sut_reads_the_key_from_a_secrets_toml(
    site: Path, tmp_path: Path, provider: Provider
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[my_host]\napi_key = "{KEY}"\n', encoding="utf-8")
    env = {"MY_SUT_URL": provider.url}
    result = run_cli(
        site,
        tmp_path,
        "--secrets",
        str(secrets),
        "run-sut",
        "--sut",
        UID,
        "--prompt",
        PROMPT,
        "--json",
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "done"
    assert provider.requests[0]["auth"] == f"Bearer {KEY}"


@pytest.mark.parametrize("how", ["sutui secrets set", "keyring set"])
def test_run_sut_reads_the_key_from_the_keyring(
    site: Path, tmp_path: Path, provider: Provider, real_keyring: Any, how: str
) -> None:
    if how == "sutui secrets set":
        stored = run_cli(
            site, tmp_path, "secrets", "set", "my_host", "api_key", keyring=True, stdin=KEY + "\n"
        )
    else:  # python-keyring's own command line: service "sutui", username "scope/key"
        stored = subprocess.run(
            [str(Path(sys.executable).with_name("keyring")), "set", "sutui", "my_host/api_key"],
            input=KEY,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert KEY not in stored.stdout + stored.stderr
    env = {"MY_SUT_URL": provider.url}
    result = run_cli(
        site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, "--json", env=env, keyring=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "done"
    assert provider.requests[0]["auth"] == f"Bearer {KEY}"


def test_run_sut_without_the_key_asks_for_it(
    site: Path, tmp_path: Path, provider: Provider
) -> None:
    env = {"MY_SUT_URL": provider.url}
    result = run_cli(site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    _no_traceback(result)
    err = result.stderr
    # A paste-ready TOML block naming the secret, and the environment variable to set.
    assert '[my_host]\napi_key = "<value>"' in err
    assert "SUTUI_MY_HOST__API_KEY" in err and "sutui secrets setup" in err
    assert provider.requests == []  # nothing was sent without a key


def test_run_sut_with_a_wrong_key_fails_cleanly(
    site: Path, tmp_path: Path, provider: Provider
) -> None:
    env = {"SUTUI_MY_HOST__API_KEY": "sk-not-the-right-one", "MY_SUT_URL": provider.url}
    result = run_cli(site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    _no_traceback(result)
    assert "── failed" in result.stdout
    assert "401" in result.stdout
    assert "sk-not-the-right-one" not in result.stdout + result.stderr


def test_a_broken_plugin_is_a_warning_not_a_failure(broken_site: Path, tmp_path: Path) -> None:
    result = run_cli(broken_site, tmp_path, "list-drivers")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert "broken_sut" in warnings[0]
    assert "broken_sut_plugin" in warnings[0]
    assert "ImportError" in warnings[0]
    assert "some_missing_sdk" in warnings[0]
    assert "my_sut  (plugin " in result.stdout
    assert "demo  (built-in)" in result.stdout
    assert "broken_sut  (" not in result.stdout


def test_a_broken_plugin_does_not_stop_the_working_one(
    broken_site: Path, tmp_path: Path, provider: Provider
) -> None:
    env = {"SUTUI_MY_HOST__API_KEY": KEY, "MY_SUT_URL": provider.url}
    result = run_cli(
        broken_site, tmp_path, "run-sut", "--sut", UID, "--prompt", PROMPT, "--json", env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "done"
    assert "broken_sut" in result.stderr


def test_the_entry_point_names_a_plugin_and_a_disagreeing_driver_name_is_warned(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point's name is the driver's name; the module's DRIVER_NAME saying another is
    a warning (the guide's constant is a key in a dict: the two should agree)."""
    _write_dist(
        site, "renamed_plugin", "[sutui.drivers]\nrenamed_sut = my_sut_driver:MySUTFactory\n"
    )
    monkeypatch.syspath_prepend(str(site))
    registry = drivers.DriverRegistry()
    found = registry.drivers()
    assert found["renamed_sut"].factory.__name__ == "MySUTFactory"
    assert "renamed_plugin" in found["renamed_sut"].origin
    assert found["my_sut"].origin.startswith("plugin my_sut_plugin")
    assert found["demo"].origin == "built-in"
    [warning] = registry.warnings
    assert "'renamed_sut' from renamed_plugin" in warning
    assert "DRIVER_NAME is 'my_sut'" in warning and "UIDs use 'renamed_sut'" in warning


def test_the_built_in_drivers_are_sutuis_own_entry_points() -> None:
    """Registered as plugins are (pyproject.toml), each pointing at its factory."""
    from drivers.registry import DYNAMIC_SUT_FACTORIES, builtin_entry_points

    points = builtin_entry_points()
    assert set(points) == set(DYNAMIC_SUT_FACTORIES) and len(points) >= 15
    assert points["together-serverless"].value == "drivers.providers.together:TogetherSUTFactory"
    for name, ep in points.items():
        assert ep.dist is not None and ep.dist.name == "sutui"
        assert DYNAMIC_SUT_FACTORIES[name].__name__ == ep.attr


# ----- the guide's own registration: DYNAMIC_SUT_FACTORIES, in-process ----------------------


@pytest.fixture
def my_sut_driver(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(SEED_PLUGIN))
    module = importlib.import_module("my_sut_driver")
    monkeypatch.setitem(drivers.DYNAMIC_SUT_FACTORIES, module.DRIVER_NAME, module.MySUTFactory)
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return module


async def test_in_process_registration(
    my_sut_driver: Any, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SUT_URL", provider.url)
    assert drivers.default_registry().get("my_sut").origin == "built-in"
    sut = drivers.make_sut(UID, {"my_host": {"api_key": KEY}})
    assert isinstance(sut, my_sut_driver.MySUT)
    assert sut.uid == UID
    assert sut.capabilities == (drivers.AcceptsTextPrompt,)
    response = await drivers.respond(sut, drivers.TextPrompt(text=PROMPT), drivers.SUTOptions())
    assert isinstance(response, drivers.SUTResponse)
    assert response.text == f"{ANSWER} (you asked: {PROMPT})"
    assert provider.requests[0]["auth"] == f"Bearer {KEY}"
    # Every model on the same provider is reachable the same way.
    for uid in ("another/model:my_sut", "yet/another-model:my_sut", "model:my_sut"):
        assert drivers.make_sut(uid, {"my_host": {"api_key": KEY}}).uid == uid


async def test_in_process_a_chat_prompt_is_a_config_failure_naming_the_capability(
    my_sut_driver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the prompt is not checked first (a library caller, the app's column), the run
    fails as a config problem naming the capability: never an internal error."""
    from drivers.errors import ErrorKind, classify
    from drivers.invoke import MissingSUTCapabilities

    monkeypatch.setenv("MY_SUT_URL", "http://127.0.0.1:9/unused")
    sut = drivers.make_sut(UID, {"my_host": {"api_key": KEY}})
    chat = drivers.ChatPrompt(
        messages=[
            drivers.ChatMessage(text="Be brief.", role=drivers.ChatRole.system),
            drivers.ChatMessage(text=PROMPT, role=drivers.ChatRole.user),
        ]
    )
    with pytest.raises(MissingSUTCapabilities) as caught:
        await drivers.respond(sut, chat, drivers.SUTOptions())
    error = classify(caught.value)
    assert error.kind is ErrorKind.config
    assert error.message == (
        f"{UID} takes a text prompt only (AcceptsTextPrompt): "
        "send it a text prompt (no system prompt, one turn)"
    )


def test_in_process_missing_key(my_sut_driver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SUT_URL", "http://127.0.0.1:9/unused")
    with pytest.raises(drivers.MissingSecretValues) as caught:
        drivers.make_sut(UID, {})
    assert [d.name for d in caught.value.descriptions] == ["my_host/api_key"]
    assert '[my_host]\napi_key = "<value>"' in str(caught.value)
    assert [i.description().name for i in drivers.secrets_needed(UID)] == ["my_host/api_key"]
