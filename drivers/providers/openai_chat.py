"""The OpenAI chat-completions wire format, shared by every OpenAI-style driver (openai, together,
mistral, nvidia-nim, hfrelay, modelship, hf): request body, the SUT class, secret helpers and a
base factory (the response and stream parsing are in openai_response.py). Each driver module
only declares what differs.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from drivers.capabilities import (
    AcceptsChatPrompt,
    AcceptsTextPrompt,
    ProducesPerTokenLogProbabilities,
    StreamsText,
)
from drivers.factory import DynamicSUTFactory
from drivers.http import transport
from drivers.http.sut import HttpFactory, HttpRequest, HttpSUT
from drivers.http.transport import RetryPolicy, Timeouts
from drivers.model_listing import ListedModel
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.providers.openai_response import is_stream_end, parse_completion, stream_chunks
from drivers.reasoning import nearest_level, parse_reasoning
from drivers.response import (
    SUTResponse,
    SUTStreamChunk,
)
from drivers.secrets import (
    InjectSecret,
    OptionalSecret,
    RequiredSecret,
    Secret,
    SecretDescription,
    resolve_injected,
)
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition, UIDError

# ----- secrets ----------------------------------------------------------------------------------

_secret_classes: dict[tuple[str, str, bool], type[Secret]] = {}


def api_key_secret(
    scope: str,
    key: str = "api_key",
    instructions: str = "",
    *,
    required: bool = True,
    env_vars: tuple[str, ...] = (),
) -> type[Secret]:
    """A Secret class for (scope, key), made once per (scope, key, required) and never mutated
    (upstream's OpenAICompatibleApiKey.for_provider() changed a class attribute: global state).
    `env_vars`: the provider's usual variables (SecretDescription.env_vars)."""
    cache_key = (scope, key, required)
    cls = _secret_classes.get(cache_key)
    if cls is None:
        description = SecretDescription(
            scope=scope, key=key, instructions=instructions, env_vars=env_vars
        )
        base: type[Secret] = RequiredSecret if required else OptionalSecret

        def describe(_cls: type[Secret]) -> SecretDescription:
            return description

        name = "".join(p.capitalize() for p in f"{scope}_{key}".replace("-", "_").split("_"))
        cls = type(name, (base,), {"description": classmethod(describe)})
        _secret_classes[cache_key] = cls
    return cls


def secret_value(secret: Any) -> str | None:
    """The value of a resolved secret (None for a missing optional one)."""
    value = getattr(secret, "value", None)
    return value if isinstance(value, str) and value else None


# ----- request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatProfile:
    """How one OpenAI-style API differs from OpenAI's."""

    provider: str
    max_tokens_field: str = "max_tokens"
    top_k_field: str | None = None
    seed_field: str | None = "seed"
    penalties: bool = True
    logprobs: str | None = "openai"
    """"openai" (logprobs: true + top_logprobs: n), "together" (logprobs: n) or None."""
    include_usage: bool = True
    """Ask for usage in streams with stream_options.include_usage."""
    top_p_below_one: bool = False
    """TGI refuses top_p = 1.0 (422); drop it, which means the same."""
    reasoning_field: str | None = "reasoning_effort"
    """Where the `reasoning` option goes (a level), or None: the API has no such field."""
    families: tuple[ModelFamily, ...] = ()
    """Per-model rules, first match wins; a model no family matches takes every option."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelFamily:
    """What one family of models takes, as data: the options it refuses (dropped, with a note
    in the result) and the reasoning levels it accepts (empty: it does not reason)."""

    pattern: str
    """A regular expression matched at the start of the model id."""
    refuses: frozenset[str] = frozenset()
    reasoning_levels: tuple[str, ...] = ()

    def matches(self, model: str) -> bool:
        return re.match(self.pattern, model.rsplit("/", 1)[-1]) is not None


SAMPLING = frozenset(
    {"temperature", "top_p", "presence_penalty", "frequency_penalty", "top_logprobs"}
)
"""What OpenAI's reasoning models refuse (400 "Unsupported parameter")."""


ChatCompletionRequest = HttpRequest
"""A chat-completions request: where it goes, its JSON body, the notes of what was changed."""


def openai_messages(prompt: ChatPrompt) -> list[dict[str, str]]:
    return [{"role": m.role.openai_role, "content": m.text} for m in prompt.messages]


def text_as_chat(prompt: TextPrompt) -> ChatPrompt:
    return ChatPrompt.model_validate({"messages": [{"text": prompt.text, "role": ChatRole.user}]})


def model_rules(
    profile: ChatProfile, model: str, options: SUTOptions
) -> tuple[SUTOptions, str | None, list[str]]:
    """The options this model takes, the reasoning level to send (or None) and the notes
    saying what was dropped or changed."""
    family = next((f for f in profile.families if f.matches(model)), None)
    notes: list[str] = []
    refused = {
        name: getattr(options, name)
        for name in sorted(family.refuses if family else ())
        if getattr(options, name) is not None
    }
    if refused:
        listed = ", ".join(f"{k}={v}" for k, v in refused.items())
        notes.append(f"{model} does not take {listed}: dropped")
        options = options.model_copy(update=dict.fromkeys(refused))
    wanted = parse_reasoning(options.reasoning)
    if wanted is None:
        return options, None, notes
    if profile.reasoning_field is None:
        notes.append(f"{profile.provider} takes no reasoning setting: reasoning dropped")
        return options, None, notes
    level = wanted.effort()
    if family is not None and not family.reasoning_levels:
        notes.append(f"{model} does not reason: reasoning={options.reasoning} dropped")
        return options, None, notes
    accepted = family.reasoning_levels if family is not None else COMMON_LEVELS
    if wanted.budget is not None and not wanted.off:
        notes.append(f"{profile.provider} takes reasoning levels: {wanted.budget} tokens "
                     f"sent as {level}")  # fmt: skip
    if level == "none" and "none" not in accepted:
        notes.append(f"{model} takes no reasoning level none: reasoning_effort left out (the "
                     "model's default)")  # fmt: skip
        return options, None, notes
    if level not in accepted:
        nearest = nearest_level(level, accepted)
        notes.append(f"{model} takes reasoning {'/'.join(accepted)}: {level} sent as {nearest}")
        level = nearest
    return options, level, notes


COMMON_LEVELS = ("low", "medium", "high")
"""The levels every server that takes reasoning_effort knows (vLLM, Together, llama.cpp...);
a model family of a profile may say more (OpenAI's gpt-5: minimal; gpt-5.1: none)."""


def build_body(
    profile: ChatProfile,
    model: str,
    messages: list[dict[str, str]],
    options: SUTOptions,
    reasoning: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": messages}
    if reasoning is not None and profile.reasoning_field:
        body[profile.reasoning_field] = reasoning
    if options.max_tokens is not None:
        body[profile.max_tokens_field] = options.max_tokens
    if options.temperature is not None:
        body["temperature"] = options.temperature
    if options.top_p is not None and not (profile.top_p_below_one and options.top_p >= 1.0):
        body["top_p"] = options.top_p
    if options.top_k_per_token is not None and profile.top_k_field:
        body[profile.top_k_field] = options.top_k_per_token
    if options.stop_sequences:
        body["stop"] = list(options.stop_sequences)
    if profile.penalties:
        if options.presence_penalty is not None:
            body["presence_penalty"] = options.presence_penalty
        if options.frequency_penalty is not None:
            body["frequency_penalty"] = options.frequency_penalty
    if options.seed is not None and profile.seed_field:
        body[profile.seed_field] = options.seed
    if options.top_logprobs is not None and profile.logprobs == "openai":
        body["logprobs"] = True
        body["top_logprobs"] = options.top_logprobs
    elif options.top_logprobs is not None and profile.logprobs == "together":
        body["logprobs"] = max(1, options.top_logprobs)
    body.update(profile.extra)
    return body


# ----- the SUT ----------------------------------------------------------------------------------


class OpenAIStyleChatBase(HttpSUT, PromptResponseSUT[ChatCompletionRequest, dict[str, Any]]):
    """A SUT speaking OpenAI chat completions to one URL."""

    def __init__(
        self,
        uid: str,
        model: str,
        url: str,
        api_key: str | None = None,
        *,
        profile: ChatProfile,
        extra_headers: dict[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        driver: str | None = None,
    ):
        super().__init__(uid)
        self.driver = driver
        """The driver name: the key of this SUT's concurrency cap in the transport."""
        self.model = model
        self.url = url
        self._api_key = api_key
        self.profile = profile
        self.extra_headers = dict(extra_headers or {})
        self.timeouts = timeouts
        self.retry = retry

    def translate_text_prompt(
        self, prompt: TextPrompt, options: SUTOptions
    ) -> ChatCompletionRequest:
        return self.translate_chat_prompt(text_as_chat(prompt), options)

    def translate_chat_prompt(
        self, prompt: ChatPrompt, options: SUTOptions
    ) -> ChatCompletionRequest:
        options, reasoning, notes = model_rules(self.profile, self.model, options)
        body = build_body(self.profile, self.model, openai_messages(prompt), options, reasoning)
        return ChatCompletionRequest(url=self.url, body=body, notes=notes)

    def headers(self) -> dict[str, str]:
        out = {"Content-Type": "application/json", **self.extra_headers}
        if self._api_key:
            out["Authorization"] = f"Bearer {self._api_key}"
        return out

    async def evaluate(self, request: ChatCompletionRequest) -> dict[str, Any]:
        body = {**request.body, "stream": False}
        return await self.post_json(request.url, body)

    async def evaluate_stream(
        self, request: ChatCompletionRequest
    ) -> AsyncIterator[SUTStreamChunk]:
        body: dict[str, Any] = {**request.body, "stream": True}
        if self.profile.include_usage:
            body["stream_options"] = {"include_usage": True}
        events = self.stream_sse(request.url, body, plain_json_ok=True, is_end=is_stream_end)
        async for chunk in stream_chunks(events):
            yield chunk

    def translate_response(
        self, request: ChatCompletionRequest, response: dict[str, Any]
    ) -> SUTResponse:
        return parse_completion(response, self.profile.provider)


@modelgauge_sut(
    capabilities=[
        AcceptsTextPrompt,
        AcceptsChatPrompt,
        StreamsText,
        ProducesPerTokenLogProbabilities,
    ]
)
class OpenAIStyleChatSUT(OpenAIStyleChatBase):
    """An OpenAI-style chat SUT whose API returns per-token logprobs."""


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class OpenAIStyleChatNoLogprobsSUT(OpenAIStyleChatBase):
    """An OpenAI-style chat SUT whose API gives no logprobs."""


# ----- the factory ------------------------------------------------------------------------------


def join_url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


class OpenAIStyleFactory(HttpFactory, DynamicSUTFactory):
    """A factory for one OpenAI-style API; subclasses set the class attributes."""

    DEFAULT_BASE_URL: ClassVar[str] = ""
    CHAT_PATH: ClassVar[str] = "chat/completions"
    PROFILE: ClassVar[ChatProfile]
    SECRET: ClassVar[type[Secret] | None] = None
    LOGPROBS: ClassVar[bool] = True
    STREAMS = True
    ACCEPTED_OPTIONS = {"url": "base URL of the API, e.g. http://127.0.0.1:8000/v1"}

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(self.SECRET)] if self.SECRET else []

    def validate(self, sut_definition: SUTDefinition) -> None:
        # The base URL may come from a secret, so it is checked when the SUT is made.
        self.profile(sut_definition)
        self.secrets_for(sut_definition)

    def base_url(self, definition: SUTDefinition) -> str:
        base = definition.base_url or self.DEFAULT_BASE_URL
        if not base:
            raise UIDError(
                definition.uid,
                "this driver needs a base URL",
                "Add ;url=https://host/v1 to the UID.",
            )
        return base

    def model_name(self, definition: SUTDefinition) -> str:
        return definition.external_model_name()

    def profile(self, definition: SUTDefinition) -> ChatProfile:
        return self.PROFILE

    def chat_url(self, definition: SUTDefinition) -> str:
        return join_url(self.base_url(definition), self.CHAT_PATH)

    def api_key(self, definition: SUTDefinition) -> str | None:
        secrets = resolve_injected(self.secrets_for(definition), self.raw_secrets)
        return secret_value(secrets[0]) if secrets else None

    def extra_headers(self, definition: SUTDefinition) -> dict[str, str]:
        return {}

    LISTS_MODELS = True
    MODELS_PATH: ClassVar[str] = "models"

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        """`GET {base}/models` with the key a SUT of this definition would send."""
        from drivers.providers.openai_models import parse_models

        url = self.models_url(sut_definition)
        data = await self.get_listing(sut_definition, url)
        return parse_models(data, transport.host_of(url), self.listed_provider(sut_definition))

    def models_url(self, definition: SUTDefinition) -> str:
        return join_url(self.base_url(definition), self.MODELS_PATH)

    def listed_provider(self, definition: SUTDefinition) -> str | None:
        """The provider a router's list is narrowed to (None: every model listed)."""
        return None

    async def get_listing(
        self, definition: SUTDefinition, url: str, params: dict[str, str] | None = None
    ) -> Any:
        """GET `url` as JSON with the headers and key a SUT of `definition` would send."""
        headers = dict(self.extra_headers(definition))
        key = self.api_key(definition)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return await self.get_json(url, headers, params)

    def make_sut(self, sut_definition: SUTDefinition) -> PromptResponseSUT[Any, Any]:
        cls = OpenAIStyleChatSUT if self.LOGPROBS else OpenAIStyleChatNoLogprobsSUT
        return cls(
            sut_definition.uid,
            self.model_name(sut_definition),
            self.chat_url(sut_definition),
            self.api_key(sut_definition),
            profile=self.profile(sut_definition),
            extra_headers=self.extra_headers(sut_definition),
            driver=self.driver_name(),
        )
