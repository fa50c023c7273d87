"""`sutui models DRIVER`: the models a driver's provider serves now, marked when the catalog
already names them; cached a day (drivers/model_cache.py), `--refresh` asks again."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ModelList, ModelsNotListed, fetch_models, listing_definition
from drivers.registry import check_options, unsent_keys_note
from drivers.uid import UIDError
from sutui.cli.context import pass_context
from sutui.cli.errors import RUN_FAILED, USAGE_ERROR, InputError
from sutui.cli.table import table


@click.command("models")
@click.argument("driver")
@click.option("--url", default=None, help="The server's base URL, as ;url= in a UID.")
@click.option("--provider", default=None, help="The provider, as in model:PROVIDER:driver.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.option("--refresh", is_flag=True, help="Ask the provider again, even if a list is cached.")
def models(driver: str, url: str | None, provider: str | None, as_json: bool, refresh: bool) -> int:
    """The models DRIVER's provider serves now (e.g. `sutui models openai`, or
    `sutui models openai --url http://127.0.0.1:8080/v1` for a local server)."""
    ctx = pass_context()
    try:
        info = ctx.registry.get(driver.lower())
    except UIDError as exc:
        raise InputError(f"{exc.problem}. {exc.fix}") from None
    factory_class = info.factory
    if not getattr(factory_class, "LISTS_MODELS", False):
        raise InputError(
            f"the {info.name} driver cannot list its models (its provider has no list "
            "endpoint sutui knows). `sutui list-suts` shows the catalog's SUTs for it."
        )
    definition = listing_definition(info.name, provider, {"url": url} if url else None)
    try:
        check_options(definition, info, definition.format())
    except UIDError as exc:  # said for this command's flags, not a UID's parts
        fix = "Give it with --provider P." if "provider" in exc.problem else exc.fix
        raise InputError(f"{exc.problem}. {fix}") from None
    raw = ctx.store.raw_secrets()
    factory = factory_class(raw)
    try:
        found = asyncio.run(_fetch(definition, factory, refresh))
    except ModelsNotListed as exc:
        raise InputError(f"{exc}.") from None
    except SUTError as exc:
        click.echo(f"sutui: listing {info.name}'s models failed: {exc.one_line()}", err=True)
        hint = _hint(exc, factory, definition, raw)
        if hint:
            click.echo(f"  what to do: {hint}", err=True)
        return USAGE_ERROR if exc.kind is ErrorKind.config else RUN_FAILED
    in_catalog = found.in_catalog(ctx.catalog)
    if as_json:
        click.echo(json.dumps(_as_json(found, in_catalog), ensure_ascii=False, indent=2))
        return 0
    _print(found, in_catalog)
    return 0


async def _fetch(definition: Any, factory: Any, refresh: bool) -> ModelList:
    from drivers.transport import aclose_client

    try:
        return await fetch_models(definition, factory, refresh=refresh)
    finally:
        await aclose_client()


def _hint(exc: SUTError, factory: Any, definition: Any, raw: Any) -> str:
    """What to do, said for a listing: a 401 with no key sent names the key to set; a 404
    points at --url (there is no model name here)."""
    if exc.kind in (ErrorKind.auth, ErrorKind.permission):
        unsent = unsent_keys_note(factory, definition, raw)
        if unsent:
            return unsent
    if exc.kind is ErrorKind.not_found:
        return (
            "check --url: it is the API's base, as in a UID's ;url= (an OpenAI-compatible "
            "server's usually ends in /v1)."
        )
    return exc.hint


def _where(found: ModelList) -> str:
    d = found.definition
    return d.base_url or (f"{d.provider} ({d.driver})" if d.provider else d.driver)


def _print(found: ModelList, in_catalog: dict[str, list[str]]) -> None:
    when = found.fetched_at.replace("T", " ").removesuffix("Z")
    source = f"cached, fetched {when} UTC; --refresh asks again" if found.from_cache else "now"
    count = len(found.models)
    click.echo(f"{count} model{'' if count == 1 else 's'} at {_where(found)} ({source}).")
    if not found.models:
        return
    rows = []
    for m in found.models:
        names = ", ".join(in_catalog.get(m.id, [])) or "-"
        context = f"{m.context_length:,}" if m.context_length else "-"
        rows.append([m.id, names, context, m.created or "-", m.kind or "-", found.uid_for(m.id)])
    click.echo(table(["model", "in catalog", "context", "created", "kind", "uid"], rows))


def _as_json(found: ModelList, in_catalog: dict[str, list[str]]) -> dict[str, Any]:
    d = found.definition
    return {
        "driver": d.driver,
        "provider": d.provider,
        "url": d.base_url,
        "fetched_at": found.fetched_at,
        "from_cache": found.from_cache,
        "models": [
            {
                **m.to_dict(),
                "uid": found.uid_for(m.id),
                "in_catalog": in_catalog.get(m.id, []),
            }
            for m in found.models
        ],
    }
