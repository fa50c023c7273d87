"""Redaction in one place: every secret value loaded is registered here and masked in any text.

Errors, logs, history rows and exports pass through `redact` so a key echoed back by a provider,
or held in an exception message, never reaches a person's screen or a file. Each key is masked
in every form text can hold it: as it is, JSON-escaped, as Python's repr escapes it,
URL-encoded, and base64 (as in a Basic auth header, `user:key`, whatever comes before it), and
each of those JSON-escaped once more (JSON text inside JSON, as a raw body shows it).
Text is shortened only after it is redacted (`shorten`): a cut through a key would leave the
rest of it unmatched. A key cut short by someone else (a provider's truncated body, an answer
cut by max_tokens) is masked too: its start at the end of a text, and more than a third of its
start anywhere.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote, quote_plus

_MIN_LEN = 6
"""Shorter values are not real keys (the demo's is 12345) and masking them would mangle words.
A key of 6 characters or more is masked wherever it appears."""
_lock = threading.Lock()
_known: set[str] = set()
_ordered: tuple[str, ...] = ()
"""_known, longest first (so a key holding another is masked whole); rebuilt on each change."""


def mask(value: str) -> str:
    """A recognisable but useless form of a secret: `sk-…9f2c`; never more than a third of it
    shows (a key of 9 characters: `1…89`; one shorter than 6: dots only)."""
    shown = len(value) // 3 if len(value) >= _MIN_LEN else 0
    head = min(3, shown // 2)
    tail = min(4, shown - head)
    if tail <= 0:
        return "•" * len(value) if value else ""
    return f"{value[:head]}…{value[-tail:]}"


def forms(value: str) -> set[str]:
    """Every form `value` can take in text: raw, JSON-escaped, repr-escaped, URL-encoded, and
    the base64 runs that encode only its own bytes (at each of base64's three alignments, so
    it is found after any prefix such as `user:`)."""
    out = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
    }
    raw = value.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        start = 4 if offset else 0
        end = 4 * ((offset + len(raw)) // 3)
        if end - start >= _MIN_LEN:
            out.add(encoded[start:end])
    for form in list(out):  # inside a JSON string once more: a raw body holding escaped text
        out |= {json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]}
    return {f for f in out if len(f) >= _MIN_LEN}


def register_secret(value: str | None) -> None:
    """Mask `value` from now on, in all its forms (and, stripped of surrounding whitespace, as
    HTTP sends it)."""
    global _ordered
    if not value:
        return
    found = {f for v in {value, value.strip()} if len(v) >= _MIN_LEN for f in forms(v)}
    if found - _known:
        with _lock:
            _known.update(found)
            _ordered = tuple(sorted(_known, key=len, reverse=True))


def _known_longest_first() -> tuple[str, ...]:
    return _ordered  # a tuple replaced whole: read without the lock


def _replace(text: str, known: tuple[str, ...]) -> str:
    for value in known:
        if value in text:
            text = text.replace(value, "[REDACTED]")
    return _mask_cut_starts(text, known)


def _mask_cut_starts(text: str, known: tuple[str, ...]) -> str:
    """More than a third of a known value's start, cut short inside the text (a provider that
    truncated what it echoed). A start running to the end of the text is left: the key may go
    on in a stream's next piece (held back there) or end the text (`redact` masks it)."""
    for value in known:
        size = max(_MIN_LEN, len(value) // 3 + 1)
        if size >= len(value):
            continue
        at = text.find(value[:size])
        while at != -1:
            rest = text[at:]
            if any(v.startswith(rest) for v in known):
                break
            end = at + max(_common_start(rest, v) for v in known)
            text = text[:at] + "[REDACTED]" + text[end:]
            at = text.find(value[:size], at + len("[REDACTED]"))
    return text


def _common_start(text: str, value: str) -> int:
    n = 0
    for a, b in zip(text, value, strict=False):
        if a != b:
            break
        n += 1
    return n


def _mask_end(text: str, known: tuple[str, ...]) -> str:
    """A text that ends in a known value's start (cut there) ends in [REDACTED] when that
    start would show 4 characters or more than a third of the value."""
    keep = _secret_start_at_end(text, known)
    if not keep:
        return text
    tail = text[len(text) - keep :]
    if keep >= 4 or any(3 * keep > len(v) and v.startswith(tail) for v in known):
        return text[: len(text) - keep] + "[REDACTED]"
    return text


def redact(text: str) -> str:
    """`text` with every known secret masked: whole in any of its forms, or cut short."""
    if not text:
        return text
    known = _known_longest_first()
    return _mask_end(_replace(text, known), known) if known else text


def shorten(text: str, limit: int) -> str:
    """`text` redacted, then cut to `limit` characters (never the other way round)."""
    text = redact(text)
    return text if len(text) <= limit else text[:limit] + "…"


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
        """What is held at the end: the start of a known key, which the stream ended in, is
        masked too when it would show more than a third of that key (or 4 characters)."""
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
