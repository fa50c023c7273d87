"""The secrets model and the env + secrets.toml layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers import (
    InjectSecret,
    MissingSecretValues,
    OptionalSecret,
    RequiredSecret,
    SecretDescription,
)
from drivers.secret_store import SecretsFileError, SecretStore, find_secrets_file
from drivers.secrets import env_var_name, resolve_injected


class HostKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(scope="my_host", key="api_key", instructions="Ask the admin.")


class HostOrg(OptionalSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(scope="my_host", key="org", instructions="Optional.")


class OtherToken(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(scope="other", key="token", instructions="Line one.\nLine two.")


def test_required_and_optional() -> None:
    raw = {"my_host": {"api_key": "sk-abcdef123456"}}
    key = HostKey.make(raw)
    assert key.value == "sk-abcdef123456"
    assert "sk-abc" not in repr(key) and "sk-abc" not in str(key)
    assert HostOrg.make(raw) is None
    with pytest.raises(MissingSecretValues):
        HostKey.make({})


def test_all_missing_values_listed_at_once_as_paste_ready_toml() -> None:
    items = [InjectSecret(HostKey), InjectSecret(HostOrg), InjectSecret(OtherToken), 7]
    with pytest.raises(MissingSecretValues) as info:
        resolve_injected(items, {})
    text = str(info.value)
    assert '[my_host]\n# Ask the admin.\napi_key = "<value>"' in text
    assert '[other]\n# Line one.\n# Line two.\ntoken = "<value>"' in text
    assert "org" not in text  # optional secrets are not demanded
    assert text.index("[my_host]") < text.index("[other]")


def test_env_var_names() -> None:
    assert env_var_name("my_host", "api_key") == "SUTUI_MY_HOST__API_KEY"
    assert env_var_name("nvidia-nim-api", "api_key") == "SUTUI_NVIDIA_NIM_API__API_KEY"


def test_layers_env_first_then_file(tmp_path: Path) -> None:
    from drivers.providers.openai import OpenAIApiKey

    OpenAIApiKey.description()  # what a driver does before a lookup: declares OPENAI_API_KEY
    file = tmp_path / "secrets.toml"
    file.write_text('[openai]\napi_key = "from-file-key"\n[my_host]\napi_key = "file-host"\n')
    env = {"OPENAI_API_KEY": "from-conventional", "SUTUI_MY_HOST__API_KEY": ""}
    store = SecretStore(environ=env, secrets_file=file)
    found = store.lookup("openai", "api_key")
    assert found is not None and (found.value, found.layer, found.source) == (
        "from-conventional",
        "env",
        "OPENAI_API_KEY",
    )
    host = store.lookup("my_host", "api_key")
    assert host is not None and host.layer == "file" and host.value == "file-host"
    env["SUTUI_OPENAI__API_KEY"] = "from-sutui-var"
    assert store.lookup("openai", "api_key").value == "from-sutui-var"  # type: ignore[union-attr]
    assert store.lookup("nobody", "nothing") is None
    raw = store.raw_secrets()
    assert raw.get("my_host", {}).get("api_key") == "file-host"
    assert raw["absent"].get("x") is None


def test_the_session_layer_wins_over_the_file_not_over_the_environment(tmp_path: Path) -> None:
    """A value kept for the session (no keyring could store it) is used by every store of the
    process, after the environment and before the keyring and the file; kept trimmed."""
    from drivers.session_secrets import SessionSecrets

    file = tmp_path / "secrets.toml"
    file.write_text('[my_host]\napi_key = "file-host"\n')
    env: dict[str, str] = {}
    store = SecretStore(environ=env, secrets_file=file, use_keyring=False)
    store.keep_for_session("my_host", "api_key", " pasted-host \n")
    found = store.lookup("my_host", "api_key")
    assert found is not None and (found.value, found.layer) == ("pasted-host", "session")
    other = SecretStore(environ={}, search_file=False, use_keyring=False)
    assert other.raw_secrets()["my_host"]["api_key"] == "pasted-host"  # the same process
    alone = SecretStore(environ={}, search_file=False, use_keyring=False, session=SessionSecrets())
    assert alone.lookup("my_host", "api_key") is None
    env["SUTUI_MY_HOST__API_KEY"] = "from-env"
    assert store.lookup("my_host", "api_key").layer == "env"  # type: ignore[union-attr]
    assert store.session.delete("my_host", "api_key") and not store.session.names()
    env.clear()
    assert store.lookup("my_host", "api_key").layer == "file"  # type: ignore[union-attr]


def test_upstream_secrets_file_is_found_upward(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "secrets.toml").write_text('[demo]\napi_key="12345"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_secrets_file(deep) == tmp_path / "config" / "secrets.toml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[demo\napi_key=1", "not valid TOML"),
        ('api_key = "x"', "must be a table"),
        ("[demo]\napi_key = 12345", "must be a string"),
    ],
)
def test_bad_secrets_files_are_clear(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "secrets.toml"
    file.write_text(content)
    with pytest.raises(SecretsFileError, match=message) as info:
        SecretStore(environ={}, secrets_file=file).lookup("demo", "api_key")
    assert str(file) in str(info.value)


def test_missing_named_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(SecretsFileError, match="does not exist"):
        SecretStore(environ={}, secrets_file=tmp_path / "nope.toml").lookup("a", "b")


def test_a_streamed_key_is_masked_wherever_the_chunks_split_it() -> None:
    from drivers.redaction import StreamRedactor, forget_all, register_secret

    key = "sk-stream-0123456789abcdef"
    register_secret(key)
    try:
        text = f"before {key} between {key}"
        for cut in range(1, len(text)):
            for second in range(cut + 1, len(text) + 1, 7):
                redactor = StreamRedactor()
                pieces = [text[:cut], text[cut:second], text[second:]]
                emitted = [redactor.feed(p) for p in pieces] + [redactor.flush()]
                assert all(key not in e for e in emitted)
                joined = "".join(emitted)
                assert joined == "before [REDACTED] between [REDACTED]", (cut, second)
    finally:
        forget_all()


class PluginToken(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="plugin_host", key="token", env_vars=("PLUGIN_HOST_TOKEN", "PH_TOKEN")
        )


def test_a_plugin_secret_declares_its_usual_variables() -> None:
    """The provider's usual variables are a field of the description: a plugin's secret
    names its own, and the store reads them after SUTUI_<SCOPE>__<KEY>, in order."""
    store = SecretStore(environ={"PH_TOKEN": "ph-value"}, search_file=False, use_keyring=False)
    assert store.lookup("plugin_host", "token") is None  # not declared yet
    assert PluginToken.make(store.raw_secrets()).value == "ph-value"
    assert store.env_names("plugin_host", "token") == (
        "SUTUI_PLUGIN_HOST__TOKEN",
        "PLUGIN_HOST_TOKEN",
        "PH_TOKEN",
    )
    found = store.lookup("plugin_host", "token")
    assert found is not None and found.source == "PH_TOKEN"


def test_builtin_env_vars_are_the_declared_ones() -> None:
    """known_secrets keeps the built-in drivers' usual variables as a set, so registering them
    for redaction imports no driver: it must be exactly what their secrets declare."""
    from drivers.known_secrets import BUILTIN_ENV_VARS
    from drivers.readiness import declared_secrets
    from drivers.registry import DriverRegistry

    registry = DriverRegistry(group="sutui.no-plugins-here")
    declared = declared_secrets([], registry)  # type: ignore[arg-type]
    assert {n for d in declared for n in d.description.env_vars} == BUILTIN_ENV_VARS
    by_name = {d.description.name: d.description.env_vars for d in declared}
    assert by_name["openai/api_key"] == ("OPENAI_API_KEY",)
    assert by_name["hugging_face/token"] == ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
    assert by_name["google_ai/api_key"] == ("GEMINI_API_KEY", "GOOGLE_API_KEY")
