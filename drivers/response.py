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

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


class SUTResponse(BaseModel):
    """The answer. A refusal or a filtered answer is the empty string, as upstream."""

    text: str
    top_logprobs: list[TopTokens] | None = None
    usage: TokenUsage | None = None
    finish_reason: str | None = None


class SUTStreamChunk(BaseModel):
    """One piece of a streamed answer; usage and finish reason usually come with the last one."""

    text: str = ""
    usage: TokenUsage | None = None
    finish_reason: str | None = None
    top_logprobs: list[TopTokens] | None = None
