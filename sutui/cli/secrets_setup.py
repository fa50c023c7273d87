"""`sutui secrets setup DRIVER_OR_SUT`: walks each missing secret of a driver or SUT with its
instructions, stores it in the OS keyring and tests it."""

from __future__ import annotations

import difflib
from typing import Any

import click

from drivers.keyring_layer import username
from drivers.redaction import mask
from drivers.registry import secrets_needed
from drivers.secrets import InjectSecret
from sutui.cli.context import CliContext, pass_context
from sutui.cli.errors import RUN_FAILED, InputError
from sutui.cli.secrets_input import read_value
from sutui.secret_check import check_secret, checked_key


def _setup_targets(ctx: CliContext, name: str) -> tuple[str, list[InjectSecret[Any]]]:
    drivers = ctx.registry.drivers()
    if name in drivers:
        return f"the driver '{name}'", drivers[name].factory({}).get_secrets()
    if name in ctx.catalog:
        return f"the SUT '{name}'", secrets_needed(name, ctx.catalog, ctx.registry)
    if ":" in name:
        return f"the SUT '{name}'", secrets_needed(name, ctx.catalog, ctx.registry)
    names = [*drivers, *(e.uid for e in ctx.catalog)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise InputError(
        f"'{name}' is neither a driver nor a predefined SUT. {hint}`sutui list-drivers` and "
        "`sutui list-suts` show them; a dynamic UID works too (e.g. 'gpt-4o-mini:openai')."
    )


@click.command("setup")
@click.argument("driver_or_sut")
def setup_cmd(driver_or_sut: str) -> int:
    """Guided: asks for each missing secret of a driver or SUT, stores it, tests it.

    In a terminal the values are asked hidden; otherwise one line of stdin per missing
    secret, in the order shown (an empty line skips it).
    """
    ctx = pass_context()
    store = ctx.store
    what, injects = _setup_targets(ctx, driver_or_sut)
    seen: set[tuple[str, str]] = set()
    missing: list[InjectSecret[Any]] = []
    for inject in injects:
        d = inject.description()
        if (d.scope, d.key) in seen:
            continue
        seen.add((d.scope, d.key))
        found = store.lookup(d.scope, d.key)
        if found is None:
            missing.append(inject)
        else:
            click.echo(f"[{d.scope}] {d.key}: already set ({found.layer}: {mask(found.value)})")
    if not missing:
        click.echo(f"Every secret {what} uses is set. Nothing to do.")
        return 0
    store.writable_keyring().check()
    click.echo(f"{what} needs {len(missing)} more secret{'s' if len(missing) > 1 else ''}.")
    failed = False
    stored = 0
    for inject in missing:
        d = inject.description()
        kind = "required" if inject.required else "optional"
        click.echo(f"\n[{d.scope}] {d.key} ({kind})")
        for line in d.instructions.splitlines():
            click.echo(f"  {line}")
        value = read_value(f"  {d.scope}/{d.key}", allow_empty=True)
        if value is None:
            click.echo("  end of input: stopping here.")
            break
        if not value:
            click.echo("  skipped.")
            continue
        store.set(d.scope, d.key, value)
        stored += 1
        click.echo(f"  stored in the OS keyring as {username(d.scope, d.key)}: {mask(value)}")
        if checked_key(d.scope, ctx.registry) == d.key:
            result = check_secret(store, d.scope, registry=ctx.registry)
            click.echo(f"  test: {result.outcome} · {result.detail}")
            failed = failed or result.outcome == "rejected"
    left = [i for i in missing if i.required and store.lookup(*_names(i)) is None]
    click.echo(
        f"\n{stored} stored."
        + (" Still missing: " + ", ".join("/".join(_names(i)) for i in left) + "." if left else "")
    )
    return RUN_FAILED if failed else 0


def _names(inject: InjectSecret[Any]) -> tuple[str, str]:
    d = inject.description()
    return d.scope, d.key
