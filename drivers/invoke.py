"""Calling a SUT: pick the translate method for the prompt, run evaluate (sync in a thread, or
async), translate the response; or stream it. The runner and the CLI go through here."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

from drivers.capabilities import (
    AcceptsChatPrompt,
    AcceptsTextPrompt,
    Capability,
    ProducesPerTokenLogProbabilities,
    StreamsText,
)
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, Prompt, TextPrompt
from drivers.redaction import StreamRedactor, redact
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.sut import SUT, PromptResponseSUT


class MissingSUTCapabilities(TypeError):
    def __init__(self, uid: str, missing: list[type[Capability]], why: str):
        names = ", ".join(c.__name__ for c in missing)
        super().__init__(
            f"{uid} is missing the following required capabilities: [{names}] ({why})."
        )


def translate(sut: SUT, prompt: Prompt, options: SUTOptions) -> Any:
    if not isinstance(sut, PromptResponseSUT):
        raise TypeError(f"{sut.uid} is not a PromptResponseSUT")
    if (
        options.top_logprobs is not None
        and ProducesPerTokenLogProbabilities not in sut.capabilities
    ):
        raise MissingSUTCapabilities(
            sut.uid, [ProducesPerTokenLogProbabilities], "top_logprobs was asked for"
        )
    if isinstance(prompt, TextPrompt):
        if AcceptsTextPrompt in sut.capabilities:
            return sut.translate_text_prompt(prompt, options)
        if AcceptsChatPrompt in sut.capabilities:
            # A text prompt is a one-turn chat: every chat SUT can take it.
            return sut.translate_chat_prompt(
                ChatPrompt.model_validate({"messages": [{"text": prompt.text, "role": "USER"}]}),
                options,
            )
        raise MissingSUTCapabilities(sut.uid, [AcceptsTextPrompt], "the prompt is text")
    if AcceptsChatPrompt in sut.capabilities:
        return sut.translate_chat_prompt(prompt, options)
    raise MissingSUTCapabilities(sut.uid, [AcceptsChatPrompt], "the prompt is a chat")


async def _evaluate(sut: PromptResponseSUT[Any, Any], request: Any) -> Any:
    if inspect.iscoroutinefunction(sut.evaluate):
        return await sut.evaluate(request)
    # A seed-style driver (e.g. with requests) blocks: keep it off the event loop.
    result = await asyncio.to_thread(sut.evaluate, request)
    if inspect.isawaitable(result):
        result = await result
    return result


async def respond(sut: SUT, prompt: Prompt, options: SUTOptions) -> SUTResponse:
    """One prompt in, one SUTResponse out."""
    request = translate(sut, prompt, options)
    assert isinstance(sut, PromptResponseSUT)
    response = await _evaluate(sut, request)
    return _redacted(sut.translate_response(request, response))


def _redacted(response: SUTResponse) -> SUTResponse:
    """A provider that echoes a key back (in an answer, as some test servers and jailbroken
    models do) must not put it on the screen or in a file: known secrets are masked in every
    answer the layer hands out."""
    text = redact(response.text)
    return response if text == response.text else response.model_copy(update={"text": text})


async def stream(sut: SUT, prompt: Prompt, options: SUTOptions) -> AsyncIterator[SUTStreamChunk]:
    """The answer as chunks: streamed when the SUT streams, else one chunk with all of it.

    The last chunk carries usage and finish reason when the SUT gives them.
    """
    request = translate(sut, prompt, options)
    assert isinstance(sut, PromptResponseSUT)
    if StreamsText not in sut.capabilities:
        response = _redacted(sut.translate_response(request, await _evaluate(sut, request)))
        yield SUTStreamChunk(
            text=response.text,
            usage=response.usage,
            finish_reason=response.finish_reason,
            top_logprobs=response.top_logprobs,
        )
        return
    redactor = StreamRedactor()  # a key echoed back is masked, even split across chunks
    async for chunk in _chunks(sut, request):
        if chunk.text:
            text = redactor.feed(chunk.text)
            if text != chunk.text:
                chunk = chunk.model_copy(update={"text": text})
        yield chunk
    rest = redactor.flush()
    if rest:
        yield SUTStreamChunk(text=rest)


async def _chunks(sut: PromptResponseSUT[Any, Any], request: Any) -> AsyncIterator[SUTStreamChunk]:
    chunks = sut.evaluate_stream(request)
    if hasattr(chunks, "__aiter__"):
        async for chunk in chunks:
            yield chunk
    else:  # a plain generator: pull each chunk in a thread
        iterator: Iterator[SUTStreamChunk] = iter(chunks)  # type: ignore[call-overload]

        def pull() -> SUTStreamChunk | None:
            return next(iterator, None)

        while (item := await asyncio.to_thread(pull)) is not None:
            yield item


class ResponseBuilder:
    """Accumulates stream chunks into the final SUTResponse."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.usage: TokenUsage | None = None
        self.finish_reason: str | None = None
        self.top_logprobs: list[Any] | None = None

    def add(self, chunk: SUTStreamChunk) -> None:
        if chunk.text:
            self.parts.append(chunk.text)
        if chunk.usage is not None:
            self.usage = chunk.usage
        if chunk.finish_reason is not None:
            self.finish_reason = chunk.finish_reason
        if chunk.top_logprobs:
            self.top_logprobs = (self.top_logprobs or []) + list(chunk.top_logprobs)

    @property
    def text(self) -> str:
        """The text so far, with known secrets masked (also one split across chunks)."""
        return redact("".join(self.parts))

    def build(self) -> SUTResponse:
        return SUTResponse(
            text=self.text,
            usage=self.usage,
            finish_reason=self.finish_reason,
            top_logprobs=self.top_logprobs,
        )
