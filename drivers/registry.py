"""Which drivers exist: the built-in ones in DYNAMIC_SUT_FACTORIES, plus third-party drivers found
through the entry-point group `sutui.drivers`. Also `make_sut(uid, secrets)`, the one way in.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drivers.factory import DynamicSUTFactory
from drivers.providers.anthropic import AnthropicSUTFactory
from drivers.providers.demo import DemoSUTFactory
from drivers.providers.google import GoogleSUTFactory
from drivers.providers.hf import HFSUTFactory
from drivers.providers.hf_dedicated import HFDedicatedSUTFactory
from drivers.providers.hf_serverless import HFServerlessSUTFactory
from drivers.providers.hfrelay import HFRelaySUTFactory
from drivers.providers.mistral import MistralSUTFactory
from drivers.providers.modelship import ModelshipSUTFactory
from drivers.providers.nvidia_nim import NvidiaNimSUTFactory
from drivers.providers.ollama import OllamaSUTFactory
from drivers.providers.openai import OpenAISUTFactory
from drivers.providers.together import TogetherSUTFactory
from drivers.providers.together_dedicated import TogetherDedicatedSUTFactory
from drivers.secrets import InjectSecret, RawSecrets
from drivers.sut import SUT
from drivers.uid import PredefinedSUT, SUTDefinition, UIDError, parse_uid

ENTRY_POINT_GROUP = "sutui.drivers"

DYNAMIC_SUT_FACTORIES: dict[str, type[DynamicSUTFactory]] = {
    "demo": DemoSUTFactory,
    "openai": OpenAISUTFactory,
    "together": TogetherSUTFactory,
    "together-serverless": TogetherSUTFactory,
    "together-dedicated": TogetherDedicatedSUTFactory,
    "nvidia-nim": NvidiaNimSUTFactory,
    "mistral": MistralSUTFactory,
    "hfrelay": HFRelaySUTFactory,
    "modelship": ModelshipSUTFactory,
    "hf": HFSUTFactory,
    "hf-serverless": HFServerlessSUTFactory,
    "hf-dedicated": HFDedicatedSUTFactory,
    "anthropic": AnthropicSUTFactory,
    "google": GoogleSUTFactory,
    "ollama": OllamaSUTFactory,
}
"""The built-in drivers, by DRIVER_NAME. Adding an entry here registers a driver in-process."""


@dataclass(frozen=True)
class DriverInfo:
    name: str
    factory: type[DynamicSUTFactory]
    origin: str
    """'built-in', or 'plugin <distribution> (<entry point value>)'."""


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
        out = {name: DriverInfo(name, cls, "built-in") for name, cls in self.builtins.items()}
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
        found: dict[str, DriverInfo] = {}
        for ep in importlib.metadata.entry_points(group=self.group):
            dist = getattr(ep.dist, "name", None) or "unknown distribution"
            label = f"plugin '{ep.name}' from {dist} ({ep.value})"
            try:
                factory = _factory_from(ep.load())
            except Exception as exc:  # a broken plugin must never stop sutui
                self.warnings.append(
                    f"{label} could not be loaded and is skipped: {type(exc).__name__}: {exc}"
                )
                continue
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
        definition = (catalog or default_catalog()).get(ref.name)
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
    sut = info.factory(secrets).make_sut(definition)
    if not isinstance(sut, SUT):
        raise TypeError(f"driver '{info.name}' made {sut!r}, which is not a SUT")
    return sut
