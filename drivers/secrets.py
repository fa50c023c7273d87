"""The secrets model of the modelgauge guide: drivers declare what they need, never read it ad hoc.

A secret is named by (scope, key), e.g. ("together", "api_key"), the scope names upstream uses, so a
modelgauge config/secrets.toml works unchanged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from drivers.redaction import register_secret

RawSecrets = Mapping[str, Mapping[str, str]]


class SecretDescription(BaseModel):
    """Where a secret lives and how a person gets one."""

    model_config = ConfigDict(frozen=True)

    scope: str
    key: str
    instructions: str = ""
    env_vars: tuple[str, ...] = ()
    """The provider's usual environment variables for this secret (OPENAI_API_KEY, HF_TOKEN),
    read after SUTUI_<SCOPE>__<KEY>, in order. Building a description declares them to the
    secret store for its (scope, key), process-wide (`declared_env_vars`)."""

    def model_post_init(self, context: Any, /) -> None:
        if self.env_vars:
            _declare_env_vars(self.scope, self.key, self.env_vars)

    @property
    def name(self) -> str:
        return f"{self.scope}/{self.key}"


_declared_env: dict[tuple[str, str], tuple[str, ...]] = {}


def _declare_env_vars(scope: str, key: str, names: Sequence[str]) -> None:
    known = _declared_env.get((scope, key), ())
    added = tuple(n for n in names if n not in known)
    if added:
        _declared_env[(scope, key)] = known + added


def declared_env_vars(scope: str, key: str) -> tuple[str, ...]:
    """The usual variables the descriptions built so far declare for (scope, key); a driver
    builds its secrets' descriptions before it looks one up, so its own are always here."""
    return _declared_env.get((scope, key), ())


def every_declared_env_var() -> set[str]:
    """Every usual variable declared so far, for any secret."""
    return {name for names in _declared_env.values() for name in names}


class Secret(ABC):
    """A secret value a driver needs; subclasses say which one with `description()`."""

    @classmethod
    @abstractmethod
    def description(cls) -> SecretDescription: ...

    @classmethod
    @abstractmethod
    def make(cls, raw_secrets: RawSecrets) -> Any: ...

    @classmethod
    def lookup(cls, raw_secrets: RawSecrets) -> str | None:
        desc = cls.description()
        value = raw_secrets.get(desc.scope, {}).get(desc.key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"secret [{desc.scope}] {desc.key} must be a string")
        register_secret(value)
        return value or None


class _SecretValue(Secret):
    """Holds a value without ever printing it (repr and str are masked)."""

    def __init__(self, value: str):
        self._value = value
        register_secret(value)

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    __str__ = __repr__


class RequiredSecret(_SecretValue):
    """A secret the SUT cannot work without: missing means MissingSecretValues."""

    @classmethod
    def make(cls, raw_secrets: RawSecrets) -> RequiredSecret:
        value = cls.lookup(raw_secrets)
        if value is None:
            raise MissingSecretValues([cls.description()])
        return cls(value)


class OptionalSecret(_SecretValue):
    """A secret the SUT can do without: missing gives None."""

    @classmethod
    def make(cls, raw_secrets: RawSecrets) -> OptionalSecret | None:
        value = cls.lookup(raw_secrets)
        return None if value is None else cls(value)


SecretType = TypeVar("SecretType", bound=Secret)


class InjectSecret(Generic[SecretType]):
    """A placeholder for a secret, resolved against the raw secrets when the SUT is made."""

    def __init__(self, secret_class: type[SecretType]):
        if not (isinstance(secret_class, type) and issubclass(secret_class, Secret)):
            raise TypeError(f"InjectSecret takes a Secret class, not {secret_class!r}")
        self.secret_class = secret_class

    def description(self) -> SecretDescription:
        return self.secret_class.description()

    @property
    def required(self) -> bool:
        return issubclass(self.secret_class, RequiredSecret)

    def __repr__(self) -> str:
        return f"InjectSecret({self.secret_class.__name__})"


class MissingSecretValues(LookupError):
    """Every secret that is missing, at once, as TOML a person can paste into secrets.toml."""

    def __init__(self, descriptions: Iterable[SecretDescription], where: str | None = None):
        unique = {(d.scope, d.key): d for d in descriptions}
        self.descriptions: list[SecretDescription] = [unique[k] for k in sorted(unique)]
        self.where = where
        super().__init__(self.message())

    @classmethod
    def combine(cls, errors: Sequence[MissingSecretValues]) -> MissingSecretValues:
        return cls([d for e in errors for d in e.descriptions])

    def message(self) -> str:
        target = f"your secrets file '{self.where}'" if self.where else "a secrets.toml"
        return (
            "To use this SUT you need these secrets. Set each in the environment "
            "(SUTUI_<SCOPE>__<KEY>) or add them to "
            + target
            + ":\n\n"
            + secrets_toml(self.descriptions)
        )


def env_var_name(scope: str, key: str) -> str:
    """SUTUI_<SCOPE>__<KEY>, upper case, with anything not alphanumeric as `_`."""

    def part(s: str) -> str:
        return "".join(c if c.isalnum() else "_" for c in s.upper())

    return f"SUTUI_{part(scope)}__{part(key)}"


def secrets_toml(descriptions: Iterable[SecretDescription], placeholder: str = "<value>") -> str:
    """Paste-ready TOML: one table per scope, each key with its instructions as a comment."""
    by_scope: dict[str, list[SecretDescription]] = {}
    for d in sorted(descriptions, key=lambda d: (d.scope, d.key)):
        by_scope.setdefault(d.scope, []).append(d)
    blocks: list[str] = []
    for scope, items in by_scope.items():
        lines = [f"[{_toml_key(scope)}]"]
        for d in items:
            for line in (d.instructions or "").splitlines():
                lines.append(f"# {line}")
            lines.append(f'{_toml_key(d.key)} = "{placeholder}"')
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _toml_key(name: str) -> str:
    bare = name and all(c.isalnum() or c in "-_" for c in name)
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def resolve_injected(
    items: Sequence[Any], raw_secrets: RawSecrets, where: str | None = None
) -> list[Any]:
    """Replace every InjectSecret in `items` by its value, raising once for all missing ones."""
    resolved: list[Any] = []
    missing: list[SecretDescription] = []
    for item in items:
        if isinstance(item, InjectSecret):
            try:
                resolved.append(item.secret_class.make(raw_secrets))
            except MissingSecretValues as exc:
                missing.extend(exc.descriptions)
                resolved.append(None)
        else:
            resolved.append(item)
    if missing:
        raise MissingSecretValues(missing, where)
    return resolved
