"""Provider text made valid Unicode before anything prints, stores or serialises it.

JSON may carry UTF-16 surrogates as escapes (`"\\ud83d\\ude00"`); a provider that streams an
emoji may split its pair across two events, and a broken one may send half a pair alone. A
lone surrogate cannot be encoded as UTF-8: left in, it kills a terminal print, a history row,
a JSON export and a batch result. So, at the driver layer's boundary (drivers/invoke.py, and
every SUTError): a pair split across stream chunks is joined, and a lone half is replaced with
U+FFFD, counted, and said in the answer's notes, so an evaluator knows the text was repaired.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR_OR_LONE = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def repair(text: str) -> tuple[str, int]:
    """`text` with each surrogate pair joined into its character and each lone surrogate
    replaced with U+FFFD; and how many were replaced."""
    if not _SURROGATE.search(text):
        return text, 0
    replaced = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal replaced
        found = match.group()
        if len(found) == 2:
            return found.encode("utf-16", "surrogatepass").decode("utf-16")
        replaced += 1
        return REPLACEMENT

    return _PAIR_OR_LONE.sub(fix, text), replaced


def repaired(text: str) -> str:
    """`repair` without the count (error messages, finish reasons)."""
    return repair(text)[0]


def note(replaced: int) -> str:
    """The answer's note when lone surrogates were replaced."""
    plural = "s" if replaced != 1 else ""
    return (
        f"{replaced} invalid character{plural} from the provider (a lone UTF-16 surrogate) "
        f"replaced with U+FFFD"
    )


class StreamRepair:
    """`repair` for one channel of a stream: a high surrogate ending a chunk waits for the
    next chunk, whose low surrogate completes it."""

    def __init__(self) -> None:
        self._held = ""
        self.replaced = 0

    def feed(self, text: str) -> str:
        text = self._held + text
        self._held = ""
        if not text or not _SURROGATE.search(text):
            return text
        if "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        fixed, count = repair(text)
        self.replaced += count
        return fixed

    def flush(self) -> str:
        """What is held at the stream's end: a high surrogate no chunk completed."""
        held, self._held = self._held, ""
        if not held:
            return ""
        self.replaced += 1
        return REPLACEMENT
