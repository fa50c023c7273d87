"""What the screens share: the secret store, the catalog, the driver registry and the settings.

Built once by `make_app` (tests inject their own). No Textual here: plain calls that may block
(a keyring lookup) and that screens therefore run in thread workers.

The driver layer (pydantic models, every provider, the HTTP stack) is imported when a part is
first used, not when the app starts: the first frame does not wait for it, and the app warms it
up in a thread right after (`warm_up`), stepping aside while the user types (sutui/warm_up.py).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sutui.settings import Settings
from sutui.warm_up import WarmUp

if TYPE_CHECKING:
    from drivers.catalog import Catalog
    from drivers.readiness import DeclaredSecret, Readiness
    from drivers.registry import DriverInfo, DriverRegistry
    from drivers.secret_store import SecretStore, SecretValue
    from drivers.secrets import SecretDescription
    from drivers.sut import SUT


class Services:
    def __init__(
        self,
        store: SecretStore | None = None,
        catalog: Catalog | None = None,
        registry: DriverRegistry | None = None,
        settings: Settings | None = None,
        *,
        secrets_file: Path | None = None,
    ):
        self._store = store
        self._catalog = catalog
        self._registry = registry
        self.settings = settings if settings is not None else Settings.load()
        self.secrets_file = secrets_file
        self._declared: list[DeclaredSecret] | None = None
        self.catalog_problem: str | None = None
        """Why a catalog file could not be read (the app says it; what could be read is used)."""
        self._lock = threading.RLock()  # a worker thread and the UI may ask at once
        self.warming = WarmUp()

    def _needed(self) -> None:
        """A part is asked for: if the UI thread asks, the warm-up stops stepping aside (it may
        hold the lock, or a module, the UI now waits for)."""
        if threading.current_thread() is threading.main_thread():
            self.warming.hurry()

    # ----- the parts, made on first use ----------------------------------------------------
    @property
    def store(self) -> SecretStore:
        self._needed()
        with self._lock:
            if self._store is None:
                from drivers.secret_store import SecretStore

                self._store = SecretStore(secrets_file=self.secrets_file)
            return self._store

    @property
    def catalog(self) -> Catalog:
        self._needed()
        with self._lock:
            if self._catalog is None:
                from drivers.catalog import forgiving_catalog

                self._catalog, self.catalog_problem = forgiving_catalog()
            return self._catalog

    @property
    def registry(self) -> DriverRegistry:
        self._needed()
        with self._lock:
            if self._registry is None:
                from drivers.registry import default_registry

                self._registry = default_registry()
            return self._registry

    def warm_up(self, uids: list[str]) -> None:
        """Import and build what a send needs (run in a thread after the first frame), so the
        first ctrl+s does not pay for it; in steps, each waiting while the user types."""

        def resolve(uid: str) -> None:
            with contextlib.suppress(Exception):  # a bad UID shows its error when it is sent
                self.resolve(uid)  # imports the driver's module

        def mask_known() -> None:
            from drivers.known_secrets import register_known

            register_known(self.store)  # every kept key masked in what the history stores

        steps: list[Callable[[], object]] = [
            lambda: importlib.import_module("sutui.commands"),  # the palette's first ctrl+p
            lambda: importlib.import_module("drivers.runner"),  # pydantic, the run API
            lambda: self.catalog,  # read (and any problem with it known) before the first send
            *(partial(resolve, uid) for uid in uids),
            lambda: self.registry.drivers(),  # finds entry-point plugins (and their warnings)
            mask_known,
        ]
        self.warming.run(steps)

    # ----- what screens ask ----------------------------------------------------------------
    def drivers(self) -> dict[str, DriverInfo]:
        return self.registry.drivers()

    def resolve(self, uid: str) -> tuple[Any, DriverInfo]:
        from drivers.registry import resolve

        return resolve(uid, self.catalog, self.registry)

    def make_sut(self, uid: str) -> SUT:
        from drivers.registry import make_sut

        return make_sut(uid, self.store.raw_secrets(), self.catalog, self.registry)

    def readiness(self, uid: str) -> Readiness:
        """Readiness of a predefined or dynamic UID (may block on the keyring)."""
        from drivers.readiness import Readiness, readiness
        from drivers.uid import UIDError

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
            from drivers.readiness import declared_secrets

            self._declared = declared_secrets(self.catalog, self.registry)
        return self._declared
