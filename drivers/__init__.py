"""sutui's shared driver layer: the SUT API of the modelgauge guide, with UIDs, secrets, drivers.

Everything a driver author needs is importable from here, e.g.
`from drivers import PromptResponseSUT, modelgauge_sut, AcceptsTextPrompt, SUTResponse`.
This package never imports textual or sutui.

Exports load on first use (PEP 562), so importing one module of the layer (the catalog, the UID
grammar) does not import every provider and the HTTP stack: that kept `sutui` slow to start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.capabilities import (
        AcceptsChatPrompt,
        AcceptsTextPrompt,
        Capability,
        ProducesPerTokenLogProbabilities,
        StreamsText,
    )
    from drivers.catalog import (
        Catalog,
        CatalogEntry,
        CatalogError,
        UnknownSUTError,
        default_catalog,
    )
    from drivers.errors import ErrorKind, SUTError
    from drivers.factory import DynamicSUTFactory
    from drivers.http.sut import HttpFactory, HttpRequest, HttpSUT
    from drivers.http.transport import (
        HttpRuntime,
        RetryPolicy,
        Timeouts,
        current_runtime,
        use_runtime,
    )
    from drivers.invoke import MissingSUTCapabilities, respond, stream
    from drivers.options import ModelOptions, SUTOptions
    from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, TextPrompt
    from drivers.registry import (
        DYNAMIC_SUT_FACTORIES,
        DriverInfo,
        DriverRegistry,
        default_registry,
        make_sut,
        resolve,
        secrets_needed,
    )
    from drivers.response import (
        SUTResponse,
        SUTStreamChunk,
        TokenProbability,
        TokenUsage,
        TopTokens,
    )
    from drivers.secrets import (
        InjectSecret,
        MissingSecretValues,
        OptionalSecret,
        RawSecrets,
        RequiredSecret,
        Secret,
        SecretDescription,
    )
    from drivers.sut import SUT, PromptResponseSUT, SUTCapabilityError, modelgauge_sut
    from drivers.uid import PredefinedSUT, SUTDefinition, UIDError, parse_uid

_EXPORTS: dict[str, str] = {
    "AcceptsChatPrompt": "drivers.capabilities",
    "AcceptsTextPrompt": "drivers.capabilities",
    "Capability": "drivers.capabilities",
    "Catalog": "drivers.catalog",
    "CatalogEntry": "drivers.catalog",
    "CatalogError": "drivers.catalog",
    "ChatMessage": "drivers.prompt",
    "ChatPrompt": "drivers.prompt",
    "ChatRole": "drivers.prompt",
    "DYNAMIC_SUT_FACTORIES": "drivers.registry",
    "DriverInfo": "drivers.registry",
    "DriverRegistry": "drivers.registry",
    "DynamicSUTFactory": "drivers.factory",
    "ErrorKind": "drivers.errors",
    "HttpFactory": "drivers.http.sut",
    "HttpRequest": "drivers.http.sut",
    "HttpRuntime": "drivers.http.transport",
    "HttpSUT": "drivers.http.sut",
    "InjectSecret": "drivers.secrets",
    "MissingSUTCapabilities": "drivers.invoke",
    "MissingSecretValues": "drivers.secrets",
    "ModelOptions": "drivers.options",
    "OptionalSecret": "drivers.secrets",
    "PredefinedSUT": "drivers.uid",
    "ProducesPerTokenLogProbabilities": "drivers.capabilities",
    "PromptResponseSUT": "drivers.sut",
    "RawSecrets": "drivers.secrets",
    "RequiredSecret": "drivers.secrets",
    "RetryPolicy": "drivers.http.transport",
    "SUT": "drivers.sut",
    "SUTCapabilityError": "drivers.sut",
    "SUTDefinition": "drivers.uid",
    "SUTError": "drivers.errors",
    "SUTOptions": "drivers.options",
    "SUTResponse": "drivers.response",
    "SUTStreamChunk": "drivers.response",
    "Secret": "drivers.secrets",
    "SecretDescription": "drivers.secrets",
    "StreamsText": "drivers.capabilities",
    "TextPrompt": "drivers.prompt",
    "Timeouts": "drivers.http.transport",
    "TokenProbability": "drivers.response",
    "TokenUsage": "drivers.response",
    "TopTokens": "drivers.response",
    "UIDError": "drivers.uid",
    "UnknownSUTError": "drivers.catalog",
    "current_runtime": "drivers.http.transport",
    "default_catalog": "drivers.catalog",
    "default_registry": "drivers.registry",
    "make_sut": "drivers.registry",
    "modelgauge_sut": "drivers.sut",
    "parse_uid": "drivers.uid",
    "resolve": "drivers.registry",
    "respond": "drivers.invoke",
    "secrets_needed": "drivers.registry",
    "stream": "drivers.invoke",
    "use_runtime": "drivers.http.transport",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'drivers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "DYNAMIC_SUT_FACTORIES",
    "SUT",
    "AcceptsChatPrompt",
    "AcceptsTextPrompt",
    "Capability",
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "ChatMessage",
    "ChatPrompt",
    "ChatRole",
    "DriverInfo",
    "DriverRegistry",
    "DynamicSUTFactory",
    "ErrorKind",
    "HttpFactory",
    "HttpRequest",
    "HttpRuntime",
    "HttpSUT",
    "InjectSecret",
    "MissingSUTCapabilities",
    "MissingSecretValues",
    "ModelOptions",
    "OptionalSecret",
    "PredefinedSUT",
    "ProducesPerTokenLogProbabilities",
    "PromptResponseSUT",
    "RawSecrets",
    "RequiredSecret",
    "RetryPolicy",
    "SUTCapabilityError",
    "SUTDefinition",
    "SUTError",
    "SUTOptions",
    "SUTResponse",
    "SUTStreamChunk",
    "Secret",
    "SecretDescription",
    "StreamsText",
    "TextPrompt",
    "Timeouts",
    "TokenProbability",
    "TokenUsage",
    "TopTokens",
    "UIDError",
    "UnknownSUTError",
    "current_runtime",
    "default_catalog",
    "default_registry",
    "make_sut",
    "modelgauge_sut",
    "parse_uid",
    "resolve",
    "respond",
    "secrets_needed",
    "stream",
    "use_runtime",
]
