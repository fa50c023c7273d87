"""Mistral AI chat completions (https://api.mistral.ai/v1).

Mistral refuses unknown fields (422), so it gets no stream_options (its last stream chunk carries
usage anyway), no top_k and no logprobs; the seed is sent as random_seed.
"""

from __future__ import annotations

from drivers.providers.openai_chat import ChatProfile, OpenAIStyleFactory
from drivers.secrets import RequiredSecret, SecretDescription

DRIVER_NAME = "mistral"
BASE_URL = "https://api.mistral.ai/v1"


class MistralApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="mistralai",
            key="api_key",
            instructions="MistralAI API key. See https://docs.mistral.ai/getting-started/quickstart/",
            env_vars=("MISTRAL_API_KEY",),
        )


class MistralSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = "Mistral AI models (api.mistral.ai)."
    ACCEPTED_OPTIONS = {"url": "base URL of the API (default https://api.mistral.ai/v1)"}
    EXAMPLE_UIDS = ("mistral-small-latest:mistral",)
    DEFAULT_BASE_URL = BASE_URL
    PROFILE = ChatProfile(
        provider="Mistral",
        seed_field="random_seed",
        logprobs=None,
        include_usage=False,
        reasoning_field=None,  # magistral models always reason; others cannot
    )
    SECRET = MistralApiKey
    LOGPROBS = False
