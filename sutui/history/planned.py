"""What a front end tells the history about a run about to start: one entry per SUT. Its own
module so that `run-sut --no-history` plans a run without importing the history's store (and
sqlite3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Planned:
    """One SUT of a run about to start."""

    sut: str
    uid: str | None
    options: dict[str, Any] = field(default_factory=dict)
    thread: str | None = None
    """Its thread in the conversation (what lines its answers up across turns); None: `sut`,
    the run key (`uid`, `uid#2`). A front end whose threads outlive a column's place (the
    compare screen) names them itself, the same name every turn."""
