"""`GET {base}/models` of OpenAI-compatible APIs, read into ListedModel.

One reader for every dialect seen: OpenAI's `{"object": "list", "data": [{"id", "created",
"owned_by"}]}`, Together's bare array (with `display_name`, `context_length`, `type`), Mistral's
`capabilities` and `max_context_length`, vLLM's `max_model_len`, llama.cpp's `meta.n_ctx_train`,
the Hugging Face router's per-provider `context_length`. Only `id` is required; what a server
does not say stays None (nothing is guessed from a model's name).

A model the server says cannot chat is left out (Together's embedding, image, rerank, audio
types; Mistral's `completion_chat: false`): the list is of what a UID can run. For the HF
router, a provider named in the UID keeps the models that provider serves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ListedModel

NOT_CHAT = frozenset({"embedding", "image", "rerank", "audio", "transcribe", "video"})
"""Together's model types that chat completions cannot run."""
ROUTER_POLICIES = frozenset({"fastest", "cheapest", "preferred", "auto"})
"""HF router "providers" that pick one: every model is theirs."""


def parse_models(data: Any, host: str, provider: str | None = None) -> list[ListedModel]:
    """The models in a /models answer; a SUTError (protocol) when it is no model list.
    `provider`: keep the models an HF-router-style list says that provider serves."""
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered its model list without a 'data' list")
    out = []
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]):
            continue
        if _cannot_chat(item):
            continue
        served = _served_by(item, provider)
        if served is None:
            continue
        out.append(_model(item, served))
    return out


def _cannot_chat(item: dict[str, Any]) -> bool:
    if item.get("type") in NOT_CHAT:
        return True
    capabilities = item.get("capabilities")
    return isinstance(capabilities, dict) and capabilities.get("completion_chat") is False


def _served_by(item: dict[str, Any], provider: str | None) -> dict[str, Any] | None:
    """The item, with the named provider's own context length when it lists providers; None
    when it lists them and that provider is not among them."""
    providers = item.get("providers")
    if not provider or provider in ROUTER_POLICIES or not isinstance(providers, list):
        return item
    for entry in providers:
        if isinstance(entry, dict) and entry.get("provider") == provider:
            return {**item, "providers": [entry]}
    return None


def _model(item: dict[str, Any], served: dict[str, Any]) -> ListedModel:
    return ListedModel(
        id=item["id"],
        display_name=_text(item.get("display_name") or item.get("name")),
        context_length=_context(served),
        created=iso_date(item.get("created")),
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


EARLIEST = 1420070400
"""2015-01-01: an earlier Unix time in a model list is a placeholder (NIM says 735790403)."""


def iso_date(value: Any) -> str | None:
    """A Unix time (OpenAI's `created`) or an ISO 8601 date or time, as YYYY-MM-DD; None when
    it is neither. Shared by every reader of a model list."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > EARLIEST:
        try:
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d")
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        return value[:10]
    return None


TOGETHER_KINDS = {
    "chat": "chat",
    "language": "completion",
    "code": "code",
    "moderation": "moderation",
}
"""Together's `type` as a kind (Mistral's `type` is "base" or "fine-tuned": not a kind)."""


def _kind(item: dict[str, Any]) -> str | None:
    """Only what the server says: Together's `type`, Mistral's capabilities."""
    kind = TOGETHER_KINDS.get(str(item.get("type")))
    if kind:
        return kind
    capabilities = item.get("capabilities")
    if isinstance(capabilities, dict):
        if capabilities.get("reasoning"):
            return "reasoning"
        if capabilities.get("completion_chat"):
            return "chat"
    return None
