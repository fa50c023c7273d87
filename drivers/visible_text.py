"""Control characters made visible, for text a person reads in a terminal.

A provider's bytes printed raw can drive the terminal: OSC 52 writes the clipboard, OSC 0
retitles the window, `ESC[2J` clears the screen, a bare `\\r` overwrites the line before it.
So every C0 and C1 control except newline and tab is shown as a symbol instead (ESC as `␛`,
CR as `␍`, C1 as `\\x9b`), and so is every bidirectional override or isolate (`<U+202E>`:
text that would read in another order than it is stored), in human-readable output only:
error messages, run-sut's text, `history show`, Markdown exports, the app. The machine
formats (--json, JSON, JSONL, CSV) keep the exact text (JSON escapes it).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls, and the bidirectional embeddings, overrides and isolates (U+202A-E,
U+2066-9: "Trojan Source" text that reads in another order than it is stored)."""


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\r\n":  # a Windows line end is a line end
        return "\n"
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code > 0xFF:
        return f"<U+{code:04X}>"
    return f"\\x{code:02x}"


def visible(text: str) -> str:
    """`text` with every control character but newline and tab shown as a symbol."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_shown, text)
