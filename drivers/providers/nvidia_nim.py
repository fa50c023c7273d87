"""NVIDIA NIM (build.nvidia.com): OpenAI-compatible at https://integrate.api.nvidia.com/v1.

Sends max_tokens (not max_completion_tokens), as NIM expects.
"""

from __future__ import annotations

from drivers.providers.openai_chat import ChatProfile, OpenAIStyleFactory
from drivers.secrets import RequiredSecret, SecretDescription

DRIVER_NAME = "nvidia-nim"
BASE_URL = "https://integrate.api.nvidia.com/v1"


class NvidiaNimApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="nvidia-nim-api",
            key="api_key",
            instructions="See https://build.nvidia.com/",
            env_vars=("NVIDIA_API_KEY",),
        )


class NvidiaNimSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = "NVIDIA NIM hosted models (integrate.api.nvidia.com)."
    ACCEPTED_OPTIONS = {"url": "base URL of the API (default https://integrate.api.nvidia.com/v1)"}
    EXAMPLE_UIDS = ("meta/llama-3.1-8b-instruct:nvidia-nim",)
    DEFAULT_BASE_URL = BASE_URL
    PROFILE = ChatProfile(provider="NVIDIA NIM", max_tokens_field="max_tokens")
    SECRET = NvidiaNimApiKey
