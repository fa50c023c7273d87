"""What the screens share: the secret store, the catalog, the driver registry and the settings.

Built once by `make_app` (tests inject their own). No Textual here: plain calls that may block
(a keyring lookup) and that screens therefore run in thread workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drivers.catalog import Catalog
from drivers.readiness import Readiness, readiness
from drivers.registry import DriverInfo, DriverRegistry, make_sut, resolve
from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import SecretDescription
from drivers.sut import SUT
from drivers.uid import UIDError
from sutui.settings import Settings


@dataclass(frozen=True)
class DeclaredSecret:
    """One (scope, key) some driver or catalog SUT declares, and who needs it."""

    description: SecretDescription
    required: bool
    used_by: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.description.name


@dataclass
class Services:
    store: SecretStore
    catalog: Catalog
    registry: DriverRegistry
    settings: Settings
    _declared: list[DeclaredSecret] | None = field(default=None, init=False)

    def drivers(self) -> dict[str, DriverInfo]:
        return self.registry.drivers()

    def resolve(self, uid: str) -> tuple[Any, DriverInfo]:
        return resolve(uid, self.catalog, self.registry)

    def make_sut(self, uid: str) -> SUT:
        return make_sut(uid, self.store.raw_secrets(), self.catalog, self.registry)

    def readiness(self, uid: str) -> Readiness:
        """Readiness of a predefined or dynamic UID (may block on the keyring)."""
        try:
            definition, _ = self.resolve(uid)
        except UIDError as exc:
            return Readiness(uid, "?", f"{exc.problem}. {exc.fix}".strip(), ())
        return readiness(definition, self.store, self.registry)

    def lookup(self, description: SecretDescription) -> SecretValue | None:
        return self.store.lookup(description.scope, description.key)

    def declared_secrets(self) -> list[DeclaredSecret]:
        """Every secret a driver declares (plus those catalog SUTs need), sorted by name."""
        if self._declared is not None:
            return self._declared
        found: dict[tuple[str, str], tuple[SecretDescription, bool, set[str]]] = {}

        def add(description: SecretDescription, required: bool, user: str) -> None:
            key = (description.scope, description.key)
            _, was_required, users = found.setdefault(key, (description, required, set()))
            users.add(user)
            if required and not was_required:
                found[key] = (description, True, users)

        for name, info in self.drivers().items():
            try:
                injects = info.factory({}).get_secrets()
            except Exception:  # a plugin's factory misbehaving must not break the list
                continue
            for inject in injects:
                add(inject.description(), inject.required, name)
        for entry in self.catalog:
            try:
                info = self.registry.get(entry.definition.driver, entry.uid)
                injects = info.factory({}).secrets_for(entry.definition)
            except Exception:
                continue
            for inject in injects:
                add(inject.description(), inject.required, entry.definition.driver)
        self._declared = [
            DeclaredSecret(d, required, tuple(sorted(users)))
            for (d, required, users) in sorted(found.values(), key=lambda t: t[0].name)
        ]
        return self._declared
