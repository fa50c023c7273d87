"""The one model a Text Generation Inference endpoint serves, from `GET {root}/info`.

TGI answers {"model_id", "max_input_tokens" (older: "max_input_length"), "max_total_tokens",
"model_pipeline_tag", "version", ...}. An endpoint that is not TGI (a vLLM or llama.cpp server
behind a dedicated endpoint) has no /info: its OpenAI-style `/v1/models` is read instead.
"""

from __future__ import annotations

from typing import Any

from drivers import transport
from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ListedModel
from drivers.providers.openai_chat import OpenAIStyleFactory, join_url
from drivers.providers.openai_models import parse_models
from drivers.providers.tgi import endpoint_root
from drivers.uid import SUTDefinition


def parse_info(data: Any, host: str) -> ListedModel:
    """The model of a TGI /info answer; a SUTError (protocol) when it names none."""
    model = data.get("model_id") if isinstance(data, dict) else None
    if not isinstance(model, str) or not model:
        raise SUTError(ErrorKind.protocol, f"{host} answered /info without a model_id")
    context = None
    for key in ("max_total_tokens", "max_input_tokens", "max_input_length"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            context = value
            break
    return ListedModel(id=model, context_length=context)


async def list_endpoint(
    factory: OpenAIStyleFactory, definition: SUTDefinition, url: str
) -> list[ListedModel]:
    """The model the endpoint at `url` (its root, or a URL ending in /v1...) serves."""
    root = endpoint_root(url)
    info_url = join_url(root, "info")
    try:
        data = await factory.get_listing(definition, info_url)
    except SUTError as error:
        if error.kind is not ErrorKind.not_found:
            raise
        models_url = join_url(root, "v1/models")
        listed = await factory.get_listing(definition, models_url)
        return parse_models(listed, transport.host_of(models_url))
    return [parse_info(data, transport.host_of(info_url))]
