"""OpenAI chat completions at https://api.openai.com/v1, or any OpenAI-compatible server.

- `gpt-4o-mini:openai`: OpenAI itself; secret [openai] api_key, optional [openai] organization.
- `maker/model:PROVIDER:openai;url=http://host/v1`: any OpenAI-compatible server (vLLM, llama.cpp,
  LM Studio, ollama's /v1...). The key is [PROVIDER] api_key, optional since local servers need
  none. `model:openai;url=...` (no provider) uses an optional [openai] api_key.
"""

from __future__ import annotations

from typing import Any

from drivers.providers.openai_chat import (
    SAMPLING,
    ChatProfile,
    ModelFamily,
    OpenAIStyleFactory,
    api_key_secret,
    secret_value,
)
from drivers.secrets import (
    InjectSecret,
    OptionalSecret,
    RequiredSecret,
    SecretDescription,
    resolve_injected,
)
from drivers.uid import SUTDefinition, UIDError

DRIVER_NAME = "openai"
BASE_URL = "https://api.openai.com/v1"


class OpenAIApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="openai",
            key="api_key",
            instructions="See https://platform.openai.com/api-keys",
            env_vars=("OPENAI_API_KEY",),
        )


class OpenAIOrganization(OptionalSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="openai",
            key="organization",
            instructions="Optional: your organization ID, "
            "see https://platform.openai.com/account/organization",
            env_vars=("OPENAI_ORG_ID",),
        )


OFFICIAL = ChatProfile(
    provider="OpenAI",
    max_tokens_field="max_completion_tokens",
    families=(
        # Reasoning models refuse sampling settings; the levels each generation accepts.
        ModelFamily(r"gpt-5(\.\d+)?-(chat|search)", reasoning_levels=()),
        ModelFamily(r"gpt-5\.[1-9]|gpt-[6-9]", SAMPLING, ("none", "low", "medium", "high")),
        ModelFamily(r"gpt-5", SAMPLING, ("minimal", "low", "medium", "high")),
        ModelFamily(r"o1-(mini|preview)", SAMPLING, reasoning_levels=()),  # no reasoning_effort
        ModelFamily(r"o\d", SAMPLING, ("low", "medium", "high")),
        ModelFamily(r"gpt-|chatgpt-", reasoning_levels=()),
    ),
)
COMPATIBLE = ChatProfile(provider="OpenAI-compatible server")


class OpenAISUTFactory(OpenAIStyleFactory):
    DESCRIPTION = (
        "OpenAI chat completions, or any OpenAI-compatible server with ;url= "
        "(key [PROVIDER] api_key, optional for local servers)."
    )
    ACCEPTED_OPTIONS = {
        "url": "base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1"
    }
    EXAMPLE_UIDS = (
        "gpt-4o-mini:openai",
        "Qwen/Qwen2.5-7B-Instruct:vllm:openai;url=http://127.0.0.1:8000/v1",
    )
    DEFAULT_BASE_URL = BASE_URL
    PROFILE = OFFICIAL
    SECRET = OpenAIApiKey

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(OpenAIApiKey), InjectSecret(OpenAIOrganization)]

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        provider = sut_definition.provider
        if sut_definition.base_url is None:
            if provider not in (None, "openai"):
                raise UIDError(
                    sut_definition.uid,
                    f"the openai driver does not know where '{provider}' serves its API",
                    f"Give its base URL: ...:{provider}:openai;url=https://host/v1",
                )
            return self.get_secrets()
        scope = provider or "openai"
        key = api_key_secret(
            scope,
            "api_key",
            f"The API key of your {scope} server; leave it unset if the server needs none.",
            required=False,
            # OPENAI_API_KEY is read for any [openai] api_key, as it always was
            env_vars=OpenAIApiKey.description().env_vars if scope == "openai" else (),
        )
        return [InjectSecret(key)]

    def profile(self, definition: SUTDefinition) -> ChatProfile:
        return OFFICIAL if definition.base_url is None else COMPATIBLE

    def extra_headers(self, definition: SUTDefinition) -> dict[str, str]:
        if definition.base_url is not None:
            return {}
        (_, organization) = self._resolved(definition)
        return {"OpenAI-Organization": organization} if organization else {}

    def api_key(self, definition: SUTDefinition) -> str | None:
        return self._resolved(definition)[0]

    def _resolved(self, definition: SUTDefinition) -> tuple[str | None, str | None]:
        values = [
            secret_value(v)
            for v in resolve_injected(self.secrets_for(definition), self.raw_secrets)
        ]
        return values[0], (values[1] if len(values) > 1 else None)
