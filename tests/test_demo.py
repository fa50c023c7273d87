"""The offline demo SUTs behave as upstream's, stream word by word, and need no network."""

from __future__ import annotations

import pytest

from drivers import (
    ChatMessage,
    ChatPrompt,
    ChatRole,
    MissingSecretValues,
    SUTOptions,
    TextPrompt,
    make_sut,
    respond,
    stream,
)
from drivers.errors import ErrorKind, SUTError


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")


async def test_yes_no_by_word_parity() -> None:
    sut = make_sut("demo_yes_no", {})
    assert (await respond(sut, TextPrompt(text="a b"), SUTOptions())).text == "Yes"
    assert (await respond(sut, TextPrompt(text="a b c"), SUTOptions())).text == "No"


async def test_random_words_needs_the_demo_key_and_is_seeded() -> None:
    with pytest.raises(MissingSecretValues) as info:
        make_sut("demo_random_words", {})
    assert "[demo]" in str(info.value) and "api_key" in str(info.value)
    sut = make_sut("demo_random_words", {"demo": {"api_key": "12345"}})
    options = SUTOptions(max_tokens=7, random="s")
    first = await respond(sut, TextPrompt(text="hi"), options)
    again = await respond(sut, TextPrompt(text="hi"), options)
    assert first.text == again.text and len(first.text.split()) == 7
    assert first.usage is not None and first.usage.completion_tokens == 7
    wrong = make_sut("demo_random_words", {"demo": {"api_key": "nope"}})
    with pytest.raises(SUTError) as err:
        await respond(wrong, TextPrompt(text="hi"), SUTOptions())
    assert err.value.kind is ErrorKind.auth and "nope" not in str(err.value)


async def test_streams_word_by_word_with_usage_last() -> None:
    sut = make_sut("demo_always_sorry", {})
    chunks = [c async for c in stream(sut, TextPrompt(text="hi"), SUTOptions())]
    assert [c.text for c in chunks[:-1]] == ["Sorry,", " I", " can't", " help", " with", " that."]
    assert chunks[-1].usage is not None and chunks[-1].finish_reason == "stop"


async def test_echo_answers_the_last_user_turn_of_a_chat() -> None:
    sut = make_sut("echo:demo", {})
    chat = ChatPrompt(
        messages=[
            ChatMessage(text="be brief", role=ChatRole.system),
            ChatMessage(text="hello you", role=ChatRole.user),
        ]
    )
    answer = await respond(sut, chat, SUTOptions())
    assert answer.text == "hello you"
    # Tokens in count the whole chat, as every other demo SUT counts them.
    yes_no = await respond(make_sut("yes_no:demo", {}), chat, SUTOptions())
    assert answer.usage is not None and yes_no.usage is not None
    assert answer.usage.prompt_tokens == yes_no.usage.prompt_tokens == 4


async def test_max_tokens_truncates_with_length_reason() -> None:
    sut = make_sut("echo:demo", {})
    r = await respond(sut, TextPrompt(text="a b c d"), SUTOptions(max_tokens=2))
    assert (r.text, r.finish_reason) == ("a b", "length")


def test_unknown_demo_model_and_bad_delay_are_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="Its models are"):
        make_sut("nonsense:demo", {})
    monkeypatch.delenv("SUTUI_DEMO_DELAY")
    with pytest.raises(ValueError, match="delay"):
        make_sut("echo:demo;delay=fast", {})


async def test_recall_says_the_questions_of_its_own_thread() -> None:
    from drivers.conversation import Answer, Conversation
    from drivers.invoke import respond
    from drivers.options import SUTOptions
    from drivers.registry import make_sut

    sut = make_sut("demo_recall", {})
    talk = Conversation()
    first, _ = talk.prompt_for("r", "Why is the sky blue?")
    answer = await respond(sut, first, SUTOptions())
    assert answer.text.startswith("Your first question.")
    talk.add_turn("Why is the sky blue?")
    talk.answer(0, "r", Answer(answer.text))
    second, _ = talk.prompt_for("r", "What did I ask?")
    answer = await respond(sut, second, SUTOptions())
    assert answer.text == 'Turn 2. Before this, you asked: "Why is the sky blue?".'
