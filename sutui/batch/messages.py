"""A prompt line's `messages`: a conversation given turn by turn, checked before anything is sent.

Written as OpenAI-style chat messages (`{"role": "user", "content": "..."}`) or as modelgauge's
own ChatMessage JSON (`{"text": "...", "role": "USER"}`): roles are `system`, `user` and
`assistant` (modelgauge's `sut`), in any case. A system message may only come first and the
last message must be the user's, the turn the SUT answers; every problem is one bad line that
says which message and how to fix it (prompts.py reports it with the line's number).

The same conversation written either way is one prompt: keys and records use the roles' names
here (`ROLE_NAMES`) and the text, whatever spelling the file used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from drivers.prompt import ChatMessage, ChatRole
from sutui import text_input

ROLES = {
    "system": ChatRole.system,
    "user": ChatRole.user,
    "assistant": ChatRole.sut,
    "sut": ChatRole.sut,
}
"""Role names a file may use (compared in lower case: modelgauge writes USER, SUT, SYSTEM)."""
ROLE_NAMES = {ChatRole.system: "system", ChatRole.user: "user", ChatRole.sut: "assistant"}
"""How records and keys name each role: the chat-API names evaluators read."""
SHAPE = '{"role": "user", "content": "..."}'


def parse(value: Any) -> tuple[ChatMessage, ...]:
    """The checked conversation of a line's `messages`; ValueError says what is wrong."""
    if not isinstance(value, list):
        raise ValueError(
            f"'messages' must be a list of messages such as [{SHAPE}], not {json_type(value)}"
        )
    if not value:
        raise ValueError(f"'messages' is empty: give at least the user's message, [{SHAPE}]")
    out = [_message(n, item) for n, item in enumerate(value, start=1)]
    for n, message in enumerate(out[1:], start=2):
        if message.role is ChatRole.system:
            raise ValueError(
                f"message {n} is a system message, which may only be the first: move it to the "
                "start of 'messages' (one system message, first)"
            )
    last = out[-1]
    if last.role is not ChatRole.user:
        who = "a system message" if last.role is ChatRole.system else "the assistant's"
        raise ValueError(
            f"the last message ({len(out)}) is {who}, but the SUT answers the last message, "
            f"which must be the user's: end 'messages' with {SHAPE}"
        )
    return tuple(out)


def _message(n: int, item: Any) -> ChatMessage:
    if not isinstance(item, dict):
        raise ValueError(f"message {n} is {json_type(item)}, not an object like {SHAPE}")
    if "role" not in item:
        raise ValueError(f"message {n} has no 'role' (system, user or assistant)")
    name = item["role"]
    role = ROLES.get(name.strip().lower()) if isinstance(name, str) else None
    if role is None:
        raise ValueError(
            f"message {n} has the role {json.dumps(name, ensure_ascii=False)[:40]}, which a "
            "prompt cannot have: use system, user or assistant (modelgauge's USER, SUT, SYSTEM "
            "are read too)"
        )
    label = f"message {n} ({ROLE_NAMES[role]})"
    if "content" in item and "text" in item:
        raise ValueError(f"{label} has both 'content' and 'text': keep one")
    key = "content" if "content" in item else "text" if "text" in item else None
    if key is None:
        raise ValueError(f"{label} has no 'content' (its text)")
    text = item[key]
    if isinstance(text, float):  # a number is its text, as in 'prompt' (integers arrive as text)
        text = str(text)
    if not isinstance(text, str):
        parts = " (a list of content parts is not read: give the text itself)"
        raise ValueError(
            f"{label}: '{key}' must be a string, not {json_type(text)}"
            + (parts if isinstance(text, list) else "")
        )
    text_input.check(text, f"{label} '{key}'", "save the file as UTF-8")
    if not text.strip():
        raise ValueError(f"{label} is empty: write its text or remove the message")
    return ChatMessage(text=text, role=role)


def json_type(value: Any) -> str:
    """What a JSON value is, in JSON's words ("an array", "null"), for messages about it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string" if isinstance(value, str) else "a number"


def single(messages: Sequence[ChatMessage]) -> tuple[str, str | None] | None:
    """(prompt, system) when the conversation is one user turn (after a system message or not):
    the very prompt a `prompt` line (with `system`) makes, so it is one prompt with it (same id,
    same answers, a text-only SUT takes it). None when there are earlier turns."""
    if len(messages) == 1:
        return messages[0].text, None
    if len(messages) == 2 and messages[0].role is ChatRole.system:
        return messages[1].text, messages[0].text
    return None


def as_dicts(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """The conversation as a record holds it: `[{"role": "user", "content": "..."}, ...]`."""
    return [{"role": ROLE_NAMES[m.role], "content": m.text} for m in messages]


def key_text(messages: Sequence[Any] | None) -> str | None:
    """The conversation as one string for keys and content ids (None: no conversation). Takes
    ChatMessages (a prompt line) or a record's dicts (resuming): both give the same string."""
    if messages is None:
        return None
    pairs = [
        (ROLE_NAMES[m.role], m.text) if isinstance(m, ChatMessage) else (m["role"], m["content"])
        for m in messages
    ]
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
