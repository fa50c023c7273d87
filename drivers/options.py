"""Generation options shared by every SUT; each driver maps the ones its provider knows."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class SUTOptions(BaseModel):
    """Options for one generation. None means "the provider's default".

    Field names are modelgauge's (upstream later renamed the class ModelOptions; both names work).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens: int | None = Field(default=None, ge=1)
    max_total_output_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k_per_token: int | None = Field(default=None, ge=1)
    stop_sequences: list[str] | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    random: str | None = None
    seed: int | None = None
    reasoning: str | None = None
    """How much the model may reason: none, minimal, low, medium, high, or a token budget
    ("2048"); each driver maps it to its provider (drivers/reasoning.py)."""

    @field_validator("reasoning", mode="before")
    @classmethod
    def _reasoning_value(cls, value: object) -> object:
        from drivers.reasoning import parse_reasoning

        if value is None:
            return None
        parsed = parse_reasoning(value if isinstance(value, (str, int)) else str(value))
        assert parsed is not None
        return parsed.level if parsed.level is not None else str(parsed.budget)

    @model_validator(mode="after")
    def _total_covers_answer(self) -> Self:
        total, answer = self.max_total_output_tokens, self.max_tokens
        if total is not None and answer is not None and total < answer:
            raise ValueError(
                f"max_total_output_tokens ({total}) must be at least max_tokens ({answer})"
            )
        return self


ModelOptions = SUTOptions
