"""Which drivers exist: the built-in ones in DYNAMIC_SUT_FACTORIES, plus third-party drivers found
through the entry-point group `sutui.drivers`. Also `make_sut(uid, secrets)`, the one way in.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import inspect
import sys
import threading
import types
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from drivers.factory import DynamicSUTFactory
from drivers.secrets import InjectSecret, RawSecrets
from drivers.sut import SUT
from drivers.uid import PredefinedSUT, SUTDefinition, UIDError, parse_uid

ENTRY_POINT_GROUP = "sutui.drivers"

DISTRIBUTION = "sutui"
"""The distribution whose `sutui.drivers` entry points are the built-in drivers."""

Factory = type[DynamicSUTFactory]


def is_builtin(ep: importlib.metadata.EntryPoint) -> bool:
    """An entry point of sutui itself, naming a module of the driver layer."""
    return ep.value.startswith("drivers.") and _distribution_name(ep.dist) == DISTRIBUTION


@cache
def _distribution_name(dist: importlib.metadata.Distribution | None) -> str | None:
    """A distribution's name, read once: importlib.metadata parses its METADATA file at every
    `.name` (sutui's 15 built-in entry points share one distribution)."""
    return getattr(dist, "name", None)


_scanned: dict[tuple[str, tuple[str, ...]], tuple[importlib.metadata.EntryPoint, ...]] = {}


def group_entry_points(group: str) -> tuple[importlib.metadata.EntryPoint, ...]:
    """The installed entry points of `group`, read once per group and import path: reading them
    parses every installed distribution's metadata (the built-ins and the plugins are both
    looked up when a run starts)."""
    key = (group, tuple(sys.path))
    if key not in _scanned:
        _scanned[key] = tuple(importlib.metadata.entry_points(group=group))
    return _scanned[key]


def builtin_entry_points(
    group: str = ENTRY_POINT_GROUP,
) -> dict[str, importlib.metadata.EntryPoint]:
    """The built-in drivers as pyproject.toml registers them (`[project.entry-points.
    "sutui.drivers"]`, one per driver name), by name. Reads the installed metadata only."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in group_entry_points(group):
        if is_builtin(ep):
            found.setdefault(ep.name, ep)
    return found


class FactoryTable(MutableMapping[str, Factory]):
    """A dict of driver name -> factory class, as the modelgauge guide's code expects, that imports
    a built-in driver's module only when its factory is first asked for: listing names costs
    nothing but reading the entry points, and start-up does not pay for every provider's HTTP
    stack (about 250 ms). Filled on first use from sutui's own `sutui.drivers` entry points, the
    way plugins are registered (or from `entries`, name -> factory or 'module:attr')."""

    def __init__(self, entries: Mapping[str, Factory | str] | None = None):
        self._given = entries
        self._table: dict[str, Factory | str | importlib.metadata.EntryPoint] | None = None
        self._lock = threading.Lock()

    @property
    def _entries(self) -> dict[str, Factory | str | importlib.metadata.EntryPoint]:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    given = self._given
                    self._table = dict(builtin_entry_points() if given is None else given)
        return self._table

    def __getitem__(self, name: str) -> Factory:
        entry = self._entries[name]
        if isinstance(entry, type):
            return entry
        if isinstance(entry, str):
            module, _, attr = entry.partition(":")
            loaded = getattr(importlib.import_module(module), attr)
        else:  # an entry point (importlib.metadata's, or the importlib_metadata backport's)
            loaded = entry.load()
        factory = _factory_from(loaded)
        self._entries[name] = factory
        return factory

    def __setitem__(self, name: str, factory: Factory) -> None:
        self._entries[name] = factory

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"FactoryTable({sorted(self._entries)})"


DYNAMIC_SUT_FACTORIES: MutableMapping[str, Factory] = FactoryTable()
"""The built-in drivers, by name (their entry points in pyproject.toml). Adding an entry here
registers a driver in-process."""


class DriverInfo:
    """A driver's name, where it comes from, and its factory (imported when first used)."""

    __slots__ = ("_load", "name", "origin")

    def __init__(self, name: str, load: Factory | Callable[[], Factory], origin: str):
        self.name = name
        self.origin = origin
        """'built-in', or 'plugin <distribution> (<entry point value>)'."""
        self._load = load

    @property
    def factory(self) -> Factory:
        if not isinstance(self._load, type):
            self._load = self._load()
        return self._load

    def __repr__(self) -> str:
        return f"DriverInfo({self.name!r}, origin={self.origin!r})"


@dataclass
class DriverRegistry:
    """Built-in drivers plus entry-point plugins, loaded once; a broken plugin is a warning."""

    builtins: Mapping[str, type[DynamicSUTFactory]] = field(
        default_factory=lambda: DYNAMIC_SUT_FACTORIES
    )
    group: str = ENTRY_POINT_GROUP
    warnings: list[str] = field(default_factory=list)
    _plugins: dict[str, DriverInfo] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def drivers(self) -> dict[str, DriverInfo]:
        table = self.builtins
        out = {n: DriverInfo(n, partial(table.__getitem__, n), "built-in") for n in table}
        for name, info in self._load_plugins().items():
            out.setdefault(name, info)
        return dict(sorted(out.items()))

    def get(self, name: str, uid: str | None = None) -> DriverInfo:
        drivers = self.drivers()
        if name in drivers:
            return drivers[name]
        close = difflib.get_close_matches(name, list(drivers), n=3, cutoff=0.5)
        fix = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        fix += "`sutui list-drivers` shows every driver."
        raise UIDError(uid or name, f"there is no driver '{name}'", fix)

    def _load_plugins(self) -> dict[str, DriverInfo]:
        with self._lock:
            if self._plugins is None:
                self._plugins = self._discover()
            return self._plugins

    def _discover(self) -> dict[str, DriverInfo]:
        """The plugins: every entry point of the group but sutui's own (the built-ins). A
        plugin's driver name is its entry point's name; its module's DRIVER_NAME (the guide's
        constant), when it says another, is warned about."""
        found: dict[str, DriverInfo] = {}
        if not any(True for _ in self.builtins):
            self.warnings.append(
                "no built-in driver is registered: sutui's entry points are missing from its "
                "installed metadata. Reinstall sutui (pip install -e .)."
            )
        for ep in group_entry_points(self.group):
            if is_builtin(ep):
                continue
            dist = getattr(ep.dist, "name", None) or "unknown distribution"
            label = f"plugin '{ep.name}' from {dist} ({ep.value})"
            try:
                factory = _factory_from(ep.load())
            except Exception as exc:  # a broken plugin must never stop sutui
                self.warnings.append(
                    f"{label} could not be loaded and is skipped: {type(exc).__name__}: {exc}"
                )
                continue
            declared = getattr(sys.modules.get(factory.__module__), "DRIVER_NAME", None)
            if isinstance(declared, str) and declared != ep.name:
                self.warnings.append(
                    f"{label}: its module's DRIVER_NAME is '{declared}', but the entry point "
                    f"names it '{ep.name}': UIDs use '{ep.name}'. Make the two agree."
                )
            if ep.name in self.builtins:
                self.warnings.append(f"{label} is skipped: '{ep.name}' is a built-in driver.")
            elif ep.name in found:
                self.warnings.append(
                    f"{label} is skipped: another plugin already registers '{ep.name}'."
                )
            else:
                found[ep.name] = DriverInfo(ep.name, factory, f"plugin {dist} ({ep.value})")
        return found


def _factory_from(obj: Any) -> type[DynamicSUTFactory]:
    """An entry point names a factory class, or a module holding exactly one."""
    if inspect.isclass(obj) and issubclass(obj, DynamicSUTFactory):
        return obj
    if isinstance(obj, types.ModuleType):
        classes = [
            c
            for c in vars(obj).values()
            if inspect.isclass(c)
            and issubclass(c, DynamicSUTFactory)
            and c.__module__ == obj.__name__
            and not inspect.isabstract(c)
        ]
        if len(classes) == 1:
            return classes[0]
        raise TypeError(
            f"module {obj.__name__} defines {len(classes)} DynamicSUTFactory classes; "
            "point the entry point at one, e.g. 'mypkg.mymodule:MySUTFactory'"
        )
    raise TypeError(f"{obj!r} is not a DynamicSUTFactory subclass")


_default_registry: DriverRegistry | None = None


def default_registry() -> DriverRegistry:
    global _default_registry
    if _default_registry is None:
        _default_registry = DriverRegistry()
    return _default_registry


def check_options(definition: SUTDefinition, info: DriverInfo, uid: str) -> None:
    """An option the driver does not take is a clear error naming those it does."""
    factory = info.factory
    for key, _ in definition.options:
        if not factory.accepts_option(key):
            accepted = ", ".join(factory.ACCEPTED_OPTIONS) or "none"
            raise UIDError(
                uid,
                f"the driver '{info.name}' does not take the option '{key}'",
                f"Options it takes: {accepted}.",
            )
    if factory.PROVIDER_REQUIRED and not definition.provider:
        example = (factory.EXAMPLE_UIDS or [f"maker/model:PROVIDER:{info.name}"])[0]
        raise UIDError(
            uid,
            f"the driver '{info.name}' needs a provider",
            f"Write model:PROVIDER:{info.name}, e.g. '{example}'.",
        )
    factory({}).validate(definition)


def resolve(
    uid: str, catalog: Any = None, registry: DriverRegistry | None = None
) -> tuple[SUTDefinition, DriverInfo]:
    """The definition and driver a UID names, checked, without making anything."""
    from drivers.catalog import default_catalog

    registry = registry or default_registry()
    ref = parse_uid(uid)
    if isinstance(ref, PredefinedSUT):
        definition = (catalog if catalog is not None else default_catalog()).get(ref.name)
    else:
        definition = ref
    info = registry.get(definition.driver, uid)
    check_options(definition, info, uid)
    return definition, info


def secrets_needed(
    uid: str, catalog: Any = None, registry: DriverRegistry | None = None
) -> list[InjectSecret[Any]]:
    definition, info = resolve(uid, catalog, registry)
    return info.factory({}).secrets_for(definition)


def make_sut(
    uid: str,
    secrets: RawSecrets,
    catalog: Any = None,
    registry: DriverRegistry | None = None,
) -> SUT:
    """Make the SUT a UID names (predefined or dynamic). Raises UIDError, UnknownSUTError or
    MissingSecretValues (listing every missing secret), each with a message a person can act on."""
    definition, info = resolve(uid, catalog, registry)
    factory = info.factory(secrets)
    sut = factory.make_sut(definition)
    if not isinstance(sut, SUT):
        raise TypeError(f"driver '{info.name}' made {sut!r}, which is not a SUT")
    note = unsent_keys_note(factory, definition, secrets)
    if note:
        sut.unsent_keys = note
    from drivers.model_hints import ModelSource

    sut.model_source = ModelSource.for_sut(definition, factory)
    return sut


def unsent_keys_note(
    factory: DynamicSUTFactory, definition: SUTDefinition, secrets: RawSecrets
) -> str | None:
    """What to say when an optional key of this SUT (a token a local server may not need) was
    not sent, because it is set nowhere or because the OS keyring, where it may be, could not
    be read: it is left out silently, so the provider's 401 must say so (not "the key was
    rejected"). None when every optional key was sent."""
    from drivers.keyring_layer import STATUS_TEXT
    from drivers.secret_store import SecretStore
    from drivers.secrets import env_var_name

    store = getattr(secrets, "store", None)
    if not isinstance(store, SecretStore):
        return None
    problem = store.keyring_problem()
    try:
        declared = [s.description() for s in factory.secrets_for(definition) if not s.required]
    except Exception:
        return None
    unsent = [
        d
        for d in declared
        if ("key" in d.key or "token" in d.key) and store.lookup(d.scope, d.key) is None
    ]
    if not unsent:
        return None
    names = ", ".join(f"[{d.scope}] {d.key}" for d in unsent)
    variables = " or ".join(
        name for d in unsent for name in (env_var_name(d.scope, d.key), *d.env_vars)
    )
    if problem is None or problem.status == "no_backend":  # nowhere that could hold it
        what = ("key {} is" if len(unsent) == 1 else "keys {} are").format(names)
        setter = " or ".join(f"`sutui secrets set {d.scope} {d.key}`" for d in unsent)
        return (
            f"no key was sent: optional {what} not set. If this server wants one, store it "
            f"with {setter}, or set {variables}."
        )
    if problem.status == "locked":
        state = "is locked"
        fix = (
            "unlock it (log in to your desktop session, or unlock the 'login' keyring in your "
            "keyring manager, e.g. Seahorse)"
        )
    else:
        state = f"could not be read ({STATUS_TEXT.get(problem.status, problem.status)})"
        fix = "fix it (`sutui secrets list` says how)"
    what = ("key {} was" if len(unsent) == 1 else "keys {} were").format(names)
    return f"the OS keyring {state}: optional {what} not sent; {fix}, or set {variables}."
