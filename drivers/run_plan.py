"""Preparing a run: the targets made from the UIDs given, every SUT before any runs, and what
stops the others (bad UIDs, missing secrets, a prompt a SUT cannot take) returned as data, all
at once. The front ends decide what to do with the problems: the CLI raises them as one message,
the compare screen shows each in its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from drivers.catalog import CatalogError
from drivers.errors import ErrorKind, SUTError, classify
from drivers.invoke import MissingSUTCapabilities, capability_problem
from drivers.options import SUTOptions
from drivers.registry import make_sut, resolve
from drivers.runner import RunTarget
from drivers.secrets import MissingSecretValues
from drivers.uid import UIDError

if TYPE_CHECKING:
    from drivers.prompt import Prompt
    from drivers.registry import DriverRegistry
    from drivers.secrets import RawSecrets, SecretDescription


def run_keys(uids: Sequence[str]) -> list[str]:
    """Each UID's name in a run, telling repeats apart: `uid`, `uid#2`, `uid#3`, ..."""
    seen: dict[str, int] = {}
    keys = []
    for uid in uids:
        seen[uid] = seen.get(uid, 0) + 1
        keys.append(uid if seen[uid] == 1 else f"{uid}#{seen[uid]}")
    return keys


ProblemKind = Literal["uid", "secrets", "capability"]


@dataclass(frozen=True)
class Problem:
    """Why one UID of a run cannot run (nothing was sent)."""

    uid: str
    key: str
    kind: ProblemKind
    """`uid`: the UID or its catalog entry is wrong; `secrets`: secrets are not set;
    `capability`: the SUT cannot take this prompt with these options."""
    exc: UIDError | CatalogError | MissingSecretValues | MissingSUTCapabilities
    fix: str | None = None
    """What to change for a capability problem ("drop --system")."""

    @property
    def message(self) -> str:
        """The problem in words (the UID's own words say what is wrong and how to fix it)."""
        if isinstance(self.exc, MissingSUTCapabilities):
            return self.exc.describe(self.fix)
        return str(self.exc)

    @property
    def missing(self) -> tuple[SecretDescription, ...]:
        """The secrets not set (for `secrets`), else nothing."""
        if isinstance(self.exc, MissingSecretValues):
            return tuple(self.exc.descriptions)
        return ()

    def error(self, hint: str | None = None) -> SUTError:
        """The problem as the SUTError its target's result would carry."""
        if isinstance(self.exc, UIDError):
            return SUTError(ErrorKind.config, str(self.exc), hint=hint)
        if isinstance(self.exc, MissingSUTCapabilities):  # with this run's fix
            return SUTError(ErrorKind.config, self.message, hint=hint or "")
        return classify(self.exc)


@dataclass
class Prepared:
    targets: list[RunTarget] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    canonical: dict[str, str] = field(default_factory=dict)
    """Each target's key -> its canonical UID."""

    @property
    def missing(self) -> list[tuple[str, MissingSecretValues]]:
        """Each UID whose secrets are not set, with what it lacks."""
        return [
            (p.uid, p.exc)
            for p in self.problems
            if p.kind == "secrets" and isinstance(p.exc, MissingSecretValues)
        ]


def prepare(
    uids: Sequence[str],
    secrets: RawSecrets,
    catalog: Any,
    registry: DriverRegistry,
    *,
    prompt: Prompt | None = None,
    options: SUTOptions | None = None,
    fix: str | None = None,
) -> Prepared:
    """Make a target for every UID that can run; every other UID is a Problem. With `prompt`,
    a SUT that cannot take it (a missing capability) is one, `fix` saying what to change.
    A driver that fails otherwise has a bug: that is raised, with the UID in a note."""
    prepared = Prepared()
    for uid, key in zip(uids, run_keys(uids), strict=True):
        try:
            definition, info = resolve(uid, catalog, registry)
            sut = make_sut(uid, secrets, catalog, registry)
        except MissingSecretValues as exc:
            prepared.problems.append(Problem(uid, key, "secrets", exc))
            continue
        except (UIDError, CatalogError) as exc:
            prepared.problems.append(Problem(uid, key, "uid", exc))
            continue
        except Exception as exc:  # a bug in the driver: reported as such, with the UID
            exc.add_note(f"(while the driver made the SUT '{uid}')")
            raise
        if prompt is not None:
            problem = capability_problem(sut, prompt, options or SUTOptions())
            if problem is not None:
                prepared.problems.append(Problem(uid, key, "capability", problem, fix))
                continue
        prepared.targets.append(RunTarget(key=key, sut=sut, group=info.name))
        prepared.canonical[key] = definition.format()
    return prepared
