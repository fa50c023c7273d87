"""`sutui secrets ...` in-process, on an in-memory keyring and a local key-echoing server."""

from __future__ import annotations

import io
import json
import os
import tomllib
from pathlib import Path

import keyring.errors as kerr
import pytest
from keyring_fixtures import EchoServer, MemoryBackend

from sutui.cli.main import run

KEY = "sk-cli-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        ours = name.startswith("SUTUI_") and name != "SUTUI_CONFIG_DIR"
        if ours or name.endswith(("_API_KEY", "_TOKEN")):
            monkeypatch.delenv(name)


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_set_reads_one_line_of_stdin_and_never_prints_the_value(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(
        capsys, monkeypatch, "secrets", "set", "openai", "api_key", stdin=KEY + "\n"
    )
    assert code == 0, err
    assert memory_keyring.items[("sutui", "openai/api_key")] == KEY
    assert KEY not in out + err
    assert "sk-…cdef" in out and "user 'openai/api_key'" in out


def test_set_refuses_argv_unless_insisted(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "secrets", "set", "openai", "api_key", "--value", KEY)
    assert code == 2
    assert "shell saves it in its history" in err and "--insecure-argv" in err
    assert memory_keyring.items == {}
    code, out, _ = cli(
        capsys,
        monkeypatch,
        "secrets",
        "set",
        "openai",
        "api_key",
        "--value",
        KEY,
        "--insecure-argv",
    )
    assert code == 0 and KEY not in out
    assert memory_keyring.items[("sutui", "openai/api_key")] == KEY


def test_set_empty_value_stores_nothing(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "secrets", "set", "openai", "api_key", stdin="\n")
    assert code == 2 and "Nothing was stored" in err
    assert memory_keyring.items == {}


def test_set_unknown_secret_warns_with_close_match(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "secrets", "set", "openai", "api_kee", stdin=KEY)
    assert code == 0
    assert "no driver or predefined SUT uses openai/api_kee" in err and "openai/api_key" in err


def test_set_notes_an_overriding_variable(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-value-000000")
    code, out, _ = cli(capsys, monkeypatch, "secrets", "set", "openai", "api_key", stdin=KEY)
    assert code == 0 and "OPENAI_API_KEY is set in the environment" in out


def test_list_shows_layers_masked_values_and_users(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    memory_keyring.items[("sutui", "openai/api_key")] = KEY
    monkeypatch.setenv("TOGETHER_API_KEY", "tg-env-0123456789")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "secrets.toml").write_text(
        '[mistralai]\napi_key = "mi-file-0123456789"\n[extra]\nthing = "xx-file-0123456789"\n'
    )
    code, out, err = cli(capsys, monkeypatch, "secrets", "list", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["keyring"]["status"] == "ok" and data["keyring"]["message"] is None
    rows = {(r["scope"], r["key"]): r for r in data["secrets"]}
    assert rows[("openai", "api_key")] | {"drivers": None, "suts": None} == {
        "scope": "openai",
        "key": "api_key",
        "set": True,
        "required": True,
        "layer": "keyring",
        "source": "sutui/openai/api_key",
        "masked": "sk-…cdef",
        "trimmed": False,
        "drivers": None,
        "suts": None,
    }
    assert "openai" in rows[("openai", "api_key")]["drivers"]
    assert "gpt-4o-mini" in rows[("openai", "api_key")]["suts"]
    assert rows[("together", "api_key")]["layer"] == "env"
    assert rows[("together", "api_key")]["source"] == "TOGETHER_API_KEY"
    assert rows[("mistralai", "api_key")]["layer"] == "file"
    assert rows[("extra", "thing")]["set"] and rows[("extra", "thing")]["drivers"] == []
    assert rows[("anthropic", "api_key")] | {"drivers": [], "suts": []} == {
        "scope": "anthropic",
        "key": "api_key",
        "set": False,
        "required": True,
        "layer": None,
        "source": None,
        "masked": None,
        "trimmed": False,
        "drivers": [],
        "suts": [],
    }
    assert rows[("openai", "organization")]["required"] is False
    for secret in (KEY, "tg-env-0123456789", "mi-file-0123456789"):
        assert secret not in out + err
    code, out, err = cli(capsys, monkeypatch, "secrets", "list")
    org = next(ln for ln in out.splitlines() if ln.startswith("openai/organization"))
    assert "optional" in org and "missing" not in org
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("openai/api_key"))
    assert "set" in line and "keyring" in line and "sk-…cdef" in line and "SUTs (" in line
    assert "env TOGETHER_API_KEY" in out
    assert "keyring: ok (MemoryBackend)" in out
    assert KEY not in out + err


def test_list_with_a_locked_keyring_says_so_and_still_lists(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.fail = kerr.KeyringLocked("Failed to unlock the collection!")
    monkeypatch.setenv("SUTUI_DEMO__API_KEY", "12345")
    code, out, err = cli(capsys, monkeypatch, "secrets", "list")
    assert code == 0
    assert "keyring: locked" in out and "The OS keyring is locked" in err
    assert "demo/api_key" in out and memory_keyring.calls == 1


def test_set_with_a_locked_keyring_is_one_clear_paragraph(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.fail = kerr.KeyringLocked("Failed to unlock the collection!")
    code, out, err = cli(capsys, monkeypatch, "secrets", "set", "openai", "api_key", stdin=KEY)
    assert code == 2 and out == ""
    assert err.startswith("sutui: The OS keyring is locked") and err.count("\n") == 1


def test_delete_and_delete_missing(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.items[("sutui", "openai/api_key")] = KEY
    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-env-0123456789")
    code, out, _ = cli(capsys, monkeypatch, "secrets", "delete", "openai", "api_key")
    assert code == 0 and "Deleted openai/api_key" in out
    assert "still set by the env layer (SUTUI_OPENAI__API_KEY)" in out
    assert memory_keyring.items == {}
    code, out, err = cli(capsys, monkeypatch, "secrets", "delete", "openai", "api_key")
    assert code == 2 and "has no entry for openai/api_key" in err and "nothing to delete" in err


def test_import_shows_what_it_imports_and_skips(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    memory_keyring.items[("sutui", "together/api_key")] = "tg-same-0123456789"
    memory_keyring.items[("sutui", "anthropic/api_key")] = "an-old-0123456789"
    path = tmp_path / "modelgauge-secrets.toml"
    path.write_text(
        "[openai]\n"
        f'api_key = "{KEY}"\n'
        'organization = ""\n'
        "[together]\n"
        'api_key = "tg-same-0123456789"\n'
        "[anthropic]\n"
        'api_key = "an-new-0123456789"\n'
    )
    code, out, err = cli(capsys, monkeypatch, "secrets", "import", str(path))
    assert code == 0, err
    assert "imported  openai/api_key" in out
    assert "skipped   openai/organization: empty value" in out
    assert "skipped   together/api_key: already in the keyring" in out
    assert "skipped   anthropic/api_key: the keyring holds a different value" in out
    assert "1 imported, 3 skipped" in out
    for value in (KEY, "tg-same-0123456789", "an-new-0123456789", "an-old-0123456789"):
        assert value not in out + err
    assert memory_keyring.items[("sutui", "openai/api_key")] == KEY
    assert memory_keyring.items[("sutui", "anthropic/api_key")] == "an-old-0123456789"
    code, out, _ = cli(capsys, monkeypatch, "secrets", "import", str(path), "--replace")
    assert code == 0 and "replaced  anthropic/api_key" in out
    assert memory_keyring.items[("sutui", "anthropic/api_key")] == "an-new-0123456789"


def test_import_of_a_bad_file_is_clear(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[openai]\napi_key = 12")
    code, _, err = cli(capsys, monkeypatch, "secrets", "import", str(path))
    assert code == 2 and "must be a string" in err
    code, _, err = cli(capsys, monkeypatch, "secrets", "import", str(tmp_path / "none.toml"))
    assert code == 2 and "does not exist" in err


def test_template_is_toml_without_values(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.items[("sutui", "openai/api_key")] = KEY
    code, out, _ = cli(capsys, monkeypatch, "secrets", "template")
    assert code == 0
    data = tomllib.loads(out)
    assert data["openai"] == {"api_key": "", "organization": ""}
    assert data["nvidia-nim-api"] == {"api_key": ""}
    assert all(v == "" for table in data.values() for v in table.values())
    assert "# See https://platform.openai.com/api-keys" in out
    assert KEY not in out


def test_test_demo_offline(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "secrets", "test", "demo")
    assert code == 2 and "not set anywhere" in err and "sutui secrets set demo api_key" in err
    memory_keyring.items[("sutui", "demo/api_key")] = "12345"
    memory_keyring_layer_reset()  # the layer caches what it read, absent entries too
    code, out, _ = cli(capsys, monkeypatch, "secrets", "test", "demo")
    assert code == 0 and "demo: ok" in out
    memory_keyring.items[("sutui", "demo/api_key")] = "54321"
    memory_keyring_layer_reset()
    code, _, err = cli(capsys, monkeypatch, "secrets", "test", "demo")
    assert code == 1 and "rejected" in err


def test_test_names_the_layer_the_rejected_value_came_from(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The environment hides the keyring: "not the value stored" sent people to fix the wrong
    one."""
    memory_keyring.items[("sutui", "demo/api_key")] = "12345"
    monkeypatch.setenv("SUTUI_DEMO__API_KEY", "999")
    code, _, err = cli(capsys, monkeypatch, "secrets", "test", "demo")
    assert code == 1 and "the environment variable SUTUI_DEMO__API_KEY holds another" in err
    assert "stored" not in err
    monkeypatch.delenv("SUTUI_DEMO__API_KEY")
    memory_keyring.items[("sutui", "demo/api_key")] = "54321"
    memory_keyring_layer_reset()
    code, _, err = cli(capsys, monkeypatch, "secrets", "test", "demo")
    assert code == 1 and "the OS keyring (entry sutui/demo/api_key) holds another" in err
    del memory_keyring.items[("sutui", "demo/api_key")]
    memory_keyring_layer_reset()
    file = tmp_path / "s.toml"
    file.write_text('[demo]\napi_key = "999"\n')
    code, _, err = cli(capsys, monkeypatch, "--secrets", str(file), "secrets", "test", "demo")
    assert code == 1 and f"the secrets file {file} holds another" in err
    assert "999" not in err


def memory_keyring_layer_reset() -> None:
    from drivers.keyring_layer import default_keyring

    default_keyring().reset()


def test_test_against_a_server_ok_rejected_unreachable(
    memory_keyring: MemoryBackend,
    key_echo_server: EchoServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.items[("sutui", "openai/api_key")] = key_echo_server.good_key
    monkeypatch.setenv("SUTUI_OPENAI__BASE_URL", key_echo_server.url)
    code, out, err = cli(capsys, monkeypatch, "secrets", "test", "openai")
    assert code == 0, err
    assert "openai: ok" in out and "/v1/models answered HTTP 200" in out
    assert key_echo_server.seen[-1]["path"] == "/v1/models"
    assert key_echo_server.seen[-1]["authorization"] == f"Bearer {key_echo_server.good_key}"
    monkeypatch.delenv("SUTUI_OPENAI__BASE_URL")
    memory_keyring.items[("sutui", "openai/api_key")] = KEY
    memory_keyring_layer_reset()
    code, out, err = cli(
        capsys, monkeypatch, "secrets", "test", "openai", "--url", key_echo_server.url
    )
    assert code == 1 and "rejected" in err and "HTTP 401" in err
    assert KEY not in out + err
    code, _, err = cli(
        capsys, monkeypatch, "secrets", "test", "openai", "--url", "http://127.0.0.1:9/v1"
    )
    assert code == 1 and "unreachable" in err and KEY not in err


def test_test_anthropic_style_header_and_unknown_scope(
    memory_keyring: MemoryBackend,
    key_echo_server: EchoServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory_keyring.items[("sutui", "anthropic/api_key")] = key_echo_server.good_key
    code, _, err = cli(
        capsys, monkeypatch, "secrets", "test", "anthropic", "--url", key_echo_server.url
    )
    assert code == 0, err
    assert key_echo_server.seen[-1]["authorization"] == f"Bearer {key_echo_server.good_key}"
    assert "anthropic-version" in key_echo_server.seen[-1]
    code, _, err = cli(capsys, monkeypatch, "secrets", "test", "my_vllm")
    assert code == 2 and "knows no test for the scope 'my_vllm'" in err and "--url" in err
    memory_keyring.items[("sutui", "my_vllm/api_key")] = key_echo_server.good_key
    code, out, _ = cli(
        capsys, monkeypatch, "secrets", "test", "my_vllm", "--url", key_echo_server.url
    )
    assert code == 0 and "my_vllm: ok" in out


def test_setup_walks_missing_secrets_stores_and_tests(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(capsys, monkeypatch, "secrets", "setup", "demo", stdin="12345\n")
    assert code == 0, err
    assert "[demo] api_key (required)" in out and "it is 12345" in out
    assert "stored in the OS keyring as demo/api_key" in out and "test: ok" in out
    assert memory_keyring.items[("sutui", "demo/api_key")] == "12345"
    code, out, _ = cli(capsys, monkeypatch, "secrets", "setup", "demo_random_words")
    assert code == 0 and "already set (keyring" in out and "Nothing to do" in out


def test_setup_of_a_sut_skips_what_is_set_and_empty_lines(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUTUI_OPENAI__BASE_URL", "http://127.0.0.1:9/v1")
    code, out, _ = cli(capsys, monkeypatch, "secrets", "setup", "gpt-4o-mini", stdin=f"{KEY}\n\n")
    assert "[openai] api_key (required)" in out and "[openai] organization (optional)" in out
    assert "test: unreachable" in out and "skipped." in out
    assert KEY not in out
    assert code == 0
    assert memory_keyring.items == {("sutui", "openai/api_key"): KEY}


def test_setup_unknown_name_and_locked_keyring(
    memory_keyring: MemoryBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "secrets", "setup", "opena")
    assert code == 2 and "neither a driver nor a predefined SUT" in err and "'openai'" in err
    memory_keyring.fail = kerr.KeyringLocked("Failed to unlock the collection!")
    code, _, err = cli(capsys, monkeypatch, "secrets", "setup", "demo", stdin="12345\n")
    assert code == 2 and "The OS keyring is locked" in err


def test_test_hugging_face_asks_whoami_through_the_drivers_hook(
    memory_keyring: MemoryBackend,
    key_echo_server: EchoServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The router's model list is public, so the Hugging Face drivers' check hook asks whoami."""
    memory_keyring.items[("sutui", "hugging_face/token")] = key_echo_server.good_key
    root = key_echo_server.url.removesuffix("/v1")
    code, out, err = cli(capsys, monkeypatch, "secrets", "test", "hugging_face", "--url", root)
    assert code == 0, err
    assert "/whoami-v2 answered HTTP 200" in out
    assert key_echo_server.seen[-1]["authorization"] == f"Bearer {key_echo_server.good_key}"


def test_a_plugin_driver_checks_its_own_key(
    key_echo_server: EchoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is a factory hook: a plugin's driver that overrides it is the one asked."""
    from typing import Any

    from drivers import DynamicSUTFactory, InjectSecret, RequiredSecret, SecretDescription
    from drivers.errors import ErrorKind, SUTError
    from drivers.registry import DriverRegistry
    from drivers.secret_store import SecretStore
    from sutui.secret_check import check_secret, checked_key, has_check

    class ShopKey(RequiredSecret):
        @classmethod
        def description(cls) -> SecretDescription:
            return SecretDescription(scope="shop", key="api_key", env_vars=("SHOP_KEY",))

    asked: list[str] = []

    class ShopFactory(DynamicSUTFactory):
        def get_secrets(self) -> list[InjectSecret[Any]]:
            return [InjectSecret(ShopKey)]

        def make_sut(self, sut_definition: Any) -> Any:
            raise NotImplementedError

        async def check_secrets(self, sut_definition: Any) -> str | None:
            (key,) = self.injected_secrets()
            asked.append(sut_definition.driver)
            if key.value != "right":
                raise SUTError(ErrorKind.auth, "the shop refused it")
            return "asked the shop"

    class Quiet(ShopFactory):  # declares the scope, cannot check it
        check_secrets = DynamicSUTFactory.check_secrets  # type: ignore[assignment]

    registry = DriverRegistry(builtins={"shop": ShopFactory}, group="sutui.tests.none")
    store = SecretStore(environ={"SHOP_KEY": "right"}, search_file=False, use_keyring=False)
    assert has_check("shop", registry) and checked_key("shop", registry) == "api_key"
    result = check_secret(store, "shop", registry=registry)
    assert result.ok and result.detail == (
        "the key from the environment variable SHOP_KEY works (asked the shop)"
    )
    assert asked == ["shop"]
    store.environ = {"SHOP_KEY": "wrong"}
    result = check_secret(store, "shop", registry=registry)
    assert result.outcome == "rejected" and "the shop refused it" in result.detail
    quiet = DriverRegistry(builtins={"quiet": Quiet}, group="sutui.tests.none")
    assert not has_check("shop", quiet)
    with pytest.raises(Exception, match="knows no test for the scope 'shop'"):
        check_secret(store, "shop", registry=quiet)
