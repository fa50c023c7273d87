"""Together AI chat completions, serverless models: https://api-inference.together.ai/v1, where
the official SDK (3.1) sends chat completions (its other calls go to https://api.together.ai/v1).

Beyond OpenAI's fields Together takes top_k (from top_k_per_token) and repetition_penalty (the UID
option `repetition_penalty`, e.g. ;repetition_penalty=1.1); it reports finish reason `eos`, and
logprobs as {tokens, token_logprobs}. Driver names: together, together-serverless.

Its models are listed at https://api.together.ai/v1/models (where the SDK's other calls go),
a bare JSON array; with ;url= at {url}/models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from drivers.providers.openai_chat import ChatProfile, OpenAIStyleFactory
from drivers.secrets import RequiredSecret, SecretDescription
from drivers.uid import SUTDefinition, UIDError

DRIVER_NAME = "together"
ALIASES = ("together-serverless",)
BASE_URL = "https://api-inference.together.ai/v1"
MODELS_URL = "https://api.together.ai/v1/models"
PROFILE = ChatProfile(
    provider="Together", top_k_field="top_k", logprobs="together", include_usage=False
)


class TogetherApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="together",
            key="api_key",
            instructions="See https://api.together.ai/settings/api-keys",
            env_vars=("TOGETHER_API_KEY",),
        )


class TogetherSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = "Together AI serverless chat models (api-inference.together.ai)."
    ACCEPTED_OPTIONS = {
        "url": "base URL of the API (default https://api-inference.together.ai/v1)",
        "repetition_penalty": "Together's repetition_penalty, e.g. 1.1",
    }
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = ("meta-llama/Llama-3.3-70B-Instruct-Turbo:together",)
    DEFAULT_BASE_URL = BASE_URL
    PROFILE = PROFILE
    SECRET = TogetherApiKey

    def models_url(self, definition: SUTDefinition) -> str:
        return super().models_url(definition) if definition.base_url else MODELS_URL

    def profile(self, definition: SUTDefinition) -> ChatProfile:
        raw = definition.options_dict.get("repetition_penalty")
        if raw is None:
            return PROFILE
        try:
            value = float(raw)
        except ValueError:
            raise UIDError(
                definition.uid,
                f"repetition_penalty '{raw}' is not a number",
                "Write e.g. ;repetition_penalty=1.1",
            ) from None
        return ChatProfile(
            provider=PROFILE.provider,
            top_k_field="top_k",
            logprobs="together",
            include_usage=False,
            extra={"repetition_penalty": value},
        )
