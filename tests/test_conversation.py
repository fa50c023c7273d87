"""The conversation model (drivers/conversation.py): each thread is sent its own answers."""

from __future__ import annotations

from drivers.conversation import Answer, Conversation, estimate
from drivers.prompt import ChatPrompt, ChatRole, TextPrompt, make_prompt


def roles(prompt: object) -> list[tuple[str, str]]:
    assert isinstance(prompt, ChatPrompt)
    return [(m.role.value, m.text) for m in prompt.messages]


def test_a_first_turn_is_what_a_single_send_always_was() -> None:
    assert Conversation().prompt_for("a", "hi") == (TextPrompt(text="hi"), [])
    assert Conversation("be brief").prompt_for("a", "hi")[0] == make_prompt("hi", "be brief")


def test_each_thread_gets_its_own_answers() -> None:
    talk = Conversation("be brief")
    talk.add_turn("Why is the sky blue?")
    talk.answer(0, "a", Answer("Rayleigh scattering."))
    talk.answer(0, "b", Answer("Because of the air."))
    prompt, notes = talk.prompt_for("b", "What was my previous question?")
    assert roles(prompt) == [
        ("SYSTEM", "be brief"),
        ("USER", "Why is the sky blue?"),
        ("SUT", "Because of the air."),
        ("USER", "What was my previous question?"),
    ]
    assert notes == []


def test_an_answer_chosen_for_all_is_every_threads_context() -> None:
    talk = Conversation()
    talk.add_turn("q1")
    talk.answer(0, "a", Answer("from a"))
    talk.answer(0, "b", Answer("from b"))
    talk.choose_for_all(0, "a")
    assert roles(talk.prompt_for("b", "q2")[0])[1] == ("SUT", "from a")
    talk.forget("a")  # the chosen column removed: each its own again
    assert roles(talk.prompt_for("b", "q2")[0])[1] == ("SUT", "from b")


def test_a_gap_is_named_and_its_question_joined_to_the_next() -> None:
    talk = Conversation()
    talk.add_turn("q1")
    talk.answer(0, "a", Answer("partial", complete=False))
    talk.add_turn("q2")
    talk.answer(1, "a", Answer("a2"))
    assert talk.gaps("a") == [0]
    assert talk.gaps("new") == [0, 1] and talk.joined_later("new")
    prompt, notes = talk.prompt_for("a", "q3")
    assert roles(prompt) == [("USER", "q1\n\nq2"), ("SUT", "a2"), ("USER", "q3")]
    assert notes == ["sent without an answer: turn 1 (their questions are joined to the next one)"]
    prompt, notes = talk.prompt_for("new", "q3")
    assert roles(prompt) == [("USER", "q1\n\nq2\n\nq3")]
    assert "turns 1, 2" in notes[0]


def test_fork_drops_the_later_turns_and_returns_them() -> None:
    talk = Conversation()
    for i in range(3):
        talk.add_turn(f"q{i}")
        talk.answer(i, "a", Answer(f"a{i}"))
    dropped = talk.fork(1)
    assert [t.text for t in dropped] == ["q1", "q2"] and len(talk.turns) == 1


def test_thread_tokens_use_the_providers_count_then_estimate() -> None:
    talk = Conversation()
    assert talk.thread_tokens("a", "abcd") == (1, True)
    talk.add_turn("q" * 40)
    talk.answer(0, "a", Answer("x" * 40, prompt_tokens=12, completion_tokens=9))
    assert talk.thread_tokens("a") == (21, False)
    assert talk.thread_tokens("a", "y" * 8) == (23, True)
    assert talk.thread_tokens("b", "") == (estimate("q" * 40), True)  # a gap: question only
    renamed = talk.renamed({"a": "z"})
    assert renamed.turns[0].answers["z"].text == "x" * 40
    assert ChatRole.sut.openai_role == "assistant"
