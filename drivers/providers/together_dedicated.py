"""`together-dedicated`: a Together dedicated endpoint.

Upstream looks the endpoint up with Together's projects API
(GET /v2/projects/{project_id}/endpoints), starts it (PATCH autoscaling to one replica) and sends
chat completions with the endpoint's name as the model. Doing that needs the internet and a real
account, so here the endpoint is given: the UID's model is the endpoint name Together shows
(`myorg/Llama-3.3-70B-Instruct-Turbo-1a2b3c4d:together-dedicated`), sent as `model` to
https://api-inference.together.ai/v1/chat/completions, or `;url=` points at another base
URL. Start the endpoint in the Together dashboard first (and stop it after: it is billed while
it runs). Same wire format, options and secret ([together] api_key) as `together`.

Its models are the account's own dedicated endpoints, by the name a UID gives:
GET https://api.together.ai/v1/endpoints?type=dedicated&mine=true, `{"object": "list",
"data": [{"name", "model", "owner", "state", "created_at", ...}]}`; with ;url=, {url}/models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from drivers import transport
from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ListedModel
from drivers.providers.openai_models import iso_date
from drivers.providers.together import TogetherSUTFactory
from drivers.uid import SUTDefinition

DRIVER_NAME = "together-dedicated"
ENDPOINTS_URL = "https://api.together.ai/v1/endpoints"


def parse_endpoints(data: Any, host: str) -> list[ListedModel]:
    """The dedicated endpoints in Together's list, each named as a UID names it."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered its endpoint list without 'data'")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            continue
        model, state = item.get("model"), item.get("state")
        shown = " ".join(
            part
            for part in (
                model if isinstance(model, str) else "",
                f"({state.lower()})" if isinstance(state, str) and state else "",
            )
            if part
        )
        owner = item.get("owner")
        out.append(
            ListedModel(
                id=item["name"],
                display_name=shown or None,
                created=iso_date(item.get("created_at")),
                owned_by=owner if isinstance(owner, str) and owner else None,
                kind="chat",
            )
        )
    return out


class TogetherDedicatedSUTFactory(TogetherSUTFactory):
    DESCRIPTION = (
        "A Together dedicated endpoint: the model is the endpoint name (no endpoint lookup or "
        "start: that needs a real account online), or ;url= its base URL."
    )
    EXAMPLE_UIDS: ClassVar[Sequence[str]] = (
        "myorg/Llama-3.3-70B-Instruct-Turbo-1a2b3c4d:together-dedicated",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo:together-dedicated;url=https://host/v1",
    )

    async def list_models(self, sut_definition: SUTDefinition) -> list[ListedModel]:
        if sut_definition.base_url:
            return await super().list_models(sut_definition)
        params = {"type": "dedicated", "mine": "true"}
        data = await self.get_listing(sut_definition, ENDPOINTS_URL, params)
        return parse_endpoints(data, transport.host_of(ENDPOINTS_URL))
