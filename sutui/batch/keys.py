"""Identities, as short digests (16 bytes: a set of them stays small when resuming a big file).

- A task: (prompt id, SUT as named, prompt, system, options, conversation). A results line with
  the same task key and status `done` means that task need not run again.
- A cached answer: (canonical UID, prompt, system, options, conversation). The canonical UID, not
  the name the user typed, so `demo_echo` and `echo:demo` share answers; a base URL is part of the
  UID, so two servers never do.

`conversation` is messages.key_text of a prompt with earlier turns (None otherwise, which keeps
the keys of one-turn prompts as they were): the same last question after other turns is another
task and another answer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def options_json(options: dict[str, Any]) -> str:
    """The options as set away from their defaults (records.options_dict), in a stable order."""
    return json.dumps(options, sort_keys=True, separators=(",", ":"))


def _digest(*parts: str | None) -> bytes:
    return hashlib.blake2b(json.dumps(parts, ensure_ascii=False).encode(), digest_size=16).digest()


def _with(conversation: str | None, *parts: str | None) -> bytes:
    return _digest(*parts) if conversation is None else _digest(*parts, conversation)


def task_key(
    prompt_id: str,
    sut: str,
    prompt: str,
    system: str | None,
    options: str,
    conversation: str | None = None,
) -> bytes:
    return _with(conversation, "task", prompt_id, sut, prompt, system, options)


def cache_key(
    uid: str, prompt: str, system: str | None, options: str, conversation: str | None = None
) -> bytes:
    return _with(conversation, "answer", uid, prompt, system, options)
