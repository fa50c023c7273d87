"""The blind order of an arena round: a seeded shuffle and the letters shown instead of names."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def new_seed() -> int:
    """A fresh seed per round (saved with the vote, so a round's order can be replayed)."""
    return random.SystemRandom().getrandbits(31)


def shuffled(items: Sequence[T], seed: int) -> list[T]:
    """`items` in the order a Random(seed) gives: the same seed, the same order."""
    order = list(items)
    random.Random(seed).shuffle(order)
    return order


def letter(index: int) -> str:
    """A, B, ... Z, then A27, A28, ... (more columns than that is not a blind test anyway)."""
    return chr(ord("A") + index) if index < 26 else f"A{index + 1}"
