"""Model lists kept on disk with their fetch time, one JSON file per listing definition.

Keyed by the definition (driver, provider, options such as the base URL), never by a key: a
list holds model ids and what the provider says of them, no secret, and its file name is a
digest of the definition so a URL never becomes a path. A list is replaced whole (written
beside, then renamed), so a reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from datetime import datetime
from pathlib import Path

from drivers.locations import user_cache_dir
from drivers.model_listing import ListedModel, ModelList
from drivers.redaction import redact
from drivers.uid import SUTDefinition

FOLDER = "models"


def folder() -> Path:
    return user_cache_dir() / FOLDER


def path_for(definition: SUTDefinition) -> Path:
    digest = hashlib.sha256(definition.format().encode()).hexdigest()[:24]
    return folder() / f"{definition.driver}-{digest}.json"


def age_s(fetched_at: str, now: float | None = None) -> float:
    """Seconds since `fetched_at` (ISO 8601 UTC); infinite when it cannot be read."""
    try:
        moment = datetime.fromisoformat(fetched_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")
    return (time.time() if now is None else now) - moment


def load(definition: SUTDefinition, max_age_s: float | None) -> ModelList | None:
    """The cached list for `definition` if there is one no older than `max_age_s` (None: any
    age); None when absent, stale or unreadable (a broken cache file is fetched again)."""
    try:
        data = json.loads(path_for(definition).read_text(encoding="utf-8"))
        if data.get("definition") != definition.format():
            return None
        fetched_at = str(data["fetched_at"])
        if max_age_s is not None and age_s(fetched_at) > max_age_s:
            return None
        models = tuple(ListedModel.from_dict(m) for m in data["models"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ModelList(definition, models, fetched_at, from_cache=True)


def save(found: ModelList) -> None:
    """Keep `found`; a cache that cannot be written is no error (the list is fetched again)."""
    data = {
        "definition": found.definition.format(),
        "fetched_at": found.fetched_at,
        "models": [m.to_dict() for m in found.models],
    }
    target = path_for(found.definition)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(redact(json.dumps(data, ensure_ascii=False, indent=1)), encoding="utf-8")
        tmp.replace(target)
