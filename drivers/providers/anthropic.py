"""Anthropic's Messages API (https://api.anthropic.com/v1/messages).

The key as a Bearer token and anthropic-version 2026-10-21, as the official SDK sends them;
max_tokens is required by the API, so it defaults to 1024; system messages go to the top-level
`system`. That version of the API takes no temperature, top_p or top_k (they are dropped, with
a note); `reasoning` maps to `thinking` (see reasoning_fields), whose text streams apart.
Streams the events message_start, content_block_delta, message_delta, message_stop (and error,
raised as a SUTError). Lists its models with GET {base}/models, paged
(drivers/providers/anthropic_models.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.http.sut import HttpFactory, HttpRequest, HttpSUT
from drivers.model_listing import ListedModel
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.providers.openai_chat import join_url, secret_value, text_as_chat
from drivers.reasoning import parse_reasoning
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secrets import InjectSecret, RequiredSecret, SecretDescription
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition

DRIVER_NAME = "anthropic"
BASE_URL = "https://api.anthropic.com/v1"
API_VERSION = "2026-10-21"
"""The version the official SDK (2.16) speaks: no sampling settings, thinking `adaptive` with
`output_config.effort`, or `enabled` with a budget."""
DEFAULT_MAX_TOKENS = 1024


class AnthropicApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="anthropic",
            key="api_key",
            instructions="You can create api keys at https://console.anthropic.com/settings/keys.",
            env_vars=("ANTHROPIC_API_KEY",),
        )


AnthropicRequest = HttpRequest


MIN_THINKING_BUDGET = 1024
"""Anthropic's smallest `thinking.budget_tokens`."""
EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high"}
"""The `reasoning` level as `output_config.effort` (the API's levels: low to max)."""
NO_SAMPLING = ("temperature", "top_p", "top_k_per_token")
"""Settings the Messages API no longer takes (version 2026-10-21, as the official SDK 2.16
declares it): dropped, with a note."""


ADAPTIVE = r"claude-(opus|sonnet)-4-[6-9]|claude-[a-z]+-[5-9]|claude-mythos"
"""Models that think adaptively at an effort (Opus/Sonnet 4.6 and later, as the official SDK
2.16 marks them); older thinking models take a budget only."""
NO_THINKING = r"claude-3-(5-)?(haiku|sonnet|opus)|claude-3-haiku"
"""Models that cannot think: a reasoning setting is dropped, with a note."""
MAX_OUTPUT = 64000
"""The most output tokens (thinking included) asked for: current models' own limit."""


def reasoning_fields(
    model: str, options: SUTOptions, answer_tokens: int
) -> tuple[dict[str, Any], list[str]]:
    """`thinking` (and `output_config.effort`, max_tokens) for the `reasoning` option:
    none -> disabled; a level -> adaptive thinking at that effort on the models that take it,
    else manual thinking with the level's budget; a token budget -> manual thinking with it
    (at least 1024). max_tokens counts thinking too, so it is raised by the budget (or the
    level's usual budget) and the answer keeps its own, up to MAX_OUTPUT. Thinking is asked
    `summarized`, so its text comes back (the model's default may omit it)."""
    wanted = parse_reasoning(options.reasoning)
    if wanted is None:
        return {}, []
    if re.match(NO_THINKING, model):
        return {}, [f"{model} does not think: reasoning={options.reasoning} dropped"]
    if wanted.off:
        return {"thinking": {"type": "disabled"}}, []
    notes: list[str] = []
    fields: dict[str, Any]
    if wanted.budget is None and re.match(ADAPTIVE, model):
        effort = EFFORTS[wanted.level or "medium"]
        if effort != wanted.level:
            notes.append(f"Anthropic's efforts start at low: {wanted.level} sent as {effort}")
        fields = {
            "thinking": {"type": "adaptive", "display": "summarized"},
            "output_config": {"effort": effort},
        }
        budget = wanted.tokens()
    else:
        budget = wanted.tokens()
        if budget < MIN_THINKING_BUDGET:
            notes.append(f"Anthropic's smallest thinking budget is {MIN_THINKING_BUDGET}: "
                         f"{budget} sent as {MIN_THINKING_BUDGET}")  # fmt: skip
            budget = MIN_THINKING_BUDGET
        if budget + answer_tokens > MAX_OUTPUT:
            budget = max(MIN_THINKING_BUDGET, MAX_OUTPUT - answer_tokens)
            notes.append(f"thinking and answer may use {MAX_OUTPUT} tokens: budget {budget}")
        fields = {"thinking": {"type": "enabled", "budget_tokens": budget, "display": "summarized"}}
    fields["max_tokens"] = min(MAX_OUTPUT, budget + answer_tokens)
    return fields, notes


def dropped_sampling(options: SUTOptions) -> list[str]:
    given = [
        f"{name.removesuffix('_per_token')}={getattr(options, name):g}"
        for name in NO_SAMPLING
        if getattr(options, name) is not None
    ]
    if not given:
        return []
    return [f"Anthropic's API takes no sampling settings: {', '.join(given)} dropped"]


def auth_headers(key: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {key}",  # as the official SDK sends it
        "anthropic-version": API_VERSION,
        "Content-Type": "application/json",
    }


def _usage(data: Any, previous: TokenUsage | None = None) -> TokenUsage | None:
    if not isinstance(data, dict):
        return previous
    prompt = data.get("input_tokens")
    completion = data.get("output_tokens")
    return TokenUsage(
        prompt_tokens=prompt
        if isinstance(prompt, int)
        else (previous.prompt_tokens if previous else None),
        completion_tokens=completion
        if isinstance(completion, int)
        else (previous.completion_tokens if previous else None),
    )


def _is_message_stop(event: dict[str, Any]) -> bool:
    return (event.get("type") or event.get("event")) == "message_stop"


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class AnthropicSUT(HttpSUT, PromptResponseSUT[AnthropicRequest, dict[str, Any]]):
    driver = DRIVER_NAME

    def __init__(self, uid: str, model: str, url: str, api_key: AnthropicApiKey):
        super().__init__(uid)
        self.model = model
        self.url = url
        self.api_key = api_key

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> AnthropicRequest:
        return self.translate_chat_prompt(text_as_chat(prompt), options)

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> AnthropicRequest:
        messages = [
            {"role": m.role.openai_role, "content": m.text}
            for m in prompt.messages
            if m.role is not ChatRole.system
        ]
        answer_tokens = options.max_tokens or DEFAULT_MAX_TOKENS
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": answer_tokens,
            "messages": messages,
        }
        reasoning, notes = reasoning_fields(self.model, options, answer_tokens)
        body.update(reasoning)
        if prompt.system_text:
            body["system"] = prompt.system_text
        if options.stop_sequences:
            body["stop_sequences"] = list(options.stop_sequences)
        notes = dropped_sampling(options) + notes
        return AnthropicRequest(url=self.url, body=body, notes=notes)

    def headers(self) -> dict[str, str]:
        return auth_headers(self.api_key.value)

    async def evaluate(self, request: AnthropicRequest) -> dict[str, Any]:
        return await self.post_json(request.url, request.body)

    async def evaluate_stream(self, request: AnthropicRequest) -> AsyncIterator[SUTStreamChunk]:
        usage: TokenUsage | None = None
        reason: str | None = None
        events = self.stream_sse(
            request.url, {**request.body, "stream": True}, is_end=_is_message_stop
        )
        async for event in events:
            kind = event.get("type") or event.get("event")
            if kind == "message_start":
                message = event.get("message")
                usage = _usage(message.get("usage") if isinstance(message, dict) else None)
            elif kind == "content_block_delta":
                delta = event.get("delta")
                kind = delta.get("type") if isinstance(delta, dict) else None
                if kind == "text_delta":
                    text = delta.get("text")  # type: ignore[union-attr]
                    if isinstance(text, str) and text:
                        yield SUTStreamChunk(text=text)
                elif kind == "thinking_delta":  # a signature_delta is not text: never shown
                    thought = delta.get("thinking")  # type: ignore[union-attr]
                    if isinstance(thought, str) and thought:
                        yield SUTStreamChunk(reasoning=thought)
            elif kind == "message_delta":
                delta = event.get("delta")
                if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                    reason = delta["stop_reason"]
                usage = _usage(event.get("usage"), usage)
            elif kind == "message_stop":
                break
        yield SUTStreamChunk(usage=usage, finish_reason=reason)

    def translate_response(
        self, request: AnthropicRequest, response: dict[str, Any]
    ) -> SUTResponse:
        content = response.get("content")
        if not isinstance(content, list):
            raise SUTError(ErrorKind.protocol, "Anthropic answered a message without content")
        blocks = [b for b in content if isinstance(b, dict)]
        text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        # redacted_thinking is encrypted and the signature opaque: neither is reasoning text.
        thought = "".join(b.get("thinking", "") for b in blocks if b.get("type") == "thinking")
        reason = response.get("stop_reason")
        return SUTResponse(
            text=text,
            reasoning=thought or None,
            finish_reason=reason if isinstance(reason, str) else None,
            usage=_usage(response.get("usage")),
        )


class AnthropicSUTFactory(HttpFactory, DynamicSUTFactory):
    DESCRIPTION = "Anthropic Claude models (Messages API)."
    ACCEPTED_OPTIONS = {"url": "base URL of the API (default https://api.anthropic.com/v1)"}
    EXAMPLE_UIDS = ("claude-sonnet-4-6:anthropic", "claude-haiku-4-5:anthropic")
    STREAMS = True
    LISTS_MODELS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(AnthropicApiKey)]

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        from drivers.providers.anthropic_models import fetch_all

        (key,) = self.injected_secrets()
        url = join_url(sut_definition.base_url or BASE_URL, "models")
        headers = auth_headers(key.value)
        del headers["Content-Type"]  # a GET has no body
        return await fetch_all(self, url, headers)

    def make_sut(self, sut_definition: SUTDefinition) -> AnthropicSUT:
        (key,) = self.injected_secrets()
        assert secret_value(key) is not None
        base = sut_definition.base_url or BASE_URL
        return AnthropicSUT(
            sut_definition.uid,
            sut_definition.external_model_name(),
            join_url(base, "messages"),
            key,
        )
