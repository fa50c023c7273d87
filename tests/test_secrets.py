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
