"""`sutui secrets ...`: see, store, import, test and set up the secrets drivers use.

Values are never printed (only masked, like `sk-…9f2c`) and never taken from the command line
unless the user insists (`--value V --insecure-argv`). Writes go to the OS keyring (service
"sutui", username "SCOPE/KEY"); see docs/secrets.md.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import tomli_w

from drivers.keyring_layer import SERVICE, KeyringLayer, username
from drivers.readiness import DeclaredSecret, declared_secrets
from drivers.redaction import mask, register_secret
from drivers.secret_store import SecretStore, read_secrets_file
from drivers.secrets import SecretDescription
from sutui.cli.context import CliContext, pass_context
from sutui.cli.errors import RUN_FAILED, InputError
from sutui.cli.secrets_input import read_value
from sutui.cli.secrets_setup import setup_cmd
from sutui.cli.table import table
from sutui.secret_check import check_secret

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
                "trimmed": bool(found and found.trimmed),
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
        status = "set" if row["set"] else ("missing" if row["required"] else "optional")
        if row["trimmed"]:
            status += " (spaces around it removed)"
        lines.append(
            [
                f"{row['scope']}/{row['key']}",
                status,
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


def _warn_unknown(usage: dict[tuple[str, str], DeclaredSecret], scope: str, key: str) -> None:
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
    usage = secret_usage(ctx)  # the declarations name the usual variables (OPENAI_API_KEY)
    note = _overrides(store, scope, key)
    if note:
        click.echo(note)
    _warn_unknown(usage, scope, key)


@secrets.command("delete")
@click.argument("scope")
@click.argument("key")
def delete_cmd(scope: str, key: str) -> None:
    """Delete SCOPE KEY from the OS keyring (the environment and secrets.toml are untouched)."""
    ctx = pass_context()
    store = ctx.store
    store.delete(scope, key)
    click.echo(f"Deleted {scope}/{key} from the OS keyring (service '{SERVICE}').")
    secret_usage(ctx)  # the declarations name the usual variables (OPENAI_API_KEY)
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
    ctx = pass_context()
    result = check_secret(ctx.store, scope, url, timeout, ctx.registry)
    if result.ok:
        click.echo(f"{scope}: ok · {result.detail}")
        return 0
    click.echo(f"sutui: {scope}: {result.outcome} · {result.detail}", err=True)
    return RUN_FAILED


secrets.add_command(setup_cmd)  # guided, in its own module
