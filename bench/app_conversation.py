"""A long conversation: 8 columns x 50 turns x 2 KB answers, then one more turn streaming in
all 8. Prints figures, asserts nothing. Goals: key-press latency p95 < 100 ms while the turn
streams, scrolling a column smooth, RSS < 250 MB, reopening the conversation from the history
< 0.5 s.

The SUT (driver "bench", registered in-process) answers a "fill" question with 2,000 characters
at once (to build the 50 turns fast) and any other question by streaming `rate` chunks per
second for `seconds`. The app runs headless (`run_test`, 200x50). While turn 51 streams, a key
is typed into the prompt every 50 ms (time to the prompt holding it), and page-up/page-down is
pressed in a column every 100 ms (time to the column's scroll position changing).
Run: `.venv/bin/python bench/app_conversation.py [turns] [seconds]` (default 50 turns, 6 s).
"""

from __future__ import annotations

import asyncio
import os
import resource
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
ANSWER = ("lorem ipsum dolor sit amet consectetur " * 60)[:2000]
RATE = 250.0
"""Chunks per second per column while the last turn streams."""


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class TalkSUT(PromptResponseSUT[dict[str, Any], dict[str, Any]]):
    seconds = 6.0

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> dict[str, Any]:
        return {"text": prompt.text, "turns": 1}

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> dict[str, Any]:
        return {"text": prompt.last_user_text, "turns": len(prompt.messages)}

    async def evaluate(self, request: dict[str, Any]) -> dict[str, Any]:
        return request

    async def evaluate_stream(self, request: dict[str, Any]) -> AsyncIterator[SUTStreamChunk]:
        if request["text"].startswith("fill"):
            yield SUTStreamChunk(text=ANSWER)
            yield SUTStreamChunk(usage=TokenUsage(prompt_tokens=request["turns"] * 500,
                                                  completion_tokens=500))  # fmt: skip
            return
        start, sent = time.perf_counter(), 0
        while (now := time.perf_counter() - start) < self.seconds:
            while sent < int(now * RATE):
                sent += 1
                yield SUTStreamChunk(text=f"w{sent % 97} ")
            await asyncio.sleep(0.005)
        yield SUTStreamChunk(usage=TokenUsage(prompt_tokens=1, completion_tokens=sent))

    def translate_response(self, request: dict[str, Any], response: dict[str, Any]) -> SUTResponse:
        return SUTResponse(text=str(response["text"]))


class TalkFactory(DynamicSUTFactory):
    DESCRIPTION = "bench: a SUT for long conversations"
    STREAMS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return []

    def make_sut(self, sut_definition: SUTDefinition) -> TalkSUT:
        return TalkSUT(sut_definition.uid)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


async def main(turns: int, seconds: float) -> None:
    os.environ["SUTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="sutui-bench-")
    TalkSUT.seconds = seconds
    registry = DriverRegistry(
        builtins={**DYNAMIC_SUT_FACTORIES, "bench": TalkFactory}, group="sutui.bench.none"
    )
    app = make_app(
        store=SecretStore(environ={}, search_file=False, use_keyring=False),
        registry=registry,
        settings=Settings(show_timings=True),
        suts=[f"talk{i}:bench" for i in range(COLUMNS)],
    )
    keys: list[float] = []
    scrolls: list[float] = []
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.compare
        while screen.editor.prompt is None:  # the first frame's stand-in, until it goes
            await pilot.pause(0.01)
        prompt = screen.query_one("#prompt", TextArea)
        built = time.perf_counter()
        for number in range(turns):
            prompt.text = f"fill {number}"
            await pilot.press("ctrl+s")
            while any(c.running for c in screen.columns) or prompt.text:
                await asyncio.sleep(0.002)
        await pilot.pause()
        built = time.perf_counter() - built
        rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        prompt.text = "stream"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        column = screen.columns[0]
        started, presses = time.perf_counter(), 0
        while time.perf_counter() - started < seconds - 0.8:
            before = prompt.text
            t0 = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            while prompt.text == before:
                await asyncio.sleep(0.0005)
            keys.append(time.perf_counter() - t0)
            presses += 1
            if presses % 2 == 0:  # every 100 ms: a page up or down in the first column
                body = column.answer
                before_y = body.scroll_y
                t0 = time.perf_counter()
                body.scroll_page_up() if presses % 4 else body.scroll_page_down()
                waited = 0
                while body.scroll_y == before_y and waited < 400:
                    await asyncio.sleep(0.0005)
                    waited += 1
                scrolls.append(time.perf_counter() - t0)
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        past = [c.answer.past_turns for c in screen.columns]
        run_id = screen.recording.run_id
        reopen_s = [await reopen(pilot, run_id, turns + 1) for _ in range(5)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ms = [k * 1000 for k in keys]
    scroll_ms = [s * 1000 for s in scrolls]
    per_turn = built / max(turns, 1) * 1000
    print(f"{COLUMNS} columns x {turns} turns x {len(ANSWER)} characters built in {built:.1f} s "
          f"({per_turn:.0f} ms a turn); earlier turns per column: {past[0]}")  # fmt: skip
    print(f"key presses while turn {turns + 1} streamed in all {COLUMNS}: {len(ms)}; latency "
          f"median {statistics.median(ms):.1f} ms, p95 {p95(ms):.1f} ms, max {max(ms):.1f} ms "
          "(goal p95 < 100 ms)")  # fmt: skip
    if scroll_ms:
        print(f"page up/down in a column: {len(scroll_ms)}; median "
              f"{statistics.median(scroll_ms):.1f} ms, p95 {p95(scroll_ms):.1f} ms")  # fmt: skip
    print(f"peak RSS: {rss_built:.0f} MB after the {turns} turns, {rss:.0f} MB at the end "
          "(goal < 250 MB)")  # fmt: skip
    print(f"reopening the {turns + 1}-turn conversation from the history (read, resumed, "
          f"{COLUMNS} columns drawn with their latest turns), 5 times: median "
          f"{statistics.median(reopen_s) * 1000:.0f} ms, max {max(reopen_s) * 1000:.0f} ms "
          "(goal < 500 ms)")  # fmt: skip


async def reopen(pilot: Any, run_id: int | None, turns: int) -> float:
    """The history's t on the conversation just built: from reading it to the columns drawn
    with every earlier turn (the screen's own conversation cleared first, so nothing asks)."""
    from sutui.history.store import HistoryStore
    from sutui.history.threads import resume
    from sutui.messages import ContinueConversation

    assert run_id is not None, "the bench's history was not saved"
    app, screen = pilot.app, pilot.app.compare
    await pilot.press("ctrl+f")
    await pilot.pause()
    started = time.perf_counter()
    with HistoryStore() as store:
        branch = store.conversation(run_id, messages=False) or []  # as the history's t
    app.post_message(ContinueConversation(run_id, resume(branch)))
    while not (
        len(screen.columns) == COLUMNS
        and all(c.is_mounted and c.answer.past_turns == turns for c in screen.columns)
    ):
        await asyncio.sleep(0.001)
    await pilot.pause()  # laid out and painted
    return time.perf_counter() - started


if __name__ == "__main__":
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
    asyncio.run(main(turns, seconds))
