"""A conversation several SUTs hold side by side, turn after turn.

The user's turns are shared; each SUT's thread (named by its key in the run, as a compare
column or `uid#2`) has its own answers. What one SUT is sent for the next turn is the system
prompt, the user's turns and *its own* answers, or, for a turn where the user chose one answer
for all ("use this answer for all"), that answer. A turn where a thread has no whole answer (it
failed, was cancelled, or the thread joined later) is a gap: `gaps` names them so a front end
asks before sending across one, and `prompt_for` sends such a turn's question without an answer
(merged with the next question, so roles still alternate) and says so in its notes.

No I/O and no Textual: the compare screen, `run-sut --continue` and the history share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, Prompt, TextPrompt

CHARS_PER_TOKEN = 4
"""A rough tokens estimate when no provider counted them: about 4 characters a token for
English text with the usual tokenizers (said as an estimate wherever it is shown)."""


@dataclass(frozen=True)
class Answer:
    """One thread's answer to one turn, as far as the conversation needs it."""

    text: str
    complete: bool = True
    """A whole answer (done). A failed, cancelled or truncated answer is kept for the record
    but never sent as the SUT's turn."""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class Turn:
    """One user message and every thread's answer to it."""

    text: str
    answers: dict[str, Answer] = field(default_factory=dict)
    for_all: str | None = None
    """The key of the thread whose answer every thread continues from after this turn."""

    def context_for(self, key: str) -> Answer | None:
        """The answer thread `key` continues from after this turn (None: a gap)."""
        if self.for_all is not None:
            chosen = self.answers.get(self.for_all)
            if chosen is not None and chosen.complete:
                return chosen
        own = self.answers.get(key)
        return own if own is not None and own.complete else None


@dataclass
class Conversation:
    system: str | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return bool(self.turns)

    def gaps(self, key: str) -> list[int]:
        """The turns (0-based) after which thread `key` has no answer to continue from."""
        return [i for i, turn in enumerate(self.turns) if turn.context_for(key) is None]

    def joined_later(self, key: str) -> bool:
        """Thread `key` has no answer at all in the turns so far (a column added since)."""
        return self.started and all(key not in turn.answers for turn in self.turns)

    def prompt_for(self, key: str, text: str) -> tuple[Prompt, list[str]]:
        """What thread `key` is sent when the user says `text` next, and notes on it (the turns
        sent without an answer). One turn without a system prompt is a TextPrompt, as
        `make_prompt` makes it, so a first send is what it always was."""
        has_system = self.system is not None and bool(self.system.strip())
        if not self.turns and not has_system:
            return TextPrompt(text=text), []
        messages: list[ChatMessage] = []
        if has_system:
            messages.append(ChatMessage(text=self.system or "", role=ChatRole.system))
        pending: list[str] = []
        gaps: list[int] = []
        for index, turn in enumerate(self.turns):
            pending.append(turn.text)
            answer = turn.context_for(key)
            if answer is None:
                gaps.append(index + 1)
                continue
            messages.append(ChatMessage(text="\n\n".join(pending), role=ChatRole.user))
            messages.append(ChatMessage(text=answer.text, role=ChatRole.sut))
            pending = []
        pending.append(text)
        messages.append(ChatMessage(text="\n\n".join(pending), role=ChatRole.user))
        notes = [f"sent without an answer: {_turn_names(gaps)} (their questions are joined "
                 "to the next one)"] if gaps else []  # fmt: skip
        return ChatPrompt(messages=messages), notes

    def add_turn(self, text: str) -> Turn:
        turn = Turn(text)
        self.turns.append(turn)
        return turn

    def answer(self, index: int, key: str, answer: Answer) -> None:
        """Thread `key`'s answer to turn `index` (a retry replaces it)."""
        self.turns[index].answers[key] = answer

    def choose_for_all(self, index: int, key: str | None) -> None:
        """Every thread continues from `key`'s answer to turn `index` (None: each its own)."""
        self.turns[index].for_all = key

    def fork(self, index: int) -> list[Turn]:
        """Drop turn `index` and every later one (an edited question is sent as turn `index`
        again); the dropped turns are returned (the history keeps the old branch)."""
        dropped, self.turns = self.turns[index:], self.turns[:index]
        return dropped

    def forget(self, key: str) -> None:
        """A thread removed (its column closed): its answers go, a choice of it too."""
        for turn in self.turns:
            turn.answers.pop(key, None)
            if turn.for_all == key:
                turn.for_all = None

    def renamed(self, keys: Mapping[str, str]) -> Conversation:
        """The same conversation with threads renamed (old key -> new key)."""
        turns = [
            replace(
                turn,
                answers={keys.get(k, k): a for k, a in turn.answers.items()},
                for_all=keys.get(turn.for_all, turn.for_all) if turn.for_all else None,
            )
            for turn in self.turns
        ]
        return Conversation(self.system, turns)

    def thread_tokens(self, key: str, text: str = "") -> tuple[int, bool]:
        """About how many tokens thread `key`'s next prompt holds (with `text` as the next
        question), and whether that is an estimate. The provider's own count of the last
        turn (its prompt plus its answer) is used when it gave one, plus what came since."""
        known = 0
        since: list[str] = []
        estimated = True
        for turn in self.turns:
            answer = turn.context_for(key)
            own = turn.answers.get(key)
            if own is not None and own.prompt_tokens is not None and answer is own:
                known = own.prompt_tokens + (own.completion_tokens or estimate(own.text))
                since, estimated = [], own.completion_tokens is None
                continue
            since.append(turn.text)
            if answer is not None:
                since.append(answer.text)
        if not known:
            since.insert(0, self.system or "")
        since.append(text)
        extra = sum(estimate(s) for s in since)
        return known + extra, estimated or extra > 0


def estimate(text: str) -> int:
    """Tokens in `text`, roughly (CHARS_PER_TOKEN)."""
    return -(-len(text) // CHARS_PER_TOKEN) if text else 0


def _turn_names(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"turn {numbers[0]}"
    return "turns " + ", ".join(str(n) for n in numbers)
