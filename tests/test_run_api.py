"""The run API that the compare screen, `run-sut` and `batch` share (drivers/)."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.prompt import ChatPrompt, ChatRole, TextPrompt, make_prompt, prompt_parts


@pytest.mark.parametrize("system", [None, "", "  \n"])
def test_no_system_prompt_is_a_text_prompt(system: str | None) -> None:
    assert make_prompt("hi", system) == TextPrompt(text="hi")


def test_a_system_prompt_makes_a_chat_prompt_system_first() -> None:
    prompt = make_prompt("hi", "be brief")
    assert isinstance(prompt, ChatPrompt)
    assert [(m.role, m.text) for m in prompt.messages] == [
        (ChatRole.system, "be brief"),
        (ChatRole.user, "hi"),
    ]
    assert prompt_parts(prompt) == ("hi", "be brief")
    assert prompt_parts(make_prompt("hi")) == ("hi", None)


def test_every_front_end_builds_its_prompt_with_make_prompt() -> None:
    from sutui.batch.prompts import PromptRow

    row = PromptRow(1, "a", "hi", "be brief")
    assert row.to_prompt() == make_prompt("hi", "be brief")
    assert PromptRow(2, "b", "hi").to_prompt() == TextPrompt(text="hi")


def test_repeated_uids_are_named_once_the_same_way() -> None:
    from drivers.run_plan import run_keys

    assert run_keys(["a", "b", "a", "a"]) == ["a", "b", "a#2", "a#3"]


def test_prepare_returns_every_problem_as_data() -> None:
    from drivers.catalog import default_catalog
    from drivers.registry import default_registry
    from drivers.run_plan import prepare

    uids = ["demo_yes_no", "gpt-4o:openai", "x:nosuchdriver", "demo_yes_no"]
    prepared = prepare(uids, {}, default_catalog(), default_registry())
    assert [t.key for t in prepared.targets] == ["demo_yes_no", "demo_yes_no#2"]
    assert [(p.uid, p.kind) for p in prepared.problems] == [
        ("gpt-4o:openai", "secrets"),
        ("x:nosuchdriver", "uid"),
    ]
    secrets, bad_uid = prepared.problems
    assert [(d.scope, d.key) for d in secrets.missing] == [("openai", "api_key")]
    assert prepared.missing == [("gpt-4o:openai", secrets.exc)]
    assert "nosuchdriver" in bad_uid.message
    error = bad_uid.error("fix it")
    assert (error.kind.value, error.hint) == ("config", "fix it")


def test_prepare_with_a_prompt_names_a_sut_that_cannot_take_it() -> None:
    from drivers.catalog import default_catalog
    from drivers.options import SUTOptions
    from drivers.registry import default_registry
    from drivers.run_plan import prepare

    prepared = prepare(
        ["demo_yes_no"],
        {},
        default_catalog(),
        default_registry(),
        prompt=make_prompt("hi"),
        options=SUTOptions(top_logprobs=2),
        fix="drop --top-logprobs",
    )
    assert prepared.targets == []
    (problem,) = prepared.problems
    assert problem.kind == "capability"
    assert problem.message.endswith("drop --top-logprobs")


async def test_one_timeout_wrapper_makes_the_timeout_error() -> None:
    import asyncio

    from drivers.errors import ErrorKind, SUTError
    from drivers.runner import TIMEOUT_HINT, within

    with pytest.raises(SUTError) as caught:
        async with within(0.01):
            await asyncio.sleep(1)
    error = caught.value
    assert (error.kind, error.message, error.phase) == (
        ErrorKind.timeout,
        "no complete answer within 0.01 s",
        "total",
    )
    assert error.hint == TIMEOUT_HINT
    with pytest.raises(SUTError) as caught:
        async with within(0.01, "raise --timeout"):
            await asyncio.sleep(1)
    assert caught.value.hint == "raise --timeout"
    async with within(None):  # no limit
        await asyncio.sleep(0)


def test_column_status_is_one_enum_with_its_mark_and_words() -> None:
    from sutui.widgets.column_status import ColumnStatus

    assert ColumnStatus.waiting.words == "waiting for first token"
    assert f"-{ColumnStatus.streaming}" == "-streaming"  # the status line's class
    assert ColumnStatus.done.icon == "✓" and ColumnStatus.error.icon == "✗"
    running = {s for s in ColumnStatus if s.running}
    assert running == {"queued", "connecting", "waiting", "streaming", "retrying"}
    assert {s for s in ColumnStatus if s.before_start} == {"queued", "connecting"}


def test_figures_are_worded_once() -> None:
    from drivers.runner import Timings
    from sutui.run_figures import answer_speed, seconds, tokens

    assert tokens(None, 3) == "tokens ? in / 3 out"
    assert seconds(0.054) == "0.05 s"
    timings = Timings(first_token_s=1.0, total_s=2.0)
    assert answer_speed(timings, 13, 2) == "10 answer tok/s"  # the answer's 11 tokens
    assert answer_speed(timings, 13, None, reasoned=True) is None  # reasoning, not counted
    assert answer_speed(timings, None, None) is None


async def test_a_run_owns_its_driver_caps_and_leaves_the_shared_ones() -> None:
    import asyncio

    from drivers import concurrency

    shared = concurrency.driver_semaphore("demo-x")
    with concurrency.run_limits({"demo-x": 3}):
        own = concurrency.driver_semaphore("demo-x")
        assert own is not shared and own._value == 3
        assert await asyncio.create_task(_semaphore("demo-x")) is own  # tasks the run starts
        assert concurrency.driver_semaphore("demo-y") is concurrency.driver_semaphore("demo-y")
        assert concurrency.concurrency_limit("demo-x") == concurrency.DEFAULT_CONCURRENCY
    assert concurrency.driver_semaphore("demo-x") is shared
    with pytest.raises(ValueError), concurrency.run_limits({"demo-x": 0}):
        pass


async def _semaphore(key: str) -> object:
    from drivers import concurrency

    return concurrency.driver_semaphore(key)


def test_the_recorder_reads_an_answer_from_its_events() -> None:
    from drivers.errors import ErrorKind, SUTError
    from drivers.runner import Chunk, ReasoningChunk, Retrying
    from sutui.history.recorder import RunRecorder

    recorder = RunRecorder(None, print)
    recorder.begin(["a", "b"], [])
    for event in (Chunk("a", "Hel"), ReasoningChunk("a", "hmm"), Chunk("b", "x")):
        recorder.feed(event)
    recorder.feed(Chunk("a", "lo"))
    assert (recorder.text("a"), recorder.reasoning("a"), recorder.text("b")) == (
        "Hello",
        "hmm",
        "x",
    )
    recorder.feed(Retrying("b", 2, 0.0, SUTError(ErrorKind.truncated, "cut"), restart=True))
    assert recorder.text("b") == ""  # a broken stream starts its answer again


async def test_a_fanout_holds_one_driver_slot_per_call_and_the_transport_no_second(
    provider_server: Any,
) -> None:
    """A cap of 1 on a driver: the fan-out's calls go one at a time, and an HTTP SUT's own
    transport call inside the held slot does not wait on the same cap (it would never run)."""
    import asyncio

    from drivers.registry import make_sut
    from drivers.runner import FanOut, Finished, RunTarget, Started

    provider_server.queue_fault("slow-first", 2)
    uid = f"m:local:openai;url={provider_server.url}/local/v1"
    targets = [RunTarget(k, make_sut(uid, {}), group="openai") for k in ("a", "b")]
    fan = FanOut(targets, make_prompt("hello there world"), limits={"openai": 1})
    events = await asyncio.wait_for(_events(fan), 20)  # a slot waiting on itself never ends
    assert sorted(e.key for e in events if isinstance(e, Finished)) == ["a", "b"]
    started = [i for i, e in enumerate(events) if isinstance(e, Started)]
    finished = [i for i, e in enumerate(events) if isinstance(e, Finished)]
    assert started[1] > finished[0], "the second call waits for the first's slot"
    assert provider_server.max_in_flight == 1
    # The held slot is this call's (its task and those it starts): another task still waits.
    from drivers import concurrency

    with concurrency.run_limits({"x": 1}):
        go = asyncio.Event()
        other = asyncio.create_task(_wait_for_slot("x", go))  # made outside the held call
        async with concurrency.hold("x"):
            assert concurrency.driver_semaphore("x")._value == 1  # none to wait on here
            go.set()
            await asyncio.sleep(0.05)
            assert not other.done()
        await asyncio.wait_for(other, 1)


async def _wait_for_slot(key: str, go: Any) -> None:
    from drivers import concurrency

    await go.wait()
    async with concurrency.hold(key):
        pass


async def _events(fan: Any) -> list[Any]:
    return [e async for e in fan.events()]
