"""Can this SUT run now? Its driver, the secrets it needs and which of them are set (and where)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drivers.catalog import Catalog
from drivers.registry import DriverRegistry, check_options
from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import SecretDescription
from drivers.uid import SUTDefinition, UIDError


@dataclass(frozen=True)
class SecretStatus:
    description: SecretDescription
    required: bool
    found: SecretValue | None

    @property
    def missing(self) -> bool:
        return self.required and self.found is None


@dataclass(frozen=True)
class Readiness:
    uid: str
    driver: str
    problem: str | None
    """Why the SUT cannot be made at all (unknown driver, bad option), else None."""
    secrets: tuple[SecretStatus, ...]

    @property
    def missing(self) -> list[SecretStatus]:
        return [s for s in self.secrets if s.missing]

    @property
    def ready(self) -> bool:
        return self.problem is None and not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "driver": self.driver,
            "ready": self.ready,
            "problem": self.problem,
            "secrets": [
                {
                    "scope": s.description.scope,
                    "key": s.description.key,
                    "required": s.required,
                    "set": s.found is not None,
                    "layer": s.found.layer if s.found else None,
                }
                for s in self.secrets
            ],
        }


def readiness(
    definition: SUTDefinition,
    store: SecretStore,
    registry: DriverRegistry,
) -> Readiness:
    uid = definition.uid
    try:
        info = registry.get(definition.driver, uid)
        check_options(definition, info, uid)
        injects = info.factory({}).secrets_for(definition)
    except UIDError as exc:
        return Readiness(uid, definition.driver, f"{exc.problem}. {exc.fix}".strip(), ())
    except Exception as exc:  # a plugin's factory misbehaving must not break listings
        return Readiness(
            uid, definition.driver, f"its driver failed: {type(exc).__name__}: {exc}", ()
        )
    statuses = tuple(
        SecretStatus(
            i.description(), i.required, store.lookup(i.description().scope, i.description().key)
        )
        for i in injects
    )
    return Readiness(uid, definition.driver, None, statuses)


def catalog_readiness(
    catalog: Catalog, store: SecretStore, registry: DriverRegistry
) -> list[Readiness]:
    return [readiness(entry.definition, store, registry) for entry in catalog]


@dataclass(frozen=True)
class DeclaredSecret:
    """One (scope, key) that a driver declares or a catalog SUT needs, and who needs it."""

    description: SecretDescription
    required: bool
    """True when any driver or SUT needs it; an unset optional secret is no gap."""
    drivers: tuple[str, ...]
    suts: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.description.name

    @property
    def used_by(self) -> tuple[str, ...]:
        return self.drivers


def declared_secrets(catalog: Catalog, registry: DriverRegistry) -> list[DeclaredSecret]:
    """Every secret the registered drivers declare and the catalog's SUTs need, by name.

    Reads declarations only: no secret is looked up, so no keyring is touched.
    """
    found: dict[tuple[str, str], tuple[SecretDescription, bool, set[str], list[str]]] = {}

    def add(description: SecretDescription, required: bool, driver: str, sut: str | None) -> None:
        key = (description.scope, description.key)
        first, was_required, drivers, suts = found.setdefault(
            key, (description, required, set(), [])
        )
        drivers.add(driver)
        if sut is not None:
            suts.append(sut)
        found[key] = (first, was_required or required, drivers, suts)

    drivers = registry.drivers()
    for name, info in drivers.items():
        try:
            injects = info.factory({}).get_secrets()
        except Exception:  # a plugin's factory misbehaving must not break a listing
            continue
        for inject in injects:
            add(inject.description(), inject.required, name, None)
    for entry in catalog:
        driver = drivers.get(entry.definition.driver)
        if driver is None:
            continue
        try:
            injects = driver.factory({}).secrets_for(entry.definition)
        except Exception:  # e.g. a UID the driver rejects: shown by list-suts
            continue
        for inject in injects:
            add(inject.description(), inject.required, driver.name, entry.uid)
    return [
        DeclaredSecret(d, required, tuple(sorted(drivers_)), tuple(suts))
        for (d, required, drivers_, suts) in (found[k] for k in sorted(found))
    ]
