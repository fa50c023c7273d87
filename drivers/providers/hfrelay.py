"""The Hugging Face inference-providers router: `maker/model:PROVIDER:hfrelay` sends model
"maker/model:PROVIDER" to https://router.huggingface.co/v1/chat/completions. Its models are the
router's `GET /v1/models` that PROVIDER serves (each lists its providers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from drivers.providers.openai_chat import ChatProfile, OpenAIStyleFactory
from drivers.secrets import RequiredSecret, SecretDescription
from drivers.uid import SUTDefinition

DRIVER_NAME = "hfrelay"
BASE_URL = "https://router.huggingface.co/v1"


class HuggingFaceToken(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="hugging_face",
            key="token",
            instructions="You can create tokens at https://huggingface.co/settings/tokens.",
            env_vars=("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"),
        )


HUB_API = "https://huggingface.co/api"
"""Where a token is checked: GET {HUB_API}/whoami-v2 (the router's model list is public)."""


async def check_hub_token(factory: OpenAIStyleFactory, definition: SUTDefinition) -> None:
    """The Hugging Face check hook: whoami with the token a SUT of `definition` sends (`;url=`
    names another hub API address, e.g. a test server)."""
    base = definition.base_url or HUB_API
    await factory.get_listing(definition, base.rstrip("/") + "/whoami-v2")


class HFRelaySUTFactory(OpenAIStyleFactory):
    DESCRIPTION = "Hugging Face inference providers through the HF router (provider required)."
    ACCEPTED_OPTIONS = {"url": "base URL of the router (default https://router.huggingface.co/v1)"}
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = ("google/gemma-3-27b-it:nebius:hfrelay",)
    PROVIDER_REQUIRED = True
    DEFAULT_BASE_URL = BASE_URL
    PROFILE = ChatProfile(provider="Hugging Face router")
    SECRET = HuggingFaceToken

    def model_name(self, definition: SUTDefinition) -> str:
        return f"{definition.external_model_name()}:{definition.provider}"

    def listed_provider(self, definition: SUTDefinition) -> str | None:
        return definition.provider

    async def check_secrets(self, sut_definition: SUTDefinition) -> str | None:
        await check_hub_token(self, sut_definition)
        return None
