"""Where secret values come from, in layers, each lookup saying which layer supplied it.

1. the environment: SUTUI_<SCOPE>__<KEY>, then the provider's usual variables (OPENAI_API_KEY...)
   that the secret's description declares (SecretDescription.env_vars);
2. this session's memory (drivers/session_secrets.py): a value given in the app when no keyring
   could store it, for this process only, never written anywhere;
3. the OS keyring: service "sutui", username "SCOPE/KEY" (drivers/keyring_layer.py); writes go
   here. Keyring trouble never raises from a lookup: the layer records it (`keyring_status()`)
   and stops asking, and the other layers keep working;
4. a secrets.toml in upstream modelgauge's format, read-only: the one the user names, or
   config/secrets.toml found from the current directory upward.

Factories get a RawSecrets view that looks values up only when a driver asks for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from drivers.keyring_layer import (
    OFF_ENV,
    SERVICE,
    KeyringLayer,
    KeyringProblem,
    default_keyring,
    username,
)
from drivers.redaction import register_secret
from drivers.secrets import declared_env_vars, env_var_name
from drivers.session_secrets import LAYER as SESSION_LAYER
from drivers.session_secrets import SOURCE as SESSION_SOURCE
from drivers.session_secrets import SessionSecrets, session_secrets
from drivers.toml_file import TomlFileError, read_toml


class SecretsFileError(ValueError):
    """A secrets.toml that cannot be used; names the file and what is wrong."""


@dataclass(frozen=True)
class SecretValue:
    value: str
    layer: str
    """'env', 'session', 'keyring' or 'file'."""
    source: str
    """The variable name or the file path (never the value)."""
    trimmed: bool = False
    """Whitespace around the stored value (a newline from `echo KEY | secret-tool store`, a
    pasted space) was removed: HTTP headers cannot hold it, and providers never mean it."""

    def __repr__(self) -> str:
        return f"SecretValue(<redacted>, layer={self.layer!r}, source={self.source!r})"


def find_secrets_file(start: Path | None = None) -> Path | None:
    """config/secrets.toml in the current directory or the nearest parent, as upstream."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "config" / "secrets.toml"
        if candidate.is_file():
            return candidate
    return None


def read_secrets_file(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = read_toml(path)
    except FileNotFoundError:
        raise SecretsFileError(f"the secrets file {path} does not exist") from None
    except TomlFileError as exc:  # quotes no value: a position at most
        raise SecretsFileError(f"the secrets file {path} {exc}") from None
    out: dict[str, dict[str, str]] = {}
    for scope, table in data.items():
        if not isinstance(table, dict):
            raise SecretsFileError(
                f"{path}: '{scope}' must be a table: write [{scope}] and then key = \"value\""
            )
        for key, value in table.items():
            if not isinstance(value, str):
                raise SecretsFileError(
                    f'{path}: [{scope}] {key} must be a string in quotes, like {key} = "..."'
                )
            register_secret(value)
        out[scope] = dict(table)
    return out


class SecretStore:
    """The layered store. `environ`, `secrets_file` and `keyring` are injectable for tests.

    `keyring=None` uses the process-wide keyring layer (one failure stops every store asking);
    `use_keyring=False`, or SUTUI_KEYRING=off in the environment, leaves the keyring out.
    `session=None` uses the process's session layer (a fresh SessionSecrets() isolates a test).
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        secrets_file: Path | None = None,
        search_file: bool = True,
        keyring: KeyringLayer | None = None,
        use_keyring: bool = True,
        session: SessionSecrets | None = None,
    ):
        self.session = session_secrets() if session is None else session
        self.environ = os.environ if environ is None else environ
        self.secrets_file = secrets_file or (find_secrets_file() if search_file else None)
        self._file_values: dict[str, dict[str, str]] | None = None
        off = self.environ.get(OFF_ENV, "").strip().lower() in ("0", "off", "no", "false")
        self._keyring = keyring
        self.keyring_enabled = use_keyring and not off

    @property
    def keyring(self) -> KeyringLayer | None:
        """The keyring layer, or None when it is turned off."""
        if not self.keyring_enabled:
            return None
        if self._keyring is None:
            self._keyring = default_keyring()
        return self._keyring

    def keyring_status(self) -> str:
        """'ok', 'unknown' (not asked yet), 'off', 'no_backend', 'locked', 'no_collection',
        'backend_error', 'timeout' or 'error'."""
        layer = self.keyring
        return "off" if layer is None else layer.status

    def keyring_problem(self) -> KeyringProblem | None:
        layer = self.keyring
        return None if layer is None else layer.problem

    def writable_keyring(self) -> KeyringLayer:
        """The keyring layer, or a KeyringProblem when it is turned off."""
        layer = self.keyring
        if layer is None:
            raise KeyringProblem(
                "off",
                f"The OS keyring is turned off ({OFF_ENV}=off), and it is where sutui stores "
                f"secrets. Unset {OFF_ENV}, or put the secret in the environment or a "
                "secrets.toml instead.",
            )
        return layer

    def set(self, scope: str, key: str, value: str) -> None:
        """Store in the OS keyring; raises KeyringProblem saying what to do."""
        self.writable_keyring().set(scope, key, value)

    def delete(self, scope: str, key: str) -> None:
        """Delete from the OS keyring; KeyringEntryMissing when it holds no such entry."""
        self.writable_keyring().delete(scope, key)

    def keep_for_session(self, scope: str, key: str, value: str) -> None:
        """Keep a value in memory for this process only (when no keyring can store it)."""
        self.session.set(scope, key, value.strip())

    def can_store(self) -> bool:
        """Whether writes reach the keyring: on, and no failure seen (may ask it once)."""
        layer = self.keyring
        return layer is not None and layer.probe() == "ok"

    def keyring_value(self, scope: str, key: str) -> str | None:
        """What the keyring alone holds (None when absent or unusable)."""
        layer = self.keyring
        return None if layer is None else layer.get(scope, key)

    def file_values(self) -> dict[str, dict[str, str]]:
        if self._file_values is None:
            self._file_values = read_secrets_file(self.secrets_file) if self.secrets_file else {}
        return self._file_values

    def env_names(self, scope: str, key: str) -> tuple[str, ...]:
        """SUTUI_<SCOPE>__<KEY>, then the usual variables the secret's description declares
        (SecretDescription.env_vars)."""
        return (env_var_name(scope, key), *declared_env_vars(scope, key))

    def lookup(self, scope: str, key: str) -> SecretValue | None:
        """The value of the first layer that has one, stripped of surrounding whitespace (and
        said so in `trimmed`); a value that is only whitespace counts as not set."""
        for name in self.env_names(scope, key):
            found = _stripped(self.environ.get(name), "env", name)
            if found is not None:
                return found
        found = _stripped(self.session.get(scope, key), SESSION_LAYER, SESSION_SOURCE)
        if found is not None:
            return found
        found = _stripped(
            self.keyring_value(scope, key), "keyring", f"{SERVICE}/{username(scope, key)}"
        )
        if found is not None:
            return found
        return _stripped(self.file_values().get(scope, {}).get(key), "file", str(self.secrets_file))

    def raw_secrets(self) -> RawSecretsView:
        return RawSecretsView(self)


def _stripped(value: str | None, layer: str, source: str) -> SecretValue | None:
    if not value:
        return None
    register_secret(value)  # both forms: as stored, and as sent
    clean = value.strip()
    if not clean:
        return None
    return SecretValue(clean, layer, source, trimmed=clean != value)


class _ScopeView(Mapping[str, str]):
    def __init__(self, store: SecretStore, scope: str):
        self._store, self._scope = store, scope

    def __getitem__(self, key: str) -> str:
        found = self._store.lookup(self._scope, key)
        if found is None:
            raise KeyError(key)
        return found.value

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.file_values().get(self._scope, {}))

    def __len__(self) -> int:
        return len(self._store.file_values().get(self._scope, {}))


class RawSecretsView(Mapping[str, Mapping[str, str]]):
    """RawSecrets that ask the store on access, so only the secrets a driver uses are read."""

    def __init__(self, store: SecretStore):
        self._store = store

    @property
    def store(self) -> SecretStore:
        return self._store

    def __getitem__(self, scope: str) -> Mapping[str, str]:
        return _ScopeView(self._store, scope)

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.file_values())

    def __len__(self) -> int:
        return len(self._store.file_values())
