"""The session layer of the secret store: values kept in this process's memory only.

Without an OS keyring a key pasted in the app (or a secrets.toml imported there) would
otherwise be usable only after a restart with an environment variable. Kept here it works at
once; it is never written anywhere (no file, no keyring, no history) and is gone when the
process exits. One layer per process, as the keyring layer is, so every SecretStore sees it.
"""

from __future__ import annotations

import threading

from drivers.redaction import register_secret

LAYER = "session"
"""The layer's name, in a SecretValue and in `secrets list`."""
SOURCE = "this session's memory"
"""Where a session value comes from, as SecretValue.source says it."""
SAID = "kept for this session only: in memory, never written anywhere, gone when sutui exits"
"""What a person is told where a value is entered into this layer."""


class SessionSecrets:
    """(scope, key) -> value, in memory; every value is registered for redaction when kept."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()  # the app's workers and the UI thread both ask

    def get(self, scope: str, key: str) -> str | None:
        with self._lock:
            return self._values.get((scope, key))

    def set(self, scope: str, key: str, value: str) -> None:
        register_secret(value)
        with self._lock:
            self._values[(scope, key)] = value

    def delete(self, scope: str, key: str) -> bool:
        """Forget a value; False when none was kept."""
        with self._lock:
            return self._values.pop((scope, key), None) is not None

    def names(self) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_SESSION = SessionSecrets()


def session_secrets() -> SessionSecrets:
    """The process's session layer."""
    return _SESSION
