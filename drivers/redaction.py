"""Redaction in one place: every secret value loaded is registered here and masked in any text.

Errors, logs, history rows and exports pass through `redact` so a key echoed back by a provider,
or held in an exception message, never reaches a person's screen or a file.
"""

from __future__ import annotations

import threading

_MIN_LEN = 8
"""Shorter values are not real keys (the demo's is 12345) and masking them would mangle words."""
_lock = threading.Lock()
_known: set[str] = set()
_ordered: tuple[str, ...] = ()
"""_known, longest first (so a key holding another is masked whole); rebuilt on each change."""


def mask(value: str) -> str:
    """A recognisable but useless form of a secret: `sk-…9f2c`."""
    if len(value) <= 8:
        return "•" * len(value) if value else ""
    return f"{value[:3]}…{value[-4:]}"


def register_secret(value: str | None) -> None:
    global _ordered
    if value and len(value) >= _MIN_LEN:
        with _lock:
            if value not in _known:
                _known.add(value)
                _ordered = tuple(sorted(_known, key=len, reverse=True))


def _known_longest_first() -> tuple[str, ...]:
    return _ordered  # a tuple replaced whole: read without the lock


def _replace(text: str, known: tuple[str, ...]) -> str:
    for value in known:
        if value in text:
            text = text.replace(value, "[REDACTED]")
    return text


def redact(text: str) -> str:
    if not text:
        return text
    return _replace(text, _known_longest_first())


class StreamRedactor:
    """Masks known secrets in text that comes in pieces (a streamed answer), also a secret split
    across two pieces: the end of a piece that could be the start of a secret is held back until
    the next piece (or `flush`) shows whether it is. Usually nothing is held."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        known = _known_longest_first()
        text = self._held + piece
        if not known:
            self._held = ""
            return text
        text = _replace(text, known)
        keep = _secret_start_at_end(text, known)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        rest, self._held = self._held, ""
        return redact(rest)


def _secret_start_at_end(text: str, known: tuple[str, ...]) -> int:
    """The length of the longest end of `text` that begins some known secret. Only places in
    the tail holding a secret's first character are tried (a streamed chunk usually has none)."""
    best = 0
    for value in known:
        start = max(0, len(text) - len(value) + 1)
        at = text.find(value[0], start)
        while at != -1 and len(text) - at > best:
            if value.startswith(text[at:]):
                best = len(text) - at
                break
            at = text.find(value[0], at + 1)
    return best


def forget_all() -> None:
    """For tests only."""
    global _ordered
    with _lock:
        _known.clear()
        _ordered = ()
