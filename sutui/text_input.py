"""The user's text must be valid Unicode before it becomes a prompt.

A prompt is the thing being evaluated: silently replacing what cannot be encoded would send
something other than what the user wrote. So text that is not valid UTF-8 (a Latin-1 file, a
legacy terminal; Python hands such bytes over as surrogate escapes) or that holds a lone UTF-16
surrogate (a JSON `"\\ud800"` escape) is refused, saying where. Provider text gets the other
treatment, repair (drivers/unicode_repair.py): there the user cannot fix the source.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


class NotText(ValueError):
    """The value holds bytes that are not UTF-8 or a lone surrogate; the message says where."""


def problem(value: str, not_utf8_fix: str) -> str | None:
    """What is wrong with `value` as text and how to fix it (None when nothing)."""
    found = _SURROGATE.search(value)
    if found is None:
        return None
    char, at = found.group(), found.start() + 1
    if "\udc80" <= char <= "\udcff":  # an undecodable byte, as surrogateescape carries it
        return f"is not UTF-8: byte 0x{ord(char) - 0xDC00:02x} at character {at}; {not_utf8_fix}"
    return (
        f"holds a lone UTF-16 surrogate (\\u{ord(char):04x}) at character {at}, which is not "
        "text; write the character itself, or both halves of its pair (\\ud83d\\ude00)"
    )


def check(value: str, name: str, not_utf8_fix: str) -> str:
    """`value` when it is valid text, else NotText naming `name`, the place and the fix."""
    wrong = problem(value, not_utf8_fix)
    if wrong is not None:
        raise NotText(f"{name} {wrong}.")
    return value
