"""Testing a stored key against its provider: ok, rejected, unreachable or unexpected. Used by
`sutui secrets test|setup` and by the app's secrets and setup screens. Never returns the key or
the answer's body.

What to ask is the driver's: its factory's optional `check_secrets` hook (drivers/factory.py;
by default the models list, the cheapest authenticated call, where the driver has one; whoami
for Hugging Face; offline for the demo key), run through the shared transport with its
timeouts and error classification. A scope is checked by the first driver that declares its
key and can check (one that overrides the hook first); a scope no driver checks can still be
tested as an OpenAI-compatible server (GET {url}/models with a Bearer key) given its URL.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import env_var_name
from sutui.errors import InputError

if TYPE_CHECKING:
    from drivers.errors import SUTError
    from drivers.factory import DynamicSUTFactory
    from drivers.registry import DriverRegistry
    from drivers.uid import SUTDefinition

COMPATIBLE_DRIVER = "openai"
"""The driver that tests a scope no driver checks, at the URL given (OpenAI-compatible)."""


@dataclass(frozen=True)
class CheckResult:
    outcome: str
    """'ok', 'rejected', 'unreachable' or 'unexpected'."""
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Checker:
    """The driver that checks a scope, and the key of the scope it sends."""

    driver: str
    key: str
    factory: type[DynamicSUTFactory]


def _registry(registry: DriverRegistry | None) -> DriverRegistry:
    from drivers.registry import default_registry

    return registry or default_registry()


def checkers(registry: DriverRegistry | None = None) -> dict[str, Checker]:
    """Each scope some driver can check, with the driver that does (imports every driver)."""
    from drivers.factory import DynamicSUTFactory

    found: dict[str, tuple[tuple[bool, str], Checker]] = {}
    for name, info in _registry(registry).drivers().items():
        try:
            factory = info.factory
            if not factory.checks_secrets():
                continue
            injects = factory({}).get_secrets()
        except Exception:  # a plugin misbehaving must not break the others' checks
            continue
        own_hook = factory.check_secrets is not DynamicSUTFactory.check_secrets
        rank = (not own_hook, name)
        for inject in injects:
            if not inject.required:
                continue
            d = inject.description()
            if d.scope not in found or rank < found[d.scope][0]:
                found[d.scope] = (rank, Checker(name, d.key, factory))
    return {scope: checker for scope, (_, checker) in found.items()}


def checked_key(scope: str, registry: DriverRegistry | None = None) -> str | None:
    """The key of `scope` a check sends (None: no driver checks the scope)."""
    checker = checkers(registry).get(scope)
    return checker.key if checker else None


def has_check(scope: str, registry: DriverRegistry | None = None) -> bool:
    return scope in checkers(registry)


def check_secret(
    store: SecretStore,
    scope: str,
    url: str | None = None,
    timeout: float = 15.0,
    registry: DriverRegistry | None = None,
) -> CheckResult:
    """Ask the provider whether the scope's key works. Never returns the key or the body."""
    from drivers.model_listing import listing_definition
    from drivers.secrets import MissingSecretValues
    from drivers.uid import UIDError

    every = checkers(registry)
    checker = every.get(scope)
    provider: str | None = None
    if checker is None:
        if not url:
            known = ", ".join(sorted(every))
            raise InputError(
                f"sutui knows no test for the scope '{scope}'. Scopes with a test: {known}. "
                f"For an OpenAI-compatible server give its base URL: "
                f"sutui secrets test {scope} --url http://host/v1 (or set "
                f"{env_var_name(scope, 'base_url')})."
            )
        factory = _registry(registry).get(COMPATIBLE_DRIVER).factory
        checker = Checker(COMPATIBLE_DRIVER, "api_key", factory)
        provider = scope
    found = store.lookup(scope, checker.key)
    _require_found(found, scope, checker.key)
    assert found is not None
    base = url
    if not base:
        given = store.lookup(scope, "base_url")
        base = given.value if given is not None else None
    options = {"url": base} if base else {}
    definition = listing_definition(checker.driver, provider, options)
    try:
        return asyncio.run(_ask(checker.factory(store.raw_secrets()), definition, found, timeout))
    except (UIDError, MissingSecretValues) as exc:  # no fixed address, and no URL given
        no_address = isinstance(exc, UIDError) or any(d.key == "base_url" for d in exc.descriptions)
        if base or not no_address:
            raise
        raise InputError(
            f"the scope '{scope}' has no fixed address: give --url http://host/v1, or set "
            f"{env_var_name(scope, 'base_url')}."
        ) from exc


async def _ask(
    factory: DynamicSUTFactory, definition: SUTDefinition, found: SecretValue, timeout: float
) -> CheckResult:
    from drivers.errors import SUTError
    from drivers.transport import aclose_client, requests_seen

    with requests_seen() as seen:
        try:
            async with asyncio.timeout(timeout):
                what = await factory.check_secrets(definition)
        except TimeoutError:
            where = seen[-1] if seen else "the provider"
            return CheckResult("unreachable", f"{where} gave no answer within {timeout:g} s")
        except SUTError as exc:
            return _failed(exc, seen, found)
        finally:
            await aclose_client()
    if seen:
        return CheckResult(
            "ok", f"{seen[-1]} answered HTTP 200: the key from {origin(found)} works"
        )
    return CheckResult("ok", f"the key from {origin(found)} works ({what or 'checked'})")


def _failed(exc: SUTError, seen: list[str], found: SecretValue) -> CheckResult:
    from drivers.errors import ErrorKind

    where = seen[-1] if seen else None
    answered = f"{where} answered HTTP {exc.status}" if where and exc.status else None
    if exc.kind in (ErrorKind.auth, ErrorKind.permission):
        if answered:
            return CheckResult(
                "rejected", f"{answered}: the provider refused the key from {origin(found)}"
            )
        return CheckResult("rejected", f"{exc.message}; {origin(found)} holds another value")
    if exc.kind in (ErrorKind.connection, ErrorKind.timeout):
        what_to_do = f" ({exc.hint.rstrip('. ')})" if exc.hint else ""  # said once: here
        return CheckResult(
            "unreachable", f"{where or 'the request'} failed: {exc.message}{what_to_do}"
        )
    if exc.kind is ErrorKind.rate_limited and answered:
        return CheckResult("unexpected", f"{answered} (rate limited): try again later")
    said = answered or f"{where or 'the provider'}: {exc.message}"
    return CheckResult("unexpected", f"{said}: this says nothing sure about the key")


def origin(found: SecretValue) -> str:
    """Which layer gave the value tested, so a person fixes that one (an environment variable
    hides what the keyring holds)."""
    if found.layer == "env":
        return f"the environment variable {found.source}"
    if found.layer == "keyring":
        return f"the OS keyring (entry {found.source})"
    if found.layer == "session":
        return "the value kept for this session"
    return f"the secrets file {found.source}"


def _require_found(found: object, scope: str, key: str) -> None:
    if found is None:
        raise InputError(
            f"[{scope}] {key} is not set anywhere, so there is nothing to test. Store it with "
            f"`sutui secrets set {scope} {key}` (or set {env_var_name(scope, key)})."
        )
