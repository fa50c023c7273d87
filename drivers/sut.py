"""SUT base classes and the @modelgauge_sut decorator, as the modelgauge guide describes them."""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from drivers.capabilities import (
    ALL_CAPABILITIES,
    AcceptsChatPrompt,
    AcceptsTextPrompt,
    Capability,
)
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, TextPrompt
from drivers.response import SUTResponse, SUTStreamChunk

if TYPE_CHECKING:
    from drivers.model_hints import ModelSource

RequestType = TypeVar("RequestType")
ResponseType = TypeVar("ResponseType")
F = TypeVar("F", bound=Callable[..., Any])


class SUTCapabilityError(TypeError):
    """A SUT class whose declared capabilities and implemented methods disagree."""


def not_implemented(func: F) -> F:
    """Marks a base-class placeholder, so the decorator can tell it was not overridden."""
    func._sutui_not_implemented = True  # type: ignore[attr-defined]
    return func


def is_implemented(cls: type, method: str) -> bool:
    func = getattr(cls, method, None)
    return func is not None and not getattr(func, "_sutui_not_implemented", False)


class SUT:
    """A system under test: anything that answers prompts, named by its UID."""

    capabilities: ClassVar[tuple[type[Capability], ...]] = ()
    unsent_keys: str | None = None
    """Set by drivers.registry.make_sut when an optional key was not sent because the OS
    keyring could not be read (locked...): a 401 or 403 then says so (drivers/invoke.py)."""
    model_source: ModelSource | None = None
    """Set by drivers.registry.make_sut when the driver lists its provider's models: a
    not_found then names the listed models that look close (drivers/model_hints.py)."""

    def __init__(self, uid: str):
        self.uid = uid

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uid={self.uid!r})"


class PromptResponseSUT(SUT, Generic[RequestType, ResponseType]):
    """A SUT that turns one prompt into one native request and one native response.

    `evaluate` may be a plain method (it then runs in a worker thread) or `async def`.
    """

    @not_implemented
    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> RequestType:
        raise NotImplementedError(f"{type(self).__name__} does not accept text prompts.")

    @not_implemented
    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> RequestType:
        raise NotImplementedError(f"{type(self).__name__} does not accept chat prompts.")

    @abstractmethod
    def evaluate(self, request: RequestType) -> Any:
        """Send the request to the provider and return its native response."""

    @abstractmethod
    def translate_response(self, request: RequestType, response: ResponseType) -> SUTResponse:
        """Turn the native response into a SUTResponse."""

    @not_implemented
    def evaluate_stream(self, request: RequestType) -> AsyncIterator[SUTStreamChunk]:
        """Stream the answer as chunks; only for SUTs declaring StreamsText."""
        raise NotImplementedError(f"{type(self).__name__} does not stream.")


def _check_uid_first(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # type: ignore[misc]
    if not params or params[0].name != "uid":
        raise SUTCapabilityError(
            f"{cls.__name__}.__init__ must take `uid` as its first parameter "
            f"(after self); it takes ({', '.join(p.name for p in params)})."
        )


def _check_capabilities(cls: type, declared: Sequence[type[Capability]]) -> None:
    problems: list[str] = []
    for cap in declared:
        if not (isinstance(cap, type) and issubclass(cap, Capability)):
            problems.append(f"{cap!r} is not a capability (use e.g. AcceptsTextPrompt).")
        elif cap.method and not is_implemented(cls, cap.method):
            problems.append(
                f"{cls.__name__} says it {cap.__name__}, but it does not implement {cap.method}."
            )
    for cap in ALL_CAPABILITIES:
        if cap.method and cap not in declared and is_implemented(cls, cap.method):
            problems.append(
                f"{cls.__name__} implements {cap.method}, but does not declare {cap.__name__} "
                f"in @modelgauge_sut(capabilities=[...])."
            )
    if issubclass(cls, PromptResponseSUT) and not (
        AcceptsTextPrompt in declared or AcceptsChatPrompt in declared
    ):
        problems.append(
            f"{cls.__name__} accepts no prompt: declare AcceptsTextPrompt or AcceptsChatPrompt."
        )
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if issubclass(cls, PromptResponseSUT):
        # SUT is no ABC (upstream's is not either), so check the two required methods here.
        for method in ("evaluate", "translate_response"):
            if getattr(cls, method) is getattr(PromptResponseSUT, method) and method not in missing:
                missing.append(method)
    if missing:
        problems.append(f"{cls.__name__} does not implement {', '.join(missing)}.")
    if problems:
        raise SUTCapabilityError(" ".join(problems))


def modelgauge_sut(capabilities: Sequence[type[Capability]]) -> Callable[[type[Any]], type[Any]]:
    """Declare a SUT class's capabilities; refuses a class whose methods disagree with them."""

    def wrap(cls: type[Any]) -> type[Any]:
        if not (isinstance(cls, type) and issubclass(cls, SUT)):
            raise SUTCapabilityError(f"@modelgauge_sut decorates SUT classes, not {cls!r}.")
        _check_uid_first(cls)
        _check_capabilities(cls, capabilities)
        cls.capabilities = tuple(capabilities)
        return cls

    return wrap
