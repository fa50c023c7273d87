"""An answer is whole or it failed: every streaming driver x every way a stream breaks, run the
way the front ends run it (the runner's events, the result record, `run-sut`, the history).

The fault matrix (test_fault_matrix.py) checks each classification on the bare call; here the
point is what a user and an evaluator get: never a `done` record holding a cut text, the retry
reported (with `restart` when text had come), and after one broken attempt the whole answer,
once, with nothing of the void attempt in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_fault_matrix import ANSWER, DRIVERS, PROMPT, Driver, _make

from drivers import transport
from drivers.errors import ErrorKind
from drivers.options import SUTOptions
from drivers.runner import Chunk, Failed, FanOut, Finished, ReasoningChunk, Retrying, RunTarget
from drivers.transport import HttpRuntime, use_runtime
from sutui.records import record_from_event

RETRY = transport.RetryPolicy(max_tries=3, base_delay=0.01, max_delay=0.02)
TIMEOUTS = transport.Timeouts(connect=10.0, first_byte=10.0, read=10.0, total=20.0)
BREAKS = {
    "truncate": ErrorKind.truncated,  # the body ends cleanly, without the end marker
    "cut-mid-event": ErrorKind.truncated,  # half an event, then the connection closes
    "cut": ErrorKind.truncated,  # the connection closes between two events
    "malformed": ErrorKind.protocol,  # an event that is not JSON
}
STREAMING = DRIVERS
"""Every HTTP driver streams."""


@pytest.fixture(autouse=True)
def _fast() -> Iterator[None]:
    with use_runtime(HttpRuntime(timeouts=TIMEOUTS, retry=RETRY)):
        yield


async def _events(driver: Driver, server: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    sut = _make(driver, server.url, monkeypatch)
    fanout = FanOut([RunTarget("a", sut)], PROMPT, SUTOptions(max_tokens=50))
    return [event async for event in fanout.events()]


def _record(event: Any) -> Any:
    return record_from_event(event, sut="a", uid=None, prompt=PROMPT.text)


@pytest.mark.parametrize("fault", sorted(BREAKS))
@pytest.mark.parametrize("driver", STREAMING, ids=[d.name for d in STREAMING])
async def test_a_broken_stream_is_never_done(
    driver: Driver, fault: str, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_server.queue_fault(fault, 50)
    events = await _events(driver, provider_server, monkeypatch)
    tries = len(provider_server.requests)
    end = events[-1]
    assert not any(isinstance(e, Finished) for e in events), "a broken stream said done"
    assert isinstance(end, Failed), end
    assert end.error.kind is BREAKS[fault], end.error.one_line()
    assert tries == RETRY.max_tries, "a broken stream is tried again, within the budget"
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.attempt for r in retries] == list(range(1, tries))
    record = _record(end)
    assert record.status == "failed" and record.error["kind"] == BREAKS[fault].value
    assert ANSWER.startswith(record.text), "the partial text kept is what came, no more"
    shown = [e for e in events if isinstance(e, Chunk | ReasoningChunk)]
    if shown:  # text had come: every retry says the text is void
        assert all(r.restart for r in retries)
        assert record.text or record.reasoning, "what came is kept, as partial"


@pytest.mark.parametrize("fault", sorted(BREAKS))
@pytest.mark.parametrize("driver", STREAMING, ids=[d.name for d in STREAMING])
async def test_one_broken_attempt_then_the_whole_answer_once(
    driver: Driver, fault: str, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_server.queue_fault(fault, 1)
    events = await _events(driver, provider_server, monkeypatch)
    assert len(provider_server.requests) == 2
    end = events[-1]
    assert isinstance(end, Finished), end
    assert end.response.text == ANSWER, "nothing of the void attempt is in the answer"
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1 and retries[0].error.stream_broke
    before = events[: events.index(retries[0])]
    assert retries[0].restart == any(isinstance(e, Chunk | ReasoningChunk) for e in before)
    after = "".join(e.text for e in events[events.index(retries[0]) :] if isinstance(e, Chunk))
    assert after == ANSWER
    assert _record(end).status == "done"


def test_run_sut_saves_a_truncated_answer_as_failed(
    provider_server: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """What a person sees and what the history keeps: failed, truncated, the partial text."""
    from sutui.cli.main import run
    from sutui.history.store import HistoryStore

    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001")
    provider_server.queue_fault("cut-mid-event", 50)
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    code = run(["run-sut", "--sut", uid, "--prompt", "hello there world", "--json"])
    out = capsys.readouterr().out
    record = json.loads(out)
    assert code == 1
    assert record["status"] == "failed" and record["error"]["kind"] == "truncated"
    assert record["text"] and record["text"] != ANSWER and ANSWER.startswith(record["text"])
    with HistoryStore() as store:
        last = store.last_id()
        assert last is not None
        stored = store.run(last)
        assert stored is not None
        (answer,) = stored.answers
        assert answer.status == "failed" and answer.text == record["text"]


def test_run_sut_live_says_the_text_above_is_void(
    provider_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One SUT streams live: after a break the person is told the text above does not count,
    and the answer is printed whole after it; the record holds only the final attempt."""
    from sutui.cli.main import run

    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001")
    provider_server.queue_fault("truncate", 1)
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    code = run(["run-sut", "--sut", uid, "--prompt", "hello there world"])
    out = capsys.readouterr().out
    assert code == 0
    void, _, rest = out.partition("the text above is void")
    assert "truncated" in void
    assert ANSWER in rest and "── done" in rest


def test_run_sut_idle_timeout_is_set_per_run(
    provider_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--idle-timeout: a stream silent for longer fails as timeout (idle), after its retries;
    well before the server's 5 s stall ends. The flag is this run's: the caller's runtime is
    as it was after."""
    import time

    from sutui.cli.main import run

    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001")
    before = transport.current_runtime()
    provider_server.queue_fault("stall", 50)
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    start = time.monotonic()
    code = run(["run-sut", "--sut", uid, "--prompt", "hi there", "--json", "--idle-timeout", "0.3"])
    record = json.loads(capsys.readouterr().out)
    assert code == 1 and time.monotonic() - start < 4.0
    assert record["error"]["kind"] == "timeout" and record["error"]["phase"] == "idle"
    assert len(provider_server.requests) == RETRY.max_tries
    assert transport.current_runtime() is before


def test_batch_idle_timeout_is_set_per_run(
    provider_server: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """`batch --idle-timeout` as `run-sut`'s (a batch reads whole bodies: the phase is read, the
    silence between two chunks), and the caller's runtime is as it was after."""
    import time

    from sutui.cli.main import run

    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001")
    before = transport.current_runtime()
    provider_server.queue_fault("stall", 50)
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "hi there"}\n')
    out = tmp_path / "out"
    start = time.monotonic()
    code = run(
        [
            "batch",
            "--sut",
            uid,
            "--prompts",
            str(prompts),
            "--out",
            str(out),
            "--idle-timeout",
            "0.3",
        ]
    )
    capsys.readouterr()
    (record,) = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert code == 1 and time.monotonic() - start < 4.0
    assert record["error"]["kind"] == "timeout" and record["error"]["phase"] == "read"
    assert transport.current_runtime() is before
