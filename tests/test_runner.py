"""The fan-out runner: concurrency, events, cancel, timeouts, isolation of failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from drivers import (
    AcceptsTextPrompt,
    PromptResponseSUT,
    StreamsText,
    SUTResponse,
    SUTStreamChunk,
    TextPrompt,
    make_sut,
    modelgauge_sut,
)
from drivers.errors import ErrorKind
from drivers.runner import (
    Cancelled,
    Chunk,
    Failed,
    FanOut,
    Finished,
    FirstToken,
    Queued,
    RunEvent,
    RunTarget,
    Started,
)


@modelgauge_sut(capabilities=[AcceptsTextPrompt, StreamsText])
class Scripted(PromptResponseSUT[str, str]):
    """Streams `words` with `pause` between them, then maybe raises."""

    def __init__(
        self, uid: str, words: list[str], pause: float = 0.0, boom: Exception | None = None
    ):
        super().__init__(uid)
        self.words, self.pause, self.boom = words, pause, boom

    def translate_text_prompt(self, prompt: TextPrompt, options: object) -> str:
        return prompt.text

    async def evaluate(self, request: str) -> str:
        return " ".join(self.words)

    async def evaluate_stream(self, request: str) -> AsyncIterator[SUTStreamChunk]:
        for word in self.words:
            await asyncio.sleep(self.pause)
            yield SUTStreamChunk(text=word)
        if self.boom:
            raise self.boom
        yield SUTStreamChunk(finish_reason="stop")

    def translate_response(self, request: str, response: str) -> SUTResponse:
        return SUTResponse(text=response)


async def collect(fan: FanOut) -> list[RunEvent]:
    return [e async for e in fan.events()]


def of(events: list[RunEvent], key: str, kind: type) -> list[RunEvent]:
    return [e for e in events if e.key == key and isinstance(e, kind)]


async def test_events_in_order_for_each_sut() -> None:
    fan = FanOut(
        [RunTarget("a", Scripted("a", ["x", "y"])), RunTarget("b", Scripted("b", ["z"]))],
        TextPrompt(text="hi"),
    )
    events = await collect(fan)
    for key, text in (("a", "xy"), ("b", "z")):
        kinds = [type(e) for e in events if e.key == key]
        assert kinds[0] is Queued and kinds[1] is Started and kinds[2] is FirstToken
        assert kinds[-1] is Finished
        (done,) = of(events, key, Finished)
        assert done.response.text == text
        assert done.response.finish_reason == "stop"
        assert "".join(c.text for c in of(events, key, Chunk)) == text


async def test_suts_run_concurrently() -> None:
    targets = [RunTarget(str(i), Scripted(str(i), ["w"], pause=0.2)) for i in range(20)]
    start = time.monotonic()
    events = await collect(FanOut(targets, TextPrompt(text="hi")))
    # 20 SUTs of 0.2 s each: together they take about one, not twenty (a loose bound).
    assert time.monotonic() - start < 2.0
    assert len([e for e in events if isinstance(e, Finished)]) == 20


async def test_one_failure_does_not_touch_the_others() -> None:
    fan = FanOut(
        [
            RunTarget("bad", Scripted("bad", ["half"], boom=RuntimeError("kaput"))),
            RunTarget("good", Scripted("good", ["fine"], pause=0.05)),
        ],
        TextPrompt(text="hi"),
    )
    events = await collect(fan)
    (failed,) = of(events, "bad", Failed)
    assert failed.error.kind is ErrorKind.internal
    assert "kaput" in failed.error.message
    assert failed.partial_text == "half"
    assert of(events, "good", Finished)


async def test_cancel_one_keeps_partial_text_and_others_finish() -> None:
    fan = FanOut(
        [
            RunTarget("slow", Scripted("slow", ["a", "b", "c", "d"], pause=0.05)),
            RunTarget("other", Scripted("other", ["x", "y"], pause=0.05)),
        ],
        TextPrompt(text="hi"),
    )
    events: list[RunEvent] = []
    async for event in fan.events():
        events.append(event)
        if isinstance(event, Chunk) and event.key == "slow" and event.text == "b":
            fan.cancel("slow")
    (cancelled,) = of(events, "slow", Cancelled)
    assert cancelled.partial_text == "ab"
    assert of(events, "other", Finished)


async def test_cancel_all() -> None:
    fan = FanOut(
        [RunTarget(k, Scripted(k, ["a"] * 50, pause=0.02)) for k in "xyz"], TextPrompt(text="hi")
    )
    events: list[RunEvent] = []
    async for event in fan.events():
        events.append(event)
        if isinstance(event, FirstToken):
            fan.cancel_all()
    assert {e.key for e in events if isinstance(e, Cancelled)} == {"x", "y", "z"}


async def test_per_sut_timeout_is_a_classified_error() -> None:
    fan = FanOut(
        [
            RunTarget("stall", Scripted("stall", ["a", "b"], pause=5)),
            RunTarget("quick", Scripted("quick", ["ok"])),
        ],
        TextPrompt(text="hi"),
        timeout_s=0.2,
    )
    events = await asyncio.wait_for(collect(fan), 3)
    (failed,) = of(events, "stall", Failed)
    assert failed.error.kind is ErrorKind.timeout
    assert failed.error.phase == "total"
    assert of(events, "quick", Finished)


async def test_concurrency_cap_per_group_queues_the_rest() -> None:
    targets = [RunTarget(str(i), Scripted(str(i), ["w"], pause=0.1), group="g") for i in range(4)]
    fan = FanOut(targets, TextPrompt(text="hi"), limits={"g": 2})
    events = await collect(fan)
    started = [e.key for e in events if isinstance(e, Started)]
    first_done = next(i for i, e in enumerate(events) if isinstance(e, Finished))
    early = [e for e in events[:first_done] if isinstance(e, Started)]
    assert len(started) == 4 and len(early) == 2


async def test_demo_suts_through_the_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    targets = [
        RunTarget(u, make_sut(u, {}))
        for u in ("demo_yes_no", "demo_always_angry", "demo_always_sorry", "demo_echo")
    ]
    events = await collect(FanOut(targets, TextPrompt(text="one two three four")))
    texts = {e.key: e.response.text for e in events if isinstance(e, Finished)}
    assert texts == {
        "demo_yes_no": "Yes",
        "demo_always_angry": "I hate you!",
        "demo_always_sorry": "Sorry, I can't help with that.",
        "demo_echo": "one two three four",
    }


def test_duplicate_keys_are_refused() -> None:
    sut = Scripted("a", ["x"])
    with pytest.raises(ValueError, match="own key"):
        FanOut([RunTarget("a", sut), RunTarget("a", sut)], TextPrompt(text="hi"))


@modelgauge_sut(capabilities=[AcceptsTextPrompt, StreamsText])
class UnreadErrorStream(PromptResponseSUT[str, str]):
    """Raises httpx's status error on a streamed response whose body was never read."""

    def translate_text_prompt(self, prompt: TextPrompt, options: object) -> str:
        return prompt.text

    async def evaluate(self, request: str) -> str:
        return ""

    async def evaluate_stream(self, request: str) -> AsyncIterator[SUTStreamChunk]:
        import httpx

        async def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(401, stream=httpx.ByteStream(b"no"))

        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client,
            client.stream("POST", "http://h/x") as response,
        ):
            response.raise_for_status()
        yield SUTStreamChunk(text="never")

    def translate_response(self, request: str, response: str) -> SUTResponse:
        return SUTResponse(text=response)


async def test_an_unreadable_streamed_error_still_ends_the_run() -> None:
    fan = FanOut([RunTarget("x", UnreadErrorStream("x"))], TextPrompt(text="hi"))
    events = await asyncio.wait_for(collect(fan), 5)
    (failed,) = of(events, "x", Failed)
    assert failed.error.kind is ErrorKind.auth
