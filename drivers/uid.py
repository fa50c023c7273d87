"""The SUT UID grammar: `[maker/]model:[provider:]driver[:date][;key=value]...`.

Written from DESIGN.md, fixing upstream's bugs: any number of `/` in a model, options split on the
first `=`, booleans case-insensitive, percent-encoding (never `_` for a space), and the model's
case kept. A UID with no `:` names a predefined SUT. `parse(format(d)) == d` for every definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, unquote

GRAMMAR = "[maker/]model:[provider:]driver[:date][;key=value]..."
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_OPTION_KEY_RE = re.compile(r"[a-z][a-z0-9_-]*")
_DATE_RE = re.compile(r"\d{8}|\d{4}-\d{2}-\d{2}")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "0"})
BOOLEAN_OPTIONS = frozenset({"reas", "mod"})
METADATA_OPTIONS = {"m": "model", "d": "driver", "mk": "maker", "pr": "provider", "dt": "date"}
# Upstream's long field names for the options, for SUTDefinition.get() and from_dict().
OPTION_FIELDS = {"url": "base_url", "reas": "reasoning", "mod": "moderated"}


class UIDError(ValueError):
    """A UID that cannot be read: names the UID, what is wrong, and how to fix it."""

    def __init__(self, uid: str, problem: str, fix: str = ""):
        self.uid, self.problem, self.fix = uid, problem, fix
        text = f"SUT UID '{uid}': {problem}."
        if fix:
            text += f" {fix}"
        super().__init__(text)


def parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def _encode(text: str, specials: str) -> str:
    """Percent-encode `%`, the given separators, whitespace and control characters."""
    out = []
    for ch in text:
        if ch == "%" or ch in specials or ch.isspace() or _CONTROL_RE.match(ch):
            out.append(quote(ch, safe=""))
        else:
            out.append(ch)
    return "".join(out)


def _decode(uid: str, text: str, what: str) -> str:
    if _BAD_PERCENT_RE.search(text):
        raise UIDError(
            uid,
            f"the {what} has a '%' not followed by two hex digits",
            "Write a literal '%' as %25.",
        )
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise UIDError(
            uid,
            f"the {what} has a percent-encoding that is not UTF-8",
            "Encode each byte of a UTF-8 character, e.g. %C3%A9 for 'é'.",
        ) from None


@dataclass(frozen=True)
class PredefinedSUT:
    """A UID with no `:`: the name of a SUT in the catalog."""

    name: str

    @property
    def uid(self) -> str:
        return self.name


@dataclass(frozen=True)
class SUTDefinition:
    """A parsed dynamic UID; `options` holds config options (url, reas, mod, vllm-*, ...)."""

    model: str
    driver: str
    maker: str | None = None
    provider: str | None = None
    date: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    name: str | None = field(default=None, compare=False)
    """Set when the definition comes from the catalog: the predefined SUT's name."""

    # ----- construction --------------------------------------------------------------------
    @staticmethod
    def parse(uid: str) -> SUTDefinition:
        ref = parse_uid(uid)
        if isinstance(ref, PredefinedSUT):
            raise UIDError(
                uid,
                "it has no ':', so it names a predefined SUT, not a dynamic one",
                f"A dynamic UID looks like {GRAMMAR}, e.g. 'maker/model:openai'.",
            )
        return ref

    @staticmethod
    def from_dict(data: Mapping[str, Any], name: str | None = None) -> SUTDefinition:
        """Build from upstream's field names (model, maker, provider, driver, date, base_url,
        reasoning, moderated, vllm-*) or option labels; validated as a parsed UID would be."""
        fields: dict[str, Any] = {}
        options: dict[str, str] = {}
        labels = {v: k for k, v in OPTION_FIELDS.items()}
        for raw_key, value in data.items():
            key = str(raw_key).strip()
            if key in ("model", "driver", "maker", "provider", "date"):
                fields[key] = None if value in (None, "") else str(value).strip()
            elif key in METADATA_OPTIONS:
                fields[METADATA_OPTIONS[key]] = str(value).strip()
            elif key == "options" and isinstance(value, Mapping):
                for k, v in value.items():
                    options[labels.get(str(k), str(k))] = _option_text(v)
            else:
                options[labels.get(key, key)] = _option_text(value)
        label = name or str(data.get("model", "?"))
        if not fields.get("model"):
            raise UIDError(label, "the model is missing", 'Give a model, e.g. model = "gpt-4o".')
        if not fields.get("driver"):
            raise UIDError(
                label,
                "the driver is missing",
                'Give a driver, e.g. driver = "openai" (see `sutui list-drivers`).',
            )
        draft = SUTDefinition(
            model=fields["model"],
            driver=str(fields["driver"]).lower(),
            maker=fields.get("maker"),
            provider=(fields["provider"].lower() if fields.get("provider") else None),
            date=fields.get("date"),
            options=tuple(sorted(options.items())),
        )
        parsed = SUTDefinition.parse(draft.format())
        return replace(parsed, name=name)

    # ----- output --------------------------------------------------------------------------
    def format(self) -> str:
        """The canonical UID: parse(format(d)) == d."""
        text = self.dynamic_uid
        for key, value in self.options:
            text += f";{key}={_encode(value, ';')}"
        return text

    @property
    def dynamic_uid(self) -> str:
        """The `model:provider:driver:date` part, in canonical form, case kept."""
        if self.maker is not None:
            head = _encode(self.maker, "/:;") + "/" + _encode(self.model, ":;")
        else:
            head = _encode(self.model, "/:;")
        chunks = [head, self.provider, self.driver, self.date]
        return ":".join(c for c in chunks if c)

    @property
    def uid(self) -> str:
        return self.name or self.format()

    def __str__(self) -> str:
        return self.uid

    # ----- access (upstream-compatible) ----------------------------------------------------
    @property
    def options_dict(self) -> dict[str, str]:
        return dict(self.options)

    @property
    def base_url(self) -> str | None:
        return self.options_dict.get("url")

    @property
    def reasoning(self) -> bool | None:
        value = self.options_dict.get("reas")
        return None if value is None else parse_bool(value)

    @property
    def moderated(self) -> bool | None:
        value = self.options_dict.get("mod")
        return None if value is None else parse_bool(value)

    @property
    def config_data(self) -> dict[str, Any]:
        """Options by upstream's names (base_url, reasoning, moderated, vllm-*...)."""
        out: dict[str, Any] = {}
        for key, value in self.options:
            name = OPTION_FIELDS.get(key, key)
            out[name] = parse_bool(value) if key in BOOLEAN_OPTIONS else value
        return out

    def get(self, name: str, default: Any = None) -> Any:
        if name in ("model", "driver", "maker", "provider", "date"):
            value = getattr(self, name)
            return default if value is None else value
        return self.config_data.get(name, default)

    def get_matching(self, prefix: str) -> dict[str, str]:
        return {k: v for k, v in self.options if k.startswith(prefix)}

    def external_model_name(self) -> str:
        """The model id the provider knows: `maker/model`, case kept."""
        return f"{self.maker}/{self.model}" if self.maker else self.model

    def to_dynamic_sut_metadata(self) -> SUTDefinition:
        """Upstream's split of metadata from config; here one object carries both."""
        return self


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "y" if value else "n"
    return str(value)


def is_predefined_uid(text: str) -> bool:
    return ":" not in text.strip().partition(";")[0]


def parse_uid(text: str) -> PredefinedSUT | SUTDefinition:
    """Read a UID: a predefined SUT's name, or a dynamic definition. Raises only UIDError."""
    if not isinstance(text, str):
        raise UIDError(repr(text), "a UID must be text")
    uid = text.strip()
    if not uid:
        raise UIDError(text, "it is empty", f"Give a predefined SUT name or {GRAMMAR}.")
    if _CONTROL_RE.search(uid):
        raise UIDError(
            uid.encode("unicode_escape").decode(),
            "it contains a control character",
            "Remove it, or percent-encode it.",
        )
    dynamic, _, rest = uid.partition(";")
    if ":" not in dynamic:
        return _predefined(uid, dynamic, rest)
    chunks = dynamic.split(":")
    date = None
    if len(chunks) >= 2 and _DATE_RE.fullmatch(chunks[-1]):
        date = chunks.pop()
    parts = len(dynamic.split(":"))
    if parts > 4:
        raise UIDError(
            uid,
            f"it has {parts} ':'-separated parts, and a UID has at most 4 ({GRAMMAR})",
            "A ':' inside a model name must be written %3A, e.g. 'llama3%3A8b:ollama'.",
        )
    if len(chunks) > 3:
        raise UIDError(
            uid,
            f"it has 4 ':'-separated parts, but the last, '{chunks[-1]}', is not a date",
            "A fourth part must be a date like 20250507 or 2025-05-07; a ':' inside a model "
            "name must be written %3A.",
        )
    if len(chunks) == 1:
        raise UIDError(
            uid,
            "the driver is missing",
            f"Write it after a ':', e.g. '{chunks[0]}:openai' (see `sutui list-drivers`).",
        )
    head = chunks[0]
    provider_raw = chunks[1] if len(chunks) == 3 else None
    driver_raw = chunks[-1]
    maker_raw, slash, model_raw = head.partition("/")
    if not slash:
        maker_raw, model_raw = "", head
    elif not maker_raw:
        raise UIDError(
            uid,
            "there is nothing before the '/' that should end the maker",
            "Remove the leading '/', or write 'maker/model'.",
        )
    if not model_raw:
        raise UIDError(uid, "the model is missing", f"A UID starts with the model: {GRAMMAR}")
    values: dict[str, str | None] = {
        "maker": _decode(uid, maker_raw, "maker") if slash else None,
        "model": _decode(uid, model_raw, "model"),
        "provider": provider_raw,
        "driver": driver_raw,
        "date": date,
    }
    options = _parse_options(uid, rest, values)
    return _build(uid, values, options)


def _predefined(uid: str, dynamic: str, rest: str) -> PredefinedSUT:
    if rest.strip(";").strip():
        raise UIDError(
            uid,
            "options after ';' need a dynamic UID, and this one has no ':'",
            f"Predefined SUTs take no options; write a dynamic UID instead: {GRAMMAR}.",
        )
    if any(ch.isspace() for ch in dynamic):
        raise UIDError(
            uid, "a predefined SUT name has no spaces", "See `sutui list-suts` for the names."
        )
    return PredefinedSUT(dynamic)


def _parse_options(uid: str, rest: str, values: dict[str, str | None]) -> dict[str, str]:
    options: dict[str, str] = {}
    seen: set[str] = set()
    for chunk in rest.split(";") if rest else []:
        if not chunk.strip():
            continue
        key_raw, eq, value_raw = chunk.partition("=")
        key = key_raw.strip().lower()
        if not eq:
            raise UIDError(
                uid,
                f"the option '{chunk}' has no '='",
                f"Write options as key=value, e.g. ';{key or 'url'}=...'.",
            )
        if not _OPTION_KEY_RE.fullmatch(key):
            raise UIDError(
                uid,
                f"'{key_raw}' is not an option name",
                "Option names are letters, digits, '-' and '_', e.g. url, reas, vllm-dtype.",
            )
        if key in seen:
            raise UIDError(uid, f"the option '{key}' is given twice", "Keep one of them.")
        seen.add(key)
        value = _decode(uid, value_raw, f"value of option '{key}'")
        if not value:
            raise UIDError(uid, f"the option '{key}' has no value", f"Write ';{key}=VALUE'.")
        if key in METADATA_OPTIONS:
            values[METADATA_OPTIONS[key]] = value
            continue
        if key in BOOLEAN_OPTIONS:
            flag = parse_bool(value)
            if flag is None:
                raise UIDError(
                    uid,
                    f"the option '{key}' must be yes or no, not '{value}'",
                    f"Write {key}=y or {key}=n (also yes/no, true/false, 1/0).",
                )
            value = "y" if flag else "n"
        if key == "url" and not re.match(r"https?://[^/\s]", value):
            raise UIDError(
                uid,
                f"the url '{value}' is not an http(s) URL",
                "Write the base URL in full, e.g. url=http://127.0.0.1:8080/v1.",
            )
        options[key] = value
    return options


def _build(uid: str, values: dict[str, str | None], options: dict[str, str]) -> SUTDefinition:
    model, driver = values["model"], values["driver"]
    if not model:
        raise UIDError(uid, "the model is missing", f"A UID starts with the model: {GRAMMAR}")
    if not driver:
        raise UIDError(uid, "the driver is missing", "Name one; see `sutui list-drivers`.")
    driver = driver.strip().lower()
    if not _NAME_RE.fullmatch(driver):
        raise UIDError(
            uid,
            f"'{driver}' is not a driver name",
            "Driver names are lower-case letters, digits, '.', '-' and '_'; "
            "see `sutui list-drivers`.",
        )
    provider = values["provider"]
    if provider is not None:
        provider = provider.strip().lower()
        if not provider:
            raise UIDError(
                uid,
                "the provider between the two ':' is empty",
                "Remove the extra ':' or name the provider.",
            )
        if not _NAME_RE.fullmatch(provider):
            raise UIDError(
                uid,
                f"'{provider}' is not a provider name",
                "Provider names are letters, digits, '.', '-' and '_'.",
            )
    date = values["date"]
    if date is not None and not _DATE_RE.fullmatch(date):
        raise UIDError(uid, f"'{date}' is not a date", "Write YYYYMMDD or YYYY-MM-DD.")
    maker = values["maker"]
    if maker == "":
        raise UIDError(uid, "the maker is empty", "Remove 'mk=' or give a maker.")
    return SUTDefinition(
        model=model,
        driver=driver,
        maker=maker,
        provider=provider,
        date=date,
        options=tuple(sorted(options.items())),
    )
