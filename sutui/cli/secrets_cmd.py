"""`sutui secrets ...`: see, store, import, test and set up the secrets drivers use.

Values are never printed (only masked, like `sk-…9f2c`) and never taken from the command line
unless the user insists (`--value V --insecure-argv`). Writes go to the OS keyring (service
"sutui", username "SCOPE/KEY"); see docs/secrets.md.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import tomli_w

from drivers.keyring_layer import SERVICE, KeyringLayer, username
from drivers.readiness import DeclaredSecret, declared_secrets
from drivers.redaction import mask, register_secret
from drivers.registry import secrets_needed
from drivers.secret_store import SecretStore, read_secrets_file
from drivers.secrets import InjectSecret, SecretDescription
from sutui.cli.context import CliContext, pass_context
from sutui.cli.errors import RUN_FAILED, InputError
from sutui.cli.table import table
from sutui.secret_check import CHECKS, check_secret, has_check

JSON_HELP = "Print JSON for programs instead of text for people."
SUTS_SHOWN = 3


# ----- who uses what ---------------------------------------------------------------------------


def secret_usage(ctx: CliContext) -> dict[tuple[str, str], DeclaredSecret]:
    """Every secret a registered driver or predefined SUT declares, with who uses it."""
    return {
        (d.description.scope, d.description.key): d
        for d in declared_secrets(ctx.catalog, ctx.registry)
    }


def _used_by(usage: DeclaredSecret | None) -> str:
    if usage is None:
        return "no driver (only in your secrets.toml)"
    parts = [", ".join(sorted(usage.drivers))] if usage.drivers else []
    if usage.suts:
        shown = ", ".join(usage.suts[:SUTS_SHOWN])
        more = ", …" if len(usage.suts) > SUTS_SHOWN else ""
        count = len(usage.suts)
        parts.append(f"{count} SUT{'s' if count != 1 else ''} ({shown}{more})")
    return "; ".join(parts) or "-"


def _keyring_report(store: SecretStore) -> dict[str, Any]:
    layer = store.keyring
    if layer is not None and layer.status == "unknown":
        layer.probe()
    problem = store.keyring_problem()
    return {
        "status": store.keyring_status(),
        "line": layer.status_line() if layer else "keyring: off (SUTUI_KEYRING=off)",
        "message": str(problem) if problem else None,
    }


# ----- reading values ---------------------------------------------------------------------------


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def read_value(label: str, allow_empty: bool = False) -> str | None:
    """A value typed at a hidden prompt (TTY) or one line of stdin; None at end of input."""
    if _stdin_is_tty():
        text = click.prompt(
            f"{label} (hidden)" + (", Enter to skip" if allow_empty else ""),
            hide_input=True,
            default="" if allow_empty else None,
            show_default=False,
            err=True,
        )
        value = str(text).strip()
    else:
        line = sys.stdin.readline()
        if line == "":
            return None
        value = line.strip()
    register_secret(value)
    return value


# ----- the commands -----------------------------------------------------------------------------


@click.group("secrets")
def secrets() -> None:
    """See, store, import, test and set up the secrets drivers use (stored in the OS keyring)."""


@secrets.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def list_cmd(as_json: bool) -> None:
    """Every secret: set or missing, which layer supplies it (masked), who uses it."""
    ctx = pass_context()
    store = ctx.store
    usage = secret_usage(ctx)
    keys = set(usage)
    for scope, table_ in store.file_values().items():
        keys.update((scope, key) for key in table_)
    rows: list[dict[str, Any]] = []
    for scope, key in sorted(keys):
        found = store.lookup(scope, key)
        used = usage.get((scope, key))
        rows.append(
            {
                "scope": scope,
                "key": key,
                "set": found is not None,
                "required": bool(used and used.required),
                "layer": found.layer if found else None,
                "source": found.source if found else None,
                "masked": mask(found.value) if found else None,
                "drivers": sorted(used.drivers) if used else [],
                "suts": list(used.suts) if used else [],
                "_used_by": _used_by(used),
            }
        )
    keyring = _keyring_report(store)
    if as_json:
        out = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
        click.echo(json.dumps({"keyring": keyring, "secrets": out}, indent=2))
        return
    lines = []
    for row in rows:
        where = row["layer"] or "-"
        if row["layer"] == "env":
            where = f"env {row['source']}"
        lines.append(
            [
                f"{row['scope']}/{row['key']}",
                "set" if row["set"] else ("missing" if row["required"] else "optional"),
                where,
                row["masked"] or "-",
                row["_used_by"],
            ]
        )
    click.echo(table(["SECRET", "STATUS", "LAYER", "VALUE", "USED BY"], lines))
    count = sum(1 for r in rows if r["set"])
    gaps = sum(1 for r in rows if r["required"] and not r["set"])
    click.echo(f"\n{len(rows)} secrets: {count} set, {gaps} missing. {keyring['line']}.")
    if keyring["message"]:
        click.echo(f"sutui: {keyring['message']}", err=True)


def _refuse_argv() -> InputError:
    return InputError(
        "--value puts the secret on the command line, where other users can read it (ps, "
        "/proc) and your shell saves it in its history. Run the command in a terminal to be "
        'asked for it (hidden), or pipe it: `printf %s "$KEY" | sutui secrets set SCOPE '
        "KEY`. If you accept the risk, add --insecure-argv."
    )


def _overrides(store: SecretStore, scope: str, key: str) -> str | None:
    found = store.lookup(scope, key)
    if found is not None and found.layer == "env":
        return (
            f"note: {found.source} is set in the environment and takes precedence over the keyring."
        )
    return None


def _warn_unknown(ctx: CliContext, scope: str, key: str) -> None:
    usage = secret_usage(ctx)
    if (scope, key) in usage:
        return
    names = [f"{s}/{k}" for s, k in usage]
    close = difflib.get_close_matches(f"{scope}/{key}", names, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    click.echo(
        f"sutui: warning: no driver or predefined SUT uses {scope}/{key} (fine for a "
        f"provider you name in a UID).{hint}",
        err=True,
    )


@secrets.command("set")
@click.argument("scope")
@click.argument("key")
@click.option("--value", default=None, help="The value itself: refused without --insecure-argv.")
@click.option(
    "--insecure-argv",
    is_flag=True,
    help="Accept --value although the command line is visible to others.",
)
def set_cmd(scope: str, key: str, value: str | None, insecure_argv: bool) -> None:
    """Store SCOPE KEY in the OS keyring: asked hidden in a terminal, else one line of stdin."""
    ctx = pass_context()
    if value is not None and not insecure_argv:
        raise _refuse_argv()
    store = ctx.store
    store.writable_keyring().check()
    if value is None:
        value = read_value(f"Value for [{scope}] {key}")
    else:
        register_secret(value)
    if not value:
        raise InputError(
            f"no value given for [{scope}] {key}: type it at the prompt, or pipe one line "
            "to stdin. Nothing was stored."
        )
    store.set(scope, key, value)
    click.echo(
        f"Stored {scope}/{key} in the OS keyring (service '{SERVICE}', user "
        f"'{username(scope, key)}'): {mask(value)}"
    )
    note = _overrides(store, scope, key)
    if note:
        click.echo(note)
    _warn_unknown(ctx, scope, key)


@secrets.command("delete")
@click.argument("scope")
@click.argument("key")
def delete_cmd(scope: str, key: str) -> None:
    """Delete SCOPE KEY from the OS keyring (the environment and secrets.toml are untouched)."""
    store = pass_context().store
    store.delete(scope, key)
    click.echo(f"Deleted {scope}/{key} from the OS keyring (service '{SERVICE}').")
    found = store.lookup(scope, key)
    if found is not None:
        click.echo(f"note: it is still set by the {found.layer} layer ({found.source}).")


@secrets.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite keyring values that differ.")
def import_cmd(path: Path, replace: bool) -> None:
    """Copy a modelgauge secrets.toml into the OS keyring (never printing a value)."""
    store = pass_context().store
    values = read_secrets_file(path)
    layer: KeyringLayer = store.writable_keyring()
    layer.check()
    imported = skipped = 0
    for scope in sorted(values):
        for key in sorted(values[scope]):
            value = values[scope][key].strip()
            name = f"{scope}/{key}"
            if not value:
                click.echo(f"  skipped   {name}: empty value")
                skipped += 1
                continue
            current = layer.get(scope, key)
            layer.check()
            if current == value:
                click.echo(f"  skipped   {name}: already in the keyring")
                skipped += 1
                continue
            if current is not None and not replace:
                click.echo(
                    f"  skipped   {name}: the keyring holds a different value "
                    "(--replace overwrites it)"
                )
                skipped += 1
                continue
            layer.set(scope, key, value)
            verb = "replaced" if current is not None else "imported"
            click.echo(f"  {verb:<9} {name}: {mask(value)}")
            imported += 1
    click.echo(
        f"{imported} imported, {skipped} skipped, from {path} into the OS keyring "
        f"(service '{SERVICE}')."
    )


def template_text(descriptions: Iterable[SecretDescription]) -> str:
    """TOML (modelgauge's secrets.toml format) with every key empty and its instructions."""
    by_scope: dict[str, list[SecretDescription]] = {}
    for d in sorted(descriptions, key=lambda d: (d.scope, d.key)):
        by_scope.setdefault(d.scope, []).append(d)
    blocks = [
        "# sutui secrets, in modelgauge's secrets.toml format. Fill in what you use, then\n"
        "# `sutui secrets import FILE` (into the OS keyring) or `sutui --secrets FILE ...`.\n"
    ]
    for scope, items in by_scope.items():
        lines = [tomli_w.dumps({scope: {}}).rstrip("\n")]
        for d in items:
            lines += [f"# {line}".rstrip() for line in d.instructions.splitlines()]
            lines.append(tomli_w.dumps({d.key: ""}).rstrip("\n"))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


@secrets.command("template")
def template_cmd() -> None:
    """A secrets.toml with every secret drivers use, values left empty."""
    ctx = pass_context()
    click.echo(template_text(u.description for u in secret_usage(ctx).values()), nl=False)


@secrets.command("test")
@click.argument("scope")
@click.option("--url", default=None, help="The base URL to test against (e.g. http://host/v1).")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait.")
def check_cmd(scope: str, url: str | None, timeout: float) -> int:
    """Make the cheapest authenticated call with SCOPE's key: ok, rejected or unreachable.

    Exits 0 when the key works, 1 when it does not or the provider cannot be reached.
    """
    result = check_secret(pass_context().store, scope, url, timeout)
    if result.ok:
        click.echo(f"{scope}: ok · {result.detail}")
        return 0
    click.echo(f"sutui: {scope}: {result.outcome} · {result.detail}", err=True)
    return RUN_FAILED


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


@secrets.command("setup")
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
        check = CHECKS.get(d.scope)
        if has_check(d.scope) and (check is None or check.key == d.key):
            result = check_secret(store, d.scope)
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
