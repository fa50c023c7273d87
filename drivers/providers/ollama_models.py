"""ollama's local models: `GET {base}/api/tags`.

`{"models": [{"name", "model", "modified_at", "size", "digest", "details": {"family",
"parameter_size", "quantization_level", ...}}]}`. The id is `model` (older servers: `name`),
e.g. "llama3.2:3b"; the details make the display name; the date is when it was pulled or
changed (ollama keeps no release date). No context length: only /api/show says it.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import ListedModel
from drivers.providers.openai_models import iso_date


def parse_tags(data: Any, host: str) -> list[ListedModel]:
    """The models of an /api/tags answer; a SUTError (protocol) when it is no such list."""
    items = data.get("models") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SUTError(ErrorKind.protocol, f"{host} answered /api/tags without a 'models' list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = item.get("model") or item.get("name")
        if isinstance(name, str) and name:
            out.append(
                ListedModel(
                    id=name,
                    display_name=_described(item.get("details")),
                    created=iso_date(item.get("modified_at")),
                )
            )
    return out


def _described(details: Any) -> str | None:
    """The details as a name, e.g. "llama 3.2B Q4_K_M"; None when there are none."""
    if not isinstance(details, dict):
        return None
    parts = [details.get(k) for k in ("family", "parameter_size", "quantization_level")]
    words = [p for p in parts if isinstance(p, str) and p]
    return " ".join(words) or None
