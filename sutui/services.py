"""What the screens share: the secret store, the catalog, the driver registry and the settings.

Built once by `make_app` (tests inject their own). No Textual here: plain calls that may block
(a keyring lookup) and that screens therefore run in thread workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drivers.catalog import Catalog
from drivers.readiness import DeclaredSecret as DeclaredSecret
from drivers.readiness import Readiness, declared_secrets, readiness
from drivers.registry import DriverInfo, DriverRegistry, make_sut, resolve
from drivers.secret_store import SecretStore, SecretValue
from drivers.secrets import SecretDescription
from drivers.sut import SUT
from drivers.uid import UIDError
from sutui.settings import Settings


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
        if self._declared is None:
            self._declared = declared_secrets(self.catalog, self.registry)
        return self._declared
