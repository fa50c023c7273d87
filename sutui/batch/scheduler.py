"""The batch runner: every prompt of a file on every SUT, through the driver layer.

Each SUT has its own feeder reading the prompt file; a feeder waits for a slot of its driver's
window (limits.DriverLimits), then of the total `--concurrency`, then starts one task for one
prompt. So at most `concurrency` prompts are in memory, whatever the file's size, and a
throttled driver holds no slot that another driver could use. A task calls `invoke.respond`
(one non-streamed request: cheaper in client CPU than the streaming runner, which a batch does
not need) and appends its record to results.jsonl as soon as it has it.

429s are seen through `drivers.progress.ON_RETRY` (each retry the transport makes) and in the
final error: either halves that driver's window. A call that still ends rate-limited is tried
again here (RATE_LIMIT_TRIES) after the provider's Retry-After; other failures are written as
failed records, which a later run of the same command sends again.

A record that cannot be written (a full disk) stops the whole batch (Outcome.problem): every
record before it is kept, and the same command resumes once there is room. The cache's and the
closing rewrite's failures stop nothing: they are Outcome.notes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drivers import concurrency
from drivers.errors import ErrorKind, SUTError, classify
from drivers.invoke import respond
from drivers.options import SUTOptions
from drivers.progress import ON_RETRY
from drivers.prompt import Prompt
from drivers.runner import Failed, Finished, RunTarget, Timings, within
from sutui.batch import messages as chat
from sutui.batch.cache import ResponseCache
from sutui.batch.keys import cache_key, options_json, task_key
from sutui.batch.limits import AdaptiveWindow, DriverLimits
from sutui.batch.progress import SUTProgress
from sutui.batch.prompts import PromptRow, PromptSource
from sutui.batch.results import Previous, ResultsWriteError, ResultsWriter, drop_superseded
from sutui.records import now_iso, options_dict, record_from_event
from sutui.timeouts import DEFAULT_TIMEOUT_S

RATE_LIMIT_TRIES = 3
"""Tries of one prompt x SUT that ends in a 429 (each try has the transport's own retries)."""
YIELD_EVERY = 256
"""A feeder skipping done or cached prompts lets the loop run this often."""
BATCH_TIMEOUT_HINT = "raise --timeout, or run the same command again to retry."


@dataclass
class BatchConfig:
    targets: Sequence[RunTarget]
    canonical: dict[str, str]
    """Each target key's canonical UID (the cache key)."""
    source: PromptSource
    out: Path
    run_id: str
    options: SUTOptions = field(default_factory=SUTOptions)
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    concurrency: int = 32
    per_driver: int | None = None
    """Each driver's window ceiling (default: `concurrency`)."""
    rps: float | None = None
    """Requests per second per driver."""
    cache: ResponseCache | None = None


@dataclass
class Outcome:
    written: int
    failed: int
    interrupted: bool
    dropped: int = 0
    problem: str | None = None
    """Why the batch stopped before its end (a record could not be written)."""
    notes: list[str] = field(default_factory=list)
    """What went wrong without stopping it (the cache could not be written...)."""


class BatchRunner:
    """`await run()` once. `progress()` may be called at any time from the same loop;
    `stop()` from any thread."""

    def __init__(
        self,
        config: BatchConfig,
        previous: Previous,
        on_progress: Callable[[list[SUTProgress]], None] | None = None,
    ):
        self.config = config
        self.previous = previous
        self.on_progress = on_progress
        self.options_dict = options_dict(config.options)
        self.options_key = options_json(self.options_dict)
        ceiling = config.per_driver or config.concurrency
        self.drivers: dict[str, DriverLimits] = {}
        for target in config.targets:
            if target.group not in self.drivers:
                self.drivers[target.group] = DriverLimits.make(target.group, ceiling, config.rps)
        self.stats = {
            t.key: SUTProgress(t.key, t.group, config.source.count) for t in config.targets
        }
        self._total = AdaptiveWindow(config.concurrency)  # a fixed size: never shrunk
        self._replaced: set[bytes] = set()
        self._writer: ResultsWriter | None = None
        self._main: asyncio.Task[Outcome] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failed = 0
        self._stopping = False

    # ----- control ---------------------------------------------------------------------------
    def progress(self) -> list[SUTProgress]:
        for p in self.stats.values():
            p.limit = self.drivers[p.driver].window.limit
        return [p.copy() for p in self.stats.values()]

    def stop(self) -> None:
        """Stop soon, from any thread: calls in flight are abandoned (they run again next
        time); everything already written stays. Before `run()` starts, it never starts."""
        self._stopping = True
        loop, main = self._loop, self._main
        if loop is not None and main is not None and not loop.is_closed():
            loop.call_soon_threadsafe(main.cancel)

    async def run(self) -> Outcome:
        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        if self._stopping:
            return Outcome(0, 0, interrupted=True)
        with concurrency.run_limits(self.driver_caps()):
            return await self._run()

    async def _run(self) -> Outcome:
        out = self.config.out
        start = time.monotonic()
        for p in self.stats.values():
            p.started = start  # the rate counts from here, not from when the runner was made
        writer = self._writer = ResultsWriter(out)
        ticker = asyncio.create_task(self._tick()) if self.on_progress else None
        interrupted = False
        problem: str | None = None
        workers: list[asyncio.Task[None]] = []
        try:
            width = min(self.config.per_driver or self.config.concurrency, self.config.source.count)
            # One reader per SUT, shared by its workers; workers started in turn across the
            # SUTs, so the first slots are shared evenly between them.
            readers = [self.config.source.rows() for _ in self.config.targets]
            for _ in range(max(1, width)):
                for index, target in enumerate(self.config.targets):
                    workers.append(asyncio.create_task(self._worker(index, target, readers[index])))
            try:
                await asyncio.gather(*workers)
            except asyncio.CancelledError:
                interrupted = True
                current = asyncio.current_task()
                if current is not None:
                    current.uncancel()  # a stop is this run's normal end: the caller goes on
                await self._cancel(workers)
            except ResultsWriteError as exc:  # a full disk: stop here, resumable
                problem = str(exc)
                await self._cancel(workers)
        finally:
            if ticker is not None:
                ticker.cancel()
            writer.close()
            if self.config.cache is not None:
                self.config.cache.close()
            now = time.monotonic()
            for p in self.stats.values():
                p.finished = p.finished or now
            if self.on_progress:
                self.on_progress(self.progress())
        notes = []
        cache = self.config.cache
        if cache is not None and cache.problem is not None:
            notes.append(cache.problem)
        dropped = 0
        if not interrupted and problem is None:
            try:
                dropped = drop_superseded(out, self._replaced, writer.start_size)
            except ResultsWriteError as exc:
                notes.append(str(exc))
        return Outcome(writer.written, self.failed, interrupted, dropped, problem, notes)

    async def _cancel(self, workers: list[asyncio.Task[None]]) -> None:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    def driver_caps(self) -> dict[str, int]:
        """The driver layer caps each driver (drivers.concurrency, 64 by default); a batch's own
        window is the limit, so this run's cap per driver is at least that window: the run's
        own (`concurrency.run_limits`), the caps other runs share left as they are."""
        ceiling = self.config.per_driver or self.config.concurrency
        return {name: max(concurrency.concurrency_limit(name), ceiling) for name in self.drivers}

    async def _tick(self) -> None:
        assert self.on_progress is not None
        while True:
            self.on_progress(self.progress())
            await asyncio.sleep(0.25)

    # ----- feeding ---------------------------------------------------------------------------
    async def _next(
        self, index: int, target: RunTarget, rows: Iterator[PromptRow]
    ) -> tuple[PromptRow, bytes] | None:
        """The next prompt this SUT must send (None at the end of the file); prompts done
        before are counted, cached answers written, on the way."""
        stats = self.stats[target.key]
        cache = self.config.cache
        for seen, row in enumerate(rows, start=1):
            conversation = row.conversation
            key = task_key(
                row.id, target.key, row.prompt, row.system, self.options_key, conversation
            )
            hit = None
            if key in self.previous.done:
                stats.before += 1
            elif cache is not None:
                uid = self.config.canonical.get(target.key, target.key)
                hit = cache.get(
                    cache_key(uid, row.prompt, row.system, self.options_key, conversation)
                )
                if hit is None:
                    return row, key
                event = Finished(target.key, hit.response, hit.timings)
                self._write(index, target, row, key, event, now_iso(), cached=True)
                stats.done += 1
                stats.cached += 1
                stats.counted()
            else:
                return row, key
            if seen % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a long run of skipped lines lets the loop breathe
        return None

    async def _worker(self, index: int, target: RunTarget, rows: Iterator[PromptRow]) -> None:
        """One of this SUT's workers: the next prompt, a slot of its driver, a slot of the
        total, the call. A loop rather than a task per prompt: cheaper, and memory stays at
        one prompt per worker whatever the file's size."""
        limits = self.drivers[target.group]
        stats = self.stats[target.key]
        epoch = 0

        def on_retry(attempt: int, wait: float, error: SUTError, restart: bool) -> None:
            stats.retries += 1
            if error.kind is ErrorKind.rate_limited or error.status == 429:
                limits.on_throttle(epoch, error.retry_after)

        ON_RETRY.set(on_retry)  # this task's own listener: the transport reports here
        while (item := await self._next(index, target, rows)) is not None:
            row, key = item
            epoch = await limits.acquire()
            try:
                await self._total.acquire()
            except BaseException:
                limits.release(ok=False)
                raise
            epoch = await self._one(index, target, row, key, epoch)

    async def _one(
        self, index: int, target: RunTarget, row: PromptRow, key: bytes, epoch: int
    ) -> int:
        """One prompt on one SUT, holding a driver slot and a total slot (both released
        here); returns the epoch of the slot it last held."""
        limits = self.drivers[target.group]
        stats = self.stats[target.key]
        holding = holding_total = True
        ok = False
        try:
            prompt = row.to_prompt()
            for attempt in range(1, RATE_LIMIT_TRIES + 1):
                started_at = now_iso()
                event = await self._call(target, prompt)
                limited = isinstance(event, Failed) and (
                    event.error.kind is ErrorKind.rate_limited or event.error.status == 429
                )
                if not limited or attempt == RATE_LIMIT_TRIES:
                    break
                assert isinstance(event, Failed)
                stats.retries += 1
                limits.on_throttle(epoch, event.error.retry_after or 1.0)
                # Wait for the pause holding no slot, so the other drivers go on meanwhile.
                limits.release(ok=False)
                self._total.release()
                holding = holding_total = False
                epoch = await limits.acquire()
                holding = True
                await self._total.acquire()
                holding_total = True
            ok = isinstance(event, Finished)
            self._write(index, target, row, key, event, started_at)
            if ok:
                stats.done += 1
                if self.config.cache is not None:
                    assert isinstance(event, Finished)
                    uid = self.config.canonical.get(target.key, target.key)
                    self.config.cache.put(
                        cache_key(uid, row.prompt, row.system, self.options_key, row.conversation),
                        event.response,
                        event.timings,
                    )
            else:
                stats.errors += 1
                self.failed += 1
            stats.counted()
        finally:
            if holding_total:
                self._total.release()
            if holding:
                limits.release(ok)
        return epoch

    async def _call(self, target: RunTarget, prompt: Prompt) -> Finished | Failed:
        start = time.monotonic()
        try:
            async with within(self.config.timeout_s, BATCH_TIMEOUT_HINT):
                response = await respond(target.sut, prompt, self.config.options)
        except Exception as exc:  # one call's failure is a failed record, never the batch's
            return Failed(target.key, classify(exc), "", Timings(None, time.monotonic() - start))
        return Finished(target.key, response, Timings(None, time.monotonic() - start))

    def _write(
        self,
        index: int,
        target: RunTarget,
        row: PromptRow,
        key: bytes,
        event: Finished | Failed,
        started_at: str,
        cached: bool = False,
    ) -> None:
        record = record_from_event(
            event,
            sut=target.key,
            uid=self.config.canonical.get(target.key),
            prompt=row.prompt,
            system=row.system,
            messages=None if row.messages is None else chat.as_dicts(row.messages),
            options=self.config.options,
            index=index,
            run_id=self.config.run_id,
            prompt_id=row.id,
            started_at=started_at,
            cached=cached,
        )
        assert self._writer is not None
        self._writer.write(record.to_json())
        if key in self.previous.failed:
            self._replaced.add(key)
