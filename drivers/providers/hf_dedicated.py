"""`hf-dedicated`: a dedicated Hugging Face Inference Endpoint (or any TGI server).

Upstream finds the endpoint with the Inference Endpoints API (list_inference_endpoints(), resuming
a paused or scaled-to-zero one and waiting up to 20 minutes). That needs the internet and a real
account, so here the endpoint's URL is given: `;url=` in the UID, or else the secret
[hugging_face] endpoint. Start or resume the endpoint in the Hugging Face console first; while
it scales up it answers 503 with estimated_time, which is an `overloaded` error to retry later.

Calls `<url>/v1/chat/completions` with the model `maker/model`, or, with `;api=generate`, TGI's
native /generate and /generate_stream (drivers/providers/tgi.py). The [hugging_face] token is
required, as upstream. Its model is the one the endpoint's TGI `/info` names
(drivers/providers/tgi_info.py).
"""

from __future__ import annotations

from typing import Any

from drivers.model_listing import ListedModel
from drivers.providers.hf import PROFILE, endpoint_chat_url
from drivers.providers.hfrelay import HuggingFaceToken
from drivers.providers.openai_chat import OpenAIStyleFactory, secret_value
from drivers.providers.tgi import API_OPTION, TGIGenerateSUT, wants_generate
from drivers.secrets import (
    InjectSecret,
    MissingSecretValues,
    OptionalSecret,
    SecretDescription,
    resolve_injected,
)
from drivers.sut import PromptResponseSUT
from drivers.uid import SUTDefinition

DRIVER_NAME = "hf-dedicated"


class HuggingFaceEndpoint(OptionalSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="hugging_face",
            key="endpoint",
            instructions="The URL of your dedicated Inference Endpoint, e.g. "
            "https://xyz.us-east-1.aws.endpoints.huggingface.cloud (used when the UID has "
            "no ;url=; see https://ui.endpoints.huggingface.co).",
        )


class HFDedicatedSUTFactory(OpenAIStyleFactory):
    DESCRIPTION = (
        "A dedicated Hugging Face Inference Endpoint / TGI server, by ;url= or the secret "
        "[hugging_face] endpoint (no endpoint lookup: that needs a real account online)."
    )
    ACCEPTED_OPTIONS = {
        "url": "the endpoint URL, e.g. https://xyz.us-east-1.aws.endpoints.huggingface.cloud",
        **API_OPTION,
    }
    EXAMPLE_UIDS = (
        "meta-llama/Llama-3.1-8B-Instruct:hf-dedicated;url=https://xyz.endpoints.huggingface.cloud",
        "meta-llama/Llama-3.1-8B-Instruct:hf-dedicated",
        "gpt2:hf-dedicated;url=https://xyz.endpoints.huggingface.cloud;api=generate",
    )
    PROFILE = PROFILE
    SECRET = HuggingFaceToken

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(HuggingFaceToken), InjectSecret(HuggingFaceEndpoint)]

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        if sut_definition.base_url:
            return [InjectSecret(HuggingFaceToken)]
        return self.get_secrets()

    def base_url(self, definition: SUTDefinition) -> str:
        if definition.base_url:
            return definition.base_url
        values = resolve_injected(self.get_secrets(), self.raw_secrets)
        url = secret_value(values[1])
        if url is None:
            raise MissingSecretValues([HuggingFaceEndpoint.description()])
        return url

    def chat_url(self, definition: SUTDefinition) -> str:
        return endpoint_chat_url(self.base_url(definition))

    def validate(self, sut_definition: SUTDefinition) -> None:
        super().validate(sut_definition)
        wants_generate(sut_definition)

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        from drivers.providers.tgi_info import list_endpoint

        return await list_endpoint(self, sut_definition, self.base_url(sut_definition))

    def make_sut(self, sut_definition: SUTDefinition) -> PromptResponseSUT[Any, Any]:
        if wants_generate(sut_definition):
            return TGIGenerateSUT(
                sut_definition.uid,
                self.base_url(sut_definition),
                self.api_key(sut_definition),
                driver=DRIVER_NAME,
            )
        return super().make_sut(sut_definition)
