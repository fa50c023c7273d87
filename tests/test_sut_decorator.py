"""@modelgauge_sut refuses a SUT class whose capabilities and methods disagree, with a message that
says what to fix; and evaluate runs where it should: a plain one in a worker thread, an async one
awaited on the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel

from drivers import (
    AcceptsChatPrompt,
    AcceptsTextPrompt,
    ChatPrompt,
    PromptResponseSUT,
    StreamsText,
    SUTCapabilityError,
    SUTOptions,
    SUTResponse,
    SUTStreamChunk,
    TextPrompt,
    modelgauge_sut,
    respond,
    stream,
)


class Req(BaseModel):
    text: str


class Resp(BaseModel):
    text: str


class Base(PromptResponseSUT):
    """Everything but the translate methods."""

    def evaluate(self, request: Req) -> Resp:
        return Resp(text=request.text)

    def translate_response(self, request: Req, response: Resp) -> SUTResponse:
        return SUTResponse(text=response.text)


def test_a_well_formed_sut_is_accepted_and_keeps_its_capabilities() -> None:
    @modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt])
    class Good(Base):
        def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
            return Req(text=prompt.text)

        def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> Req:
            return Req(text=prompt.last_user_text)

    assert Good.capabilities == (AcceptsTextPrompt, AcceptsChatPrompt)
    assert Good("x").uid == "x"


def test_declaring_chat_without_translate_chat_prompt_is_refused() -> None:
    with pytest.raises(SUTCapabilityError) as caught:

        @modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt])
        class ChatLess(Base):
            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

    message = str(caught.value)
    assert "ChatLess" in message
    assert "AcceptsChatPrompt" in message
    assert "translate_chat_prompt" in message
    assert isinstance(caught.value, TypeError)


def test_implementing_translate_text_prompt_without_declaring_it_is_refused() -> None:
    with pytest.raises(SUTCapabilityError) as caught:

        @modelgauge_sut(capabilities=[AcceptsChatPrompt])
        class Undeclared(Base):
            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

            def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.last_user_text)

    message = str(caught.value)
    assert "Undeclared implements translate_text_prompt" in message
    assert "does not declare AcceptsTextPrompt" in message
    assert "@modelgauge_sut(capabilities=[...])" in message


def test_init_must_take_uid_first() -> None:
    with pytest.raises(SUTCapabilityError) as caught:

        @modelgauge_sut(capabilities=[AcceptsTextPrompt])
        class UrlFirst(Base):
            def __init__(self, api_url: str, uid: str):
                super().__init__(uid)
                self.api_url = api_url

            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

    message = str(caught.value)
    assert "UrlFirst.__init__ must take `uid` as its first parameter" in message
    assert "(api_url, uid)" in message


def test_streams_text_without_evaluate_stream_is_refused() -> None:
    with pytest.raises(SUTCapabilityError) as caught:

        @modelgauge_sut(capabilities=[AcceptsTextPrompt, StreamsText])
        class NoStream(Base):
            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

    message = str(caught.value)
    assert "NoStream says it StreamsText" in message
    assert "evaluate_stream" in message


def test_evaluate_stream_without_streams_text_is_refused() -> None:
    with pytest.raises(SUTCapabilityError, match=r"does not declare StreamsText"):

        @modelgauge_sut(capabilities=[AcceptsTextPrompt])
        class SilentStreamer(Base):
            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

            async def evaluate_stream(self, request: Req) -> AsyncIterator[SUTStreamChunk]:
                yield SUTStreamChunk(text=request.text)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(SUTCapabilityError) as caught:

        @modelgauge_sut(capabilities=[AcceptsChatPrompt, StreamsText])
        class Wrong(Base):
            def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
                return Req(text=prompt.text)

    message = str(caught.value)
    assert "translate_chat_prompt" in message
    assert "evaluate_stream" in message
    assert "does not declare AcceptsTextPrompt" in message


def test_only_sut_classes_can_be_decorated() -> None:
    with pytest.raises(SUTCapabilityError, match="decorates SUT classes"):
        modelgauge_sut(capabilities=[AcceptsTextPrompt])(Req)


# ----- where evaluate runs ------------------------------------------------------------------


@modelgauge_sut(capabilities=[AcceptsTextPrompt])
class SyncSUT(Base):
    """A seed-style SUT: evaluate blocks (as `requests.post` would)."""

    def __init__(self, uid: str, loop_may_run: threading.Event):
        super().__init__(uid)
        self.loop_may_run = loop_may_run
        self.threads: list[int] = []

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
        return Req(text=prompt.text)

    def evaluate(self, request: Req) -> Resp:
        self.threads.append(threading.get_ident())
        # Blocks until a coroutine on the event loop sets the event: possible only if this
        # call is not blocking the loop itself.
        if not self.loop_may_run.wait(timeout=10):
            raise AssertionError("the event loop was blocked while evaluate ran")
        return Resp(text=f"sync: {request.text}")


@modelgauge_sut(capabilities=[AcceptsTextPrompt])
class AsyncSUT(Base):
    def __init__(self, uid: str):
        super().__init__(uid)
        self.threads: list[int] = []
        self.loops: list[Any] = []

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> Req:
        return Req(text=prompt.text)

    async def evaluate(self, request: Req) -> Resp:
        self.threads.append(threading.get_ident())
        self.loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        return Resp(text=f"async: {request.text}")


async def _unblock(event: threading.Event) -> None:
    await asyncio.sleep(0.01)
    event.set()


async def test_sync_evaluate_runs_in_a_worker_thread() -> None:
    loop_thread = threading.get_ident()
    event = threading.Event()
    sut = SyncSUT("sync", event)
    response, _ = await asyncio.gather(
        respond(sut, TextPrompt(text="hi"), SUTOptions()), _unblock(event)
    )
    assert response.text == "sync: hi"
    assert len(sut.threads) == 1
    assert sut.threads[0] != loop_thread


async def test_sync_evaluate_runs_in_a_worker_thread_when_streamed() -> None:
    loop_thread = threading.get_ident()
    event = threading.Event()
    sut = SyncSUT("sync", event)

    async def collect() -> list[SUTStreamChunk]:
        return [chunk async for chunk in stream(sut, TextPrompt(text="hi"), SUTOptions())]

    chunks, _ = await asyncio.gather(collect(), _unblock(event))
    assert [c.text for c in chunks] == ["sync: hi"]
    assert sut.threads[0] != loop_thread


async def test_async_evaluate_is_awaited_on_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    sut = AsyncSUT("async")
    response = await respond(sut, TextPrompt(text="hi"), SUTOptions())
    assert response.text == "async: hi"
    assert sut.threads == [loop_thread]
    assert sut.loops == [asyncio.get_running_loop()]


def test_refuses_a_prompt_response_sut_without_evaluate_or_translate_response() -> None:
    from drivers import AcceptsTextPrompt, PromptResponseSUT, SUTCapabilityError, modelgauge_sut

    with pytest.raises(SUTCapabilityError, match="evaluate, translate_response"):

        @modelgauge_sut(capabilities=[AcceptsTextPrompt])
        class Half(PromptResponseSUT):  # type: ignore[type-arg]
            def translate_text_prompt(self, prompt, options):  # type: ignore[no-untyped-def]
                return prompt.text
