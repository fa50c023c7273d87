"""Capabilities a SUT declares, each tied to the method that provides it."""

from __future__ import annotations

from typing import ClassVar


class Capability:
    """A feature a SUT declares with @modelgauge_sut; `method` is what it must implement."""

    method: ClassVar[str | None] = None


class AcceptsTextPrompt(Capability):
    method = "translate_text_prompt"


class AcceptsChatPrompt(Capability):
    method = "translate_chat_prompt"


class ProducesPerTokenLogProbabilities(Capability):
    """The SUT can return `top_logprobs`; only such SUTs may be asked for them."""

    method = None


class StreamsText(Capability):
    """The SUT can stream its answer: it implements `evaluate_stream(request)`."""

    method = "evaluate_stream"


ALL_CAPABILITIES: tuple[type[Capability], ...] = (
    AcceptsTextPrompt,
    AcceptsChatPrompt,
    ProducesPerTokenLogProbabilities,
    StreamsText,
)
