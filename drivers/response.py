"""What a SUT answered, normalised across providers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TokenProbability(BaseModel):
    token: str
    logprob: float


class TopTokens(BaseModel):
    """The most likely tokens at one position of the answer."""

    top_tokens: list[TokenProbability]


class TokenUsage(BaseModel):
    """Token counts as the provider reported them (None when it did not say)."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    """Every token generated, reasoning included (as OpenAI and Anthropic count them)."""
    reasoning_tokens: int | None = None
    """The part of completion_tokens spent reasoning, when the provider says."""

    @property
    def answer_tokens(self) -> int | None:
        """The answer's own tokens: completion minus reasoning."""
        if self.completion_tokens is None:
            return None
        return max(0, self.completion_tokens - (self.reasoning_tokens or 0))

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


class SUTResponse(BaseModel):
    """The answer. A refusal or a filtered answer is the empty string, as upstream.

    A driver sets `finish_reason` to its provider's word; the driver layer hands it out
    normalised (drivers/finish_reasons.py: stop, length, content_filter, tool_calls, error, other)
    with the provider's word in `provider_finish_reason`."""

    text: str
    top_logprobs: list[TopTokens] | None = None
    usage: TokenUsage | None = None
    finish_reason: str | None = None
    reasoning: str | None = None
    """The model's reasoning ("thinking"), apart from the answer; None when it gave none."""
    provider_finish_reason: str | None = None
    notes: list[str] = []
    """What the driver changed in the request for this model (an option it cannot take)."""


class SUTStreamChunk(BaseModel):
    """One piece of a streamed answer; usage and finish reason usually come with the last one."""

    text: str = ""
    reasoning: str = ""
    """Reasoning text, streamed apart from the answer."""
    usage: TokenUsage | None = None
    finish_reason: str | None = None
    top_logprobs: list[TopTokens] | None = None
    notes: list[str] = []
    """What the driver changed in the request (drivers/invoke.py sends them first)."""
    restart: bool = False
    """Set by the driver layer (drivers/invoke.py) when a broken stream starts again: what
    came before this chunk is void, the answer is the chunks after it."""
