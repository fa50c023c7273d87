"""`sutui uid UID`: explain a UID: its parts, options, canonical form, driver and secrets."""

from __future__ import annotations

import json
import shlex
from typing import Any

import click

from drivers.readiness import readiness
from drivers.retirement import RetiredSUTError
from drivers.uid import PredefinedSUT, SUTDefinition, UIDError, parse_uid
from sutui.cli.context import pass_context
from sutui.cli.errors import USAGE_ERROR


def explain(uid: str) -> tuple[dict[str, Any], bool]:
    ctx = pass_context()
    ref = parse_uid(uid)
    out: dict[str, Any] = {"uid": uid}
    retired: str | None = None
    if isinstance(ref, PredefinedSUT):
        entry = ctx.catalog.entry(ref.name)
        definition: SUTDefinition = entry.definition
        out |= {"kind": "predefined", "description": entry.description, "source": str(entry.source)}
        out["retired"] = entry.retired.isoformat() if entry.retired else None
        out["replacement"] = entry.replacement
        try:
            ctx.catalog.get(ref.name)
        except RetiredSUTError as exc:  # explained, but not ready: running it is refused
            retired = str(exc)
    else:
        definition = ref
        out["kind"] = "dynamic"
    out |= {
        "canonical": definition.format(),
        "maker": definition.maker,
        "model": definition.model,
        "provider": definition.provider,
        "driver": definition.driver,
        "date": definition.date,
        "model_id": definition.external_model_name(),
        "options": definition.options_dict,
    }
    state = readiness(definition, ctx.store, ctx.registry)
    drivers = ctx.registry.drivers()
    out["driver_origin"] = (
        drivers[definition.driver].origin if definition.driver in drivers else None
    )
    problem = retired or state.problem
    out |= {
        "ready": state.ready and not retired,
        "problem": problem,
        "secrets": state.to_dict()["secrets"],
    }
    return out, problem is None


@click.command("uid")
@click.argument("uid_text", metavar="UID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def uid(uid_text: str, as_json: bool) -> int:
    """Explain a SUT UID: [maker/]model:[provider:]driver[:date][;key=value]..."""
    try:
        info, ok = explain(uid_text)
    except UIDError as exc:
        if not as_json:
            raise  # one paragraph on stderr, exit 2 (sutui.cli.errors)
        info, ok = {"uid": uid_text, "ready": False, "problem": str(exc)}, False
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        show(info)
    if info["problem"]:  # what it could parse is on stdout; why it fails goes to stderr
        click.echo(f"sutui: {info['problem']}", err=True)
    return 0 if ok else USAGE_ERROR


def show(info: dict[str, Any]) -> None:
    """The parts, one a line, for a person; the caller puts a problem on stderr."""
    rows = [
        ("kind", info["kind"]),
        ("canonical", info["canonical"]),
        ("maker", info["maker"]),
        ("model", info["model"]),
        ("provider", info["provider"]),
        ("driver", info["driver"]),
        ("date", info["date"]),
        ("model id sent", info["model_id"]),
    ]
    if info["kind"] == "predefined":
        rows.insert(1, ("description", info["description"]))
        if info["retired"]:
            use = f" → {info['replacement']}" if info["replacement"] else ""
            rows.insert(2, ("retired", info["retired"] + use))
    for key, value in rows:
        click.echo(f"{key + ':':<15}{value if value is not None else '-'}")
    opts = ", ".join(f"{k}={v}" for k, v in info["options"].items()) or "-"
    click.echo(f"{'options:':<15}{opts}")
    if info["driver_origin"]:
        click.echo(f"{'driver from:':<15}{info['driver_origin']}")
    for s in info["secrets"]:
        state = (
            f"set ({s['layer']})"
            if s["set"]
            else ("missing" if s["required"] else "not set (optional)")
        )
        click.echo(f"{'secret:':<15}[{s['scope']}] {s['key']}: {state}")
    if info["problem"]:
        click.echo(f"{'ready:':<15}no")
    elif not info["ready"]:
        setup = f"sutui secrets setup {shlex.quote(info['uid'])}"
        click.echo(f"{'ready:':<15}no: set the missing secrets with `{setup}`")
    else:
        click.echo(f"{'ready:':<15}yes")
