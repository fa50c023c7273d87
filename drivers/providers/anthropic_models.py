"""Anthropic's model list: `GET {base}/models`, paged.

A page is `{"data": [ModelInfo...], "has_more", "first_id", "last_id"}`; the next page is asked
with `after_id=<last_id>`, up to `limit` (1 to 1000) models a page. A ModelInfo holds `id`,
`display_name`, `created_at` (RFC 3339), `max_input_tokens`, `lifecycle` (active, deprecated,
retired) and `capabilities` (`thinking.supported`). Retired models are left out: a request
naming one fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers import transport
from drivers.errors import ErrorKind, SUTError
from drivers.http.sut import HttpFactory
from drivers.model_listing import ListedModel, all_pages
from drivers.providers.openai_models import iso_date

PAGE_LIMIT = 1000
"""The most models Anthropic gives in one page."""


async def fetch_all(
    factory: HttpFactory, url: str, headers: Mapping[str, str]
) -> list[ListedModel]:
    """Every page of the list at `url`, in order (each GET the factory's)."""

    async def page(cursor: str | None) -> tuple[list[ListedModel], str | None]:
        params = {"limit": str(PAGE_LIMIT), **({"after_id": cursor} if cursor else {})}
        data = await factory.get_json(url, headers, params)
        return parse_page(data, transport.host_of(url))

    return await all_pages(page)


def parse_page(data: Any, host: str) -> tuple[list[ListedModel], str | None]:
    """The models of one page and the cursor of the next (None: it was the last)."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered its model list without a 'data' list")
    models = [
        _model(item)
        for item in items
        if isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and item["id"]
        and item.get("lifecycle") != "retired"
    ]
    if data.get("has_more") is not True:
        return models, None
    last = data.get("last_id")
    if not isinstance(last, str) or not last:
        ids = [i.get("id") for i in items if isinstance(i, dict)]
        last = ids[-1] if ids and isinstance(ids[-1], str) else None
    return models, last or None


def _model(item: dict[str, Any]) -> ListedModel:
    name = item.get("display_name")
    context = item.get("max_input_tokens")
    return ListedModel(
        id=item["id"],
        display_name=name if isinstance(name, str) and name else None,
        context_length=context if isinstance(context, int) and context > 0 else None,
        created=_released(item.get("created_at")),
        kind="reasoning" if _thinks(item) else "chat",
    )


def _released(value: Any) -> str | None:
    """The release date; Anthropic writes the epoch when it is unknown."""
    day = iso_date(value)
    return None if day == "1970-01-01" else day


def _thinks(item: dict[str, Any]) -> bool:
    capabilities = item.get("capabilities")
    thinking = capabilities.get("thinking") if isinstance(capabilities, dict) else None
    return isinstance(thinking, dict) and thinking.get("supported") is True
