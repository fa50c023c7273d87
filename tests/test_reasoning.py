"""Reasoning models: the reasoning channel kept apart from the answer for every wire format
that carries it, the one `reasoning` option mapped per provider, the per-model rules (an option
a model refuses is dropped with a note, never sent to fail), normalised finish reasons."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from drivers import transport
from drivers.finish_reasons import normalise_finish_reason
from drivers.invoke import ResponseBuilder, respond, stream
from drivers.options import SUTOptions
from drivers.prompt import TextPrompt
from drivers.reasoning import ThinkSplitter, parse_reasoning, split_think
from drivers.registry import make_sut
from drivers.response import SUTResponse
from drivers.runner import (
    Chunk,
    FanOut,
    Finished,
    FirstReasoning,
    FirstToken,
    ReasoningChunk,
    RunTarget,
)
from drivers.transport import HttpRuntime, use_runtime

PROMPT = TextPrompt(text="hello there world")
ANSWER = "Echo: hello there world"
THOUGHT = "The user said hello there world; I echo it."
KEYS = {
    "openai": {"openai": {"api_key": "sk-test-openai-0001"}},
    "vllm": {"vllm": {"api_key": "ms-test-vllm-0006"}},
    "together": {"together": {"api_key": "tg-test-together-0002"}},
    "mistral": {"mistralai": {"api_key": "ms-test-mistral-0003"}},
    "anthropic": {"anthropic": {"api_key": "sk-ant-test-0007"}},
    "google": {"google_ai": {"api_key": "AIza-test-google-0008"}},
    "ollama": {},
}


@pytest.fixture(autouse=True)
def _fast() -> Iterator[None]:
    with use_runtime(HttpRuntime(retry=transport.RetryPolicy(base_delay=0.01, max_delay=0.02))):
        yield


# ----- pure parts ---------------------------------------------------------------------------


def test_think_splitter_whatever_the_chunking() -> None:
    whole = "  <think>\nweigh a<b and </thi not a tag\n</think>\n\nThe answer <think>stays</think>"
    expected = ("weigh a<b and </thi not a tag", "The answer <think>stays</think>")
    assert split_think(whole) == expected
    for size in range(1, 12):
        splitter, reasoning, answer = ThinkSplitter(), "", ""
        for start in range(0, len(whole), size):
            r, a = splitter.feed(whole[start : start + size])
            reasoning, answer = reasoning + r, answer + a
        r, a = splitter.flush()
        assert (reasoning + r).strip() == expected[0], size
        assert answer + a == expected[1], size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello", ("", "Hello")),
        ("<thi", ("", "<thi")),  # only looked like a tag: the answer's own text
        ("<think>cut off", ("cut off", "")),  # an unclosed block is reasoning, never answer
        ("", ("", "")),
    ],
)
def test_think_splitter_edges(text: str, expected: tuple[str, str]) -> None:
    assert split_think(text) == expected


def test_reasoning_option_grammar() -> None:
    assert parse_reasoning("HIGH") is not None
    assert SUTOptions(reasoning="High").reasoning == "high"
    assert SUTOptions(reasoning="2048").reasoning == "2048"
    assert SUTOptions(reasoning=512).reasoning == "512"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="neither a level"):
        SUTOptions(reasoning="lots")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("stop", "stop"),
        ("eos", "stop"),
        ("end_turn", "stop"),
        ("eos_token", "stop"),
        ("STOP", "stop"),
        ("length", "length"),
        ("max_tokens", "length"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("refusal", "content_filter"),
        ("tool_use", "tool_calls"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("something_new", "other"),
        (None, None),
    ],
)
def test_finish_reasons_are_normalised(raw: str | None, normal: str | None) -> None:
    assert normalise_finish_reason(raw) == normal


# ----- against the loopback providers --------------------------------------------------------


def _sut(server: Any, uid: str, keys: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(  # never the real API: the default base URL is the fake's
        "drivers.providers.openai.OpenAISUTFactory.DEFAULT_BASE_URL", server.url + "/openai/v1"
    )
    return make_sut(uid.format(url=server.url), KEYS[keys])


async def _both(sut: Any, options: SUTOptions) -> tuple[SUTResponse, SUTResponse]:
    """The answer asked whole, and streamed (as the front ends build it)."""
    whole = await respond(sut, PROMPT, options)
    builder = ResponseBuilder()
    async for chunk in stream(sut, PROMPT, options):
        builder.add(chunk)
    return whole, builder.build()


CASES = [
    # (id, uid, keys, options, reasoning tokens reported)
    ("vllm-field", "deepseek-reasoner:vllm:openai;url={url}/vllm/v1", "vllm", {}, 9),
    (
        "together-inline-think",
        "deepseek-ai/DeepSeek-R1:together;url={url}/together/v1",
        "together",
        {},
        None,
    ),
    ("mistral-parts", "magistral-medium-latest:mistral;url={url}/mistral/v1", "mistral", {}, None),
    (
        "anthropic-thinking",
        "claude-sonnet-4-5:anthropic;url={url}/anthropic/v1",
        "anthropic",
        {"reasoning": "low"},
        None,
    ),
    ("gemini-thoughts", "gemini-2.5-flash:google;url={url}/google/v1beta", "google", {}, 9),
    ("ollama-thinking", "qwen3:ollama;url={url}/ollama", "ollama", {"reasoning": "high"}, None),
]


@pytest.mark.parametrize(("uid", "keys", "options", "tokens"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
async def test_reasoning_is_kept_apart_from_the_answer(
    uid: str,
    keys: str,
    options: dict[str, Any],
    tokens: int | None,
    provider_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sut = _sut(provider_server, uid, keys, monkeypatch)
    for response in await _both(sut, SUTOptions(max_tokens=50, **options)):
        assert response.text == ANSWER, "no reasoning in the answer"
        assert (response.reasoning or "").strip() == THOUGHT
        assert response.finish_reason == "stop" and response.provider_finish_reason
        assert response.usage is not None
        if tokens is not None:
            assert response.usage.reasoning_tokens == tokens
            assert response.usage.answer_tokens == 4


async def test_openai_reasoning_model_drops_what_it_refuses(
    provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """o3-mini refuses temperature (400 on the real API and on the fake): dropped, with a note;
    the level is sent as reasoning_effort and its hidden reasoning counted."""
    sut = _sut(provider_server, "o3-mini:openai", "openai", monkeypatch)
    options = SUTOptions(temperature=0.3, top_p=0.9, reasoning="minimal", max_tokens=50)
    whole, streamed = await _both(sut, options)
    body = provider_server.last().body
    assert "temperature" not in body and "top_p" not in body
    assert body["reasoning_effort"] == "low"  # o-series has no minimal: the nearest level
    for response in (whole, streamed):
        assert response.text == ANSWER and response.reasoning is None
        assert response.usage is not None and response.usage.reasoning_tokens == 9
        assert any("temperature=0.3" in n and "dropped" in n for n in response.notes)
        assert any("minimal sent as low" in n for n in response.notes)


async def test_openai_chat_model_drops_reasoning(
    provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sut = _sut(provider_server, "gpt-4o-mini:openai", "openai", monkeypatch)
    response = await respond(sut, PROMPT, SUTOptions(reasoning="high", temperature=0.2))
    body = provider_server.last().body
    assert "reasoning_effort" not in body and body["temperature"] == 0.2
    assert response.notes == ["gpt-4o-mini does not reason: reasoning=high dropped"]


@pytest.mark.parametrize(
    ("model", "options", "sent", "note"),
    [
        (
            "claude-sonnet-4-6",
            {"temperature": 0.5, "top_p": 0.9},
            {},
            "takes no sampling settings: temperature=0.5, top_p=0.9 dropped",
        ),
        (  # adaptive at an effort; max_tokens leaves the answer its own 50
            "claude-sonnet-4-6",
            {"reasoning": "low", "max_tokens": 50},
            {
                "thinking": {"type": "adaptive", "display": "summarized"},
                "output_config": {"effort": "low"},
                "max_tokens": 2098,
            },
            None,
        ),
        (
            "claude-opus-5",
            {"reasoning": "minimal"},
            {"output_config": {"effort": "low"}},
            "minimal sent as low",
        ),
        (  # a model before adaptive thinking: the level's budget
            "claude-haiku-4-5",
            {"reasoning": "low", "max_tokens": 50},
            {
                "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "summarized"},
                "max_tokens": 2098,
            },
            None,
        ),
        (
            "claude-sonnet-4-6",
            {"reasoning": "2048", "max_tokens": 50},
            {
                "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "summarized"},
                "max_tokens": 2098,
            },
            None,
        ),
        (
            "claude-sonnet-4-5",
            {"reasoning": "100"},
            {
                "thinking": {"type": "enabled", "budget_tokens": 1024, "display": "summarized"},
                "max_tokens": 2048,
            },
            "smallest thinking budget",
        ),
        (
            "claude-sonnet-4-5",
            {"reasoning": "60000", "max_tokens": 8192},
            {
                "thinking": {"type": "enabled", "budget_tokens": 55808, "display": "summarized"},
                "max_tokens": 64000,
            },
            "may use 64000 tokens",
        ),
        ("claude-sonnet-4-6", {"reasoning": "none"}, {"thinking": {"type": "disabled"}}, None),
        ("claude-3-5-haiku-20241022", {"reasoning": "high"}, {}, "does not think"),
    ],
)
async def test_anthropic_rules(
    model: str,
    options: dict[str, Any],
    sent: dict[str, Any],
    note: str | None,
    provider_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the Messages API refuses is never sent (the fake refuses it as the API does)."""
    uid = model + ":anthropic;url={url}/anthropic/v1"
    sut = _sut(provider_server, uid, "anthropic", monkeypatch)
    response = await respond(sut, PROMPT, SUTOptions(**options))
    body = provider_server.last().body
    for key, value in sent.items():
        assert body[key] == value
    assert not {"temperature", "top_p", "top_k"} & set(body)
    assert response.text == ANSWER
    if note is None:
        assert response.notes == []
    else:
        assert any(note in n for n in response.notes), response.notes


@pytest.mark.parametrize(
    ("model", "reasoning", "config", "note"),
    [
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}, None),
        ("gemini-2.5-pro", "none", {"includeThoughts": True, "thinkingBudget": 128}, "cannot"),
        ("gemini-2.5-flash", "high", {"includeThoughts": True, "thinkingBudget": 24576}, None),
        (
            "gemini-3-pro-preview",
            "medium",
            {"includeThoughts": True, "thinkingLevel": "high"},  # a tie goes up
            "medium sent as high",
        ),
        (
            "gemini-3-flash-preview",
            "minimal",
            {"includeThoughts": True, "thinkingLevel": "minimal"},
            None,
        ),
        ("gemini-2.0-flash", "high", None, "does not think"),
        ("gemini-2.5-flash-image", "high", None, "does not think"),
        (
            "gemini-2.5-flash-lite",
            "100",
            {"includeThoughts": True, "thinkingBudget": 512},
            "at least 512",
        ),
        ("gemini-pro-latest", "none", {"includeThoughts": True, "thinkingBudget": 128}, "cannot"),
    ],
)
async def test_gemini_thinking_config(
    model: str,
    reasoning: str,
    config: dict[str, Any] | None,
    note: str | None,
    provider_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uid = f"{model}:google;url={{url}}/google/v1beta"
    sut = _sut(provider_server, uid, "google", monkeypatch)
    response = await respond(sut, PROMPT, SUTOptions(reasoning=reasoning))
    sent = (provider_server.last().body.get("generationConfig") or {}).get("thinkingConfig")
    assert sent == config
    assert response.text == ANSWER
    assert (note is None and not response.notes) or any(note in n for n in response.notes)


async def test_upstream_reas_n_is_reasoning_none(
    provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = "gemini-2.5-flash:google;url={url}/google/v1beta;reas=n"
    await respond(_sut(provider_server, uid, "google", monkeypatch), PROMPT, SUTOptions())
    assert provider_server.last().body["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 0
    }


async def test_the_runner_streams_reasoning_first_and_times_both(
    provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sut = _sut(provider_server, "deepseek-reasoner:vllm:openai;url={url}/vllm/v1", "vllm",
               monkeypatch)  # fmt: skip
    events = [e async for e in FanOut([RunTarget("a", sut)], PROMPT).events()]
    kinds = [type(e) for e in events]
    assert kinds.index(FirstReasoning) < kinds.index(ReasoningChunk) < kinds.index(FirstToken)
    assert kinds.index(FirstToken) < kinds.index(Chunk)
    thought = "".join(e.text for e in events if isinstance(e, ReasoningChunk))
    answer = "".join(e.text for e in events if isinstance(e, Chunk))
    assert (thought, answer) == (THOUGHT, ANSWER)
    end = events[-1]
    assert isinstance(end, Finished) and end.response.reasoning == THOUGHT
    timings = end.timings
    assert timings.first_reasoning_s is not None and timings.first_token_s is not None
    assert timings.first_reasoning_s <= timings.first_token_s


def test_every_chunking_of_a_think_stream_is_the_same_answer() -> None:
    """The splitter holds back only what may be a tag: no text is ever lost or moved."""
    whole = "<think>a</think>b"
    for cuts in itertools.combinations(range(1, len(whole)), 3):
        pieces = [whole[i:j] for i, j in zip((0, *cuts), (*cuts, len(whole)), strict=True)]
        splitter = ThinkSplitter()
        out = [splitter.feed(p) for p in pieces] + [splitter.flush()]
        assert ("".join(r for r, _ in out), "".join(a for _, a in out)) == ("a", "b")


async def test_llama_server_counts_from_its_timings(
    provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llama.cpp's server streams no usage but puts its counts in the last chunk's timings."""
    sut = _sut(provider_server, "llama-server:local:openai;url={url}/local/v1", "vllm",
               monkeypatch)  # fmt: skip
    builder = ResponseBuilder()
    async for chunk in stream(sut, PROMPT, SUTOptions()):
        builder.add(chunk)
    usage = builder.build().usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (3, 4)
