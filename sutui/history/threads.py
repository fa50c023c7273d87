"""Saved runs read back as a conversation (drivers/conversation.py), for `run-sut --continue`,
reopening a conversation in the compare screen, and the records' `messages`.

A run is one user turn sent to N SUTs; its answers' `thread` lines them up across turns. A
branch is a run and the runs before it (`previous_id`), in turn order. What a thread was sent
at a turn is not stored: it is rebuilt from the branch before it, as the writer built it
(Conversation.prompt_for), so a long conversation costs no copy of its past per answer. That
holds because every writer builds what it sends from the same saved facts: the questions, each
thread's answers (whole only when done and not cut at the length limit), the answer chosen for
all, and the run's system prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from drivers.conversation import Answer, Conversation, Turn
from sutui.history.rerun import named, to_send
from sutui.records import RecordMessage, ResultRecord, messages_of

if TYPE_CHECKING:
    from sutui.history.store import StoredRun


def whole(answer: ResultRecord) -> bool:
    """An answer a thread continues from: done, and not cut at the length limit (as the
    compare screen decides; a cut one is kept and asked about)."""
    return answer.status == "done" and answer.finish_reason != "length"


def thread_of(answer: ResultRecord) -> str:
    return answer.thread or answer.sut


def answer_of(record: ResultRecord) -> Answer:
    usage = record.usage
    return Answer(
        record.text,
        complete=whole(record),
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
    )


def turn_of(run: StoredRun) -> Turn:
    """A saved run as one turn of the model (its answers by thread)."""
    return Turn(run.prompt, {thread_of(a): answer_of(a) for a in run.answers}, run.for_all)


def conversation_of(branch: Sequence[StoredRun]) -> Conversation:
    """A branch (turn order) as the model; its system prompt is the last run's (each send
    carries the whole thread with the system prompt of that moment)."""
    system = branch[-1].system if branch else None
    return Conversation(system, [turn_of(run) for run in branch])


def with_messages(runs: Sequence[StoredRun]) -> list[StoredRun]:
    """`runs` (every run of each branch, its earlier turns with it) with each answer's
    `messages`: what that thread was sent, rebuilt from the runs before it on its branch."""
    by_id = {run.id: run for run in runs}
    turns: dict[int, Turn] = {}
    out = []
    for run in runs:
        chain: list[StoredRun] = []
        seen = {run.id}
        before = run.previous_id
        while before is not None and before in by_id and before not in seen:  # a hand edit
            seen.add(before)  # may make a loop: it ends there
            chain.append(by_id[before])
            before = by_id[before].previous_id
        chain.reverse()
        past = [turns.get(r.id) or turns.setdefault(r.id, turn_of(r)) for r in chain]
        talk = Conversation(run.system, past)
        answers = tuple(
            a.model_copy(update={"messages": sent(talk, thread_of(a), run.prompt)})
            for a in run.answers
        )
        out.append(replace(run, answers=answers))
    return out


def sent(talk: Conversation, key: str, text: str) -> list[RecordMessage] | None:
    """The `messages` of thread `key`'s record for the turn `text` after `talk` (None: the
    prompt alone, as a single send)."""
    found = messages_of(talk.prompt_for(key, text)[0], text, mask=str)
    return None if found is None else [RecordMessage.model_validate(m) for m in found]


@dataclass(frozen=True)
class Thread:
    """One thread of a saved conversation, to send its next turn."""

    key: str
    """Its name in the history (the run key `uid`, `uid#2`, or the name its writer gave)."""
    sut: str
    """What to make the SUT from: the name it was run under (`#n` dropped), or its canonical
    UID when that name no longer resolves (a predefined SUT renamed or removed since)."""
    uid: str | None
    """The canonical dynamic UID it resolved to."""
    options: dict[str, Any] = field(default_factory=dict)
    """Its options as it was last sent (SUTOptions fields set away from their defaults)."""
    own_options: bool = False
    """Whether they differ from the run's shared options (a column's own options)."""


@dataclass(frozen=True)
class Resumed:
    """A saved branch, ready to go on: send the next turn to `threads` with `conversation`'s
    `prompt_for(thread.key, text)`, and record it with `previous_id=last.id`."""

    conversation: Conversation
    """The branch as the model; its thread keys are the threads' `key`s."""
    threads: tuple[Thread, ...]
    """The threads of the latest turn, in its column order (a thread left out of it earlier,
    a removed column, is not continued)."""
    branch: tuple[StoredRun, ...]
    """The branch's runs, turn order (the compare screen draws them and links to their ids)."""

    @property
    def last(self) -> StoredRun:
        """The latest turn of the branch."""
        return self.branch[-1]

    @property
    def options(self) -> dict[str, Any]:
        """The shared options of the latest turn."""
        return self.last.options

    @property
    def timeout_s(self) -> float | None:
        return self.last.timeout_s

    @property
    def system(self) -> str | None:
        return self.last.system

    def gap(self, key: str) -> bool:
        """Thread `key` has no whole answer to the latest turn (failed, cancelled, partial,
        cut at the length limit): sending the next turn would skip it."""
        turns = self.conversation.turns
        return bool(turns) and turns[-1].context_for(key) is None


def resume(branch: Sequence[StoredRun], resolves: Callable[[str], bool] | None = None) -> Resumed:
    """The branch `branch` (as `HistoryStore.conversation` returns it) as a conversation to go
    on with. `resolves(name)` says whether a SUT name still resolves (None: assume so)."""
    if not branch:
        raise ValueError("an empty branch has nothing to resume")
    last = branch[-1]
    threads = []
    for answer in last.answers:
        sut = to_send(answer, resolves) if resolves is not None else named(answer.sut)
        threads.append(
            Thread(
                thread_of(answer),
                sut,
                answer.uid,
                dict(answer.options),
                answer.options != last.options,
            )
        )
    return Resumed(conversation_of(branch), tuple(threads), tuple(branch))
