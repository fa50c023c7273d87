"""Per-driver limits: the AIMD window, and a 429 on one driver that does not slow another (the
real loopback provider server, the batch runner in-process)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from drivers.catalog import default_catalog
from drivers.registry import default_registry
from drivers.secret_store import SecretStore
from drivers.transport import HttpRuntime, RetryPolicy, use_runtime
from sutui.batch import prompts, results
from sutui.batch.limits import AdaptiveWindow
from sutui.batch.scheduler import BatchConfig, BatchRunner
from sutui.cli.context import CliContext
from sutui.cli.run_sut import make_targets


async def test_window_halves_once_per_round_trip_and_grows_back() -> None:
    window = AdaptiveWindow(8)
    epochs = [await window.acquire() for _ in range(8)]
    assert window.in_use == 8 and set(epochs) == {0}
    waiter = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    assert window.shrink(epochs[0]) and window.limit == 4
    assert not window.shrink(epochs[1])  # a 429 from a call already in flight counts once
    for _ in range(4):
        window.release()
    await asyncio.sleep(0)
    assert not waiter.done()  # 4 still in use: the halved window is full
    window.release()
    assert await waiter == 1
    for _ in range(40):
        window.grow()
    assert window.limit == 8


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    window = AdaptiveWindow(1)
    await window.acquire()
    waiter = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    window.release()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert window.in_use == 0


def config(tmp_path: Path, uids: list[str], n: int) -> BatchConfig:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"prompt": f"q {i}"}) + "\n" for i in range(n)))
    ctx = CliContext()
    ctx.__dict__.update(
        store=SecretStore(use_keyring=False),
        catalog=default_catalog(),
        registry=default_registry(),
    )
    canonical: dict[str, str] = {}
    targets = make_targets(ctx, tuple(uids), canonical)
    out = results.prepare(tmp_path / "out")
    return BatchConfig(
        targets=targets,
        canonical=canonical,
        source=prompts.scan(path),
        out=out,
        run_id="b",
        concurrency=8,
    )


async def test_a_throttled_driver_does_not_slow_another(
    tmp_path: Path, provider_server: Any
) -> None:
    # A Retry-After (7 s) longer than the transport will wait is raised at once: the batch then
    # pauses that driver for 7 s. The other driver must finish meanwhile.
    throttled = f"m-fault-429:local:openai;url={provider_server.url}/local/v1"
    fine = f"llama3:ollama;url={provider_server.url}/ollama"
    n = 12
    runner = BatchRunner(config(tmp_path, [throttled, fine], n), results.Previous())
    with use_runtime(HttpRuntime(retry=RetryPolicy(max_retry_after=1.0))):
        task = asyncio.create_task(runner.run())  # the task runs in the runtime it started in
    async with asyncio.timeout(8):  # a guard against a hang, not a timing assertion
        while runner.stats[fine].done < n:
            assert not task.done(), task.result()
            await asyncio.sleep(0.02)
    by_driver = {name: limits for name, limits in runner.drivers.items()}
    assert by_driver["openai"].throttled >= 1 and by_driver["openai"].window.shrinks >= 1
    assert by_driver["openai"].window.limit < 8
    assert by_driver["ollama"].throttled == 0 and by_driver["ollama"].window.limit == 8
    assert runner.stats[throttled].done == 0
    runner.stop()
    outcome = await task
    assert outcome.interrupted and outcome.written == n
    openai_requests = [r for r in provider_server.requests if r.flavour == "local"]
    assert 1 <= len(openai_requests) <= 8  # one window's worth at most, then it waits
