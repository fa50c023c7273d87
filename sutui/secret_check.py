"""Testing a stored key against its provider with the cheapest authenticated call (a models
list, or whoami for Hugging Face): ok, rejected, unreachable or unexpected. Used by
`sutui secrets test|setup` and by the app's secrets and setup screens. Never returns the key or
the answer's body.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import httpx

from drivers.http_errors import network_error_message
from drivers.redaction import redact
from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import env_var_name
from sutui.errors import InputError


@dataclass(frozen=True)
class SecretCheck:
    key: str
    """The key of the scope the check sends."""
    module: str | None
    """drivers.providers.<module> whose BASE_URL is the default, when it has one."""
    base_url: str | None
    path: str
    auth: str
    """'bearer', 'anthropic' (Bearer, with anthropic-version) or 'google' (x-goog-api-key)."""


CHECKS: dict[str, SecretCheck] = {
    "openai": SecretCheck("api_key", "openai", "https://api.openai.com/v1", "/models", "bearer"),
    "together": SecretCheck(
        "api_key", "together", "https://api.together.ai/v1", "/models", "bearer"
    ),
    "mistralai": SecretCheck(
        "api_key", "mistral", "https://api.mistral.ai/v1", "/models", "bearer"
    ),
    "nvidia-nim-api": SecretCheck(
        "api_key", "nvidia_nim", "https://integrate.api.nvidia.com/v1", "/models", "bearer"
    ),
    "anthropic": SecretCheck(
        "api_key", "anthropic", "https://api.anthropic.com/v1", "/models", "anthropic"
    ),
    "google_ai": SecretCheck(
        "api_key",
        "google",
        "https://generativelanguage.googleapis.com/v1beta",
        "/models",
        "google",
    ),
    "hugging_face": SecretCheck(
        "token", None, "https://huggingface.co/api", "/whoami-v2", "bearer"
    ),
    "modelship": SecretCheck("api_key", None, None, "/models", "bearer"),
}
"""The cheapest authenticated call per scope. A scope not listed is tested as an
OpenAI-compatible server (GET {url}/models with a Bearer key) when --url is given."""

DEMO_SCOPE = "demo"


@dataclass(frozen=True)
class CheckResult:
    outcome: str
    """'ok', 'rejected', 'unreachable' or 'unexpected'."""
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _default_base(check: SecretCheck) -> str | None:
    if check.module:
        try:
            module = importlib.import_module(f"drivers.providers.{check.module}")
        except Exception:  # a provider module being rewritten must not break the check
            module = None
        base = getattr(module, "BASE_URL", None)
        if isinstance(base, str) and base:
            return base
    return check.base_url


def check_url(store: SecretStore, scope: str, check: SecretCheck, url: str | None) -> str | None:
    """--url, else SUTUI_<SCOPE>__BASE_URL (or the scope's base_url secret), else the default."""
    if url:
        return url
    found = store.lookup(scope, "base_url")
    if found is not None:
        return found.value
    return _default_base(check)


def _headers(auth: str, value: str) -> dict[str, str]:
    if auth == "anthropic":  # as the driver sends them (its API version, a Bearer key)
        from drivers.providers.anthropic import API_VERSION

        return {"Authorization": f"Bearer {value}", "anthropic-version": API_VERSION}
    if auth == "google":
        return {"x-goog-api-key": value}
    return {"Authorization": f"Bearer {value}"}


def has_check(scope: str) -> bool:
    return scope == DEMO_SCOPE or scope in CHECKS


def check_secret(
    store: SecretStore, scope: str, url: str | None = None, timeout: float = 15.0
) -> CheckResult:
    """Ask the provider whether the scope's key works. Never returns the key or the body."""
    if scope == DEMO_SCOPE and not url:
        from drivers.providers.demo import DEMO_KEY

        found = store.lookup(DEMO_SCOPE, "api_key")
        _require_found(found, DEMO_SCOPE, "api_key")
        assert found is not None
        if found.value == DEMO_KEY:
            return CheckResult(
                "ok", f"the demo key from {origin(found)} is right (checked offline)"
            )
        return CheckResult(
            "rejected", f"the demo key is {DEMO_KEY}; {origin(found)} holds another value"
        )
    check = CHECKS.get(scope)
    if check is None:
        if not url:
            known = ", ".join(sorted([*CHECKS, DEMO_SCOPE]))
            raise InputError(
                f"sutui knows no test for the scope '{scope}'. Scopes with a test: {known}. "
                f"For an OpenAI-compatible server give its base URL: "
                f"sutui secrets test {scope} --url http://host/v1 (or set "
                f"{env_var_name(scope, 'base_url')})."
            )
        check = SecretCheck("api_key", None, None, "/models", "bearer")
    found = store.lookup(scope, check.key)
    _require_found(found, scope, check.key)
    assert found is not None
    base = check_url(store, scope, check, url)
    if not base:
        raise InputError(
            f"the scope '{scope}' has no fixed address: give --url http://host/v1, or set "
            f"{env_var_name(scope, 'base_url')}."
        )
    target = base.rstrip("/") + check.path
    try:
        response = httpx.get(target, headers=_headers(check.auth, found.value), timeout=timeout)
    except httpx.HTTPError as exc:
        return CheckResult(
            "unreachable", redact(f"GET {target} failed: {network_error_message(exc, target)}")
        )
    code = response.status_code
    where = f"GET {target} answered HTTP {code}"
    if 200 <= code < 300:
        return CheckResult("ok", f"{where}: the key from {origin(found)} works")
    if code in (401, 403):
        return CheckResult(
            "rejected", f"{where}: the provider refused the key from {origin(found)}"
        )
    if code == 429:
        return CheckResult("unexpected", f"{where} (rate limited): try again later")
    return CheckResult("unexpected", f"{where}: this says nothing sure about the key")


def origin(found: SecretValue) -> str:
    """Which layer gave the value tested, so a person fixes that one (an environment variable
    hides what the keyring holds)."""
    if found.layer == "env":
        return f"the environment variable {found.source}"
    if found.layer == "keyring":
        return f"the OS keyring (entry {found.source})"
    return f"the secrets file {found.source}"


def _require_found(found: object, scope: str, key: str) -> None:
    if found is None:
        raise InputError(
            f"[{scope}] {key} is not set anywhere, so there is nothing to test. Store it with "
            f"`sutui secrets set {scope} {key}` (or set {env_var_name(scope, key)})."
        )
