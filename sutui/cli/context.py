"""What every command needs, built lazily: the secret store, the catalog, the driver registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from drivers.catalog import Catalog, forgiving_catalog
from drivers.secret_store import SecretStore
from drivers.visible_text import visible

if TYPE_CHECKING:
    from drivers.registry import DriverRegistry


@dataclass
class CliContext:
    secrets_file: Path | None = None
    _warned: bool = field(default=False, init=False)

    @cached_property
    def store(self) -> SecretStore:
        return SecretStore(secrets_file=self.secrets_file)

    @cached_property
    def catalog(self) -> Catalog:
        """The catalog; a broken file is a warning, and what could be read is used."""
        catalog, problem = forgiving_catalog()
        if problem:
            click.echo(f"sutui: warning: {visible(problem)}", err=True)
        return catalog

    @cached_property
    def registry(self) -> DriverRegistry:
        # Imported here: the registry loads every provider and the HTTP stack, which the app
        # does not need before its first frame.
        from drivers.registry import default_registry

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
