"""What every command needs, built lazily: the secret store, the catalog, the driver registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import click

from drivers.catalog import Catalog, default_catalog
from drivers.registry import DriverRegistry, default_registry
from drivers.secret_store import SecretStore


@dataclass
class CliContext:
    secrets_file: Path | None = None
    _warned: bool = field(default=False, init=False)

    @cached_property
    def store(self) -> SecretStore:
        return SecretStore(secrets_file=self.secrets_file)

    @cached_property
    def catalog(self) -> Catalog:
        return default_catalog()

    @cached_property
    def registry(self) -> DriverRegistry:
        registry = default_registry()
        registry.drivers()
        if not self._warned:
            for warning in registry.warnings:
                click.echo(f"sutui: warning: {warning}", err=True)
            self._warned = True
        return registry


def pass_context() -> CliContext:
    obj = click.get_current_context().find_object(CliContext)
    assert obj is not None
    return obj
