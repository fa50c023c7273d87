"""Hugging Face inference: a dedicated endpoint (TGI) given by ;url=, or serverless through the HF
router (https://router.huggingface.co/v1) otherwise. Both speak OpenAI chat completions.

For an endpoint the chat URL is `<url>/v1/chat/completions` (a url already ending in /v1 or in
/chat/completions is used as it is). TGI refuses top_p = 1.0 (422), so it is left out (same
meaning). A 503 "currently loading" with estimated_time is an `overloaded` error whose
retry_after is that estimate. The [hugging_face] token is optional with ;url= (a local TGI needs
none) and required for the router. With ;url= the option ;api=generate uses TGI's native
/generate and /generate_stream instead (drivers/providers/tgi.py).

Models are listed from the router's `GET /v1/models` (narrowed to the UID's provider, if any),
or, with ;url=, from the endpoint's TGI `/info` (drivers/providers/tgi_info.py).

`hf` is upstream's older name: prefer `hf-serverless` (router, provider named in the UID) and
`hf-dedicated` (an endpoint's URL).
"""

from __future__ import annotations

from typing import Any

from drivers.model_listing import ListedModel
from drivers.providers.hfrelay import HuggingFaceToken, check_hub_token
from drivers.providers.openai_chat import (
    ChatProfile,
    OpenAIStyleFactory,
    api_key_secret,
    join_url,
)
from drivers.providers.tgi import API_OPTION, TGIGenerateSUT, wants_generate
from drivers.secrets import InjectSecret
from drivers.sut import PromptResponseSUT
from drivers.uid import SUTDefinition

DRIVER_NAME = "hf"
ROUTER_URL = "https://router.huggingface.co/v1"
PROFILE = ChatProfile(provider="Hugging Face", top_p_below_one=True, reasoning_field=None)


def endpoint_chat_url(url: str) -> str:
    trimmed = url.rstrip("/")
    if trimmed.endswith("/chat/completions"):
        return trimmed
    if trimmed.endswith("/v1"):
        return join_url(trimmed, "chat/completions")
    return join_url(trimmed, "v1/chat/completions")


class HFSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = (
        "Hugging Face: a dedicated Inference Endpoint / TGI server by ;url=, "
        "else serverless through the HF router."
    )
    ACCEPTED_OPTIONS = {
        "url": "the endpoint URL, e.g. https://xyz.endpoints.huggingface.cloud",
        **API_OPTION,
    }
    EXAMPLE_UIDS = (
        "meta-llama/Llama-3.1-8B-Instruct:hf",
        "allenai/OLMo-2-1124-7B-Instruct:hf;url=https://xyz.endpoints.huggingface.cloud",
        "gpt2:local:hf;url=http://127.0.0.1:8080;api=generate",
    )
    DEFAULT_BASE_URL = ROUTER_URL
    PROFILE = PROFILE
    SECRET = HuggingFaceToken

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        if sut_definition.base_url:
            desc = HuggingFaceToken.description()
            optional = api_key_secret(
                desc.scope, desc.key, desc.instructions, required=False, env_vars=desc.env_vars
            )
            return [InjectSecret(optional)]
        return self.get_secrets()

    def chat_url(self, definition: SUTDefinition) -> str:
        if definition.base_url:
            return endpoint_chat_url(definition.base_url)
        return join_url(ROUTER_URL, self.CHAT_PATH)

    def model_name(self, definition: SUTDefinition) -> str:
        name = definition.external_model_name()
        if definition.provider and not definition.base_url:
            return f"{name}:{definition.provider}"
        return name

    def validate(self, sut_definition: SUTDefinition) -> None:
        super().validate(sut_definition)
        wants_generate(sut_definition)

    def models_url(self, definition: SUTDefinition) -> str:
        return join_url(ROUTER_URL, self.MODELS_PATH)

    def listed_provider(self, definition: SUTDefinition) -> str | None:
        return definition.provider

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        if sut_definition.base_url:
            from drivers.providers.tgi_info import list_endpoint

            return await list_endpoint(self, sut_definition, sut_definition.base_url)
        return await super().list_models(sut_definition)

    async def check_secrets(self, sut_definition: SUTDefinition) -> str | None:
        await check_hub_token(self, sut_definition)
        return None

    def make_sut(self, sut_definition: SUTDefinition) -> PromptResponseSUT[Any, Any]:
        if wants_generate(sut_definition):
            url = sut_definition.base_url or ""
            return TGIGenerateSUT(
                sut_definition.uid, url, self.api_key(sut_definition), driver=DRIVER_NAME
            )
        return super().make_sut(sut_definition)
