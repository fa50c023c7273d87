"""Gemini's model list: `GET {base}/models?pageSize=1000`, paged by `pageToken`.

A page is `{"models": [{"name": "models/gemini-2.5-flash", "displayName", "inputTokenLimit",
"supportedGenerationMethods", "thinking", ...}], "nextPageToken"}`. Only the models that take
generateContent are kept (not the embedding, imagen or veo models); `models/` is dropped from
the name, as a UID writes it; `thinking: true` makes the kind "reasoning".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers import transport
from drivers.errors import ErrorKind, SUTError
from drivers.http.sut import HttpFactory
from drivers.model_listing import ListedModel, all_pages

PAGE_SIZE = 1000
"""The most models the Gemini API gives in one page (its default is 50)."""


async def fetch_all(
    factory: HttpFactory, url: str, headers: Mapping[str, str]
) -> list[ListedModel]:
    """Every page of the list at `url` (`{base}/models`), in order (each GET the factory's)."""

    async def page(cursor: str | None) -> tuple[list[ListedModel], str | None]:
        params = {"pageSize": str(PAGE_SIZE), **({"pageToken": cursor} if cursor else {})}
        data = await factory.get_json(url, headers, params)
        return parse_page(data, transport.host_of(url))

    return await all_pages(page)


def parse_page(data: Any, host: str) -> tuple[list[ListedModel], str | None]:
    """The generateContent models of one page and the next page's token (None: the last)."""
    if not isinstance(data, dict):
        raise SUTError(ErrorKind.protocol, f"{host} answered its model list with no object")
    items = data.get("models", [])  # a page past the end may have no "models" at all
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered a 'models' that is not a list")
    models = [_model(item) for item in items if _generates(item)]
    token = data.get("nextPageToken")
    return models, token if isinstance(token, str) and token else None


def _generates(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return False
    methods = item.get("supportedGenerationMethods")
    return isinstance(methods, list) and "generateContent" in methods


def _model(item: dict[str, Any]) -> ListedModel:
    name = item.get("displayName")
    context = item.get("inputTokenLimit")
    return ListedModel(
        id=item["name"].removeprefix("models/"),
        display_name=name if isinstance(name, str) and name else None,
        context_length=context if isinstance(context, int) and context > 0 else None,
        kind="reasoning" if item.get("thinking") is True else "chat",
    )
