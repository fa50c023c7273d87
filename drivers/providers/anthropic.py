"""Anthropic's Messages API (https://api.anthropic.com/v1/messages).

Headers x-api-key and anthropic-version; max_tokens is required by the API, so it defaults to
1024; system messages go to the top-level `system`. Streams the events message_start,
content_block_delta, message_delta, message_stop (and error, raised as a SUTError).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel

from drivers import streams, transport
from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.providers.openai_chat import join_url, secret_value, text_as_chat
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secrets import InjectSecret, RequiredSecret, SecretDescription
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition

DRIVER_NAME = "anthropic"
BASE_URL = "https://api.anthropic.com/v1"
API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024


class AnthropicApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="anthropic",
            key="api_key",
            instructions="You can create api keys at https://console.anthropic.com/settings/keys.",
        )


class AnthropicRequest(BaseModel):
    url: str
    body: dict[str, Any]


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


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class AnthropicSUT(PromptResponseSUT[AnthropicRequest, dict[str, Any]]):
    def __init__(self, uid: str, model: str, url: str, api_key: AnthropicApiKey):
        super().__init__(uid)
        self.model = model
        self.url = url
        self.api_key = api_key
        self.timeouts: transport.Timeouts | None = None
        self.retry: transport.RetryPolicy | None = None

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> AnthropicRequest:
        return self.translate_chat_prompt(text_as_chat(prompt), options)

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> AnthropicRequest:
        messages = [
            {"role": m.role.openai_role, "content": m.text}
            for m in prompt.messages
            if m.role is not ChatRole.system
        ]
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": options.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": messages,
        }
        if prompt.system_text:
            body["system"] = prompt.system_text
        if options.temperature is not None:
            body["temperature"] = options.temperature
        if options.top_p is not None:
            body["top_p"] = options.top_p
        if options.top_k_per_token is not None:
            body["top_k"] = options.top_k_per_token
        if options.stop_sequences:
            body["stop_sequences"] = list(options.stop_sequences)
        return AnthropicRequest(url=self.url, body=body)

    def headers(self) -> dict[str, str]:
        return {
            "x-api-key": self.api_key.value,
            "anthropic-version": API_VERSION,
            "Content-Type": "application/json",
        }

    async def evaluate(self, request: AnthropicRequest) -> dict[str, Any]:
        return await transport.post_json(
            request.url,
            request.body,
            self.headers(),
            timeout=self.timeouts,
            retry=self.retry,
            limit_key=DRIVER_NAME,
        )

    async def evaluate_stream(self, request: AnthropicRequest) -> AsyncIterator[SUTStreamChunk]:
        usage: TokenUsage | None = None
        reason: str | None = None
        events = streams.stream_sse(
            request.url,
            {**request.body, "stream": True},
            self.headers(),
            timeout=self.timeouts,
            retry=self.retry,
            limit_key=DRIVER_NAME,
        )
        async for event in events:
            kind = event.get("type") or event.get("event")
            if kind == "message_start":
                message = event.get("message")
                usage = _usage(message.get("usage") if isinstance(message, dict) else None)
            elif kind == "content_block_delta":
                delta = event.get("delta")
                if isinstance(delta, dict) and delta.get("type") == "text_delta":
                    text = delta.get("text")
                    if isinstance(text, str) and text:
                        yield SUTStreamChunk(text=text)
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
        text = "".join(
            b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"
        )
        reason = response.get("stop_reason")
        return SUTResponse(
            text=text,
            finish_reason=reason if isinstance(reason, str) else None,
            usage=_usage(response.get("usage")),
        )


class AnthropicSUTFactory(DynamicSUTFactory):
    DESCRIPTION = "Anthropic Claude models (Messages API)."
    ACCEPTED_OPTIONS = {"url": "base URL of the API (default https://api.anthropic.com/v1)"}
    EXAMPLE_UIDS = ("claude-sonnet-4-5-20250929:anthropic",)
    STREAMS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(AnthropicApiKey)]

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
