"""Google's Gemini API: generateContent and streamGenerateContent?alt=sse at
https://generativelanguage.googleapis.com/v1beta, the key in the x-goog-api-key header (never in
the URL, where it would end up in tracebacks and logs).

An answer blocked for safety, recitation etc. is the empty string, as upstream, with the block
reason as its finish reason. Thinking: Gemini 3 takes a thinkingLevel, 2.5 a thinkingBudget (2.5 Pro
cannot turn it off), older models none; the `reasoning` option is mapped by THINKING, and thoughts
are asked for (includeThoughts) and kept apart from the answer. `;reas=n` is reasoning=none.
Lists its models with GET {base}/models, paged (drivers/providers/google_models.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.http.sut import HttpFactory, HttpRequest, HttpSUT
from drivers.model_listing import ListedModel
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.providers.openai_chat import text_as_chat
from drivers.reasoning import Reasoning, nearest_level, parse_reasoning
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secrets import InjectSecret, RequiredSecret, SecretDescription
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition

DRIVER_NAME = "google"
BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
BLOCKED = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "OTHER"})


class GoogleAiApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="google_ai",
            key="api_key",
            instructions="See https://aistudio.google.com/app/apikey",
            env_vars=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        )


class GeminiRequest(HttpRequest):
    stream_url: str


@dataclass(frozen=True)
class ThinkingFamily:
    """How one Gemini family thinks: by level (Gemini 3) or by budget (2.5), as data."""

    pattern: str
    levels: tuple[str, ...] = ()
    """thinkingLevel values it takes; empty: it takes a thinkingBudget."""
    min_budget: int = 0
    """The smallest budget; above 0, thinking cannot be turned off."""
    max_budget: int = 24576
    off_or_min: int = 0
    """Thinking can be off (0), else the budget is at least this (2.5 Flash-Lite: 512)."""
    thinks: bool = True
    """False: a model of a thinking generation that does not think (image, speech models)."""


THINKING = (
    ThinkingFamily(r"gemini-[0-9.]+-flash-image|gemini-[0-9.]+-.*tts", thinks=False),
    ThinkingFamily(r"gemini-3(\.\d+)?-pro", levels=("low", "high")),
    ThinkingFamily(r"gemini-3", levels=("minimal", "low", "medium", "high")),
    ThinkingFamily(r"gemini-2\.5-pro|gemini-pro-latest", min_budget=128, max_budget=32768),
    ThinkingFamily(r"gemini-2\.5-flash-lite|gemini-flash-lite-latest", off_or_min=512),
    ThinkingFamily(r"gemini-2\.5|gemini-flash-latest"),
)
"""Models no family matches do not think (gemini-2.0, gemma): a reasoning setting is dropped."""


def thinking_config(
    model: str, wanted: Reasoning | None
) -> tuple[dict[str, Any] | None, list[str]]:
    """The generationConfig.thinkingConfig for this model and setting, and notes."""
    family = next((f for f in THINKING if re.match(f.pattern, model)), None)
    if family is None or not family.thinks:
        if wanted is None:
            return None, []
        return None, [f"{model} does not think: reasoning dropped"]
    config: dict[str, Any] = {"includeThoughts": True}
    if wanted is None:
        return config, []
    if family.levels:
        level = wanted.effort()
        if level not in family.levels:
            nearest = nearest_level(level, family.levels)
            note = f"{model} takes thinking levels {'/'.join(family.levels)}: {level} sent as "
            return {**config, "thinkingLevel": nearest}, [note + nearest]
        return {**config, "thinkingLevel": level}, []
    budget = 0 if wanted.off else wanted.tokens()
    notes = []
    if budget < family.min_budget:
        notes.append(f"{model} cannot turn thinking off: budget {family.min_budget} sent")
        budget = family.min_budget
    if 0 < budget < family.off_or_min:
        notes.append(f"{model} thinks at least {family.off_or_min} tokens: {budget} sent as that")
        budget = family.off_or_min
    if budget > family.max_budget:
        notes.append(f"{model} thinks at most {family.max_budget} tokens: {budget} sent as that")
        budget = family.max_budget
    if budget == 0:
        return {"thinkingBudget": 0}, notes
    return {**config, "thinkingBudget": budget}, notes


def _usage(data: Any) -> TokenUsage | None:
    """Gemini counts thoughts apart (thoughtsTokenCount): completion here is both."""
    if not isinstance(data, dict):
        return None
    prompt, completion = data.get("promptTokenCount"), data.get("candidatesTokenCount")
    thoughts = data.get("thoughtsTokenCount")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return None
    if isinstance(thoughts, int):
        completion = (completion if isinstance(completion, int) else 0) + thoughts
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
        reasoning_tokens=thoughts if isinstance(thoughts, int) else None,
    )


def _candidate(data: dict[str, Any]) -> tuple[str, str | None, str]:
    """The text, finish reason and thoughts of the first candidate ("" and the block reason
    if none)."""
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        feedback = data.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        return "", reason if isinstance(reason, str) else None, ""
    first = candidates[0]
    if not isinstance(first, dict):
        raise SUTError(ErrorKind.protocol, "Gemini answered a candidate that is not an object")
    content = first.get("content")
    parts = [p for p in (content.get("parts") if isinstance(content, dict) else None) or []
             if isinstance(p, dict)]  # fmt: skip
    text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    thoughts = "".join(p.get("text", "") for p in parts if p.get("thought"))
    reason = first.get("finishReason")
    return text, reason if isinstance(reason, str) else None, thoughts


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class GeminiSUT(HttpSUT, PromptResponseSUT[GeminiRequest, dict[str, Any]]):
    driver = DRIVER_NAME

    def __init__(
        self,
        uid: str,
        model: str,
        base_url: str,
        api_key: GoogleAiApiKey,
        reasoning: bool | None = None,
    ):
        super().__init__(uid)
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.reasoning = reasoning

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> GeminiRequest:
        return self.translate_chat_prompt(text_as_chat(prompt), options)

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> GeminiRequest:
        contents = [
            {"role": "model" if m.role is ChatRole.sut else "user", "parts": [{"text": m.text}]}
            for m in prompt.messages
            if m.role is not ChatRole.system
        ]
        body: dict[str, Any] = {"contents": contents}
        if prompt.system_text:
            body["systemInstruction"] = {"parts": [{"text": prompt.system_text}]}
        config: dict[str, Any] = {}
        for name, value in (
            ("maxOutputTokens", options.max_tokens),
            ("temperature", options.temperature),
            ("topP", options.top_p),
            ("topK", options.top_k_per_token),
            ("presencePenalty", options.presence_penalty),
            ("frequencyPenalty", options.frequency_penalty),
            ("seed", options.seed),
        ):
            if value is not None:
                config[name] = value
        if options.stop_sequences:
            config["stopSequences"] = list(options.stop_sequences)
        wanted = parse_reasoning(options.reasoning)
        if wanted is None and self.reasoning is False:  # upstream's ;reas=n
            wanted = Reasoning(level="none")
        thinking, notes = thinking_config(self.model, wanted)
        if thinking is not None:
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        model = quote(self.model, safe="/-._~")
        return GeminiRequest(
            url=f"{self.base_url}/models/{model}:generateContent",
            stream_url=f"{self.base_url}/models/{model}:streamGenerateContent?alt=sse",
            body=body,
            notes=notes,
        )

    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key.value, "Content-Type": "application/json"}

    async def evaluate(self, request: GeminiRequest) -> dict[str, Any]:
        return await self.post_json(request.url, request.body)

    async def evaluate_stream(self, request: GeminiRequest) -> AsyncIterator[SUTStreamChunk]:
        usage: TokenUsage | None = None
        reason: str | None = None
        events = self.stream_sse(
            request.stream_url,
            request.body,
            is_end=lambda event: _candidate(event)[1] is not None,
        )
        async for event in events:
            text, finish, thoughts = _candidate(event)
            usage = _usage(event.get("usageMetadata")) or usage
            reason = finish or reason
            if (text or thoughts) and finish not in BLOCKED:
                yield SUTStreamChunk(text=text, reasoning=thoughts)
        yield SUTStreamChunk(usage=usage, finish_reason=reason)

    def translate_response(self, request: GeminiRequest, response: dict[str, Any]) -> SUTResponse:
        text, reason, thoughts = _candidate(response)
        if reason in BLOCKED:
            text = ""
        return SUTResponse(
            text=text,
            reasoning=thoughts or None,
            finish_reason=reason,
            usage=_usage(response.get("usageMetadata")),
        )


class GoogleSUTFactory(HttpFactory, DynamicSUTFactory):
    DESCRIPTION = "Google Gemini models (Gemini API, generativelanguage.googleapis.com)."
    ACCEPTED_OPTIONS = {
        "url": "base URL of the API (default https://generativelanguage.googleapis.com/v1beta)",
        "reas": "n: as the option reasoning=none (upstream's name); the reasoning option wins",
    }
    EXAMPLE_UIDS = ("gemini-2.5-flash:google", "gemini-2.5-flash:google;reas=n")
    STREAMS = True
    LISTS_MODELS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(GoogleAiApiKey)]

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        from drivers.providers.google_models import fetch_all

        (key,) = self.injected_secrets()
        base = (sut_definition.base_url or BASE_URL).rstrip("/")
        return await fetch_all(self, f"{base}/models", {"x-goog-api-key": key.value})

    def make_sut(self, sut_definition: SUTDefinition) -> GeminiSUT:
        (key,) = self.injected_secrets()
        model = sut_definition.external_model_name().removeprefix("models/")
        return GeminiSUT(
            sut_definition.uid,
            model,
            sut_definition.base_url or BASE_URL,
            key,
            sut_definition.reasoning,
        )
