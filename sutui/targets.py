"""Making the SUTs of a run from the UIDs a user gave (drivers/run_plan.py's `prepare`), every
problem (bad UIDs, missing secrets) raised at once as one InputError. Shared by `run-sut`,
`history rerun`, `sutui batch` and the batch screen; the compare screen's columns show the same
problems one per column.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Protocol

from drivers.run_plan import prepare
from drivers.runner import RunTarget
from drivers.secrets import MissingSecretValues, env_var_name, secrets_toml
from sutui.errors import InputError

if TYPE_CHECKING:
    from drivers.catalog import Catalog
    from drivers.options import SUTOptions
    from drivers.prompt import Prompt
    from drivers.registry import DriverRegistry
    from drivers.secret_store import SecretStore


class SUTParts(Protocol):
    """What making SUTs needs: the CLI's context and the app's Services both have it."""

    @property
    def store(self) -> SecretStore: ...
    @property
    def catalog(self) -> Catalog: ...
    @property
    def registry(self) -> DriverRegistry: ...


def make_targets(
    ctx: SUTParts,
    uids: tuple[str, ...],
    canonical: dict[str, str] | None = None,
    *,
    prompt: Prompt | None = None,
    options: SUTOptions | None = None,
    fix: str | None = None,
) -> list[RunTarget]:
    """Make every SUT before running any, reporting every problem at once. `canonical` gets
    each target's canonical dynamic UID. With `prompt`, a SUT that cannot take it (a system
    prompt to a text-only SUT: a missing capability) is one of the problems, `fix` saying what
    to change ("drop --system"): the run stops before any request."""
    prepared = prepare(
        uids,
        ctx.store.raw_secrets(),
        ctx.catalog,
        ctx.registry,
        prompt=prompt,
        options=options,
        fix=fix,
    )
    if canonical is not None:
        canonical.update(prepared.canonical)
    problems = [p.message for p in prepared.problems if p.kind != "secrets"]
    if prepared.missing:
        problems.append(missing_secrets_message(prepared.missing))
    if problems:
        raise InputError("\n\n".join(problems))
    return prepared.targets


def resolves(ctx: SUTParts, name: str) -> bool:
    """Whether a SUT name (a predefined name or a UID) still resolves: a saved run's SUT
    renamed or removed from the catalog since is sent as its canonical UID instead."""
    from drivers.catalog import CatalogError
    from drivers.registry import resolve
    from drivers.uid import UIDError

    try:
        resolve(name, ctx.catalog, ctx.registry)
    except (UIDError, CatalogError):
        return False
    return True


def missing_secrets_message(missing: list[tuple[str, MissingSecretValues]]) -> str:
    """Which SUT needs which secret, the ways to set each, and paste-ready TOML for all."""
    lines = ["These SUTs need secrets that are not set:"]
    for uid, exc in missing:
        names = ", ".join(f"[{d.scope}] {d.key}" for d in exc.descriptions)
        lines.append(f"  {uid}: {names}")
    lines.append("")
    setup = (
        f"`sutui secrets setup {shlex.quote(missing[0][0])}`"
        if len(missing) == 1
        else "`sutui secrets setup UID` for each UID above"
    )
    lines.append(f"Set them in the OS keyring with {setup}, or in the environment:")
    every = MissingSecretValues.combine([exc for _, exc in missing]).descriptions
    for d in every:
        names = " or ".join([env_var_name(d.scope, d.key), *d.env_vars])
        lines.append(f"  {names}")
    lines.append("or in a secrets.toml (sutui --secrets PATH ...):")
    lines.append("")
    lines.append(secrets_toml(every).rstrip())
    return "\n".join(lines)
