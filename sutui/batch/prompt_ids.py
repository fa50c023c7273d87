"""The id of a prompt whose line gives none: a digest of its content, so resuming finds it
wherever it moved in the file (keyed by line number, one inserted line made every later prompt
"new": sent again, and one prompt_id named two prompts in results.jsonl).

`h-` and 16 hex digits of BLAKE2b over the prompt and the system prompt, and over every turn of
a conversation (a line's `messages` with earlier turns: two conversations ending in the same
question are two prompts); the n-th identical
prompt without an id (n >= 2, counted in file order) gets `-n` after it. Two different prompts
whose digests collide are told apart the same way: ids never repeat within a file, and a
resumed task also matches on the prompt text itself (sutui/batch/keys.py).
"""

from __future__ import annotations

import hashlib
import json

PREFIX = "h-"


def content_id(prompt: str, system: str | None, conversation: str | None = None) -> str:
    """`conversation` is messages.key_text of the whole conversation, None for one turn (so a
    one-turn prompt keeps the id it always had)."""
    parts = [prompt, system] if conversation is None else [prompt, system, conversation]
    data = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return PREFIX + hashlib.blake2b(data, digest_size=8).hexdigest()


class Repeats:
    """Hands out the ids of repeated prompts in file order: `base-2`, `base-3`, ..., skipping
    any id already taken (an explicit id may look like one)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next_id(self, base: str, taken: set[str]) -> str:
        n = self._last.get(base, 1) + 1
        while f"{base}-{n}" in taken:
            n += 1
        self._last[base] = n
        return f"{base}-{n}"
