"""Model lists kept on disk with their fetch time, one JSON file per listing definition.

Keyed by the definition (driver, provider, options such as the base URL) and by the key it was
fetched with: another key may see another list, and a wrong key must meet its 401, not
yesterday's list. The key is never written: the file name holds a keyed BLAKE2 digest of the
definition and the key values, keyed with a random salt made once per cache directory, so the
digest cannot be checked against a guessed key without that file. A list holds model ids and
what the provider says of them. It is replaced whole (written beside, then renamed), so a
reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from drivers.locations import user_cache_dir
from drivers.model_listing import ListedModel, ModelList
from drivers.redaction import redact
from drivers.uid import SUTDefinition

FOLDER = "models"


def folder() -> Path:
    return user_cache_dir() / FOLDER


SALT_FILE = "salt"


def _salt() -> bytes:
    """This cache directory's random salt (made on first use; 32 bytes)."""
    path = folder() / SALT_FILE
    with contextlib.suppress(OSError):
        salt = path.read_bytes()
        if len(salt) == 32:
            return salt
    salt = secrets.token_bytes(32)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(salt)
        path.chmod(0o600)
    return salt


def path_for(definition: SUTDefinition, keys: Sequence[str] = ()) -> Path:
    digest = hashlib.blake2b(
        "\0".join([definition.format(), *keys]).encode(), key=_salt(), digest_size=12
    ).hexdigest()
    return folder() / f"{definition.driver}-{digest}.json"


def age_s(fetched_at: str, now: float | None = None) -> float:
    """Seconds since `fetched_at` (ISO 8601 UTC); infinite when it cannot be read."""
    try:
        moment = datetime.fromisoformat(fetched_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")
    return (time.time() if now is None else now) - moment


def load(
    definition: SUTDefinition, max_age_s: float | None, keys: Sequence[str] = ()
) -> ModelList | None:
    """The cached list for `definition` if there is one no older than `max_age_s` (None: any
    age); None when absent, stale or unreadable (a broken cache file is fetched again)."""
    try:
        data = json.loads(path_for(definition, keys).read_text(encoding="utf-8"))
        if data.get("definition") != definition.format():
            return None
        fetched_at = str(data["fetched_at"])
        if max_age_s is not None and age_s(fetched_at) > max_age_s:
            return None
        models = tuple(ListedModel.from_dict(m) for m in data["models"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ModelList(definition, models, fetched_at, from_cache=True)


def save(found: ModelList, keys: Sequence[str] = ()) -> None:
    """Keep `found`; a cache that cannot be written is no error (the list is fetched again)."""
    data = {
        "definition": found.definition.format(),
        "fetched_at": found.fetched_at,
        "models": [m.to_dict() for m in found.models],
    }
    target = path_for(found.definition, keys)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(redact(json.dumps(data, ensure_ascii=False, indent=1)), encoding="utf-8")
        tmp.replace(target)
