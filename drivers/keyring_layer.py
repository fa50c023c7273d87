"""The OS keyring layer of the secret store (python `keyring`), safe against every way it fails.

Naming scheme: every secret is one keyring entry with service "sutui" and username "SCOPE/KEY",
e.g. service "sutui", username "openai/api_key". Scopes and keys are upstream modelgauge's names,
so `keyring get sutui openai/api_key` or `secret-tool lookup service sutui username
openai/api_key` find what sutui stored, and what they store sutui finds.

Every call to the keyring runs in a *daemon* thread with a timeout (SUTUI_KEYRING_TIMEOUT
seconds, default 5): a stalled Secret Service daemon blocks D-Bus calls forever, and a daemon
thread cannot hold up the interpreter's exit the way a ThreadPoolExecutor's worker does.

Every failure becomes a KeyringProblem with a status ("no_backend", "locked", "no_collection",
"backend_error", "timeout", "error") and one message saying what to do. After the first
failure the layer stops asking the keyring for the rest of the process (a locked keyring costs
one timeout, not one per secret); `reset()` tries again after the environment changed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from drivers import known_secrets
from drivers.redaction import redact, register_secret

SERVICE = "sutui"
DEFAULT_TIMEOUT = 5.0
TIMEOUT_ENV = "SUTUI_KEYRING_TIMEOUT"
OFF_ENV = "SUTUI_KEYRING"
"""SUTUI_KEYRING=off turns the keyring layer off (env and secrets.toml only)."""

T = TypeVar("T")

STATUS_TEXT = {
    "unknown": "not asked yet",
    "ok": "ok",
    "off": "off (SUTUI_KEYRING=off)",
    "no_backend": "no backend",
    "locked": "locked",
    "no_collection": "no collection",
    "backend_error": "backend cannot work",
    "timeout": "not answering",
    "error": "error",
}

FALLBACK = (
    "Meanwhile sutui reads secrets from the environment (SUTUI_<SCOPE>__<KEY> or the "
    "provider's usual variable) and from a secrets.toml (--secrets PATH)."
)


class KeyringProblem(Exception):
    """The keyring could not be used; `status` names the case, the message says what to do."""

    def __init__(self, status: str, message: str):
        self.status = status
        super().__init__(message)


class KeyringEntryMissing(KeyringProblem):
    """Deleting an entry the keyring does not hold (the keyring itself works)."""


def username(scope: str, key: str) -> str:
    """The keyring username of a secret: SCOPE/KEY."""
    return f"{scope}/{key}"


def keyring_timeout(environ: Any = None) -> float:
    env = os.environ if environ is None else environ
    raw = env.get(TIMEOUT_ENV)
    if raw:
        try:
            value = float(raw)
        except ValueError:
            return DEFAULT_TIMEOUT
        if value > 0:
            return value
    return DEFAULT_TIMEOUT


def reset_keyring_backend() -> None:
    """Make python-keyring choose its backend again, e.g. after DBUS_SESSION_BUS_ADDRESS changed.

    keyring caches both the chosen backend and the list of viable ones; both must go.
    """
    import keyring.backend
    import keyring.core

    with contextlib.suppress(KeyError):  # KeyError: never computed
        keyring.backend.get_all_keyring.reset()
    try:
        keyring.core.init_backend()
    except Exception:
        # As in a fresh process: no backend chosen, so every call raises this again (instead of
        # silently keeping the backend chosen before the environment changed).
        keyring.core._keyring_backend = None
        raise


def classify(exc: BaseException, timeout: float = DEFAULT_TIMEOUT) -> KeyringProblem:
    """One clear message for each way python-keyring fails. The order matters: NoKeyringError
    is a RuntimeError, so it is checked before the plain RuntimeError of a forced backend."""
    import keyring.errors as kerr

    detail = redact(str(exc)).strip() or type(exc).__name__
    if isinstance(exc, KeyringProblem):
        return exc
    if isinstance(exc, kerr.NoKeyringError):
        return KeyringProblem(
            "no_backend",
            "No OS keyring is available: python-keyring found no usable backend (on Linux it "
            "needs a Secret Service such as gnome-keyring or KWallet on the D-Bus session bus; "
            "DBUS_SESSION_BUS_ADDRESS is "
            + ("unset" if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") else "set")
            + "). Run sutui inside your desktop session, or start one with "
            "`dbus-run-session -- bash`, then in it `printf %s PASSWORD | gnome-keyring-daemon "
            "--unlock --components=secrets` (see docs/secrets.md). " + FALLBACK,
        )
    if isinstance(exc, kerr.KeyringLocked):
        return KeyringProblem(
            "locked",
            "The OS keyring is locked, so sutui cannot read or store secrets in it. Unlock it "
            "(log in to your desktop session, or open your keyring manager such as Seahorse "
            "and unlock the 'login' keyring), then run the command again. " + FALLBACK,
        )
    if isinstance(exc, kerr.InitError):
        return KeyringProblem(
            "no_collection",
            "The OS keyring service is running but has no usable keyring (collection): there "
            "is no default 'login' keyring and none could be created without a desktop prompt "
            f"({detail}). Create and unlock one, e.g. `printf %s PASSWORD | "
            "gnome-keyring-daemon --replace --unlock --components=secrets`, or log in to a "
            "desktop session once. " + FALLBACK,
        )
    if isinstance(exc, kerr.PasswordDeleteError):
        return KeyringEntryMissing("not_found", "the OS keyring holds no such entry")
    if isinstance(exc, kerr.KeyringError):
        return KeyringProblem("error", f"The OS keyring failed: {detail}. " + FALLBACK)
    if isinstance(exc, RuntimeError):
        forced = os.environ.get("PYTHON_KEYRING_BACKEND")
        if forced:
            return KeyringProblem(
                "backend_error",
                f"The keyring backend forced by PYTHON_KEYRING_BACKEND={forced} cannot work "
                f"here: {detail}. Unset PYTHON_KEYRING_BACKEND (or start the service that "
                "backend needs). " + FALLBACK,
            )
        return KeyringProblem(
            "backend_error",
            f"The OS keyring backend cannot work here: {detail}. If a keyringrc.cfg names "
            "a backend, remove that setting, or start the service it needs. " + FALLBACK,
        )
    if isinstance(exc, TimeoutError):
        return KeyringProblem(
            "timeout",
            f"The OS keyring did not answer within {timeout:g} s: its daemon "
            "(gnome-keyring-daemon, kwalletd...) seems stalled. Restart it or log out and in "
            f"again; {TIMEOUT_ENV}=SECONDS waits longer, {OFF_ENV}=off skips the keyring. "
            + FALLBACK,
        )
    return KeyringProblem(
        "error", f"The OS keyring failed: {type(exc).__name__}: {detail}. " + FALLBACK
    )


def _in_daemon_thread(fn: Callable[[], T], timeout: float) -> T:
    """fn() in a daemon thread; TimeoutError when it takes longer than `timeout` seconds."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="sutui-keyring", daemon=True).start()
    if not done.wait(timeout):
        raise TimeoutError(f"keyring call took more than {timeout:g} s")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


class KeyringLayer:
    """The keyring, asked through a timeout, remembered as broken after its first failure.

    `backend` is a python-keyring backend object for tests; by default the one python-keyring
    chooses. Values read are cached for the process and registered for redaction.
    """

    def __init__(
        self,
        service: str = SERVICE,
        timeout: float | None = None,
        backend: Any = None,
    ):
        self.service = service
        self.timeout = keyring_timeout() if timeout is None else timeout
        self._backend = backend
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], str | None] = {}
        self._stale = False
        self.problem: KeyringProblem | None = None
        self.status = "unknown"
        self.backend_name: str | None = None
        self.calls = 0
        """How many times the keyring itself was asked (tests check it stops asking)."""

    # ----- status --------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        return self.problem is None

    def status_line(self) -> str:
        """For the UI: 'keyring: ok (SecretService)', 'keyring: locked', ..."""
        text = f"keyring: {STATUS_TEXT.get(self.status, self.status)}"
        if self.status == "ok" and self.backend_name:
            text += f" ({self.backend_name})"
        return text

    def probe(self) -> str:
        """Ask the keyring once (a lookup of an entry nobody has) so `status` is known."""
        if self.status == "unknown":
            self._lookup("sutui-probe", "none")
        return self.status

    def check(self) -> None:
        """Raise the KeyringProblem that makes the keyring unusable, asking it first if needed."""
        self.probe()
        if self.problem is not None:
            raise self.problem

    def reset(self) -> None:
        """Forget the failure and the cache; re-detect the backend on the next call."""
        with self._lock:
            self.problem = None
            self.status = "unknown"
            self.backend_name = None
            self._cache.clear()
            self._stale = self._backend is None

    # ----- calls ---------------------------------------------------------------------------

    def get(self, scope: str, key: str) -> str | None:
        """The stored value, or None when absent or when the keyring cannot be used."""
        return self._lookup(scope, key)

    def set(self, scope: str, key: str, value: str) -> None:
        """Store a value; raises KeyringProblem saying what to do."""
        user = username(scope, key)
        self._call(lambda kr: kr.set_password(self.service, user, value))
        register_secret(value)
        with self._lock:
            self._cache[(scope, key)] = value
        known_secrets.remember(self.service, scope, key, stored=True)

    def delete(self, scope: str, key: str) -> None:
        """Delete an entry; KeyringEntryMissing when there is none, KeyringProblem otherwise."""
        user = username(scope, key)
        try:
            self._call(lambda kr: kr.delete_password(self.service, user))
        except KeyringEntryMissing:
            with self._lock:
                self._cache[(scope, key)] = None
            raise KeyringEntryMissing(
                "not_found",
                f"The OS keyring has no entry for {user} (service '{self.service}'): "
                "nothing to delete.",
            ) from None
        with self._lock:
            self._cache[(scope, key)] = None
        known_secrets.remember(self.service, scope, key, stored=False)

    def _lookup(self, scope: str, key: str) -> str | None:
        with self._lock:
            if (scope, key) in self._cache:
                return self._cache[(scope, key)]
        user = username(scope, key)
        try:
            raw: object = self._call(lambda kr: kr.get_password(self.service, user))
        except KeyringProblem:
            return None
        value = raw if isinstance(raw, str) else None
        register_secret(value)
        with self._lock:
            self._cache[(scope, key)] = value
        return value

    def _call(self, op: Callable[[Any], T]) -> T:
        """Run op(backend) with the timeout. After a failure, raise the remembered problem
        without asking the keyring again (reads turn it into None, writes pass it on)."""
        with self._lock:
            if self.problem is not None:
                raise self.problem
            stale, self._stale = self._stale, False
            self.calls += 1
            explicit = self._backend

            def work() -> tuple[T, str]:
                if explicit is not None:
                    backend = explicit
                else:
                    import keyring

                    if stale:
                        reset_keyring_backend()
                    backend = keyring.get_keyring()
                return op(backend), _backend_name(backend)

            try:
                result, name = _in_daemon_thread(work, self.timeout)
            except BaseException as exc:
                problem = classify(exc, self.timeout)
                if isinstance(problem, KeyringEntryMissing):
                    self.status = "ok"
                    raise problem from None
                self.problem = problem
                self.status = problem.status
                raise problem from None
            self.status = "ok"
            self.backend_name = name
            return result


def _backend_name(backend: Any) -> str:
    cls = type(backend)
    module = cls.__module__.rsplit(".", 1)[-1]
    return module if cls.__name__ == "Keyring" else cls.__name__


_default: KeyringLayer | None = None
_default_lock = threading.Lock()


def default_keyring() -> KeyringLayer:
    """The process-wide layer, so one failure stops every store asking."""
    global _default
    with _default_lock:
        if _default is None:
            _default = KeyringLayer()
        return _default


def reset_default_keyring(layer: KeyringLayer | None = None) -> KeyringLayer:
    """A fresh process-wide layer (or `layer`) that re-detects python-keyring's backend first:
    for a 'retry keyring' action and for tests that change the environment."""
    global _default
    with _default_lock:
        if layer is None:
            layer = KeyringLayer()
            layer.reset()
        _default = layer
        return layer
