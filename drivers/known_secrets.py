"""Every secret value this user keeps, registered for redaction before anything is stored.

Redaction masks the values it knows, and a value is known once it is looked up: a run looks up
only its SUTs' secrets. A prompt that quotes another of the user's keys (pasted by mistake, or
on purpose to test a model) would then be stored in the history and exports as it is. So the
front ends call `register_known` before they store a prompt: it registers every value the user
has in the environment (`SUTUI_<SCOPE>__<KEY>` and the providers' usual variables, as the
secrets' descriptions declare them), the secrets file, and the keyring entries sutui wrote
(their names are kept in `keyring-names.json` in the user config dir: the keyring cannot be
listed portably, and no value is ever written there).
It runs once per process and costs a keyring read per entry, not an import of every driver.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.locations import user_config_dir
from drivers.redaction import register_secret

if TYPE_CHECKING:
    from drivers.secret_store import SecretStore

INDEX_NAME = "keyring-names.json"
BUILTIN_ENV_VARS = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "MISTRAL_API_KEY",
        "NVIDIA_API_KEY",
        "OPENAI_API_KEY",
        "OPENAI_ORG_ID",
        "TOGETHER_API_KEY",
    }
)
"""The usual variables the built-in drivers' secrets declare (SecretDescription.env_vars), so
their values are registered without importing every driver; tests/test_secrets.py checks it
against the declarations. A plugin's are added once its secrets' descriptions are built."""
_lock = threading.Lock()
_environment_done = False
_keyring_done = False


def index_path() -> Path:
    return user_config_dir() / INDEX_NAME


def keyring_names(service: str) -> list[tuple[str, str]]:
    """The (scope, key) of each entry sutui stored in the keyring under `service`."""
    try:
        data = json.loads(index_path().read_text(encoding="utf-8"))
        names = data.get(service, []) if isinstance(data, dict) else []
        return [(str(s), str(k)) for s, k in names]
    except (OSError, ValueError, TypeError):
        return []  # no index yet, or unreadable: what is looked up is still registered


def remember(service: str, scope: str, key: str, stored: bool) -> None:
    """Add (or, `stored=False`, drop) an entry's name in the index; never fails a keyring
    write: at worst a prompt quoting that key is masked only once the key is looked up."""
    path = index_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
        names = {(str(s), str(k)) for s, k in data.get(service, [])}
        names = names | {(scope, key)} if stored else names - {(scope, key)}
        data[service] = sorted([s, k] for s, k in names)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(path)
    except (OSError, ValueError, TypeError):
        pass


def register_known(store: SecretStore, names: Iterable[tuple[str, str]] = ()) -> None:
    """Register every value the user keeps (see the module's docstring), once per process.
    `names` adds (scope, key) pairs to read from the keyring (the SUTs' declared secrets, when
    the caller has them). A second caller waits for the first: nothing is stored before."""
    register_environment(store)
    global _keyring_done
    with _lock:
        if _keyring_done:
            return
        layer = store.keyring
        if layer is not None:
            for scope, key in {*keyring_names(layer.service), *names}:
                value = layer.get(scope, key)  # registers it; None when absent or unusable
                if value:
                    register_secret(value.strip())
        _keyring_done = True


def register_environment(store: SecretStore) -> None:
    """The cheap part of `register_known`, with no keyring call (the app's send, on the UI
    thread, while the keyring part runs in its start-up worker): the environment and the
    secrets file."""
    global _environment_done
    with _lock:
        if _environment_done:
            return
        from drivers.secrets import every_declared_env_var

        conventional = BUILTIN_ENV_VARS | every_declared_env_var()
        for name, value in store.environ.items():
            if (name.startswith("SUTUI_") and "__" in name) or name in conventional:
                register_secret(value)
                register_secret(value.strip())
        with contextlib.suppress(Exception):  # a broken file is reported where it is used
            store.file_values()  # reading the file registers its values
        _environment_done = True


def forget_registration() -> None:
    """Tests: the next `register_known` reads everything again."""
    global _environment_done, _keyring_done
    with _lock:
        _environment_done = _keyring_done = False
