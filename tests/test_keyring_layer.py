"""The keyring layer without daemons: naming, precedence, classification, timeout, stop-asking."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import keyring.errors as kerr
import pytest
from keyring_fixtures import MemoryBackend

from drivers.keyring_layer import (
    KeyringEntryMissing,
    KeyringLayer,
    KeyringProblem,
    classify,
    username,
)
from drivers.redaction import forget_all, redact
from drivers.secret_store import SecretStore


def layer_with(backend: object, timeout: float = 5) -> KeyringLayer:
    return KeyringLayer(backend=backend, timeout=timeout)


def test_naming_scheme_is_service_sutui_user_scope_slash_key() -> None:
    backend = MemoryBackend()
    store = SecretStore(environ={}, search_file=False, keyring=layer_with(backend))
    store.set("nvidia-nim-api", "api_key", "nv-0123456789")
    assert backend.items == {("sutui", "nvidia-nim-api/api_key"): "nv-0123456789"}
    assert username("openai", "api_key") == "openai/api_key"


def test_precedence_env_then_keyring_then_file(tmp_path: Path) -> None:
    file = tmp_path / "secrets.toml"
    file.write_text('[openai]\napi_key = "from-file-0000"\n[together]\napi_key = "tg-file-0000"\n')
    backend = MemoryBackend()
    backend.items[("sutui", "openai/api_key")] = "from-keyring-0000"
    env: dict[str, str] = {}
    store = SecretStore(environ=env, secrets_file=file, keyring=layer_with(backend))
    found = store.lookup("openai", "api_key")
    assert found is not None
    assert (found.value, found.layer, found.source) == (
        "from-keyring-0000",
        "keyring",
        "sutui/openai/api_key",
    )
    together = store.lookup("together", "api_key")
    assert together is not None and together.layer == "file"
    env["OPENAI_API_KEY"] = "from-provider-var"
    assert store.lookup("openai", "api_key").layer == "env"  # type: ignore[union-attr]
    env["SUTUI_OPENAI__API_KEY"] = "from-sutui-var"
    assert store.lookup("openai", "api_key").value == "from-sutui-var"  # type: ignore[union-attr]
    assert store.raw_secrets()["openai"]["api_key"] == "from-sutui-var"


def test_values_read_from_the_keyring_are_redacted() -> None:
    forget_all()
    backend = MemoryBackend()
    backend.items[("sutui", "openai/api_key")] = "sk-redact-me-0123456789"
    store = SecretStore(environ={}, search_file=False, keyring=layer_with(backend))
    assert store.lookup("openai", "api_key") is not None
    assert redact("error: sk-redact-me-0123456789 refused") == "error: [REDACTED] refused"


def test_keyring_off_by_environment() -> None:
    backend = MemoryBackend()
    backend.items[("sutui", "openai/api_key")] = "from-keyring-0000"
    store = SecretStore(
        environ={"SUTUI_KEYRING": "off"}, search_file=False, keyring=layer_with(backend)
    )
    assert store.lookup("openai", "api_key") is None
    assert store.keyring_status() == "off"
    with pytest.raises(KeyringProblem, match="turned off"):
        store.set("openai", "api_key", "x")
    assert backend.calls == 0


@pytest.mark.parametrize(
    ("exc", "status", "words"),
    [
        (kerr.NoKeyringError("No recommended backend"), "no_backend", "No OS keyring"),
        (kerr.KeyringLocked("Failed to unlock the collection!"), "locked", "is locked"),
        (kerr.InitError("Failed to create the collection"), "no_collection", "no usable"),
        (RuntimeError("Unable to initialize SecretService"), "backend_error", "cannot work"),
        (kerr.PasswordSetError("nope"), "error", "failed"),
        (OSError("socket closed"), "error", "OSError"),
    ],
)
def test_each_failure_has_its_status_and_message(
    exc: BaseException, status: str, words: str, tmp_path: Path
) -> None:
    problem = classify(exc)
    assert problem.status == status
    assert words in str(problem)
    assert "SUTUI_<SCOPE>__<KEY>" in str(problem)  # says what keeps working
    # and through the store: the lookup falls back, set raises the message
    file = tmp_path / "secrets.toml"
    file.write_text('[openai]\napi_key = "from-file-0000"\n')
    backend = MemoryBackend()
    backend.fail = exc
    store = SecretStore(environ={}, secrets_file=file, keyring=layer_with(backend))
    found = store.lookup("openai", "api_key")
    assert found is not None and found.layer == "file"
    assert store.keyring_status() == status
    with pytest.raises(KeyringProblem) as info:
        store.set("openai", "api_key", "sk-new-value-0000")
    assert info.value.status == status


def test_forced_backend_message_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    problem = classify(RuntimeError("Environment variable DBUS_SESSION_BUS_ADDRESS is unset"))
    assert problem.status == "backend_error"
    assert "PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring" in str(problem)
    assert "Unset PYTHON_KEYRING_BACKEND" in str(problem)


def test_no_keyring_error_is_not_taken_for_a_forced_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "x")
    assert classify(kerr.NoKeyringError("none")).status == "no_backend"


def test_after_one_failure_the_keyring_is_not_asked_again() -> None:
    backend = MemoryBackend()
    backend.fail = kerr.KeyringLocked("Failed to unlock the collection!")
    layer = layer_with(backend)
    store = SecretStore(environ={"SUTUI_DEMO__API_KEY": "12345"}, search_file=False, keyring=layer)
    for scope in ("openai", "together", "anthropic", "google_ai"):
        assert store.lookup(scope, "api_key") is None
    assert backend.calls == 1 and layer.calls == 1
    assert store.lookup("demo", "api_key").value == "12345"  # type: ignore[union-attr]
    assert layer.status_line() == "keyring: locked"
    backend.fail = None
    layer.reset()
    backend.items[("sutui", "openai/api_key")] = "sk-after-reset-0000"
    assert store.lookup("openai", "api_key").layer == "keyring"  # type: ignore[union-attr]
    assert layer.status == "ok"


def test_a_stalled_keyring_costs_one_timeout() -> None:
    release = threading.Event()

    class Stalled(MemoryBackend):
        def get_password(self, service: str, user: str) -> str | None:
            self.calls += 1
            release.wait(30)
            return None

    backend = Stalled()
    layer = layer_with(backend, timeout=0.3)
    store = SecretStore(environ={}, search_file=False, keyring=layer)
    try:
        start = time.monotonic()
        assert store.lookup("openai", "api_key") is None
        assert store.lookup("together", "api_key") is None
        elapsed = time.monotonic() - start
        assert elapsed < 2, elapsed
        assert layer.status == "timeout" and backend.calls == 1
        assert "did not answer within 0.3 s" in str(layer.problem)
    finally:
        release.set()


def test_deleting_a_missing_entry_is_clear_and_keeps_the_keyring_usable() -> None:
    backend = MemoryBackend()
    layer = layer_with(backend)
    store = SecretStore(environ={}, search_file=False, keyring=layer)
    with pytest.raises(KeyringEntryMissing, match="no entry for openai/api_key"):
        store.delete("openai", "api_key")
    assert layer.usable and layer.status == "ok"
    store.set("openai", "api_key", "sk-0123456789")
    store.delete("openai", "api_key")
    assert store.lookup("openai", "api_key") is None and backend.items == {}


def test_probe_reports_ok_with_the_backend_name() -> None:
    layer = layer_with(MemoryBackend())
    assert layer.status_line() == "keyring: not asked yet"
    assert layer.probe() == "ok"
    assert layer.status_line() == "keyring: ok (MemoryBackend)"
