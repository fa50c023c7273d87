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


def mask(value: str) -> str:
    """A recognisable but useless form of a secret: `sk-…9f2c`."""
    if len(value) <= 8:
        return "•" * len(value) if value else ""
    return f"{value[:3]}…{value[-4:]}"


def register_secret(value: str | None) -> None:
    if value and len(value) >= _MIN_LEN:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, "[REDACTED]")
    return text


def forget_all() -> None:
    """For tests only."""
    with _lock:
        _known.clear()
