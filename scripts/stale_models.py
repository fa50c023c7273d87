"""Print the catalog's current SUTs whose model the installed official SDKs no longer name, or
whose shutdown date an SDK announces and that day has come; exit 1 when there is any.

The SDKs (the test extra pins them) are the offline ground truth: openai's `ChatModel` and its
deprecation notes, anthropic's `Model` and `DEPRECATED_MODELS`, and google-genai's model list
when it has one. Only entries that reach the provider itself are checked (no `url` option).
Shutdowns announced for later are printed as a reminder and do not fail. Raise a pin, run this,
and retire what it prints (`retired = "YYYY-MM-DD"`, `replacement = "<uid>"` in config/suts.toml).

    .venv/bin/python scripts/stale_models.py [--catalog PATH] [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import inspect
import re
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from drivers.catalog import Catalog, CatalogEntry, load_file
from drivers.locations import shipped_config_dir


@dataclass(frozen=True)
class SDKModels:
    """The model ids one SDK names for a driver, and the shutdown dates it announces."""

    package: str
    version: str
    names: frozenset[str]
    shutdowns: dict[str, date] = field(default_factory=dict)


def literal_strings(tp: Any) -> set[str]:
    """Every string of the Literals inside a type alias (`Union[Literal[...], str]` too)."""
    if typing.get_origin(tp) is typing.Literal:
        return {a for a in typing.get_args(tp) if isinstance(a, str)}
    found: set[str] = set()
    for arg in typing.get_args(tp):
        found |= literal_strings(arg)
    return found


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def openai_models() -> SDKModels:
    module = importlib.import_module("openai.types.shared.chat_model")
    return SDKModels(
        "openai", _version("openai"), frozenset(literal_strings(module.ChatModel)),
        openai_shutdowns(inspect.getsource(module)),
    )  # fmt: skip


def openai_shutdowns(source: str) -> dict[str, date]:
    """From the notes under ChatModel: `- "gpt-4", "gpt-4-0613": Announced shutdown date:
    2026-10-23. ...` (an item may wrap over lines)."""
    notes = "\n".join(
        node.value.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )  # fmt: skip
    out: dict[str, date] = {}
    for item in re.split(r"\n\s*- ", " ".join(notes.split("\n  "))):
        flat = " ".join(item.split())
        when = re.search(r"shutdown date:\s*(\d{4}-\d{2}-\d{2})", flat)
        if when:
            names = re.findall(r'"([^"]+)"', flat.split("Announced")[0])
            out |= dict.fromkeys(names, date.fromisoformat(when.group(1)))
    return out


def anthropic_models() -> SDKModels:
    module = importlib.import_module("anthropic.types.model")
    try:  # a private table: its end-of-life dates ("January 22nd, 2027") are a bonus
        deprecated = importlib.import_module("anthropic._data").DEPRECATED_MODELS
    except (ImportError, AttributeError):
        deprecated = {}
    shutdowns = {}
    for name, text in deprecated.items():
        cleaned = re.sub(r"(\d)(st|nd|rd|th)", r"\1", text)
        try:
            shutdowns[name] = datetime.strptime(cleaned, "%B %d, %Y").date()
        except ValueError:
            continue
    names = frozenset(literal_strings(module.Model))
    return SDKModels("anthropic", _version("anthropic"), names, shutdowns)


def google_models() -> SDKModels | None:
    """google-genai names models only in a private, generated module: None when it moved."""
    try:
        module = importlib.import_module("google.genai._gaos.types.interactions.model")
    except ImportError:
        return None
    names = frozenset(literal_strings(module.Model))
    return SDKModels("google-genai", _version("google-genai"), names) if names else None


def sdk_models() -> dict[str, SDKModels]:
    """Driver name -> what its provider's SDK names; an SDK not installed is left out."""
    out: dict[str, SDKModels] = {}
    for driver, read in (("openai", openai_models), ("anthropic", anthropic_models)):
        try:
            out[driver] = read()
        except ImportError:
            continue
    google = google_models()
    if google is not None:
        out["google"] = google
    return out


def checked(catalog: Catalog, sdks: dict[str, SDKModels]) -> Iterator[tuple[CatalogEntry, str]]:
    """The current entries an SDK speaks for, with the model id each sends."""
    for entry in catalog.current():
        definition = entry.definition
        if definition.driver in sdks and definition.base_url is None:
            yield entry, definition.external_model_name()


def problems(
    catalog: Catalog, sdks: dict[str, SDKModels], today: date
) -> tuple[list[str], list[str]]:
    """(stale entries, shutdowns announced for later), one line each."""
    stale: list[str] = []
    later: list[str] = []
    for entry, model in checked(catalog, sdks):
        sdk = sdks[entry.definition.driver]
        where = f"{sdk.package} {sdk.version}"
        shutdown = sdk.shutdowns.get(model)
        if model not in sdk.names:
            stale.append(f"{entry.uid}: {where} does not name the model '{model}'")
        elif shutdown is not None and shutdown <= today:
            stale.append(f"{entry.uid}: {where} says '{model}' was shut down on {shutdown}")
        elif shutdown is not None:
            later.append(f"{entry.uid}: {where} announces the shutdown of '{model}' on {shutdown}")
    return stale, later


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=shipped_config_dir() / "suts.toml")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    catalog = Catalog(load_file(args.catalog))
    sdks = sdk_models()
    stale, later = problems(catalog, sdks, args.today)
    read = ", ".join(f"{s.package} {s.version}" for s in sdks.values()) or "no SDK"
    for line in later:
        print(f"note: {line}")
    for line in stale:
        print(line)
    count = sum(1 for _ in checked(catalog, sdks))
    verdict = f"{len(stale)} stale" if stale else "none stale"
    print(f"{count} entries of {args.catalog} checked against {read}: {verdict}.")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
