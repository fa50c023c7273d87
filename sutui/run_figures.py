"""An answer's figures in words, the same in every output (run-sut's lines, a column's figures,
the history's exports and screens): token counts, seconds and the answer's speed.
Each output picks and orders the parts it shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.runner import Timings


def count(value: int | None) -> str:
    """A token count; `?` when the provider gave none."""
    return "?" if value is None else str(value)


def tokens(tokens_in: int | None, out: int | None) -> str:
    """`tokens 7 in / 1 out` (`?` for a count not reported)."""
    return f"tokens {count(tokens_in)} in / {count(out)} out"


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def answer_speed(
    timings: Timings, out: int | None, reasoning: int | None, reasoned: bool = False
) -> str | None:
    """`12 answer tok/s`: the answer's own tokens (out minus reasoning) after its first token;
    None when unknown (no count, too few tokens, or reasoning text came without its count)."""
    if out is None or (reasoned and reasoning is None):
        return None
    speed = timings.tokens_per_s(max(0, out - (reasoning or 0)))
    return None if speed is None else f"{speed:.0f} answer tok/s"
