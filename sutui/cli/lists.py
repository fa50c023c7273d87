"""`sutui list-drivers`, `list-suts`, `list-secrets`: what there is and what is ready."""

from __future__ import annotations

import json
from typing import Any

import click

from drivers.catalog import CatalogEntry
from drivers.readiness import Readiness, declared_secrets, readiness
from drivers.secrets import SecretDescription, secrets_toml
from sutui.cli.context import pass_context
from sutui.cli.table import table

JSON_HELP = "Print JSON for programs instead of text for people."


@click.command("list-drivers")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def list_drivers(as_json: bool) -> None:
    """Every driver: built-in and plugins, their UID options, secrets and example UIDs."""
    ctx = pass_context()
    rows: list[dict[str, Any]] = []
    for name, info in ctx.registry.drivers().items():
        factory = info.factory
        try:
            injects = factory({}).get_secrets()
            secrets = [(i.description(), i.required) for i in injects]
        except Exception as exc:  # a plugin's broken get_secrets is shown, not fatal
            secrets = []
            click.echo(f"sutui: warning: driver '{name}' cannot list its secrets: {exc}", err=True)
        rows.append(
            {
                "driver": name,
                "origin": info.origin,
                "description": factory.DESCRIPTION
                or (factory.__doc__ or "").strip().split("\n")[0],
                "options": dict(factory.ACCEPTED_OPTIONS),
                "secrets": [{"scope": d.scope, "key": d.key, "required": r} for d, r in secrets],
                "examples": list(factory.EXAMPLE_UIDS) or [f"maker/model:{name}"],
                "streams": factory.STREAMS,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.secho(str(row["driver"]), bold=True, nl=False)
        click.echo(f"  ({row['origin']})")
        if row["description"]:
            click.echo(f"    {row['description']}")
        opts = ", ".join(f"{k} ({v})" for k, v in row["options"].items()) or "none"
        click.echo(f"    options:  {opts}")
        secret_text = (
            ", ".join(
                f"[{s['scope']}] {s['key']}" + ("" if s["required"] else " (optional)")
                for s in row["secrets"]
            )
            or "none"
        )
        click.echo(f"    secrets:  {secret_text}")
        click.echo(f"    example:  {row['examples'][0]}")


@click.command("list-suts")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--paths", is_flag=True, help="Also say which catalog files are read.")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also list retired SUTs (their provider no longer serves the model).",
)
def list_suts(as_json: bool, paths: bool, show_all: bool) -> None:
    """The predefined SUTs: name, driver, secrets used, and ready or what is missing.

    The table's columns are SUT (the name, which --sut takes as a UID), DRIVER, SECRETS and
    STATUS; --json adds each SUT's model, the dynamic UID it stands for, its description, its
    catalog file, and when it was retired and what replaces it. Retired SUTs are left out
    unless --all.
    """
    ctx = pass_context()
    shown = list(ctx.catalog) if show_all else ctx.catalog.current()
    hidden = len(ctx.catalog) - len(shown)
    entries = {e.uid: e for e in shown}
    states = [readiness(e.definition, ctx.store, ctx.registry) for e in shown]
    if as_json:
        out = []
        for state in states:
            entry = entries[state.uid]
            retired = {"ready": False, "problem": entry.retired_note} if entry.retired else {}
            out.append(
                {
                    **state.to_dict(),
                    **retired,
                    "model": entry.definition.external_model_name(),
                    "dynamic_uid": entry.definition.format(),
                    "description": entry.description,
                    "source": str(entry.source),
                    "retired": entry.retired.isoformat() if entry.retired else None,
                    "replacement": entry.replacement,
                }
            )
        click.echo(json.dumps(out, indent=2))
        return
    table_rows: list[list[str]] = []
    for state in states:
        used = ", ".join(f"{s.description.scope}/{s.description.key}" for s in state.secrets)
        table_rows.append([state.uid, state.driver, used or "-", _status(state, entries)])
    click.echo(table(["SUT", "DRIVER", "SECRETS", "STATUS"], table_rows))
    ready = sum(1 for s in states if s.ready and entries[s.uid].retired is None)
    click.echo(
        f"\n{len(states)} SUTs, {ready} ready. Run one: sutui run-sut --sut UID --prompt TEXT"
    )
    if hidden:
        were = "SUT was" if hidden == 1 else "SUTs were"
        click.echo(
            f"{hidden} retired {were} left out (their provider no longer serves the model): "
            "`sutui list-suts --all` lists them too."
        )
    if paths:
        sources = sorted({str(e.source) for e in entries.values()})
        click.echo("Catalog files: " + ", ".join(sources))


def _status(state: Readiness, entries: dict[str, CatalogEntry]) -> str:
    note = entries[state.uid].retired_note
    if note:
        return note
    if state.problem:
        return f"unavailable: {state.problem}"
    if state.missing:
        return "missing " + ", ".join(
            f"{s.description.scope}/{s.description.key}" for s in state.missing
        )
    return "ready"


def known_secret_descriptions() -> list[SecretDescription]:
    """Every secret any registered driver or predefined SUT declares."""
    ctx = pass_context()
    return [d.description for d in declared_secrets(ctx.catalog, ctx.registry)]


@click.command("list-secrets")
def list_secrets() -> None:
    """Every secret sutui's drivers might use, as a TOML block to paste into secrets.toml."""
    click.echo(
        "# The secrets sutui's drivers might use. Put values in a secrets.toml, or set\n"
        "# SUTUI_<SCOPE>__<KEY> in the environment.\n"
    )
    click.echo(secrets_toml(known_secret_descriptions()), nl=False)
