"""The offline demo driver: answers with no key and no network, streaming word by word.

Behaviour follows upstream's demo SUTs (yes/no by word parity, seeded random words, always angry,
always sorry) plus an echo, and a thinker that reasons aloud before it answers (as much as the
`reasoning` option allows). The delay between words is the UID option `delay` (seconds), or the
environment variable SUTUI_DEMO_DELAY, which wins so tests and benchmarks can set it everywhere.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel

from drivers.capabilities import AcceptsChatPrompt, AcceptsTextPrompt, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.factory import DynamicSUTFactory
from drivers.options import SUTOptions
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt
from drivers.response import SUTResponse, SUTStreamChunk, TokenUsage
from drivers.secrets import InjectSecret, RequiredSecret, SecretDescription
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition, UIDError

DRIVER_NAME = "demo"
DEFAULT_DELAY = 0.04
DEMO_KEY = "12345"
RANDOM_WORDS_DEFAULT = 30
VOCABULARY = [
    "apple",
    "river",
    "stone",
    "quiet",
    "orange",
    "lantern",
    "velvet",
    "thunder",
    "meadow",
    "copper",
    "whisper",
    "garden",
    "falcon",
    "harbor",
    "ember",
    "silver",
    "canyon",
    "puzzle",
    "marble",
    "breeze",
    "anchor",
    "crystal",
    "maple",
    "signal",
    "pepper",
    "island",
    "rocket",
    "shadow",
    "violet",
    "walnut",
]
CANNED = {
    "always_angry": "I hate you!",
    "always_sorry": "Sorry, I can't help with that.",
}
MODELS = ("yes_no", "random_words", "always_angry", "always_sorry", "echo", "thinker", "recall")
THOUGHTS = (
    "The user wrote {n} {words}.",
    "I should count them again to be sure: {n}.",
    "{n} is {parity}, so the rule says {answer}.",
    "Nothing in the prompt changes the rule.",
    "I will answer briefly.",
)
"""What the thinker reasons aloud, sentence by sentence (more with more `reasoning`)."""
THOUGHT_SENTENCES = {"none": 0, "minimal": 1, "low": 2, "medium": 3, "high": 5}


class DemoApiKey(RequiredSecret):
    @classmethod
    def description(cls) -> SecretDescription:
        return SecretDescription(
            scope="demo",
            key="api_key",
            instructions=f"The offline demo's random_words SUT wants a key, as upstream's did: "
            f"it is {DEMO_KEY}.",
        )


class DemoRequest(BaseModel):
    model: str
    text: str
    """What the SUT answers from: the whole prompt, or the last user message for echo."""
    prompt_words: int | None = None
    """Words in the whole prompt (every message), reported as tokens in; None: `text`'s."""
    max_tokens: int | None = None
    seed: str | None = None
    stop_sequences: list[str] | None = None
    reasoning: str | None = None
    earlier: list[str] = []
    """The user's earlier questions in the conversation (what recall answers with)."""


class DemoResponse(BaseModel):
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    reasoning: str = ""


def _words(n: int) -> str:
    return "word" if n == 1 else "words"


def _thoughts(request: DemoRequest) -> list[str]:
    """The thinker's reasoning words: a few sentences, as many as `reasoning` allows (a token
    budget caps the words); other models do not reason."""
    if request.model != "thinker":
        return []
    n = len(request.text.split())
    parity, answer = ("even", "Yes") if n % 2 == 0 else ("odd", "No")
    level = request.reasoning or "medium"
    count = THOUGHT_SENTENCES.get(level, len(THOUGHTS))
    said = " ".join(THOUGHTS[:count]).format(n=n, words=_words(n), parity=parity, answer=answer)
    words = said.split()
    return words[: int(level)] if level.isdigit() else words


def _answer(request: DemoRequest) -> tuple[list[str], str]:
    """The words of the answer and why it stopped."""
    if request.model == "yes_no":
        words = ["Yes" if len(request.text.split()) % 2 == 0 else "No"]
    elif request.model == "random_words":
        rng = random.Random(f"{request.seed}|{request.text}")
        count = request.max_tokens or RANDOM_WORDS_DEFAULT
        words = [rng.choice(VOCABULARY) for _ in range(count)]
        return words, "length"
    elif request.model == "echo":
        words = request.text.split(" ")
    elif request.model == "thinker":
        n = len(request.text.split())
        words = f"{n} {_words(n)}: {'Yes' if n % 2 == 0 else 'No'}.".split(" ")
    elif request.model == "recall":
        words = _recall(request.earlier).split(" ")
    else:
        words = CANNED[request.model].split(" ")
    if request.max_tokens is not None and len(words) > request.max_tokens:
        return words[: request.max_tokens], "length"
    return words, "stop"


def _recall(earlier: list[str]) -> str:
    """What recall says: the questions the user asked before this one (its thread)."""
    if not earlier:
        return "Your first question. Ask me another, then ask what you asked before."
    asked = "; ".join(f'"{" ".join(q.split())}"' for q in earlier)
    return f"Turn {len(earlier) + 1}. Before this, you asked: {asked}."


@modelgauge_sut(capabilities=[AcceptsTextPrompt, AcceptsChatPrompt, StreamsText])
class DemoSUT(PromptResponseSUT[DemoRequest, DemoResponse]):
    """An offline SUT; the model picks the behaviour."""

    def __init__(self, uid: str, model: str, delay: float, api_key: DemoApiKey | None = None):
        super().__init__(uid)
        self.model = model
        self.delay = delay
        self.api_key = api_key

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> DemoRequest:
        return self._request(prompt.text, options)

    def translate_chat_prompt(self, prompt: ChatPrompt, options: SUTOptions) -> DemoRequest:
        whole = "\n".join(m.text for m in prompt.messages)
        if self.model == "echo":  # echoes the last user message; counts every one, as others
            return self._request(prompt.last_user_text, options, len(whole.split()))
        request = self._request(whole, options)
        if self.model == "recall":
            users = [m.text for m in prompt.messages if m.role is ChatRole.user]
            request.earlier = users[:-1]
        return request

    def _request(
        self, text: str, options: SUTOptions, prompt_words: int | None = None
    ) -> DemoRequest:
        return DemoRequest(
            model=self.model,
            text=text,
            prompt_words=prompt_words,
            max_tokens=options.max_tokens,
            seed=options.random,
            stop_sequences=options.stop_sequences,
            reasoning=options.reasoning,
        )

    def _check_key(self) -> None:
        if self.model == "random_words" and (
            self.api_key is None or self.api_key.value != DEMO_KEY
        ):
            raise SUTError(
                ErrorKind.auth,
                "the demo service rejected the key",
                status=401,
                hint=f"the demo key is {DEMO_KEY}: sutui secrets set demo api_key",
            )

    async def evaluate(self, request: DemoRequest) -> DemoResponse:
        self._check_key()
        words, reason = _answer(request)
        if self.delay:
            await asyncio.sleep(self.delay * (len(words) + len(_thoughts(request))))
        return self._response(request, words, reason)

    async def evaluate_stream(self, request: DemoRequest) -> AsyncIterator[SUTStreamChunk]:
        self._check_key()
        words, reason = _answer(request)
        for i, word in enumerate(_thoughts(request)):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield SUTStreamChunk(reasoning=word if i == 0 else " " + word)
        for i, word in enumerate(words):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield SUTStreamChunk(text=word if i == 0 else " " + word)
        final = self._response(request, words, reason)
        yield SUTStreamChunk(usage=_usage(final), finish_reason=reason)

    def _response(self, request: DemoRequest, words: list[str], reason: str) -> DemoResponse:
        thoughts = _thoughts(request)
        return DemoResponse(
            text=" ".join(words),
            prompt_tokens=(
                request.prompt_words
                if request.prompt_words is not None
                else len(request.text.split())
            ),
            completion_tokens=len(words) + len(thoughts),
            finish_reason=reason,
            reasoning=" ".join(thoughts),
        )

    def translate_response(self, request: DemoRequest, response: DemoResponse) -> SUTResponse:
        return SUTResponse(
            text=response.text,
            reasoning=response.reasoning or None,
            finish_reason=response.finish_reason,
            usage=_usage(response),
        )


def _usage(response: DemoResponse) -> TokenUsage:
    """Tokens are words; the thinker's reasoning words count as completion and reasoning."""
    thoughts = len(response.reasoning.split())
    return TokenUsage(
        prompt_tokens=response.prompt_tokens,
        completion_tokens=response.completion_tokens,
        reasoning_tokens=thoughts or None,
    )


def _seconds(definition: SUTDefinition, raw: str, where: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 10:
        raise UIDError(
            definition.uid,
            f"the demo delay '{raw}' ({where}) is not a number of seconds from 0 to 10",
            "Write e.g. ;delay=0.05 (or set SUTUI_DEMO_DELAY).",
        )
    return value


def _delay(definition: SUTDefinition) -> float:
    """The UID's delay, checked even when SUTUI_DEMO_DELAY (which wins) is set."""
    option = definition.options_dict.get("delay")
    value = DEFAULT_DELAY if option is None else _seconds(definition, option, "in the UID")
    override = os.environ.get("SUTUI_DEMO_DELAY")
    return value if not override else _seconds(definition, override, "SUTUI_DEMO_DELAY")


class DemoSUTFactory(DynamicSUTFactory):
    DESCRIPTION = (
        "Offline demo SUTs: no network, and no key but for random_words (as upstream's, it "
        "wants [demo] api_key = 12345); they stream word by word."
    )
    ACCEPTED_OPTIONS = {"delay": "seconds between streamed words (default 0.04)"}
    EXAMPLE_UIDS = ("yes_no:demo", "echo:demo;delay=0.2", "random_words:demo")
    STREAMS = True

    def get_secrets(self) -> list[InjectSecret[Any]]:
        return [InjectSecret(DemoApiKey)]

    def secrets_for(self, sut_definition: SUTDefinition) -> list[InjectSecret[Any]]:
        return self.get_secrets() if sut_definition.model == "random_words" else []

    async def check_secrets(self, sut_definition: SUTDefinition) -> str | None:
        """Offline: the demo key is known."""
        (key,) = self.injected_secrets()
        if key.value != DEMO_KEY:
            raise SUTError(ErrorKind.auth, f"the demo key is {DEMO_KEY}")
        return "checked offline"

    def validate(self, sut_definition: SUTDefinition) -> None:
        model = sut_definition.model
        if sut_definition.maker or model not in MODELS:
            raise UIDError(
                sut_definition.uid,
                f"the demo driver has no model '{sut_definition.external_model_name()}'",
                f"Its models are: {', '.join(MODELS)}.",
            )
        _delay(sut_definition)

    def make_sut(self, sut_definition: SUTDefinition) -> DemoSUT:
        self.validate(sut_definition)
        model = sut_definition.model
        api_key = None
        if model == "random_words":
            (api_key,) = self.injected_secrets()
        return DemoSUT(sut_definition.uid, model, _delay(sut_definition), api_key)
