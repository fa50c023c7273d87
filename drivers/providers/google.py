"""Google's Gemini API: generateContent and streamGenerateContent?alt=sse at
https://generativelanguage.googleapis.com/v1beta, the key in the x-goog-api-key header (never in
the URL, where it would end up in tracebacks and logs).

An answer blocked for safety, recitation etc. is the empty string, as upstream, with the block
reason as its finish reason. `;reas=n` turns thinking off (thinkingBudget 0) on models that think.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from drivers import streams, transport
from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.providers.openai_chat import text_as_chat
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
        )


class GeminiRequest(BaseModel):
    url: str
    stream_url: str
    body: dict[str, Any]


def _usage(data: Any) -> TokenUsage | None:
    if not isinstance(data, dict):
        return None
    prompt, completion = data.get("promptTokenCount"), data.get("candidatesTokenCount")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
    )


def _candidate(data: dict[str, Any]) -> tuple[str, str | None]:
    """The text and finish reason of the first candidate ("" and the block reason if none)."""
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        feedback = data.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        return "", reason if isinstance(reason, str) else None
    first = candidates[0]
    if not isinstance(first, dict):
        raise SUTError(ErrorKind.protocol, "Gemini answered a candidate that is not an object")
    content = first.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    text = "".join(
        p.get("text", "") for p in parts or [] if isinstance(p, dict) and not p.get("thought")
    )
    reason = first.get("finishReason")
    return text, reason if isinstance(reason, str) else None


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class GeminiSUT(PromptResponseSUT[GeminiRequest, dict[str, Any]]):
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
        self.timeouts: transport.Timeouts | None = None
        self.retry: transport.RetryPolicy | None = None

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
        if self.reasoning is False:
            config["thinkingConfig"] = {"thinkingBudget": 0}
        if config:
            body["generationConfig"] = config
        model = quote(self.model, safe="/-._~")
        return GeminiRequest(
            url=f"{self.base_url}/models/{model}:generateContent",
            stream_url=f"{self.base_url}/models/{model}:streamGenerateContent?alt=sse",
            body=body,
        )

    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key.value, "Content-Type": "application/json"}

    async def evaluate(self, request: GeminiRequest) -> dict[str, Any]:
        return await transport.post_json(
            request.url,
            request.body,
            self.headers(),
            timeout=self.timeouts,
            retry=self.retry,
            limit_key=DRIVER_NAME,
        )

    async def evaluate_stream(self, request: GeminiRequest) -> AsyncIterator[SUTStreamChunk]:
        usage: TokenUsage | None = None
        reason: str | None = None
        events = streams.stream_sse(
            request.stream_url,
            request.body,
            self.headers(),
            timeout=self.timeouts,
            retry=self.retry,
            limit_key=DRIVER_NAME,
        )
        async for event in events:
            text, finish = _candidate(event)
            usage = _usage(event.get("usageMetadata")) or usage
            reason = finish or reason
            if text and finish not in BLOCKED:
                yield SUTStreamChunk(text=text)
        yield SUTStreamChunk(usage=usage, finish_reason=reason)

    def translate_response(self, request: GeminiRequest, response: dict[str, Any]) -> SUTResponse:
        text, reason = _candidate(response)
        if reason in BLOCKED:
            text = ""
        return SUTResponse(
            text=text, finish_reason=reason, usage=_usage(response.get("usageMetadata"))
        )


class GoogleSUTFactory(DynamicSUTFactory):
    DESCRIPTION = "Google Gemini models (Gemini API, generativelanguage.googleapis.com)."
    ACCEPTED_OPTIONS = {
        "url": "base URL of the API (default https://generativelanguage.googleapis.com/v1beta)",
        "reas": "n turns thinking off (thinkingBudget 0) on thinking models",
    }
    EXAMPLE_UIDS = ("gemini-2.5-flash:google", "gemini-2.5-flash:google;reas=n")
    STREAMS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(GoogleAiApiKey)]

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
