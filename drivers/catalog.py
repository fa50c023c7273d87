"""The predefined SUTs: data in config/suts.toml, plus the user's own suts.toml (XDG config dir).

An entry names a SUT (`demo_yes_no`) and says how to make it: driver, model, maker, provider,
date and UID options. A user entry with a shipped entry's uid replaces it. An entry whose model
its provider no longer serves stays, with `retired = "YYYY-MM-DD"` and a `replacement` (the uid of
a current entry): lists hide it, and running it by name is refused (drivers/retirement.py).
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from drivers.locations import shipped_config_dir, user_suts_file
from drivers.retirement import RetiredSUTError, parse_retired, retired_note
from drivers.toml_file import TomlFileError, read_toml
from drivers.uid import SUTDefinition, UIDError

ENTRY_KEYS = frozenset(
    {
        "uid",
        "driver",
        "model",
        "maker",
        "provider",
        "date",
        "description",
        "options",
        "retired",
        "replacement",
    }
)
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+-]*")


class CatalogError(ValueError):
    """A malformed catalog file or entry; names the file and the entry."""


class UnknownSUTError(UIDError):
    """A predefined SUT name that no catalog holds."""


@dataclass(frozen=True)
class CatalogEntry:
    uid: str
    definition: SUTDefinition
    description: str
    source: Path
    retired: date | None = None
    """The day its provider stopped serving the model; None while it is served."""
    replacement: str | None = None
    """The uid of the current entry to use instead (checked when the catalog is put together)."""

    @property
    def retired_note(self) -> str | None:
        """`retired 2026-10-23 → gpt-5.4-mini`, or None for a current entry."""
        return retired_note(self.retired, self.replacement) if self.retired else None


def _entry_error(path: Path, index: int, uid: str | None, problem: str) -> CatalogError:
    where = f"entry '{uid}'" if uid else f"entry #{index + 1}"
    return CatalogError(f"{path}: {where} of [[sut]]: {problem}")


def load_file(path: Path) -> list[CatalogEntry]:
    """Read one catalog file; a malformed or duplicate entry raises CatalogError."""
    try:
        data = read_toml(path)
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except TomlFileError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    extra = set(data) - {"sut"}
    if extra:
        raise CatalogError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(extra))}; "
            "each SUT is a [[sut]] table."
        )
    raw = data.get("sut", [])
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: 'sut' must be an array of tables: write [[sut]].")
    entries: list[CatalogEntry] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        entries.append(_entry(path, index, item, seen))
    return entries


def _entry(path: Path, index: int, item: Any, seen: dict[str, int]) -> CatalogEntry:
    if not isinstance(item, dict):
        raise _entry_error(path, index, None, "is not a table")
    uid = item.get("uid")
    if not isinstance(uid, str) or not _NAME_RE.fullmatch(uid):
        raise _entry_error(
            path,
            index,
            None if not isinstance(uid, str) else uid,
            "needs uid = \"name\": letters, digits and . _ / + -, no ':' or spaces",
        )
    if uid in seen:
        raise _entry_error(
            path,
            index,
            uid,
            f"duplicates entry #{seen[uid] + 1}; each uid may appear once per file",
        )
    seen[uid] = index
    unknown = set(item) - ENTRY_KEYS
    if unknown:
        raise _entry_error(
            path,
            index,
            uid,
            f"unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(ENTRY_KEYS))}",
        )
    options = item.get("options", {})
    if not isinstance(options, dict):
        raise _entry_error(
            path, index, uid, 'options must be a table, e.g. options = { url = "http://..." }'
        )
    for key in ("driver", "model", "maker", "provider", "date", "description", "replacement"):
        if key in item and not isinstance(item[key], str):
            raise _entry_error(path, index, uid, f"{key} must be a string")
    retired = None
    if "retired" in item:
        try:
            retired = parse_retired(item["retired"])
        except ValueError as exc:
            raise _entry_error(path, index, uid, str(exc)) from None
    elif "replacement" in item:
        raise _entry_error(
            path, index, uid, 'replacement goes with retired = "YYYY-MM-DD"; add it or drop both'
        )
    fields = {k: item[k] for k in ("driver", "model", "maker", "provider", "date") if k in item}
    try:
        definition = SUTDefinition.from_dict({**fields, "options": options}, name=uid)
    except UIDError as exc:
        raise _entry_error(path, index, uid, f"{exc.problem}. {exc.fix}".strip()) from None
    return CatalogEntry(
        uid, definition, item.get("description", ""), path, retired, item.get("replacement")
    )


def _check_replacement(entry: CatalogEntry, entries: dict[str, CatalogEntry]) -> None:
    """A replacement must be a current entry of the same catalog, so following it always ends
    at a SUT that runs."""
    name = entry.replacement
    if name is None:
        return
    where = f"{entry.source}: entry '{entry.uid}' of [[sut]]: replacement '{name}'"
    target = entries.get(name)
    if target is None:
        close = difflib.get_close_matches(name, list(entries), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise CatalogError(f"{where} is no SUT in the catalog{hint}; name a current entry's uid.")
    if target.retired is not None:
        by = "" if target.source == entry.source else f" by {target.source}"
        raise CatalogError(
            f"{where} is itself retired{by} ({target.retired.isoformat()}); name a current "
            f"entry, e.g. {target.replacement or 'one `sutui list-suts` shows'}."
        )


class Catalog:
    """The shipped catalog plus the user's file; lookups by exact, case-sensitive name."""

    def __init__(self, entries: list[CatalogEntry]):
        self._entries: dict[str, CatalogEntry] = {}
        for entry in entries:
            self._entries[entry.uid] = entry
        for entry in self._entries.values():
            _check_replacement(entry, self._entries)

    @classmethod
    def load(
        cls, shipped: Path | None = None, user: Path | None = None, *, with_user: bool = True
    ) -> Catalog:
        shipped = shipped or shipped_config_dir() / "suts.toml"
        user = user if user is not None else user_suts_file()
        entries = load_file(shipped)
        if with_user and user.is_file():
            entries += load_file(user)
        return cls(entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        """Every entry, retired ones too, by name."""
        return iter(sorted(self._entries.values(), key=lambda e: e.uid.lower()))

    def current(self) -> list[CatalogEntry]:
        """The entries that are not retired: what lists and pickers offer by default."""
        return [e for e in self if e.retired is None]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def entry(self, name: str) -> CatalogEntry:
        try:
            return self._entries[name]
        except KeyError:
            pass
        lowered = {k.lower(): k for k in self._entries}
        close = [
            lowered[c]
            for c in difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        ]
        fix = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        fix += "`sutui list-suts` lists them; a dynamic UID has a ':' (e.g. 'maker/model:openai')."
        raise UnknownSUTError(name, "no predefined SUT has this name", fix)

    def get(self, name: str) -> SUTDefinition:
        """The definition a predefined name runs as. A retired entry raises RetiredSUTError:
        registry.resolve asks here, so every way of running a name (run-sut, batch, the app's
        columns) refuses it before any request. `entry` still shows it."""
        entry = self.entry(name)
        if entry.retired is not None:
            raise RetiredSUTError(name, entry.retired, entry.replacement, entry.definition.format())
        return entry.definition


_default: Catalog | None = None
_lock = threading.Lock()


def default_catalog() -> Catalog:
    """The shipped + user catalog, loaded once per process."""
    global _default
    with _lock:
        if _default is None:
            _default = Catalog.load()
        return _default


def forgiving_catalog() -> tuple[Catalog, str | None]:
    """The default catalog and None, or, when a file is broken, what could be read and what is
    wrong. The app says it in a notice, the CLI in a warning, and both go on with what could
    be read (a broken user file must not stop every command)."""
    try:
        return default_catalog(), None
    except CatalogError as exc:
        problem = str(exc)
    try:
        readable = Catalog.load(with_user=False)
        left_out = "The SUTs of your file are left out until it is mended."
    except CatalogError:  # the shipped file itself: a broken install
        readable = Catalog([])
        left_out = "No predefined SUT is available; dynamic UIDs still work."
    problem = problem.rstrip()
    return readable, f"{problem}{'' if problem.endswith('.') else '.'} {left_out}"


def reset_default_catalog() -> None:
    global _default
    with _lock:
        _default = None
