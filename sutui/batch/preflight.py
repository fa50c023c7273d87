"""Before the first request: can every SUT take the file's prompts with these options?

Each SUT translates one prompt of each kind in the file (text; chat, when a line has a system
prompt; a conversation, when a line's `messages` has earlier turns). Translating is local (no
network), and it is where a driver refuses an option or a prompt kind: better one clear error
before the batch than the same failure in every record.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.capabilities import AcceptsChatPrompt
from drivers.invoke import MissingSUTCapabilities, translate
from drivers.options import SUTOptions
from drivers.runner import RunTarget
from sutui.batch.prompts import PromptRow, PromptSource

KINDS = {
    "text": "a prompt",
    "system": "a chat prompt (with system)",
    "conversation": "a conversation (earlier turns in 'messages')",
}
FIXES = {
    "system": "leave it out (--sut) or drop the system prompts from the file",
    "conversation": "leave it out (--sut) or give it a file without conversations (each line "
    "one user turn: 'prompt', or 'messages' with only a system and a user message)",
}
"""What to change when a SUT takes a text prompt only (a missing AcceptsChatPrompt)."""


def kind(row: PromptRow) -> str:
    if row.messages is not None:
        return "conversation"
    return "text" if row.system is None else "system"


def samples(source: PromptSource) -> list[PromptRow]:
    """The first prompt of each kind in the file (each may be absent)."""
    found: dict[str, PromptRow] = {}
    for row in source.rows():
        found.setdefault(kind(row), row)
        if len(found) == len(KINDS):
            break
    return list(found.values())


def problems(targets: Sequence[RunTarget], source: PromptSource, options: SUTOptions) -> list[str]:
    """Each SUT's refusals, one per reason (an option refused is said once, not once a kind)."""
    out: list[str] = []
    rows = samples(source)
    for target in targets:
        said: set[str] = set()
        for row in rows:
            try:
                translate(target.sut, row.to_prompt(), options)
            except Exception as exc:  # the driver's own words, whatever it raises
                reason = why(exc, row)
                if reason not in said:
                    said.add(reason)
                    what = KINDS[kind(row)]
                    out.append(f"{target.key} cannot take {what} as line {row.line} asks: {reason}")
    return out


def why(exc: Exception, row: PromptRow) -> str:
    """A capability problem in its own words with the batch's fix; any other, as raised."""
    if not isinstance(exc, MissingSUTCapabilities):
        return str(exc)
    fix = FIXES.get(kind(row)) if AcceptsChatPrompt in exc.missing else None
    return exc.describe(fix)
