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
from drivers.errors import ErrorKind, SUTError, classify
from drivers.finish_reasons import normalise_finish_reason
from drivers.options import SUTOptions
from drivers.progress import report_retry
from drivers.prompt import ChatPrompt, Prompt, TextPrompt
from drivers.redaction import StreamRedactor, redact
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage, TopTokens
from drivers.sut import SUT, PromptResponseSUT
from drivers.unicode_repair import StreamRepair, repair, repaired
from drivers.unicode_repair import note as repair_note


class MissingSUTCapabilities(TypeError):
    """A SUT cannot take this prompt or these options: the caller's input asks for what the SUT
    does not do (a system prompt to a text-only SUT), not a bug in the driver. The front ends
    check it before anything is sent (`capability_problem`); `fix` says what to change."""

    def __init__(
        self,
        uid: str,
        missing: list[type[Capability]],
        why: str,
        *,
        what: str | None = None,
        fix: str | None = None,
    ):
        self.uid = uid
        self.missing = list(missing)
        self.why = why
        names = ", ".join(c.__name__ for c in self.missing)
        self.what = what or f"{uid} is missing the following required capabilities: [{names}]"
        self.fix = fix
        super().__init__(self.describe())

    def describe(self, fix: str | None = None) -> str:
        """One line naming the SUT and the capability, and `fix` (or the default one)."""
        fix = fix or self.fix
        return f"{self.what}: {fix}" if fix else f"{self.what} ({self.why})."


def capability_problem(
    sut: SUT, prompt: Prompt, options: SUTOptions
) -> MissingSUTCapabilities | None:
    """Why `sut` cannot take `prompt` with `options` (a missing capability), or None. Local and
    cheap: no translate method runs, nothing is sent."""
    caps = sut.capabilities
    if options.top_logprobs is not None and ProducesPerTokenLogProbabilities not in caps:
        return MissingSUTCapabilities(
            sut.uid,
            [ProducesPerTokenLogProbabilities],
            "top_logprobs was asked for",
            what=f"{sut.uid} gives no per-token log probabilities "
            "(ProducesPerTokenLogProbabilities)",
            fix="drop top_logprobs",
        )
    if isinstance(prompt, TextPrompt):
        if AcceptsTextPrompt in caps or AcceptsChatPrompt in caps:
            return None  # a text prompt is a one-turn chat: every chat SUT can take it
        return MissingSUTCapabilities(
            sut.uid,
            [AcceptsTextPrompt],
            "the prompt is text",
            what=f"{sut.uid} takes no text prompt (AcceptsTextPrompt)",
        )
    if AcceptsChatPrompt in caps:
        return None
    return MissingSUTCapabilities(
        sut.uid,
        [AcceptsChatPrompt],
        "the prompt is a chat",
        what=f"{sut.uid} takes a text prompt only (AcceptsTextPrompt)",
        fix="send it a text prompt (no system prompt, one turn)",
    )


def translate(sut: SUT, prompt: Prompt, options: SUTOptions) -> Any:
    if not isinstance(sut, PromptResponseSUT):
        raise TypeError(f"{sut.uid} is not a PromptResponseSUT")
    problem = capability_problem(sut, prompt, options)
    if problem is not None:
        raise problem
    if isinstance(prompt, TextPrompt):
        if AcceptsTextPrompt in sut.capabilities:
            return sut.translate_text_prompt(prompt, options)
        return sut.translate_chat_prompt(
            ChatPrompt.model_validate({"messages": [{"text": prompt.text, "role": "USER"}]}),
            options,
        )
    return sut.translate_chat_prompt(prompt, options)


async def _evaluate(sut: PromptResponseSUT[Any, Any], request: Any) -> Any:
    try:
        if inspect.iscoroutinefunction(sut.evaluate):
            return await sut.evaluate(request)
        # A seed-style driver (e.g. with requests) blocks: keep it off the event loop.
        result = await asyncio.to_thread(sut.evaluate, request)
        if inspect.isawaitable(result):
            result = await result
        return result
    except Exception as exc:
        explained = await _explained(sut, exc)
        if explained is None or explained is exc:
            raise
        raise explained from exc


async def _explained(sut: SUT, exc: Exception) -> SUTError | None:
    """The failure with what only this layer knows added to its hint (None: as it is): a key
    the locked keyring kept from being sent, the listed models close to one not found."""
    explained = _unsent_keys_error(sut, exc)
    if explained is None and getattr(sut, "model_source", None) is not None:
        error = classify(exc)  # a seed-style driver's requests.HTTPError 404 too
        if error.kind is ErrorKind.not_found:
            from drivers.model_hints import with_close_models

            explained = await with_close_models(sut, error)
    return explained


def _unsent_keys_error(sut: SUT, exc: Exception) -> SUTError | None:
    """A 401 or 403 of a SUT whose optional key was not sent (the OS keyring could not be
    read: `sut.unsent_keys`) says so as its hint, in place of "the key was rejected"."""
    note = getattr(sut, "unsent_keys", None)
    if not note:
        return None
    error = classify(exc)
    if error.kind not in (ErrorKind.auth, ErrorKind.permission):
        return None
    error.hint = note
    return error


async def respond(sut: SUT, prompt: Prompt, options: SUTOptions) -> SUTResponse:
    """One prompt in, one SUTResponse out."""
    request = translate(sut, prompt, options)
    assert isinstance(sut, PromptResponseSUT)
    response = await _evaluate(sut, request)
    return _finalised(sut.translate_response(request, response), request_notes(request))


def request_notes(request: Any) -> list[str]:
    """What the driver changed in the request for its model (a request's `notes`, if any)."""
    notes = getattr(request, "notes", None)
    return [str(n) for n in notes] if isinstance(notes, list) else []


def _finalised(response: SUTResponse, notes: list[str]) -> SUTResponse:
    """The answer as the layer hands it out: valid Unicode (drivers/unicode_repair.py), known
    secrets masked (a provider may echo a key back, as some test servers and jailbroken models
    do), the finish reason normalised with the provider's word kept, the request's notes
    attached."""
    update: dict[str, Any] = {}
    text, replaced = repair(response.text)
    text = redact(text)
    if text != response.text:
        update["text"] = text
    if response.reasoning:
        reasoning, more = repair(response.reasoning)
        replaced += more
        reasoning = redact(reasoning)
        if reasoning != response.reasoning:
            update["reasoning"] = reasoning
    provider_reason = response.provider_finish_reason
    if provider_reason is None and response.finish_reason is not None:
        provider_reason = repaired(response.finish_reason)
        update["provider_finish_reason"] = provider_reason
        update["finish_reason"] = normalise_finish_reason(provider_reason)
    if response.top_logprobs:
        tops, more = _repaired_tops(response.top_logprobs)
        replaced += more
        if more:
            update["top_logprobs"] = tops
    notes = list(response.notes) or notes
    if replaced:
        notes = [*notes, repair_note(replaced)]
    if notes != response.notes:
        update["notes"] = notes
    return response.model_copy(update=update) if update else response


def _repaired_tops(tops: list[TopTokens]) -> tuple[list[TopTokens], int]:
    """Log-probability tokens made valid Unicode (a byte-level token may be half a character)."""
    replaced = 0
    out = []
    for position in tops:
        fixed = []
        for tok in position.top_tokens:
            token, count = repair(tok.token)
            replaced += count
            fixed.append(tok if not count else tok.model_copy(update={"token": token}))
        out.append(TopTokens(top_tokens=fixed))
    return out, replaced


async def stream(sut: SUT, prompt: Prompt, options: SUTOptions) -> AsyncIterator[SUTStreamChunk]:
    """The answer as chunks: streamed when the SUT streams, else one chunk with all of it.

    The last chunk carries usage and finish reason when the SUT gives them. A stream that
    breaks (SUTError.stream_broke: cut, ended before its end marker, a malformed event, an
    idle timeout) is started again with the retry policy's budget and backoff; the retry is
    reported (drivers/progress.py) and, when chunks had already come, a chunk with
    `restart=True` says that they are void.
    """
    request = translate(sut, prompt, options)
    assert isinstance(sut, PromptResponseSUT)
    notes = request_notes(request)
    if StreamsText not in sut.capabilities:
        response = _finalised(sut.translate_response(request, await _evaluate(sut, request)), notes)
        yield SUTStreamChunk(
            text=response.text,
            reasoning=response.reasoning or "",
            usage=response.usage,
            finish_reason=response.provider_finish_reason or response.finish_reason,
            top_logprobs=response.top_logprobs,
            notes=response.notes,
        )
        return
    if notes:
        yield SUTStreamChunk(notes=notes)
    attempt = 1
    while True:
        sent = False
        try:
            async for chunk in _cleaned_chunks(sut, request, notes):
                sent = True
                yield chunk
            return
        except SUTError as error:
            wait = _restart_delay(sut, error, attempt)
            if wait is None:
                raise
            report_retry(attempt, wait, error, restart=sent)
        if sent:
            yield SUTStreamChunk(restart=True)
        await asyncio.sleep(wait)
        attempt += 1


def _restart_delay(sut: SUT, error: SUTError, attempt: int) -> float | None:
    from drivers.http import transport  # only now: a driver without HTTP never loads it
    from drivers.http.sut import HttpSUT

    if isinstance(sut, HttpSUT):  # its own runtime or retry policy, else the run's
        return sut.http_runtime().retry.restart_delay(error, attempt)
    policy = getattr(sut, "retry", None)
    if not isinstance(policy, transport.RetryPolicy):
        policy = transport.current_runtime().retry
    return policy.restart_delay(error, attempt)


async def _cleaned_chunks(
    sut: PromptResponseSUT[Any, Any], request: Any, notes: list[str]
) -> AsyncIterator[SUTStreamChunk]:
    """The driver's chunks made valid Unicode (a surrogate pair split across chunks joined,
    a lone one replaced and said in the last chunk's notes) with known secrets masked, even a
    key split across chunks (answer and reasoning apart)."""
    answer, thought = StreamRedactor(), StreamRedactor()
    answer_fix, thought_fix = StreamRepair(), StreamRepair()
    said = 0  # replacements already told in a chunk's notes
    async for chunk in _chunks(sut, request):
        last = chunk.finish_reason is not None  # what is held goes with the answer's end
        update: dict[str, Any] = {}
        if chunk.text or chunk.reasoning or last:
            text = answer.feed(answer_fix.feed(chunk.text)) if chunk.text else ""
            reasoning = thought.feed(thought_fix.feed(chunk.reasoning)) if chunk.reasoning else ""
            if last:
                text += answer.feed(answer_fix.flush()) + answer.flush()
                reasoning += thought.feed(thought_fix.flush()) + thought.flush()
            if text != chunk.text or reasoning != chunk.reasoning:
                update.update(text=text, reasoning=reasoning)
        if last and (reason := repaired(chunk.finish_reason or "")) != chunk.finish_reason:
            update["finish_reason"] = reason
        if chunk.top_logprobs:
            tops, replaced = _repaired_tops(chunk.top_logprobs)
            if replaced:
                answer_fix.replaced += replaced
                update["top_logprobs"] = tops
        replaced = answer_fix.replaced + thought_fix.replaced
        if last and replaced > said:
            update["notes"] = [*(chunk.notes or notes), repair_note(replaced)]
            said = replaced
        yield chunk.model_copy(update=update) if update else chunk
    rest_reasoning = thought.feed(thought_fix.flush()) + thought.flush()
    rest = answer.feed(answer_fix.flush()) + answer.flush()
    replaced = answer_fix.replaced + thought_fix.replaced
    if rest or rest_reasoning or replaced > said:
        yield SUTStreamChunk(
            text=rest,
            reasoning=rest_reasoning,
            notes=[*notes, repair_note(replaced)] if replaced > said else [],
        )


async def _chunks(sut: PromptResponseSUT[Any, Any], request: Any) -> AsyncIterator[SUTStreamChunk]:
    try:
        async for chunk in _driver_chunks(sut, request):
            yield chunk
    except Exception as exc:
        explained = await _explained(sut, exc)
        if explained is None or explained is exc:
            raise
        raise explained from exc


async def _driver_chunks(
    sut: PromptResponseSUT[Any, Any], request: Any
) -> AsyncIterator[SUTStreamChunk]:
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
        self.notes: list[str] = []
        """The request's notes: they stay when a broken stream starts again."""
        self.reset()

    def reset(self) -> None:
        """Forget what came (a broken stream starts again)."""
        self.parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self.usage: TokenUsage | None = None
        self.finish_reason: str | None = None
        self.top_logprobs: list[Any] | None = None

    def add(self, chunk: SUTStreamChunk) -> None:
        if chunk.restart:
            self.reset()
            return
        if chunk.text:
            self.parts.append(chunk.text)
        if chunk.reasoning:
            self.reasoning_parts.append(chunk.reasoning)
        if chunk.notes:
            self.notes = list(chunk.notes)
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

    @property
    def reasoning(self) -> str:
        return redact("".join(self.reasoning_parts))

    def build(self) -> SUTResponse:
        return SUTResponse(
            text=self.text,
            reasoning=self.reasoning or None,
            usage=self.usage,
            finish_reason=normalise_finish_reason(self.finish_reason),
            provider_finish_reason=self.finish_reason,
            top_logprobs=self.top_logprobs,
            notes=self.notes,
        )
