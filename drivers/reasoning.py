"""Reasoning ("thinking") across providers: the one `reasoning` option and the inline `<think>`
splitter.

The option is a level or a token budget: `none` (no reasoning, where the model can turn it
off), `minimal`, `low`, `medium`, `high`, or a whole number of tokens (`2048`). Each driver maps
it to its provider (OpenAI `reasoning_effort`, Anthropic `thinking.budget_tokens`, Gemini
`thinkingConfig`, ollama `think`); a value a model cannot take is dropped with a note in the
result, never sent to fail.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("none", "minimal", "low", "medium", "high")
LEVEL_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576}
"""Token budgets for the providers that take budgets (Anthropic, Gemini 2.5), by level."""


@dataclass(frozen=True)
class Reasoning:
    """A parsed `reasoning` value: a level, or a token budget (level None)."""

    level: str | None = None
    budget: int | None = None

    @property
    def off(self) -> bool:
        return self.level == "none" or self.budget == 0

    def tokens(self) -> int:
        """The budget in tokens (a level's usual budget)."""
        if self.budget is not None:
            return self.budget
        return LEVEL_BUDGETS.get(self.level or "", 0)

    def effort(self) -> str:
        """The level for APIs that take levels (a budget becomes the nearest level)."""
        if self.level is not None:
            return self.level
        budget = self.budget or 0
        if budget == 0:
            return "none"
        for level in ("minimal", "low", "medium"):
            if budget <= LEVEL_BUDGETS[level]:
                return level
        return "high"


def nearest_level(level: str, accepted: tuple[str, ...]) -> str:
    """The accepted level closest to `level` (on a tie, the higher: asked to think, think)."""
    rank = LEVELS.index(level)
    return min(accepted, key=lambda a: (abs(LEVELS.index(a) - rank), -LEVELS.index(a)))


def parse_reasoning(value: str | int | None) -> Reasoning | None:
    """`none|minimal|low|medium|high` or a token count; a ValueError says what is accepted."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in LEVELS:
        return Reasoning(level=text)
    if text.isdigit():
        return Reasoning(budget=int(text))
    raise ValueError(
        f"reasoning '{value}' is neither a level ({', '.join(LEVELS)}) nor a number of tokens "
        "(e.g. 2048)"
    )


# ----- inline <think> ---------------------------------------------------------------------------

OPEN, CLOSE = "<think>", "</think>"


class ThinkSplitter:
    """Splits a streamed answer that opens with `<think>…</think>` (DeepSeek-R1-style models
    served without a reasoning parser) into reasoning and answer, whatever the chunking: a tag
    split across chunks is held back until it can be told apart from text. Only a leading
    `<think>` (after whitespace) counts: a tag later in the answer is the answer's text."""

    def __init__(self) -> None:
        self._state = "start"  # start -> thinking -> after (blank lines dropped) -> answer
        self._held = ""

    def feed(self, text: str) -> tuple[str, str]:
        """(reasoning, answer) of this piece of text."""
        if self._state == "answer":
            return "", text
        if self._state == "after":  # the blank lines between </think> and the answer
            text = text.lstrip()
            if text:
                self._state = "answer"
            return "", text
        self._held += text
        if self._state == "start":
            stripped = self._held.lstrip()
            if not stripped or (len(stripped) < len(OPEN) and OPEN.startswith(stripped)):
                return "", ""  # could still be the opening tag
            if not stripped.startswith(OPEN):
                self._state, held, self._held = "answer", self._held, ""
                return "", held
            self._state, self._held = "thinking", stripped[len(OPEN) :].lstrip()
        end = self._held.find(CLOSE)
        if end >= 0:
            reasoning, rest = self._held[:end], self._held[end + len(CLOSE) :]
            self._state, self._held = "after", ""
            return reasoning.rstrip(), self.feed(rest)[1]
        keep = _partial_suffix(self._held, CLOSE)
        reasoning = self._held[: len(self._held) - keep]
        self._held = self._held[len(self._held) - keep :]
        return reasoning, ""

    def flush(self) -> tuple[str, str]:
        """What is held at the end: an unclosed think block is reasoning; text that only
        looked like the start of a tag is answer."""
        held, self._held = self._held, ""
        if self._state == "thinking":
            return held, ""
        return "", held


def _partial_suffix(text: str, tag: str) -> int:
    """The length of the longest end of `text` that begins `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


def split_think(text: str) -> tuple[str, str]:
    """(reasoning, answer) of a whole answer. Whole, it can also read a `</think>` with no
    opening tag (templates that put `<think>` in the prompt: DeepSeek-R1-0528, QwQ, Qwen3)
    as the end of reasoning that began at the start; a stream cannot take back text it has
    shown, so streamed, such an answer stays whole (servers with a reasoning parser split it)."""
    if OPEN not in text and CLOSE in text:
        reasoning, _, answer = text.partition(CLOSE)
        return reasoning.strip(), answer.lstrip()
    splitter = ThinkSplitter()
    reasoning, answer = splitter.feed(text)
    more_reasoning, more_answer = splitter.flush()
    return reasoning + more_reasoning, answer + more_answer
