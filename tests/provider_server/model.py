"""What every part of the provider server shares: the keys, the fault signal, the recorded state."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict

KEYS: dict[str, str | None] = {
    "openai": "sk-test-openai-0001",
    "together": "tg-test-together-0002",
    "mistral": "ms-test-mistral-0003",
    "nim": "nvapi-test-nim-0004",
    "hf-router": "hf_test_token_0005",
    "tgi": "hf_test_token_0005",
    "vllm": "ms-test-vllm-0006",
    "local": None,
    "anthropic": "sk-ant-test-0007",
    "google": "AIza-test-google-0008",
    "ollama": None,
}
"""The key each provider accepts (None: no auth, like a local server)."""

SLOW_FIRST = 1.5
STALL = 5.0
CHAT_FLAVOURS = ("openai", "together", "mistral", "nim", "hf-router", "tgi", "vllm", "local")
OPENAI_ROLES = {"system", "user", "assistant", "developer", "tool"}
MISTRAL_FIELDS = {
    "model",
    "messages",
    "temperature",
    "top_p",
    "max_tokens",
    "stream",
    "stop",
    "random_seed",
    "response_format",
    "tools",
    "tool_choice",
    "presence_penalty",
    "frequency_penalty",
    "n",
    "safe_prompt",
    "prediction",
    "parallel_tool_calls",
}
_FAULT_RE = re.compile(r"fault-([a-z0-9]+(?:-[a-z0-9]+)*)")
RETIRED = "retired-"
"""A model whose name holds this is one the provider no longer knows: its own "model not
found" (faults.model_not_found)."""


@dataclass
class Recorded:
    flavour: str
    path: str
    headers: CIMultiDict[str]
    """Case-insensitive, as HTTP header names are."""
    body: Any
    method: str = "POST"
    """GET for a model list."""


class Fault(Exception):
    """Raised inside a handler to answer with an error."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.headers = headers or {}
        self.extra = extra or {}


@dataclass
class State:
    requests: list[Recorded] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    queued: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    """The most provider requests answered at once since the last reset."""
    echo: Any = None
    """An echo.Echo while echo mode is on."""
    lock: threading.Lock = field(default_factory=threading.Lock)
