"""What models a driver's provider serves now: the live list, cached for a day.

A driver that can list its provider's models sets `LISTS_MODELS = True` on its factory and
implements `async list_models(definition)` (drivers/factory.py): the definition names the
driver, the provider and the options (`url`) exactly as a UID would, with `ANY_MODEL` as its
model, so the factory finds the base URL and the key the way it does for a SUT. The front ends
(`sutui models`, the app's picker and composer, the `not_found` hint) call `fetch_models`,
which answers from the cache when it is fresh (`drivers/model_cache.py`; no secret is ever
written there) and otherwise asks the provider through the shared transport.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from drivers.uid import SUTDefinition

ANY_MODEL = "*"
"""The model of a listing definition: any, the provider answers which."""
DEFAULT_MAX_AGE_S = 24 * 3600.0
"""A cached list younger than this is used as it is (`--refresh` asks again)."""


class ModelsNotListed(Exception):
    """This driver cannot list its provider's models (no list endpoint, or none known)."""


@dataclass(frozen=True)
class ListedModel:
    """One model as the provider describes it; only `id` is always known."""

    id: str
    """What a UID names: the model the provider is sent."""
    display_name: str | None = None
    context_length: int | None = None
    created: str | None = None
    """YYYY-MM-DD, when the provider says."""
    owned_by: str | None = None
    kind: str | None = None
    """"chat", "reasoning", "embedding", "completion", … when the provider says."""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ListedModel:
        known = ListedModel.__dataclass_fields__
        return ListedModel(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ModelList:
    """The models one listing definition found, and when they were fetched."""

    definition: SUTDefinition
    models: tuple[ListedModel, ...]
    fetched_at: str
    """ISO 8601 UTC."""
    from_cache: bool = False
    notes: tuple[str, ...] = field(default=())

    def uid_for(self, model_id: str) -> str:
        """The dynamic UID that runs `model_id` the way this list was fetched."""
        return uid_for(self.definition, model_id)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.models]

    def in_catalog(self, catalog: Iterable[Any]) -> dict[str, list[str]]:
        """Model id -> the catalog's SUTs that run it the way this list was fetched (driver,
        provider, URL): what `sutui models` and the add-SUT picker mark."""
        wanted = self.definition
        out: dict[str, list[str]] = {}
        for entry in catalog:
            d = entry.definition
            same_place = d.base_url == wanted.base_url and (
                wanted.provider is None or d.provider == wanted.provider
            )
            if d.driver == wanted.driver and same_place:
                out.setdefault(d.external_model_name(), []).append(entry.uid)
        return out


def listing_definition(
    driver: str, provider: str | None = None, options: Mapping[str, str] | None = None
) -> SUTDefinition:
    """The definition a list is fetched for: `ANY_MODEL` of that driver, provider and options."""
    return SUTDefinition(
        model=ANY_MODEL,
        driver=driver.lower(),
        provider=provider.lower() if provider else None,
        options=tuple(sorted((options or {}).items())),
    )


def uid_for(definition: SUTDefinition, model_id: str) -> str:
    """`model_id` (maker/model or model, as the provider names it) with the definition's
    provider, driver and options, in canonical UID form."""
    maker, _, model = model_id.partition("/")
    if not model:
        maker, model = "", model_id
    return replace(definition, model=model, maker=maker or None, name=None).format()


MAX_PAGES = 50
"""A server that keeps giving a next page is not believed past this many."""


async def all_pages(
    page: Callable[[str | None], Awaitable[tuple[list[ListedModel], str | None]]],
) -> list[ListedModel]:
    """Every page of a paged list, in order: `page(cursor)` gives a page's models and the next
    page's cursor (None: that was the last); a cursor seen twice ends it too."""
    out: list[ListedModel] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        models, cursor = await page(cursor)
        out.extend(models)
        if cursor is None or cursor in seen:
            break
        seen.add(cursor)
    return out


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each), case-insensitive. Written
    here: ~10 lines, for lists of a few hundred ids; no dependency earns its place for it."""
    a, b = a.lower(), b.lower()
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def closest(model_id: str, candidates: Iterable[str], count: int = 3) -> list[str]:
    """The candidates nearest to `model_id` by edit distance (ties: shorter first), at most
    `count`, and only those that share something with it (distance under its length)."""
    wanted = model_id.rpartition("/")[2] if "/" in model_id else model_id
    scored = []
    for candidate in set(candidates):
        tail = candidate.rpartition("/")[2]
        distance = min(edit_distance(model_id, candidate), edit_distance(wanted, tail))
        if distance < max(len(wanted), 1):
            scored.append((distance, len(candidate), candidate))
    return [c for _, _, c in sorted(scored)[:count]]


async def fetch_models(
    definition: SUTDefinition,
    factory: Any,
    *,
    refresh: bool = False,
    max_age_s: float = DEFAULT_MAX_AGE_S,
) -> ModelList:
    """The models `definition`'s provider serves: from the cache when fresh (unless
    `refresh`), else from the provider through `factory` (a DynamicSUTFactory made with the
    user's secrets), then cached. Raises ModelsNotListed, MissingSecretValues, UIDError or a
    SUTError (unreachable, rejected key, …) as a run would."""
    from drivers import model_cache

    if not getattr(factory, "LISTS_MODELS", False):
        raise ModelsNotListed(f"the {definition.driver} driver cannot list its models")
    keys = key_values(definition, factory)  # raises MissingSecretValues, as a run would
    if not refresh:
        cached = model_cache.load(definition, max_age_s, keys)
        if cached is not None:
            return cached
    models = await factory.list_models(definition)
    unique = {m.id: m for m in models}  # a provider may list one id twice (aliases)
    found = ModelList(definition, tuple(sorted(unique.values(), key=lambda m: m.id)), now_iso())
    model_cache.save(found, keys)
    return found


def key_values(definition: SUTDefinition, factory: Any) -> list[str]:
    """The secret values a request for `definition` would carry: what the list depends on
    (another key, another account, another list). Only a digest of them reaches the cache."""
    from drivers.secrets import resolve_injected

    values = resolve_injected(factory.secrets_for(definition), factory.raw_secrets)
    return [str(v.value) for v in values if isinstance(getattr(v, "value", None), str) and v.value]
