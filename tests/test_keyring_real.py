"""sutui on a REAL Secret Service: a private dbus-daemon + gnome-keyring-daemon (see
tests/keyring_fixtures.py).

Other clients of the same keyring (libsecret's secret-tool, python-keyring's command line) see
what sutui stores and the other way round; locked, uninitialised, absent, misconfigured and
stalled keyrings each give their message while the environment and secrets.toml keep working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from keyring_fixtures import SecretServiceProcess

from drivers.keyring_layer import KeyringLayer, KeyringProblem, default_keyring
from drivers.secret_store import SecretStore

KEY = "sk-real-keyring-0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        ours = name.startswith("SUTUI_") and name != "SUTUI_CONFIG_DIR"
        if ours or name.endswith(("_API_KEY", "_TOKEN")):
            monkeypatch.delenv(name)


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def sutui(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    result = run(sys.executable, "-m", "sutui", *args, stdin=stdin, env=env, timeout=timeout)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def secret_tool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run("secret-tool", *args, stdin=stdin)


def store() -> SecretStore:
    return SecretStore(search_file=False)


# ----- interoperability -----------------------------------------------------------------------


def test_secret_tool_sees_what_sutui_stores(real_keyring: SecretServiceProcess) -> None:
    result = sutui("secrets", "set", "openai", "api_key", stdin=KEY + "\n")
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    search = secret_tool("search", "service", "sutui")
    assert search.returncode == 0, search.stderr
    text = search.stdout + search.stderr
    assert "attribute.service = sutui" in text
    assert "attribute.username = openai/api_key" in text
    assert f"secret = {KEY}" in text
    lookup = secret_tool("lookup", "service", "sutui", "username", "openai/api_key")
    assert lookup.stdout == KEY


def test_sutui_sees_what_the_keyring_command_line_stores(
    real_keyring: SecretServiceProcess,
) -> None:
    result = run(
        sys.executable, "-m", "keyring", "set", "sutui", "together/api_key", stdin=KEY + "\n"
    )
    assert result.returncode == 0, result.stderr
    listed = sutui("secrets", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["keyring"]["status"] == "ok"
    row = next(r for r in data["secrets"] if (r["scope"], r["key"]) == ("together", "api_key"))
    assert (row["set"], row["layer"], row["masked"]) == (True, "keyring", "sk-…cdef")
    assert KEY not in listed.stdout + listed.stderr
    found = store().lookup("together", "api_key")
    assert found is not None and (found.value, found.layer) == (KEY, "keyring")


def test_sutui_sees_what_secret_tool_stores_and_deletes_it(
    real_keyring: SecretServiceProcess,
) -> None:
    stored = secret_tool(
        "store",
        "--label=hf token",
        "service",
        "sutui",
        "username",
        "hugging_face/token",
        stdin="hf_0123456789abcdef",
    )
    assert stored.returncode == 0, stored.stderr
    found = store().lookup("hugging_face", "token")
    assert found is not None and found.value == "hf_0123456789abcdef"
    deleted = sutui("secrets", "delete", "hugging_face", "token")
    assert deleted.returncode == 0, deleted.stderr
    gone = secret_tool("lookup", "service", "sutui", "username", "hugging_face/token")
    assert gone.returncode != 0 and gone.stdout == ""
    again = sutui("secrets", "delete", "hugging_face", "token")
    assert again.returncode == 2
    assert "has no entry for hugging_face/token" in again.stderr


def test_import_a_modelgauge_secrets_file(
    real_keyring: SecretServiceProcess, tmp_path: Path
) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(f'[openai]\napi_key = "{KEY}"\n[demo]\napi_key = ""\n')
    result = sutui("secrets", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "imported  openai/api_key" in result.stdout
    assert "skipped   demo/api_key: empty value" in result.stdout
    assert KEY not in result.stdout + result.stderr
    lookup = secret_tool("lookup", "service", "sutui", "username", "openai/api_key")
    assert lookup.stdout == KEY
    again = sutui("secrets", "import", str(path))
    assert "skipped   openai/api_key: already in the keyring" in again.stdout


def test_env_beats_keyring_beats_file(real_keyring: SecretServiceProcess, tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[openai]\napi_key = "sk-from-file-000000"\n')
    store_ = SecretStore(secrets_file=path)
    assert store_.lookup("openai", "api_key").layer == "file"  # type: ignore[union-attr]
    store_.set("openai", "api_key", KEY)
    assert store_.lookup("openai", "api_key").layer == "keyring"  # type: ignore[union-attr]
    os.environ["OPENAI_API_KEY"] = "sk-from-env-000000"
    try:
        assert store_.lookup("openai", "api_key").layer == "env"  # type: ignore[union-attr]
    finally:
        del os.environ["OPENAI_API_KEY"]


def test_setup_stores_in_the_real_keyring(real_keyring: SecretServiceProcess) -> None:
    result = sutui("secrets", "setup", "demo_random_words", stdin="12345\n")
    assert result.returncode == 0, result.stderr
    assert "test: ok" in result.stdout
    lookup = secret_tool("lookup", "service", "sutui", "username", "demo/api_key")
    assert lookup.stdout == "12345"
    ran = sutui("run-sut", "--sut", "demo_random_words", "--prompt", "hi", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "done"


def test_reset_after_the_environment_changes(
    real_keyring: SecretServiceProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    secret_tool("store", "--label=x", "service", "sutui", "username", "openai/api_key", stdin=KEY)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    layer = default_keyring()
    layer.reset()
    assert store().lookup("openai", "api_key") is None
    assert layer.status == "no_backend"
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    assert store().lookup("openai", "api_key") is None  # still remembered as broken
    layer.reset()
    found = store().lookup("openai", "api_key")
    assert found is not None and found.layer == "keyring" and layer.status == "ok"
    assert layer.status_line() == "keyring: ok (SecretService)"


# ----- failure modes ---------------------------------------------------------------------------


def assert_fallback_works(status: str, words: str, tmp_path: Path) -> None:
    """Lookups fall back to env and file; the status and message say what is wrong; `secrets
    set` exits 2 with that message; `secrets list` still lists."""
    path = tmp_path / "secrets.toml"
    path.write_text('[together]\napi_key = "tg-from-file-000000"\n')
    env = {"SUTUI_OPENAI__API_KEY": "sk-from-env-000000", "SUTUI_KEYRING_TIMEOUT": "1"}
    layer = KeyringLayer(timeout=1)
    store_ = SecretStore(environ=env, secrets_file=path, keyring=layer)
    assert store_.lookup("openai", "api_key").layer == "env"  # type: ignore[union-attr]
    assert store_.lookup("together", "api_key").layer == "file"  # type: ignore[union-attr]
    assert store_.lookup("anthropic", "api_key") is None
    assert store_.keyring_status() == status
    assert words in str(store_.keyring_problem())
    with pytest.raises(KeyringProblem) as info:
        store_.set("anthropic", "api_key", KEY)
    assert info.value.status == status
    assert layer.calls == 1

    listed = sutui("--secrets", str(path), "secrets", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["keyring"]["status"] == status and words in data["keyring"]["message"]
    rows = {(r["scope"], r["key"]): r for r in data["secrets"]}
    assert rows[("openai", "api_key")]["layer"] == "env"
    assert rows[("together", "api_key")]["layer"] == "file"
    put = sutui("secrets", "set", "anthropic", "api_key", stdin=KEY, env=env)
    assert put.returncode == 2 and put.stdout == ""
    assert put.stderr.startswith("sutui: ") and words in put.stderr
    assert put.stderr.count("\n") == 1 and KEY not in put.stderr


def test_locked_keyring(locked_keyring: SecretServiceProcess, tmp_path: Path) -> None:
    assert_fallback_works("locked", "The OS keyring is locked", tmp_path)


def test_uninitialised_keyring(uninitialised_keyring: SecretServiceProcess, tmp_path: Path) -> None:
    assert_fallback_works("no_collection", "has no usable keyring (collection)", tmp_path)


def test_no_dbus(no_dbus_keyring: None, tmp_path: Path) -> None:
    assert_fallback_works("no_backend", "No OS keyring is available", tmp_path)


def test_forced_backend_that_cannot_work(forced_backend_keyring: None, tmp_path: Path) -> None:
    assert_fallback_works(
        "backend_error",
        "PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring cannot work",
        tmp_path,
    )


def test_stalled_keyring_returns_within_the_timeout(
    stalled_keyring: SecretServiceProcess, tmp_path: Path
) -> None:
    start = time.monotonic()
    assert_fallback_works("timeout", "did not answer within 1 s", tmp_path)
    # one in-process timeout plus two CLI runs of one timeout each, and their exit is not held
    # up by the blocked keyring thread
    assert time.monotonic() - start < 15
    begin = time.monotonic()
    result = sutui("secrets", "list", env={"SUTUI_KEYRING_TIMEOUT": "1"}, timeout=20)
    assert result.returncode == 0
    assert "keyring: not answering" in result.stdout
    assert time.monotonic() - begin < 10


# ----- an optional key the locked keyring holds back -------------------------------------------


def test_a_401_says_the_optional_key_in_a_locked_keyring_was_not_sent(
    locked_keyring: SecretServiceProcess,
    provider_server: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An OpenAI-compatible server's key is optional: with the keyring locked it was silently
    left out, and the 401 said only that the provider rejected the key."""
    from sutui.cli.main import run as sutui_run

    monkeypatch.setenv("SUTUI_KEYRING_TIMEOUT", "2")
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    args = ["run-sut", "--sut", uid, "--prompt", "hi", "--no-history"]
    assert sutui_run([*args, "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["status"] == 401 and "Authorization" not in provider_server.last().headers
    assert error["hint"] == (
        "the OS keyring is locked: optional key [openai] api_key was not sent; unlock it (log "
        "in to your desktop session, or unlock the 'login' keyring in your keyring manager, "
        "e.g. Seahorse), or set SUTUI_OPENAI__API_KEY or OPENAI_API_KEY."
    )
    assert sutui_run(args) == 1
    assert "what to do: the OS keyring is locked: optional key" in capsys.readouterr().out
    # A key that was sent and rejected gets the usual hint, the keyring locked or not.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-000000000000")
    assert sutui_run([*args, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["hint"].startswith(
        "the provider rejected the key"
    )


def test_a_401_with_no_optional_key_in_a_working_keyring_says_nothing_of_it(
    real_keyring: SecretServiceProcess,
    provider_server: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sutui.cli.main import run as sutui_run

    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    assert sutui_run(["run-sut", "--sut", uid, "--prompt", "hi", "--json", "--no-history"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["status"] == 401 and "keyring" not in error["hint"]
