"""Column sets: the compare screen's columns (each one's SUT UID, its own options and own time
limit when it has them) with the shared options, as data.

Two places keep them, both in the config dir (SUTUI_CONFIG_DIR overrides):
- app.toml's `[start]` table: the columns at the last exit, which the next start opens with
  (sutui/settings.py reads it before the first frame: this module is only the data, imports
  neither Textual nor the driver layer, and defines as little as it can);
- column-sets.toml: sets saved by name (palette: "compare: save column set…"), one
  `[sets."<name>"]` table each, in the same shape (sutui/column_set_store.py, which also makes a
  set ready to apply: its options checked by the driver layer).

Nothing secret is written: a UID is scrubbed first (`scrub`: a stored key's value, a URL's
user:password@, a query or UID option named like a key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

REDACTED = "[REDACTED]"
SECRET_NAME = (
    r"(^|[-_.])(api[-_]?key|key|token|access[-_]?token|secret|client[-_]?secret|password|passwd"
    r"|pwd|auth|authorization|credentials?|sig|signature)$"
)
"""A UID option or URL query parameter whose value is a credential (`;api_key=`, `?key=`);
`vllm-max_tokens` is not one. Compiled when first used (`_secret_name`)."""


# ----- the data --------------------------------------------------------------------------------
class SetColumn(NamedTuple):  # not a frozen dataclass: ~0.6 ms less before the first frame
    uid: str
    options: Mapping[str, Any] | None = None
    """The column's own options (SUTOptions fields, as the user set them); None: the shared
    ones. {} is own options left at the provider's defaults."""
    timeout_s: float | None = None
    """With own options: the column's own time limit (None: the default, sutui.timeouts)."""


@dataclass(frozen=True)
class ColumnSet:
    columns: tuple[SetColumn, ...] = ()
    shared: Mapping[str, Any] = field(default_factory=dict)
    """The options every column uses unless it has its own."""
    timeout_s: float | None = None
    """The shared time limit in seconds (None: the default, sutui.timeouts)."""

    @classmethod
    def of_uids(cls, uids: list[str] | tuple[str, ...]) -> ColumnSet:
        return cls(tuple(SetColumn(uid) for uid in uids))

    @property
    def uids(self) -> list[str]:
        return [column.uid for column in self.columns]

    @property
    def has_options(self) -> bool:
        """Anything beyond the UIDs (what makes applying it load the driver layer's options)."""
        return (
            bool(self.shared)
            or self.timeout_s is not None
            or any(c.options is not None for c in self.columns)
        )

    def summary(self, limit: int = 0) -> str:
        """`demo_yes_no, gpt-4o (temperature=0, timeout 30 s) · shared: max_tokens=40`: each
        column's own options in brackets."""
        names = []
        for column in self.columns:
            if column.options is None:
                names.append(column.uid)
            else:
                own = _options_text(column.options, column.timeout_s) or "provider defaults"
                names.append(f"{column.uid} ({own})")
        text = ", ".join(names) if names else "no column"
        shared = _options_text(self.shared, self.timeout_s)
        if shared:
            text += f" · shared: {shared}"
        if limit and len(text) > limit:
            text = text[: limit - 1] + "…"
        return text

    def scrubbed(self) -> tuple[ColumnSet, list[str]]:
        """This set with no credential in any UID, and the UIDs that held one."""
        columns, held = [], []
        for column in self.columns:
            uid = scrub(column.uid)
            if uid != column.uid:
                held.append(uid)
            columns.append(SetColumn(uid, column.options, column.timeout_s))
        return ColumnSet(tuple(columns), self.shared, self.timeout_s), held

    # ----- TOML ------------------------------------------------------------------------------
    def to_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        if self.shared:
            table["shared"] = dict(self.shared)
        if self.timeout_s is not None:
            table["timeout_s"] = self.timeout_s
        columns = []
        for column in self.columns:
            entry: dict[str, Any] = {"uid": column.uid}
            if column.options is not None:
                entry["options"] = dict(column.options)
                if column.timeout_s is not None:
                    entry["timeout_s"] = column.timeout_s
            columns.append(entry)
        table["column"] = columns
        return table

    @classmethod
    def from_table(cls, table: object, where: str) -> tuple[ColumnSet | None, list[str]]:
        """A set read from TOML, and what in it could not be used (each said with `where`);
        None when nothing could (not a table, or no column list)."""
        if not isinstance(table, dict):
            return None, [f"{where} is not a table"]
        entries = table.get("column", [])
        if not isinstance(entries, list):
            return None, [f"{where}: 'column' is not a list of tables ([[…column]])"]
        problems: list[str] = []
        columns = []
        for number, entry in enumerate(entries, 1):
            uid = entry.get("uid") if isinstance(entry, dict) else None
            if not isinstance(uid, str) or not uid.strip():
                problems.append(f"{where}: column {number} has no uid: left out")
                continue
            options = entry.get("options")
            if options is not None and not isinstance(options, dict):
                problems.append(f"{where}: {uid}'s options are not a table: left out")
                options = None
            timeout = _seconds(entry.get("timeout_s"), f"{where}: {uid}'s timeout_s", problems)
            columns.append(
                SetColumn(uid.strip(), options, timeout if options is not None else None)
            )
        shared = table.get("shared", {})
        if not isinstance(shared, dict):
            problems.append(f"{where}: 'shared' is not a table of options: left out")
            shared = {}
        timeout = _seconds(table.get("timeout_s"), f"{where}: timeout_s", problems)
        return cls(tuple(columns), shared, timeout), problems


def _options_text(options: Mapping[str, Any], timeout_s: float | None) -> str:
    parts = [f"{k}={v}" for k, v in options.items()]
    if timeout_s is not None:
        parts.append(f"timeout {timeout_s:g} s")
    return ", ".join(parts)


def _seconds(value: object, what: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{what} is not a number of seconds: left out")
        return None
    return float(value)


# ----- no secret written ---------------------------------------------------------------------
def scrub(uid: str) -> str:
    """`uid` with any credential it holds replaced by [REDACTED]: a key the secret store has
    loaded (in any form redaction knows), a URL's user:password@, the value of a URL query
    parameter or a UID option named like a key. Keys belong in the secret store, never in a
    UID; a scrubbed UID no longer works, and its column says why (`ready`)."""
    from drivers.redaction import redact

    head, *options = redact(uid).split(";")
    kept = [head]
    for option in options:
        name, eq, value = option.partition("=")
        if eq and _secret_name(name.strip()):
            value = REDACTED
        elif eq and name.strip().lower() == "url":
            value = _scrub_url(value)
        kept.append(f"{name}{eq}{value}")
    return ";".join(kept)


def _secret_name(name: str) -> bool:
    return re.search(SECRET_NAME, name, re.IGNORECASE) is not None


def _scrub_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep:
        authority, slash, path = _split_authority(rest)
        if "@" in authority:
            authority = REDACTED + "@" + authority.rpartition("@")[2]
        url = f"{scheme}{sep}{authority}{slash}{path}"
    base, question, query = url.partition("?")
    if not question:
        return url
    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        parts.append(f"{name}={REDACTED}" if eq and _secret_name(name) else part)
    return f"{base}?{'&'.join(parts)}"


def _split_authority(rest: str) -> tuple[str, str, str]:
    ends = [i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i != -1]
    end = min(ends) if ends else len(rest)
    return rest[:end], rest[end : end + 1], rest[end + 1 :]
