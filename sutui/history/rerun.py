"""Which SUT to send when a saved answer is re-run: the name it was run under, or, when that
name no longer resolves (a predefined SUT renamed or removed since), its canonical UID."""

from __future__ import annotations

from collections.abc import Callable

from sutui.records import ResultRecord


def named(sut: str) -> str:
    """The SUT as the user gave it: a repeated SUT's `#2` is not part of it."""
    name, hash_, number = sut.rpartition("#")
    return name if hash_ and number.isdigit() else sut


def to_send(answer: ResultRecord, resolves: Callable[[str], bool]) -> str:
    name = named(answer.sut)
    if answer.uid and answer.uid != name and not resolves(name):
        return answer.uid
    return name
