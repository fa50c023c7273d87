"""sutui's shared driver layer: the SUT API of the modelgauge guide, with UIDs, secrets, drivers.

Everything a driver author needs is importable from here, e.g.
`from drivers import PromptResponseSUT, modelgauge_sut, AcceptsTextPrompt, SUTResponse`.
This package never imports textual or sutui.
"""

from drivers.capabilities import (
    AcceptsChatPrompt,
    AcceptsTextPrompt,
    Capability,
    ProducesPerTokenLogProbabilities,
    StreamsText,
)
from drivers.catalog import Catalog, CatalogEntry, CatalogError, UnknownSUTError, default_catalog
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
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
from drivers.response import SUTResponse, SUTStreamChunk, TokenProbability, TokenUsage, TopTokens
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
    "TokenProbability",
    "TokenUsage",
    "TopTokens",
    "UIDError",
    "UnknownSUTError",
    "default_catalog",
    "default_registry",
    "make_sut",
    "modelgauge_sut",
    "parse_uid",
    "resolve",
    "respond",
    "secrets_needed",
    "stream",
]
