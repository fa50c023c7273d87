"""Key-press latency while 8 columns stream 2,000 chunks/s in total: prints figures, asserts
nothing. Goal: < 100 ms.

A fast streaming SUT (driver "bench", registered in-process in the app's own registry) sends
chunks on a clock, so the total rate holds whatever the loop does. The app runs headless
(`run_test`, 200x50) with 8 columns; while they stream, a key is typed into the prompt every
50 ms, and the time from posting the key to the prompt's text holding it is one sample.
Run: `.venv/bin/python bench/app_keys.py [seconds] [chunks_per_s]` (default 8 s, 2000/s).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any

from textual import events
from textual.widgets import TextArea

from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.factory import DynamicSUTFactory
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, TextPrompt
from drivers.registry import DYNAMIC_SUT_FACTORIES, DriverRegistry
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secret_store import SecretStore
from drivers.secrets import InjectSecret
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition
from sutui.app import make_app
from sutui.settings import Settings

COLUMNS = 8
SENT: list[int] = [0]
SPAN: list[float] = []
"""perf_counter of every stream's first and last chunk."""


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class FastSUT(PromptResponseSUT[dict[str, Any], dict[str, Any]]):
    """Streams `rate` chunks per second for `seconds`, in bursts every 5 ms."""

    def __init__(self, uid: str, rate: float, seconds: float):
        super().__init__(uid)
        self.rate, self.seconds = rate, seconds

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> dict[str, Any]:
        return {"text": prompt.text}

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> dict[str, Any]:
        return {"text": prompt.last_user_text}

    async def evaluate(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"text": request["text"]}

    async def evaluate_stream(self, request: dict[str, Any]) -> AsyncIterator[SUTStreamChunk]:
        start, sent = time.perf_counter(), 0
        SPAN.append(start)
        while (now := time.perf_counter() - start) < self.seconds:
            due = int(now * self.rate)
            while sent < due:
                sent += 1
                SENT[0] += 1
                yield SUTStreamChunk(text=f"w{sent % 97} ")
            await asyncio.sleep(0.005)
        SPAN.append(time.perf_counter())
        yield SUTStreamChunk(usage=TokenUsage(prompt_tokens=1, completion_tokens=sent))

    def translate_response(self, request: dict[str, Any], response: dict[str, Any]) -> SUTResponse:
        return SUTResponse(text=str(response["text"]))


class FastFactory(DynamicSUTFactory):
    DESCRIPTION = "bench: a fast streaming SUT"
    STREAMS = True
    rate = 250.0
    seconds = 8.0

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return []

    def make_sut(self, sut_definition: SUTDefinition) -> FastSUT:
        return FastSUT(sut_definition.uid, self.rate, self.seconds)


async def main(seconds: float, total_rate: float) -> None:
    # The runs this bench sends are saved in a history of its own, not the user's.
    os.environ["SUTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="sutui-bench-")
    FastFactory.rate, FastFactory.seconds = total_rate / COLUMNS, seconds
    registry = DriverRegistry(
        builtins={**DYNAMIC_SUT_FACTORIES, "bench": FastFactory}, group="sutui.bench.none"
    )
    app = make_app(
        store=SecretStore(environ={}, search_file=False, use_keyring=False),
        registry=registry,
        settings=Settings(show_timings=True),
        suts=[f"fast{i}:bench" for i in range(COLUMNS)],
    )
    latencies: list[float] = []
    streaming: list[bool] = []
    """Per key press: were all 8 columns still streaming when it was answered?"""
    async with app.run_test(size=(200, 50)) as pilot:
        while app.compare.editor.prompt is None:  # the first frame's stand-in, until it goes
            await pilot.pause(0.01)
        prompt = app.compare.query_one("#prompt", TextArea)
        prompt.text = "go"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)  # every column streaming
        started, sent_before = time.perf_counter(), SENT[0]
        while time.perf_counter() - started < seconds - 0.6:
            before = prompt.text
            t0 = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            while prompt.text == before:
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - t0)
            streaming.append(all(c.status == "streaming" for c in app.compare.columns))
            await asyncio.sleep(0.05)
        window = time.perf_counter() - started
        in_window = SENT[0] - sent_before
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = sum(len(c.text.split()) for c in app.compare.columns)
    ms = sorted(x * 1000 for x in latencies)
    during = sorted(x * 1000 for x, s in zip(latencies, streaming, strict=True) if s)
    ending = sorted(x * 1000 for x, s in zip(latencies, streaming, strict=True) if not s)
    p95 = ms[int(len(ms) * 0.95) - 1]
    span = max(SPAN) - min(SPAN)
    print(
        f"{COLUMNS} columns streamed {SENT[0]} chunks in {span:.1f} s: {SENT[0] / span:.0f} "
        f"chunks/s in total; {in_window} of them in the {window:.1f} s of key presses"
    )
    print(
        f"key presses: {len(ms)}; latency median {statistics.median(ms):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (goal < 100 ms)"
    )
    if during:
        print(
            f"  {len(during)} while all 8 streamed: median {statistics.median(during):.1f} ms, "
            f"max {during[-1]:.1f} ms"
        )
    if ending:
        print(f"  {len(ending)} as the columns finished: max {ending[-1]:.1f} ms")
    print(f"chunks shown at the end: {shown} of {SENT[0]} sent")  # fmt: skip


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 2000.0
    asyncio.run(main(seconds, rate))
