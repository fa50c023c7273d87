"""A run-sut job: the targets (each may carry its own thread), the prompt and options, and,
for `--continue`, where the turn goes in its saved conversation. Shared by run-sut, its
`--continue` planning (next_turn.py) and `history rerun`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drivers.options import SUTOptions
from drivers.prompt import Prompt, prompt_parts
from sutui.records import ResultRecord, messages_of, record_from_event

if TYPE_CHECKING:
    from drivers.runner import Cancelled, Failed, Finished, RunTarget


@dataclass(frozen=True)
class Turn:
    """Where a run goes in a saved conversation, and what it says."""

    text: str
    """The user's new turn."""
    system: str | None
    previous_id: int
    """The run of the turn before (the run goes on from it)."""
    branch_of: int | None = None
    """The run of the same turn it replaces (a new branch), if any."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Per thread, what its prompt left out (turns sent without an answer)."""
    number: int = 1
    """Its turn, from 0."""


@dataclass(frozen=True)
class Job:
    targets: list[RunTarget]
    prompt: Prompt
    """What every target is sent, unless it has its own (`RunTarget.prompt`: its thread)."""
    options: SUTOptions
    canonical: dict[str, str]
    turn: Turn | None = None
    """A turn of a saved conversation (--continue); None: a run of its own."""

    def record(self, event: Finished | Failed | Cancelled, started_at: str) -> ResultRecord:
        order = {t.key: i for i, t in enumerate(self.targets)}
        target = self.targets[order[event.key]]
        text, system = prompt_parts(self.prompt)
        if self.turn is not None:
            text, system = self.turn.text, self.turn.system
        record = record_from_event(
            event,
            sut=event.key,
            uid=self.canonical.get(event.key),
            prompt=text,
            system=system,
            options=target.options or self.options,
            index=order[event.key],
            started_at=started_at,
            thread=event.key,
            messages=messages_of(target.prompt or self.prompt, text),
        )
        notes = self.turn.notes.get(event.key) if self.turn is not None else None
        return record.model_copy(update={"notes": [*notes, *record.notes]}) if notes else record
