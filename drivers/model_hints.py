"""A `not_found` failure names the listed models that look like the one asked for.

drivers.registry.make_sut gives each SUT whose driver lists its provider's models a
ModelSource: where the list comes from (the listing definition `sutui models` uses: driver,
provider, base URL), the factory holding the user's secrets, and the model asked for. When a
call fails with kind not_found, drivers/invoke.py (which every front end goes through) adds
"models this key can use that look close: a, b, c" to the error's hint. The list comes from
the day's cache or the provider within HINT_TIMEOUT_S; whatever goes wrong fetching it leaves
the error as it was: the hint is a help, never a second failure.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from weakref import WeakKeyDictionary

from drivers.errors import ErrorKind, SUTError
from drivers.model_listing import closest, fetch_models, listing_definition, uid_for
from drivers.progress import ON_RETRY
from drivers.uid import SUTDefinition

HINT_TIMEOUT_S = 5.0
"""The longest a failed call waits for the list: the failure is news, the hint only a help."""
RETRY_FAILED_AFTER_S = 60.0
"""A list that could not be fetched is not asked for again by the same SUT before this."""
LEAD = "models this key can use that look close: "


class ModelSource:
    """Where a SUT's provider lists its models, and the model the SUT asks for. One fetch per
    SUT serves every failure of it (a batch of prompts to a missing model asks once)."""

    def __init__(self, definition: SUTDefinition, factory: Any, model: str):
        self.definition = definition
        """A listing definition (drivers.model_listing.listing_definition)."""
        self.factory = factory
        self.model = model
        """As the provider is sent it (`maker/model`)."""
        self._names: list[str] | None = None
        self._failed_at: float | None = None
        self._locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    @staticmethod
    def for_sut(definition: SUTDefinition, factory: Any) -> ModelSource | None:
        """The source for a SUT of `definition`, or None when its driver cannot list."""
        if not getattr(factory, "LISTS_MODELS", False):
            return None
        url = definition.base_url
        listing = listing_definition(
            definition.driver, definition.provider, {"url": url} if url else None
        )
        return ModelSource(listing, factory, definition.external_model_name())

    async def close_names(self) -> list[str]:
        """The listed ids nearest to the model (none when it is listed as it is, or when the
        list cannot be had)."""
        lock = self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:  # concurrent failures of one SUT wait for one fetch
            if self._names is not None:
                return self._names
            failed = self._failed_at
            if failed is not None and time.monotonic() - failed < RETRY_FAILED_AFTER_S:
                return []
            ids = await self._listed_ids()
            if ids is None:
                self._failed_at = time.monotonic()
                return []
            others = [i for i in ids if i != self.model]
            self._names = [] if len(others) < len(ids) else closest(self.model, others)
            return self._names

    async def _listed_ids(self) -> list[str] | None:
        token = ON_RETRY.set(None)  # a retried list request is not the SUT's call retrying
        try:
            async with asyncio.timeout(HINT_TIMEOUT_S):
                found = await fetch_models(self.definition, self.factory)
        except Exception:  # unreachable, no key, no list, a bad body...: no hint, no noise
            return None
        finally:
            ON_RETRY.reset(token)
        return found.ids


async def with_close_models(sut: Any, error: SUTError) -> SUTError:
    """`error` with the close model names in its hint, when it is a not_found of a SUT whose
    provider lists its models and some listed id looks like the one asked for."""
    source = getattr(sut, "model_source", None)
    if error.kind is not ErrorKind.not_found or not isinstance(source, ModelSource):
        return error
    if LEAD in (error.hint or ""):
        return error
    names = await source.close_names()
    if names:
        said = (error.hint or "").rstrip(" .")
        # As a UID writes them (`qwen3%3A8b`, since ':' separates a UID's parts): pasted.
        shown = [uid_for(source.definition, n).split(":", 1)[0] for n in names]
        addition = LEAD + ", ".join(shown) + "."
        error.hint = f"{said}; {addition}" if said else addition[0].upper() + addition[1:]
    return error


def known_context_length(sut: Any) -> int | None:
    """The context length the provider's list gave for `sut`'s model, from the cached list
    only (nothing is fetched: asked before a send, which must not wait); None when unknown."""
    from drivers import model_cache
    from drivers.model_listing import key_values

    source = getattr(sut, "model_source", None)
    if not isinstance(source, ModelSource):
        return None
    try:
        found = model_cache.load(
            source.definition, None, key_values(source.definition, source.factory)
        )
    except Exception:  # a secret not set, a broken cache: unknown
        return None
    if found is None:
        return None
    listed = next((m for m in found.models if m.id == source.model), None)
    return listed.context_length if listed is not None else None
