"""Before the first request: can every SUT take the file's prompts with these options?

Each SUT translates one prompt of each kind in the file (text; chat, when a line has a system
prompt). Translating is local (no network), and it is where a driver refuses an option or a
prompt kind: better one clear error before the batch than the same failure in every record.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.invoke import translate
from drivers.options import SUTOptions
from drivers.runner import RunTarget
from sutui.batch.prompts import PromptRow, PromptSource


def samples(source: PromptSource) -> list[PromptRow]:
    """The first prompt without a system prompt and the first with one (either may be absent)."""
    found: dict[bool, PromptRow] = {}
    for row in source.rows():
        found.setdefault(row.system is not None, row)
        if len(found) == 2:
            break
    return list(found.values())


def problems(targets: Sequence[RunTarget], source: PromptSource, options: SUTOptions) -> list[str]:
    out: list[str] = []
    rows = samples(source)
    for target in targets:
        for row in rows:
            try:
                translate(target.sut, row.to_prompt(), options)
            except Exception as exc:  # the driver's own words, whatever it raises
                kind = "a chat prompt (with system)" if row.system is not None else "a prompt"
                out.append(f"{target.key} cannot take {kind} as line {row.line} asks: {exc}")
                break
    return out
