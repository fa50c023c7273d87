"""A word-level diff of two answers, as two rich Texts (left: what only it has is struck
through; right: what only it has is underlined).

difflib's SequenceMatcher is enough here: it is in the standard library, it matches the longest
common runs first (which reads naturally for prose), and answers are a few thousand words at
most. The texts are split into words and single punctuation marks, each token carrying the
whitespace after it; tokens are compared without that whitespace (so a reflowed line is no
change, and the matcher does not wade through thousands of identical spaces), and each side is
shown with its own spacing, so the result still reflows to any width. Styles are spans on plain
text: provider text is never parsed as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from rich.style import Style
from rich.text import Text

TOKEN = re.compile(r"^\s+|(?:\w+|[^\w\s])\s*")
WORD = re.compile(r"\w")
DELETED = Style(color="red", bgcolor="#3b0d0d", strike=True)
INSERTED = Style(color="green", bgcolor="#0d3b17", underline=True)


def tokens(text: str) -> list[str]:
    """Words and punctuation marks with the whitespace after them (and any leading whitespace
    alone): joined again they give `text` back."""
    return TOKEN.findall(text)


@dataclass(frozen=True)
class WordDiff:
    left: Text
    right: Text
    removed: int
    """Words (not whitespace nor punctuation) only in the left text."""
    added: int
    """Words only in the right text."""
    same: float
    """How much of both texts is shared, 0 to 1 (SequenceMatcher's ratio on the tokens)."""

    def summary(self) -> str:
        if self.removed == self.added == 0:
            return "the same words"
        words = "word" if self.removed == 1 else "words"
        shared = f"{self.same:.0%} shared"
        return f"{self.removed} {words} only left · {self.added} only right · {shared}"


def word_diff(left: str, right: str) -> WordDiff:
    a, b = tokens(left), tokens(right)
    matcher = SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    out_left, out_right = Text(), Text()
    removed = added = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out_left.append("".join(a[i1:i2]))
            out_right.append("".join(b[j1:j2]))
            continue
        if i2 > i1:
            _append_changed(out_left, a[i1:i2], DELETED)
            removed += _words(a[i1:i2])
        if j2 > j1:
            _append_changed(out_right, b[j1:j2], INSERTED)
            added += _words(b[j1:j2])
    return WordDiff(out_left, out_right, removed, added, matcher.ratio() if a or b else 1.0)


def _append_changed(text: Text, parts: list[str], style: Style) -> None:
    """Changed words styled, the whitespace after them not (a styled line break would paint
    the rest of the line)."""
    for part in parts:
        word = part.rstrip()
        text.append(word, style=style)
        text.append(part[len(word) :])


def _words(parts: list[str]) -> int:
    return sum(1 for part in parts if WORD.match(part))
