"""The prompts a SUT accepts: a single text, or a chat of role-tagged messages.

Names and roles follow the modelgauge guide so its drivers port with only their imports changed.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class TextPrompt(BaseModel):
    """One piece of text to complete or answer."""

    model_config = ConfigDict(frozen=True)

    text: str


class ChatRole(str, Enum):
    """Who said a chat message. `sut` is the system under test (the assistant)."""

    user = "USER"
    sut = "SUT"
    system = "SYSTEM"

    @property
    def openai_role(self) -> str:
        """The role name OpenAI-style APIs expect (upstream sent "sut" to HF: a bug)."""
        return {"USER": "user", "SUT": "assistant", "SYSTEM": "system"}[self.value]


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    role: ChatRole


class ChatPrompt(BaseModel):
    """A conversation; the SUT answers as the next `sut` turn."""

    model_config = ConfigDict(frozen=True)

    messages: list[ChatMessage] = Field(min_length=1)

    @property
    def system_text(self) -> str | None:
        parts = [m.text for m in self.messages if m.role is ChatRole.system]
        return "\n\n".join(parts) if parts else None

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.role is ChatRole.user:
                return message.text
        return ""


Prompt = TextPrompt | ChatPrompt


def make_prompt(text: str, system: str | None = None) -> Prompt:
    """What every front end sends: a text prompt, or a chat prompt (system, then user) when
    there is a system prompt. A blank system prompt (None, empty, only spaces) is none."""
    if system is None or not system.strip():
        return TextPrompt(text=text)
    return ChatPrompt(
        messages=[
            ChatMessage(text=system, role=ChatRole.system),
            ChatMessage(text=text, role=ChatRole.user),
        ]
    )


def prompt_parts(prompt: Prompt) -> tuple[str, str | None]:
    """The user text and the system prompt, as make_prompt made them (what a record keeps)."""
    if isinstance(prompt, TextPrompt):
        return prompt.text, None
    system = [m.text for m in prompt.messages if m.role is ChatRole.system]
    user = [m.text for m in prompt.messages if m.role is not ChatRole.system]
    return "\n\n".join(user), ("\n\n".join(system) if system else None)
