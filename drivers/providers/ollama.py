"""ollama, local: POST http://127.0.0.1:11434/api/chat (another host with ;url=), streamed as
newline-delimited JSON; no key. A model name with ':' is percent-encoded in the UID:
`llama3.2%3A3b:ollama` sends model "llama3.2:3b". Lists the pulled models with GET
{base}/api/tags (drivers/providers/ollama_models.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.http import transport
from drivers.http.sut import HttpFactory, HttpRequest, HttpSUT
from drivers.model_listing import ListedModel
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, TextPrompt
from drivers.providers.openai_chat import join_url, openai_messages, text_as_chat
from drivers.reasoning import (
    Reasoning,
    ThinkSplitter,
    nearest_level,
    parse_reasoning,
    split_think,
)
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secrets import InjectSecret
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition

DRIVER_NAME = "ollama"
BASE_URL = "http://127.0.0.1:11434"


OllamaRequest = HttpRequest


def think_value(model: str, wanted: Reasoning) -> tuple[bool | str, list[str]]:
    """ollama's `think`: true/false, or a level for gpt-oss (which cannot turn it off)."""
    if "gpt-oss" in model:
        level = wanted.effort()
        if level in ("low", "medium", "high"):
            return level, []
        sent = nearest_level(level, ("low", "medium", "high"))
        return sent, [f"{model} takes thinking low/medium/high: {level} sent as {sent}"]
    notes = []
    if wanted.budget:
        notes.append(f"ollama takes thinking on or off: {wanted.budget} tokens sent as on")
    return not wanted.off, notes


def _usage(data: dict[str, Any]) -> TokenUsage | None:
    prompt, completion = data.get("prompt_eval_count"), data.get("eval_count")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
    )


def _content(data: dict[str, Any]) -> tuple[str, str]:
    """(thinking, content) of one message (`thinking` with `think`, ollama 0.9 and later)."""
    message = data.get("message")
    if message is None:
        return "", ""
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise SUTError(ErrorKind.protocol, "ollama answered a message without text content")
    thinking = message.get("thinking")
    return (thinking if isinstance(thinking, str) else ""), content


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class OllamaSUT(HttpSUT, PromptResponseSUT[OllamaRequest, dict[str, Any]]):
    driver = DRIVER_NAME

    def __init__(self, uid: str, model: str, url: str):
        super().__init__(uid)
        self.model = model
        self.url = url

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json"}

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> OllamaRequest:
        return self.translate_chat_prompt(text_as_chat(prompt), options)

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> OllamaRequest:
        settings: dict[str, Any] = {}
        for name, value in (
            ("num_predict", options.max_tokens),
            ("temperature", options.temperature),
            ("top_p", options.top_p),
            ("top_k", options.top_k_per_token),
            ("seed", options.seed),
            ("presence_penalty", options.presence_penalty),
            ("frequency_penalty", options.frequency_penalty),
        ):
            if value is not None:
                settings[name] = value
        if options.stop_sequences:
            settings["stop"] = list(options.stop_sequences)
        body: dict[str, Any] = {"model": self.model, "messages": openai_messages(prompt)}
        if settings:
            body["options"] = settings
        notes: list[str] = []
        wanted = parse_reasoning(options.reasoning)
        if wanted is not None:
            body["think"], notes = think_value(self.model, wanted)
        return OllamaRequest(url=self.url, body=body, notes=notes)

    async def evaluate(self, request: OllamaRequest) -> dict[str, Any]:
        return await self.post_json(request.url, {**request.body, "stream": False})

    async def evaluate_stream(self, request: OllamaRequest) -> AsyncIterator[SUTStreamChunk]:
        usage: TokenUsage | None = None
        reason: str | None = None
        lines = self.stream_ndjson(
            request.url,
            {**request.body, "stream": True},
            is_end=lambda item: item.get("done") is True,
        )
        think = ThinkSplitter()  # models that think inline, without `think` support
        async for item in lines:
            thinking, text = _content(item)
            if text and not thinking:
                inline, text = think.feed(text)
                thinking += inline
            if text or thinking:
                yield SUTStreamChunk(text=text, reasoning=thinking)
            if item.get("done"):
                usage = _usage(item)
                done_reason = item.get("done_reason")
                reason = done_reason if isinstance(done_reason, str) else "stop"
                break
        inline, text = think.flush()
        yield SUTStreamChunk(text=text, reasoning=inline, usage=usage, finish_reason=reason)

    def translate_response(self, request: OllamaRequest, response: dict[str, Any]) -> SUTResponse:
        reason = response.get("done_reason")
        thinking, text = _content(response)
        if not thinking:
            thinking, text = split_think(text)
        return SUTResponse(
            text=text,
            reasoning=thinking or None,
            finish_reason=reason if isinstance(reason, str) else None,
            usage=_usage(response),
        )


class OllamaSUTFactory(HttpFactory, DynamicSUTFactory):
    DESCRIPTION = "ollama on this machine (http://127.0.0.1:11434); no key."
    ACCEPTED_OPTIONS = {"url": "base URL of the ollama server (default http://127.0.0.1:11434)"}
    EXAMPLE_UIDS = ("llama3.2%3A3b:ollama", "qwen2.5%3A7b:ollama;url=http://gpu-box:11434")
    STREAMS = True
    LISTS_MODELS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return []

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        from drivers.providers.ollama_models import parse_tags

        url = join_url(sut_definition.base_url or BASE_URL, "api/tags")
        data = await self.get_json(url, {})
        return parse_tags(data, transport.host_of(url))

    def make_sut(self, sut_definition: SUTDefinition) -> OllamaSUT:
        base = sut_definition.base_url or BASE_URL
        return OllamaSUT(
            sut_definition.uid, sut_definition.external_model_name(), join_url(base, "api/chat")
        )
