"""The run API that the compare screen, `run-sut` and `batch` share (drivers/)."""

from __future__ import annotations

import pytest

from drivers.prompt import ChatPrompt, ChatRole, TextPrompt, make_prompt, prompt_parts


@pytest.mark.parametrize("system", [None, "", "  \n"])
def test_no_system_prompt_is_a_text_prompt(system: str | None) -> None:
    assert make_prompt("hi", system) == TextPrompt(text="hi")


def test_a_system_prompt_makes_a_chat_prompt_system_first() -> None:
    prompt = make_prompt("hi", "be brief")
    assert isinstance(prompt, ChatPrompt)
    assert [(m.role, m.text) for m in prompt.messages] == [
        (ChatRole.system, "be brief"),
        (ChatRole.user, "hi"),
    ]
    assert prompt_parts(prompt) == ("hi", "be brief")
    assert prompt_parts(make_prompt("hi")) == ("hi", None)


def test_every_front_end_builds_its_prompt_with_make_prompt() -> None:
    from sutui.batch.prompts import PromptRow

    row = PromptRow(1, "a", "hi", "be brief")
    assert row.to_prompt() == make_prompt("hi", "be brief")
    assert PromptRow(2, "b", "hi").to_prompt() == TextPrompt(text="hi")
