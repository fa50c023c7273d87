"""Which live model lists the picker and the composer offer, and fetching one of them.

A source is a (driver, provider, url) whose provider can be asked what it serves: every driver
that lists models and whose required secrets are all set (at its default address), and every
server a UID in use or used recently names with `;url=` (a local server needs no key), plus a
keyless driver such a UID names (ollama on this machine). Nothing here runs at app start: the
screens ask when they open. Finding sources and reading secrets may block on the keyring, so
`find_sources` runs in a thread and `fetch` reads secrets in one; no Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from drivers.model_listing import ModelList
    from drivers.uid import SUTDefinition
    from sutui.services import Services

FETCH_TIMEOUT_S = 10.0
"""A list that has not come by then is reported as a failure; the rest of the screen works on."""


@dataclass(frozen=True)
class ListingSource:
    """One place whose models can be listed: a driver, its provider and its base URL."""

    driver: str
    provider: str | None = None
    url: str | None = None

    @property
    def definition(self) -> SUTDefinition:
        from drivers.model_listing import listing_definition

        options = {"url": self.url} if self.url else None
        return listing_definition(self.driver, self.provider, options)

    @property
    def key(self) -> str:
        """Unique per source: widget ids and worker groups are made from it."""
        return self.definition.format()

    @property
    def where(self) -> str:
        """What a person calls it: the server's host:port, else the provider or the driver."""
        if self.url:
            try:
                parts = urlsplit(self.url)
                host = parts.hostname or self.url
                return f"{host}:{parts.port}" if parts.port else host
            except ValueError:
                return self.url
        return f"{self.provider} ({self.driver})" if self.provider else self.driver


def find_sources(services: Services, uids: Iterable[str]) -> list[ListingSource]:
    """The sources to list for a screen, in a stable order: drivers with their keys set (by
    name; not those whose UIDs need a provider), then the servers, keyless drivers and
    providers of `uids` (in their order). Blocks on the keyring: call it from a thread."""
    found: dict[str, ListingSource] = {}
    seen_factories: set[type] = set()
    for name, info in sorted(services.drivers().items()):
        try:
            factory = info.factory
        except Exception:  # a plugin that does not load: the drivers screen says why
            continue
        if not getattr(factory, "LISTS_MODELS", False) or factory in seen_factories:
            continue
        if getattr(factory, "PROVIDER_REQUIRED", False):
            continue  # its UIDs need a provider: listed when a UID in use names one
        seen_factories.add(factory)  # an alias (together-serverless) lists what together does
        source = ListingSource(name)
        if _required_secrets_set(services, factory, source):
            found.setdefault(source.key, source)
    for uid in uids:
        used = _used_source(services, uid)
        if used is not None:
            found.setdefault(used.key, used)
    return list(found.values())


def _required(factory: Any, definition: SUTDefinition) -> list[Any] | None:
    """The descriptions of the secrets a listing of `definition` needs; None when the driver
    cannot list it (no address without ;url=, a provider it does not know)."""
    try:
        injects = factory({}).secrets_for(definition)
    except Exception:
        return None
    return [i.description() for i in injects if i.required]


def _required_secrets_set(services: Services, factory: Any, source: ListingSource) -> bool:
    required = _required(factory, source.definition)
    if not required:  # no key to prove the user uses it: listed only when a UID names it
        return False
    return all(services.store.lookup(d.scope, d.key) is not None for d in required)


def _used_source(services: Services, uid: str) -> ListingSource | None:
    """The source of a UID in use, when it names a server (;url=) or a keyless driver."""
    try:
        definition, info = services.resolve(uid)
        factory = info.factory
    except Exception:  # a bad UID: its column says why
        return None
    if not getattr(factory, "LISTS_MODELS", False):
        return None
    source = ListingSource(definition.driver, definition.provider, definition.base_url)
    required = _required(factory, source.definition)
    if required is None:
        return None
    if definition.base_url or not required:
        return source  # a server, or a driver that needs no key (ollama here)
    if getattr(factory, "PROVIDER_REQUIRED", False) and _required_secrets_set(
        services, factory, source
    ):
        return source  # the router's models for this provider (hfrelay)
    return None  # a hosted provider: listed once, at its default address, when its key is set


def _factory_for(services: Services, source: ListingSource) -> Any:
    """The driver's factory holding only the secrets this listing needs, read now (in a
    thread), so the listing itself never asks the keyring on the event loop."""
    factory = services.registry.get(source.driver).factory
    secrets: dict[str, dict[str, str]] = {}
    for inject in factory({}).secrets_for(source.definition):
        description = inject.description()
        value = services.store.lookup(description.scope, description.key)
        if value is not None:
            secrets.setdefault(description.scope, {})[description.key] = value.value
    return factory(secrets)


async def fetch(
    services: Services,
    source: ListingSource,
    *,
    refresh: bool = False,
    timeout_s: float = FETCH_TIMEOUT_S,
) -> ModelList:
    """The source's models: a fresh cached list at once (unless `refresh`), else asked of the
    provider within `timeout_s`. Raises what drivers.model_listing.fetch_models raises, or
    TimeoutError; `failure_line` says any of them in one line."""
    from drivers.model_listing import fetch_models

    # The keys first (the keyring may stall: a thread): the cache is per key.
    factory = await asyncio.to_thread(_factory_for, services, source)
    async with asyncio.timeout(timeout_s):
        return await fetch_models(source.definition, factory, refresh=refresh)


def failure_line(error: BaseException, timeout_s: float = FETCH_TIMEOUT_S) -> str:
    """Why a listing failed, in one line with no secret in it."""
    from drivers.errors import SUTError
    from drivers.redaction import redact
    from drivers.secrets import MissingSecretValues
    from drivers.uid import UIDError

    if isinstance(error, SUTError):
        text = error.one_line()
    elif isinstance(error, TimeoutError):
        text = f"timeout: no list within {timeout_s:g} s"
    elif isinstance(error, MissingSecretValues):
        names = ", ".join(f"[{d.scope}] {d.key}" for d in error.descriptions)
        text = f"needs {names}, which is not set"
    elif isinstance(error, UIDError):
        text = f"{error.problem}. {error.fix}".strip()
    else:
        text = str(error) or type(error).__name__
    return " ".join(redact(text).split())
