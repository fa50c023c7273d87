"""The providers' official Python clients judge the loopback server and the drivers.

Our fake providers are only as right as our memory of the wire formats. Here each official SDK
(pinned in pyproject.toml's test extra; never a dependency of drivers/ or sutui/) is pointed at
the fake: if the SDK cannot read what the fake sends, whole or streamed, reasoning included, the
fake is wrong. And the request bodies our drivers send are validated against the SDKs' own
request types (OpenAI's and Anthropic's create-params), for the option combinations the tests
use: a field the SDK does not know, or a value of the wrong shape, fails here before a provider
answers 400.
"""

from __future__ import annotations

import json
import os
import subprocess
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from drivers import transport
from drivers.invoke import respond, stream
from drivers.options import SUTOptions
from drivers.prompt import ChatMessage, ChatPrompt, ChatRole
from drivers.registry import make_sut
from drivers.transport import HttpRuntime, use_runtime

PROMPT = "hello there world"
ANSWER = "Echo: hello there world"
THOUGHT = "The user said hello there world; I echo it."
KEYS = {
    "openai": "sk-test-openai-0001",
    "vllm": "ms-test-vllm-0006",
    "together": "tg-test-together-0002",
    "mistral": "ms-test-mistral-0003",
    "anthropic": "sk-ant-test-0007",
    "google": "AIza-test-google-0008",
    "hf": "hf_test_token_0005",
}


@pytest.fixture(autouse=True)
def _fast() -> Iterator[None]:
    with use_runtime(HttpRuntime(retry=transport.RetryPolicy(base_delay=0.01, max_delay=0.02))):
        yield


def _forced(value: Any) -> Any:
    """pydantic validates an Iterable field lazily: walk it so every item is checked."""
    if isinstance(value, dict):
        return {k: _forced(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return [_forced(v) for v in value]
    return value


def judge_request(params: Any, body: dict[str, Any]) -> None:
    """The body fits the SDK's TypedDict: every key one it declares, every value its shape."""
    known = set(typing.get_type_hints(params))
    unknown = set(body) - known
    assert not unknown, f"fields the official client does not know: {sorted(unknown)}"
    _forced(TypeAdapter(params).validate_python(body))


CHAT = ChatPrompt(
    messages=[
        ChatMessage(text="Be brief.", role=ChatRole.system),
        ChatMessage(text=PROMPT, role=ChatRole.user),
    ]
)


async def judge_both(sut: Any, options: SUTOptions, server: Any, params: tuple[Any, Any]) -> None:
    """The driver's request, whole then streamed, each judged by the SDK's params type."""
    response = await respond(sut, CHAT, options)
    assert response.text == ANSWER, "the fake refuses what the real API refuses"
    judge_request(params[0], server.last().body)
    [c async for c in stream(sut, CHAT, options)]
    judge_request(params[1], server.last().body)


# ----- OpenAI ---------------------------------------------------------------------------------


def _openai(server: Any, flavour: str = "openai") -> Any:
    import openai

    return openai.OpenAI(api_key=KEYS[flavour], base_url=f"{server.url}/{flavour}/v1")


@pytest.mark.parametrize(
    ("flavour", "model", "reasoning_field"),
    [
        ("openai", "gpt-4o-mini", None),
        ("openai", "o3-mini", None),  # hidden reasoning: reasoning_tokens in usage
        ("vllm", "deepseek-reasoner", "reasoning_content"),
        ("together", "deepseek-ai/DeepSeek-R1", None),  # inline <think>
    ],
)
def test_openai_sdk_reads_the_fake(
    flavour: str, model: str, reasoning_field: str | None, provider_server: Any
) -> None:
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    client = _openai(provider_server, flavour)
    messages: Any = [{"role": "user", "content": PROMPT}]
    whole = client.chat.completions.create(model=model, messages=messages, max_completion_tokens=50)
    assert isinstance(whole, ChatCompletion)
    choice = whole.choices[0]
    assert choice.finish_reason in ("stop", "eos") or flavour == "together"
    assert whole.usage is not None and whole.usage.completion_tokens >= 4
    if model == "o3-mini":
        details = whole.usage.completion_tokens_details
        assert details is not None and details.reasoning_tokens == 9
    content = choice.message.content or ""
    if reasoning_field:
        assert (choice.message.model_extra or {})[reasoning_field] == THOUGHT
    assert content.endswith(ANSWER)
    chunks = list(
        client.chat.completions.create(
            model=model,
            messages=messages,
            max_completion_tokens=50,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.endswith(ANSWER)
    assert any(c.choices and c.choices[0].finish_reason for c in chunks)
    if flavour != "together":  # Together sends usage with the finish reason, on its own
        assert chunks[-1].usage is not None and not chunks[-1].choices


OPENAI_OPTIONS = [
    SUTOptions(),
    SUTOptions(max_tokens=20, temperature=0.5, top_p=0.9, stop_sequences=["x"], seed=3),
    SUTOptions(presence_penalty=0.5, frequency_penalty=-0.5, top_logprobs=3),
    SUTOptions(reasoning="high", max_tokens=40),
]


@pytest.mark.parametrize("options", OPENAI_OPTIONS, ids=range(len(OPENAI_OPTIONS)))
@pytest.mark.parametrize("model", ["gpt-4o-mini", "o3-mini", "gpt-5"])
async def test_openai_requests_fit_the_sdk_types(
    model: str, options: SUTOptions, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai.types.chat.completion_create_params import (
        CompletionCreateParamsNonStreaming,
        CompletionCreateParamsStreaming,
    )

    monkeypatch.setattr(
        "drivers.providers.openai.OpenAISUTFactory.DEFAULT_BASE_URL",
        provider_server.url + "/openai/v1",
    )
    sut = make_sut(f"{model}:openai", {"openai": {"api_key": KEYS["openai"]}})
    await judge_both(sut, options, provider_server, (
        CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming))  # fmt: skip


# ----- Anthropic ------------------------------------------------------------------------------


def test_anthropic_sdk_reads_the_fake(provider_server: Any) -> None:
    import anthropic

    client = anthropic.Anthropic(
        api_key=KEYS["anthropic"], base_url=provider_server.url + "/anthropic"
    )
    messages: Any = [{"role": "user", "content": PROMPT}]
    plain = client.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=messages)
    assert [b.type for b in plain.content] == ["text"] and plain.stop_reason == "end_turn"
    thinking: Any = {"type": "enabled", "budget_tokens": 1024, "display": "summarized"}
    whole = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1100, messages=messages, thinking=thinking
    )
    kinds = [b.type for b in whole.content]
    assert kinds == ["thinking", "redacted_thinking", "text"]
    assert whole.content[0].thinking == THOUGHT  # type: ignore[union-attr]
    with client.messages.stream(
        model="claude-sonnet-4-5", max_tokens=1100, messages=messages, thinking=thinking
    ) as events:
        final = events.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking == THOUGHT  # type: ignore[union-attr]
    assert final.content[0].signature  # type: ignore[union-attr]
    assert final.content[1].text == ANSWER  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 13


ANTHROPIC_OPTIONS = [
    SUTOptions(),
    SUTOptions(max_tokens=20, temperature=0.5, top_p=0.9, top_k_per_token=5, stop_sequences=["x"]),
    SUTOptions(reasoning="medium", temperature=0.2),
    SUTOptions(reasoning="3000", max_tokens=100),
    SUTOptions(reasoning="none"),
]


@pytest.mark.parametrize("options", ANTHROPIC_OPTIONS, ids=range(len(ANTHROPIC_OPTIONS)))
async def test_anthropic_requests_fit_the_sdk_types(
    options: SUTOptions, provider_server: Any
) -> None:
    from anthropic.types.message_create_params import (
        MessageCreateParamsNonStreaming,
        MessageCreateParamsStreaming,
    )

    uid = f"claude-sonnet-4-5:anthropic;url={provider_server.url}/anthropic/v1"
    sut = make_sut(uid, {"anthropic": {"api_key": KEYS["anthropic"]}})
    await judge_both(sut, options, provider_server, (
        MessageCreateParamsNonStreaming, MessageCreateParamsStreaming))  # fmt: skip


# ----- Google Gemini --------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.0-flash"])
def test_google_genai_reads_the_fake(model: str, provider_server: Any) -> None:
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key=KEYS["google"],
        http_options=types.HttpOptions(
            base_url=provider_server.url + "/google", api_version="v1beta"
        ),
    )
    config = types.GenerateContentConfig(
        max_output_tokens=50,
        thinking_config=types.ThinkingConfig(include_thoughts=True)
        if model.startswith("gemini-2.5")
        else None,
    )
    whole = client.models.generate_content(model=model, contents=PROMPT, config=config)
    parts = whole.candidates[0].content.parts  # type: ignore[index, union-attr]
    thoughts = "".join(p.text or "" for p in parts or [] if p.thought)
    answer = "".join(p.text or "" for p in parts or [] if not p.thought)
    assert answer == ANSWER
    assert whole.candidates[0].finish_reason == types.FinishReason.STOP  # type: ignore[index]
    usage = whole.usage_metadata
    assert usage is not None and usage.candidates_token_count == 4
    if model.startswith("gemini-2.5"):
        assert thoughts == THOUGHT and usage.thoughts_token_count == 9
    streamed = list(
        client.models.generate_content_stream(model=model, contents=PROMPT, config=config)
    )
    pieces = [p for r in streamed for p in (r.candidates[0].content.parts or [])]  # type: ignore[index, union-attr]
    assert "".join(p.text or "" for p in pieces if not p.thought) == ANSWER
    assert streamed[-1].candidates[0].finish_reason == types.FinishReason.STOP  # type: ignore[index]


async def test_google_requests_fit_the_sdk_types(provider_server: Any) -> None:
    """The body the driver sends reads as the SDK's own request parts (camelCase aliases)."""
    from google.genai import types

    uid = f"gemini-2.5-pro:google;url={provider_server.url}/google/v1beta"
    sut = make_sut(uid, {"google_ai": {"api_key": KEYS["google"]}})
    prompt = CHAT
    options = SUTOptions(max_tokens=50, temperature=0.5, top_p=0.9, top_k_per_token=4,
                         stop_sequences=["x"], seed=1, reasoning="none")  # fmt: skip
    response = await respond(sut, prompt, options)
    assert response.text == ANSWER
    body = provider_server.last().body
    assert set(body) <= {"contents", "systemInstruction", "generationConfig"}
    for content in body["contents"]:
        types.Content.model_validate(content, strict=False)
    types.Content.model_validate(body["systemInstruction"])
    config = types.GenerationConfig.model_validate(body["generationConfig"])
    unknown = (
        set(body["generationConfig"])
        - {f.alias or name for name, f in types.GenerationConfig.model_fields.items()}
        - set(types.GenerationConfig.model_fields)
    )
    assert not unknown, unknown
    assert config.thinking_config is not None and config.thinking_config.thinking_budget == 128


# ----- Mistral --------------------------------------------------------------------------------


def test_mistral_sdk_reads_the_fake(provider_server: Any) -> None:
    from mistralai.client import Mistral

    client = Mistral(api_key=KEYS["mistral"], server_url=provider_server.url + "/mistral")
    messages: Any = [{"role": "user", "content": PROMPT}]
    whole = client.chat.complete(model="magistral-medium-latest", messages=messages, max_tokens=50)
    content = whole.choices[0].message.content
    assert isinstance(content, list)
    kinds = [getattr(c, "type", None) for c in content]
    assert kinds == ["thinking", "text"]
    assert content[1].text == ANSWER  # type: ignore[union-attr]
    events = list(
        client.chat.stream(model="magistral-medium-latest", messages=messages, max_tokens=50)
    )
    text = ""
    for event in events:
        delta = event.data.choices[0].delta.content
        if isinstance(delta, str):
            text += delta
        elif isinstance(delta, list):
            text += "".join(getattr(p, "text", "") or "" for p in delta if p.type == "text")
    assert text == ANSWER
    assert events[-1].data.choices[0].finish_reason == "stop"
    assert events[-1].data.usage is not None


# ----- ollama ---------------------------------------------------------------------------------


def test_ollama_client_reads_the_fake(provider_server: Any) -> None:
    import ollama

    client = ollama.Client(host=provider_server.url + "/ollama")
    messages = [{"role": "user", "content": PROMPT}]
    whole = client.chat(model="qwen3", messages=messages, think=True)
    assert whole.message.content == ANSWER and whole.message.thinking == THOUGHT
    assert whole.done and whole.done_reason == "stop" and whole.eval_count == 13
    parts = list(client.chat(model="qwen3", messages=messages, think=True, stream=True))
    assert "".join(p.message.content or "" for p in parts) == ANSWER
    assert "".join(p.message.thinking or "" for p in parts) == THOUGHT
    assert parts[-1].done


# ----- Hugging Face ---------------------------------------------------------------------------


def test_huggingface_inference_client_reads_the_fake(provider_server: Any) -> None:
    from huggingface_hub import InferenceClient

    tgi = InferenceClient(base_url=provider_server.url + "/tgi", token=KEYS["hf"])
    whole = tgi.text_generation(PROMPT, details=True, max_new_tokens=50)
    assert whole.generated_text == ANSWER
    assert whole.details is not None and whole.details.finish_reason == "eos_token"
    streamed = list(tgi.text_generation(PROMPT, details=True, stream=True, max_new_tokens=50))
    assert "".join(s.token.text for s in streamed if not s.token.special) == ANSWER
    assert streamed[-1].generated_text == ANSWER and streamed[-1].details is not None
    chat = InferenceClient(base_url=provider_server.url + "/hf-router", token=KEYS["hf"])
    messages = [{"role": "user", "content": PROMPT}]
    out = chat.chat_completion(messages, model="google/gemma-3-27b-it", max_tokens=50)
    assert out.choices[0].message.content == ANSWER
    chunks = list(
        chat.chat_completion(messages, model="google/gemma-3-27b-it", max_tokens=50, stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ANSWER


# ----- Together (its SDK has a venv of its own: scripts/install-sdk-judges) ---------------------


def _together_python() -> str | None:
    """scripts/install-sdk-judges' python: as scripts/test exports it, else a finished build
    in the default cache (its stamp file says it finished)."""
    python = os.environ.get("SUTUI_SDK_JUDGES_PYTHON")
    if python and Path(python).is_file():
        return python
    cache = Path(os.environ.get("SUTUI_SDK_CACHE", Path.home() / ".cache/sutui/sdk-judges"))
    built = any(cache.glob("ok-together-*"))
    return str(cache / "venv/bin/python") if built else None


@pytest.mark.parametrize(
    "model", ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "deepseek-ai/DeepSeek-R1"]
)
def test_together_sdk_reads_the_fake(model: str, provider_server: Any) -> None:
    python = _together_python()
    if python is None:
        message = "the together SDK judge is not installed: run scripts/install-sdk-judges"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    script = Path(__file__).parent / "sdk_judges" / "together_judge.py"
    base = f"{provider_server.url}/together"  # the SDK adds /v1/chat/completions
    run = subprocess.run(
        [python, str(script), base, KEYS["together"], model],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout)
    assert seen["text"].endswith(ANSWER) and seen["streamed"].endswith(ANSWER)
    assert seen["finish_reason"].endswith("eos") and seen["stream_finish"][-1].endswith("eos")
    assert seen["completion_tokens"] >= 4 and seen["stream_usage"] == seen["completion_tokens"]
