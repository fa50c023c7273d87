"""Modelship: an OpenAI-compatible vLLM service. The base URL comes from ;url= or the secret
[modelship] base_url; every `vllm-NAME=VALUE` option is sent in the body as NAME (with '-' read
as '_'), its value as JSON when it parses (numbers, true/false), else as text."""

from __future__ import annotations

import json
from typing import Any

from drivers.providers.openai_chat import (
    ChatProfile,
    OpenAIStyleFactory,
    secret_value,
)
from drivers.secrets import (
    InjectSecret,
    MissingSecretValues,
    OptionalSecret,
    RequiredSecret,
    SecretDescription,
    resolve_injected,
)
from drivers.uid import SUTDefinition

DRIVER_NAME = "modelship"
PROFILE = ChatProfile(provider="modelship (vLLM)", top_k_field="top_k")


class ModelshipApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(scope="modelship", key="api_key", instructions="Ask around")


class ModelshipBaseUrl(OptionalSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="modelship",
            key="base_url",
            instructions="The service's base URL, e.g. http://host:8123/v1 "
            "(or give ;url= in the UID)",
        )


def vllm_options(definition: SUTDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in definition.get_matching("vllm-").items():
        name = key.removeprefix("vllm-").replace("-", "_")
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


class ModelshipSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = "Modelship: an OpenAI-compatible vLLM service; vllm-* options go in the body."
    ACCEPTED_OPTIONS = {
        "url": "base URL of the service, e.g. http://host:8123/v1",
        "vllm-*": "a vLLM sampling parameter, e.g. vllm-repetition_penalty=1.1",
    }
    EXAMPLE_UIDS = ("meta-llama/Llama-3.1-8B-Instruct:modelship;url=http://host:8123/v1",)
    PROFILE = PROFILE
    SECRET = ModelshipApiKey

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(ModelshipApiKey), InjectSecret(ModelshipBaseUrl)]

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        if sut_definition.base_url:
            return [InjectSecret(ModelshipApiKey)]
        return self.get_secrets()

    def base_url(self, definition: SUTDefinition) -> str:
        if definition.base_url:
            return definition.base_url
        (_, url) = resolve_injected(self.get_secrets(), self.raw_secrets)
        value = secret_value(url)
        if value is None:
            raise MissingSecretValues([ModelshipBaseUrl.description()])
        return value

    def profile(self, definition: SUTDefinition) -> ChatProfile:
        extra = vllm_options(definition)
        if not extra:
            return PROFILE
        return ChatProfile(provider=PROFILE.provider, top_k_field="top_k", extra=extra)
