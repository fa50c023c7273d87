"""Column sets kept by name, and a set made ready to apply.

column-sets.toml in the config dir (SUTUI_CONFIG_DIR overrides) holds the sets saved by name
(palette: "compare: save column set…"), one `[sets."<name>"]` table each, in the shape of
sutui/column_sets.py (the data, which the start reads; this module is loaded when a set is
saved, opened or the start columns have options). `ready` checks a set's options with the driver
layer: what no longer parses is left out and said, never raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.locations import user_config_dir
from sutui.column_sets import REDACTED, ColumnSet

if TYPE_CHECKING:
    from drivers.options import SUTOptions

SETS_FILE = "column-sets.toml"
NAME_LIMIT = 60
TIMEOUT_LIMIT_S = 3600.0
"""As the options dialog: a time limit is more than 0 and at most an hour."""
HEADER = (
    "# sutui column sets: the compare screen's columns saved by name (ctrl+p, 'compare: save\n"
    "# column set…'). Each set: its shared options and time limit, then one [[…column]] per\n"
    "# column, in order: uid, and its own options and time limit (in seconds) when it has them.\n"
    "# No secret belongs here: keys live in the secret store (f6).\n\n"
)


def sets_path() -> Path:
    return user_config_dir() / SETS_FILE


# ----- applying a set --------------------------------------------------------------------------
@dataclass(frozen=True)
class ReadyColumn:
    uid: str
    options: SUTOptions | None
    timeout_s: float | None
    problems: tuple[str, ...] = ()
    """What of it was left out, or why its UID will not work (a credential was scrubbed)."""


@dataclass(frozen=True)
class ReadySet:
    """A set whose options are the driver layer's, ready for the compare screen."""

    columns: tuple[ReadyColumn, ...]
    shared: SUTOptions
    timeout_s: float | None
    problems: tuple[str, ...] = ()
    """What of the shared options was left out."""

    @property
    def uids(self) -> list[str]:
        return [column.uid for column in self.columns]

    def all_problems(self) -> list[str]:
        return [*self.problems, *(f"{c.uid}: {p}" for c in self.columns for p in c.problems)]


def ready(column_set: ColumnSet) -> ReadySet:
    """Check a set's options (imports the driver layer's options): an option that no longer
    parses (a renamed field, a value out of range) is left out and said; never raises."""
    shared, problems = options_from(column_set.shared)
    timeout = _timeout(column_set.timeout_s, "the shared timeout", problems)
    columns = []
    for column in column_set.columns:
        found: list[str] = []
        if REDACTED in column.uid:
            found.append(
                "its UID held a credential, which was not saved: add the SUT again without it "
                "(keys go in the secret store, f6)"
            )
        own = None
        own_timeout = None
        if column.options is not None:
            own, left_out = options_from(column.options)
            found.extend(left_out)
            own_timeout = _timeout(column.timeout_s, "its timeout", found)
        columns.append(ReadyColumn(column.uid, own, own_timeout, tuple(found)))
    return ReadySet(tuple(columns), shared, timeout, tuple(problems))


def _timeout(value: float | None, what: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if not (math.isfinite(value) and 0 < value <= TIMEOUT_LIMIT_S):
        problems.append(
            f"{what} of {value:g} s was left out: it must be more than 0 and at most "
            f"{TIMEOUT_LIMIT_S:g} seconds"
        )
        return None
    return value


def options_from(raw: Mapping[str, Any]) -> tuple[SUTOptions, list[str]]:
    """SUTOptions from a table as the user saved it, leaving out each option that does not
    parse (said in the options dialog's words)."""
    from pydantic import ValidationError

    from drivers.options import SUTOptions

    values = dict(raw)
    problems: list[str] = []
    while True:
        try:
            return SUTOptions.model_validate(values), problems
        except ValidationError as exc:
            errors = exc.errors()
        why: dict[str, list[str]] = {}
        for error in errors:
            loc = error.get("loc") or ()
            name = str(loc[0]) if loc and str(loc[0]) in values else ""
            why.setdefault(name, []).append(_why(error))
        # A rule across fields (no field named): every field goes, and the rule says why.
        dropped = sorted(n for n in why if n) or sorted(values)
        for name in dropped:
            reason = "; ".join(why.get(name) or why.get("", []))
            problems.append(f"option {name}={values.pop(name)!r} was left out: {reason}")


def _why(error: Any) -> str:
    from sutui.screens.options import friendly

    if error.get("type") == "extra_forbidden":
        return f"sutui has no option {error['loc'][0]!r}"
    return friendly(dict(error))


# ----- the sets file ---------------------------------------------------------------------------
class SetsFileError(Exception):
    """The sets file cannot be read or written; the text says why and what to do."""


@dataclass
class SetsFile:
    """column-sets.toml: read whole each time it is used (another sutui may have written it),
    written whole and atomically (a full disk never leaves half a file)."""

    path: Path = field(default_factory=sets_path)
    sets: dict[str, ColumnSet] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Sets (or parts of them) left out as they were read."""
    broken: str | None = None
    """Why the file could not be read at all: nothing is written over it until it is fixed."""

    @classmethod
    def load(cls, path: Path | None = None) -> SetsFile:
        from drivers.toml_file import TomlFileError, read_toml

        found = cls(path or sets_path())
        try:
            data = read_toml(found.path)
        except FileNotFoundError:
            return found
        except TomlFileError as exc:
            found.broken = (
                f"{found.path} could not be read (it {exc}): fix it or move it away; until "
                "then no set can be opened or saved"
            )
            return found
        sets = data.get("sets", {})
        if not isinstance(sets, dict):
            found.problems.append(f"{found.path}: 'sets' is not a table: no set read")
            return found
        for name, table in sets.items():
            column_set, problems = ColumnSet.from_table(table, f"set {name!r}")
            found.problems.extend(problems)
            if column_set is not None:
                found.sets[name] = column_set
        return found

    def save(self, name: str, column_set: ColumnSet) -> None:
        """Add or replace the set `name` (the file read again first: a set another sutui saved
        meanwhile is kept)."""
        again = self.load(self.path)
        if again.broken:
            raise SetsFileError(again.broken)
        again.sets[name] = column_set
        again._write()
        self.sets, self.problems = again.sets, again.problems

    def delete(self, name: str) -> None:
        again = self.load(self.path)
        if again.broken:
            raise SetsFileError(again.broken)
        if again.sets.pop(name, None) is not None:
            again._write()
        self.sets, self.problems = again.sets, again.problems

    def _write(self) -> None:
        import tomli_w

        from sutui.storage import cannot_write, write_text_safely

        table = {"sets": {name: s.to_table() for name, s in self.sets.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_safely(self.path, HEADER + tomli_w.dumps(table))
        except OSError as exc:
            raise SetsFileError(cannot_write(exc, self.path, "column sets to ")) from None


def check_name(name: str) -> str | None:
    """Why `name` cannot name a set, or None."""
    if not name.strip():
        return "Type a name for the set."
    if len(name.strip()) > NAME_LIMIT:
        return f"A set's name is at most {NAME_LIMIT} characters."
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "A set's name cannot hold control characters."
    return None
