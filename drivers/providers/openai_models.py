"""`GET {base}/models` of OpenAI-compatible APIs, read into ListedModel.

One reader for every dialect seen: OpenAI's `{"object": "list", "data": [{"id", "created",
"owned_by"}]}`, Together's bare array (with `display_name`, `context_length`, `type`), Mistral's
`capabilities` and `max_context_length`, vLLM's `max_model_len`, llama.cpp's `meta.n_ctx_train`,
the Hugging Face router's per-provider `context_length`. Only `id` is required; what a server
does not say stays None (nothing is guessed from a model's name).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ListedModel

LIST_TIMEOUT_S = 20.0
"""A model list is small: a server that takes longer is not answering."""


def parse_models(data: Any, host: str) -> list[ListedModel]:
    """The models in a /models answer; a SUTError (protocol) when it is no model list."""
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered its model list without a 'data' list")
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            out.append(_model(item))
    return out


def _model(item: dict[str, Any]) -> ListedModel:
    return ListedModel(
        id=item["id"],
        display_name=_text(item.get("display_name") or item.get("name")),
        context_length=_context(item),
        created=_date(item.get("created")),
        owned_by=_text(item.get("owned_by") or item.get("organization")),
        kind=_kind(item),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _context(item: dict[str, Any]) -> int | None:
    for key in ("context_length", "max_context_length", "max_model_len", "context_window"):
        found = _int(item.get(key))
        if found:
            return found
    meta = item.get("meta")
    if isinstance(meta, dict) and _int(meta.get("n_ctx_train")):
        return _int(meta.get("n_ctx_train"))
    providers = item.get("providers")
    if isinstance(providers, list):
        lengths = [_int(p.get("context_length")) for p in providers if isinstance(p, dict)]
        known = [n for n in lengths if n]
        return max(known) if known else None
    return None


def _date(value: Any) -> str | None:
    """A Unix time (OpenAI's `created`) or an ISO date, as YYYY-MM-DD."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d")
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        return value[:10]
    return None


def _kind(item: dict[str, Any]) -> str | None:
    """Only what the server says: Together's `type`, Mistral's capabilities."""
    kind = item.get("type")
    if isinstance(kind, str) and kind:
        return "chat" if kind == "language" else kind
    capabilities = item.get("capabilities")
    if isinstance(capabilities, dict):
        if capabilities.get("reasoning"):
            return "reasoning"
        if capabilities.get("completion_chat"):
            return "chat"
    return None
