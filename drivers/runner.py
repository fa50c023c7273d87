"""Fan-out: one prompt to many SUTs at once, as one stream of events per SUT.

Each SUT runs in its own task, so one SUT's failure, timeout or cancel never touches the others.
Nothing a SUT already produced is lost: a failed or cancelled run carries its partial text.
A SUT's call holds a slot of its driver's concurrency cap (drivers/concurrency.py: the process'
caps, or the run's own `limits`) from start to end; the events between Queued and Started are
that wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from types import EllipsisType

from drivers import concurrency
from drivers.errors import ErrorKind, SUTError, classify
from drivers.invoke import ResponseBuilder, stream
from drivers.options import SUTOptions
from drivers.progress import ON_RETRY
from drivers.prompt import Prompt
from drivers.response import SUTResponse
from drivers.sut import SUT

TIMEOUT_HINT = "raise the timeout, or retry."


@asynccontextmanager
async def within(timeout_s: float | None, hint: str = TIMEOUT_HINT) -> AsyncIterator[None]:
    """A SUT call's time limit (None: none). When it passes, the call is cancelled and a
    SUTError `timeout` raised, `hint` saying what to do (each front end has its own words)."""
    try:
        async with asyncio.timeout(timeout_s):
            yield
    except TimeoutError:
        raise SUTError(
            ErrorKind.timeout,
            f"no complete answer within {timeout_s:g} s",
            phase="total",
            hint=hint,
        ) from None


@dataclass(frozen=True)
class RunTarget:
    """One SUT to run; `key` tells its events apart (two columns may hold the same SUT)."""

    key: str
    sut: SUT
    options: SUTOptions | None = None
    group: str = ""
    """The driver whose concurrency cap the call counts against (none: not capped)."""
    timeout_s: float | EllipsisType | None = ...
    """This SUT's own time limit (None: none); `...`: the fan-out's."""
    prompt: Prompt | None = None
    """This SUT's own prompt (its thread of a conversation); None: the fan-out's."""


@dataclass(frozen=True)
class Timings:
    first_token_s: float | None
    """Time to the first token of the answer (reasoning not counted)."""
    total_s: float
    first_reasoning_s: float | None = None
    """Time to the first token of reasoning, when the model reasoned aloud."""

    def tokens_per_s(self, tokens: int | None) -> float | None:
        """Answer speed after its first token: (tokens - 1) / (total - time to first token);
        give it the answer's tokens (TokenUsage.answer_tokens), not the reasoning's."""
        if not tokens or tokens < 2 or self.first_token_s is None:
            return None
        span = self.total_s - self.first_token_s
        return (tokens - 1) / span if span > 0.001 else None


@dataclass(frozen=True)
class RunEvent:
    key: str


@dataclass(frozen=True)
class Queued(RunEvent):
    pass


@dataclass(frozen=True)
class Started(RunEvent):
    pass


@dataclass(frozen=True)
class FirstToken(RunEvent):
    first_token_s: float


@dataclass(frozen=True)
class FirstReasoning(RunEvent):
    first_reasoning_s: float


@dataclass(frozen=True)
class Chunk(RunEvent):
    text: str


@dataclass(frozen=True)
class ReasoningChunk(RunEvent):
    """Reasoning text, streamed apart from the answer (it comes first, often for long)."""

    text: str


@dataclass(frozen=True)
class Retrying(RunEvent):
    """The call will be tried again after `wait_s` seconds; `attempt` is the one that failed.
    With `restart`, a stream broke after text had come: that text is void, the answer starts
    again (a FirstToken comes again with its first text)."""

    attempt: int
    wait_s: float
    error: SUTError
    restart: bool = False


@dataclass(frozen=True)
class Finished(RunEvent):
    response: SUTResponse
    timings: Timings


@dataclass(frozen=True)
class Failed(RunEvent):
    error: SUTError
    partial_text: str
    timings: Timings
    partial_reasoning: str = ""
    notes: tuple[str, ...] = ()
    """What the driver changed in the request (as SUTResponse.notes)."""


@dataclass(frozen=True)
class Cancelled(RunEvent):
    partial_text: str
    timings: Timings
    partial_reasoning: str = ""
    notes: tuple[str, ...] = ()


TERMINAL = (Finished, Failed, Cancelled)


@dataclass
class FanOut:
    """Run `prompt` (or a target's own) against every target. Iterate `events()`; call
    `cancel(key)` or `cancel_all()` from the same event loop at any time."""

    targets: Sequence[RunTarget]
    prompt: Prompt
    options: SUTOptions = field(default_factory=SUTOptions)
    timeout_s: float | None = None
    limits: Mapping[str, int] | None = None
    """This run's own cap per driver (concurrency.run_limits); None: the caps runs share."""
    _queue: asyncio.Queue[RunEvent] = field(default_factory=asyncio.Queue, init=False)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        keys = [t.key for t in self.targets]
        if len(set(keys)) != len(keys):
            raise ValueError("each RunTarget needs its own key")

    async def events(self) -> AsyncIterator[RunEvent]:
        for target in self.targets:
            self._queue.put_nowait(Queued(target.key))
        # A task copies the context it is made in: the run's own caps reach every call.
        with concurrency.run_limits(self.limits) if self.limits else nullcontext():
            for target in self.targets:
                self._tasks[target.key] = asyncio.create_task(self._run(target))
        remaining = len(self.targets)
        try:
            while remaining:
                event = await self._queue.get()
                if isinstance(event, TERMINAL):
                    remaining -= 1
                yield event
        finally:
            self.cancel_all()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def cancel(self, key: str) -> None:
        task = self._tasks.get(key)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        for key in self._tasks:
            self.cancel(key)

    async def _run(self, target: RunTarget) -> None:
        builder = ResponseBuilder()
        start = time.monotonic()
        first: float | None = None
        first_reasoning: float | None = None

        def timings() -> Timings:
            return Timings(first, time.monotonic() - start, first_reasoning)

        def notes() -> tuple[str, ...]:
            return tuple(builder.notes)

        emit = self._queue.put_nowait

        def on_retry(attempt: int, wait: float, error: SUTError, restart: bool) -> None:
            emit(Retrying(target.key, attempt, wait, error, restart))

        # This task's own listener (a context variable is per task): the transport reports here.
        ON_RETRY.set(on_retry)
        try:
            async with concurrency.hold(target.group):
                start = time.monotonic()
                emit(Started(target.key))
                options = target.options or self.options
                timeout_s = self.timeout_s if target.timeout_s is ... else target.timeout_s
                async with within(timeout_s):
                    prompt = target.prompt or self.prompt
                    async for chunk in stream(target.sut, prompt, options):
                        if chunk.restart:  # reported by Retrying(restart=True) just before
                            first = first_reasoning = None
                        if chunk.reasoning and first_reasoning is None:
                            first_reasoning = time.monotonic() - start
                            emit(FirstReasoning(target.key, first_reasoning))
                        if chunk.text and first is None:
                            first = time.monotonic() - start
                            emit(FirstToken(target.key, first))
                        builder.add(chunk)
                        if chunk.reasoning:
                            emit(ReasoningChunk(target.key, chunk.reasoning))
                        if chunk.text:
                            emit(Chunk(target.key, chunk.text))
            emit(Finished(target.key, builder.build(), timings()))
        except asyncio.CancelledError:
            emit(Cancelled(target.key, builder.text, timings(), builder.reasoning, notes()))
        except Exception as exc:  # one SUT's failure must never touch the others
            error = classify(exc)
            emit(Failed(target.key, error, builder.text, timings(), builder.reasoning, notes()))
