"""One answer of one SUT to one prompt, as a JSON object: the schema shared by `run-sut --json`,
`sutui batch` output, the history and its exports (docs/results.md describes each field).

A record never holds a secret: answers and errors are redacted by the driver layer (an answer
that echoes a key included), prompts and UIDs here, and options are the SUTOptions (no
credentials live there).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drivers.options import SUTOptions
from drivers.prompt import ChatRole, Prompt, TextPrompt
from drivers.redaction import redact
from drivers.runner import Cancelled, Failed, Finished, Timings
from sutui import __version__

SCHEMA = "sutui.result/1"
Status = Literal["done", "failed", "cancelled", "partial"]
"""`partial`: the run stopped (crash, kill) before this SUT finished; `text` is what came."""


class RecordTimings(BaseModel):
    model_config = ConfigDict(frozen=True)

    first_token_s: float | None = None
    """Time to the answer's first token (reasoning not counted)."""
    total_s: float | None = None
    first_reasoning_s: float | None = None


class RecordUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    """Every token generated, reasoning included."""
    reasoning_tokens: int | None = None


class RecordMessage(BaseModel):
    """One turn of a conversation sent as the prompt, in the chat APIs' words."""

    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class ResultRecord(BaseModel):
    """Field order is the JSON order; every field is always present (null when unknown)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    schema_: str = Field(SCHEMA, alias="schema")
    run_id: str | None = None
    prompt_id: str | None = None
    conversation_id: str | None = None
    """The history conversation this answer belongs to: the id of its first run."""
    turn: int = 0
    """The user turn it answers, from 0 (a single send is turn 0)."""
    thread: str | None = None
    """The SUT's thread in the conversation: its key in the run (`uid`, `uid#2`), the same
    every turn; null in a batch."""
    index: int = 0
    sut: str
    """The SUT as the user named it: a predefined name or a dynamic UID (`#2` for a repeat)."""
    uid: str | None = None
    """The canonical dynamic UID it resolved to (predefined SUTs may change between releases)."""
    prompt: str
    """The user prompt: of a conversation, its last user turn (the one answered)."""
    system: str | None = None
    messages: list[RecordMessage] | None = None
    """The whole conversation sent (system message and last user turn included) when the prompt
    had earlier turns; null when `prompt` and `system` are all it was."""
    options: dict[str, Any] = {}
    status: Status
    text: str = ""
    reasoning: str | None = None
    """The model's reasoning, apart from the answer (partial when the answer is)."""
    finish_reason: str | None = None
    """Normalised: stop, length, content_filter, tool_calls, error or other."""
    provider_finish_reason: str | None = None
    """The provider's own word for it."""
    notes: list[str] = []
    """What the driver changed for the model (an option it cannot take was dropped)."""
    usage: RecordUsage | None = None
    error: dict[str, Any] | None = None
    timings: RecordTimings = RecordTimings()
    started_at: str | None = None
    cached: bool = False
    """A batch answer taken from the response cache (its timings are the original call's)."""
    sutui_version: str = __version__

    def to_json(self) -> str:
        """One line of JSON (pydantic's own encoder: a batch writes thousands per second)."""
        return self.model_dump_json(by_alias=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultRecord:
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise ValueError(f"unknown result schema {schema!r} (this sutui reads {SCHEMA!r})")
        return cls.model_validate(data)


def options_dict(options: SUTOptions | None) -> dict[str, Any]:
    """Only the options the user set: a record says what was asked, not every default."""
    if options is None:
        return {}
    return options.model_dump(mode="json", exclude_defaults=True)


def messages_of(
    prompt: Prompt, asked: str, mask: Callable[[str], str] = redact
) -> list[dict[str, str]] | None:
    """A record's `messages` for `prompt` (sent for the user turn `asked`): the role/content
    list in OpenAI's role names, each text through `mask` (redaction; the history's texts were
    redacted when saved); None when the prompt is `asked` alone, after a system message or not
    (the record's `prompt` and `system` say it all)."""
    if isinstance(prompt, TextPrompt):
        return None
    first, last = prompt.messages[0], prompt.messages[-1]
    alone = len(prompt.messages) == 1 or (
        len(prompt.messages) == 2 and first.role is ChatRole.system
    )
    if alone and last.role is ChatRole.user and last.text == asked:
        return None
    return [{"role": m.role.openai_role, "content": mask(m.text)} for m in prompt.messages]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _timings(timings: Timings) -> RecordTimings:
    first, reasoning = timings.first_token_s, timings.first_reasoning_s
    return RecordTimings(
        first_token_s=None if first is None else round(first, 4),
        total_s=round(timings.total_s, 4),
        first_reasoning_s=None if reasoning is None else round(reasoning, 4),
    )


def record_from_event(
    event: Finished | Failed | Cancelled,
    *,
    sut: str,
    uid: str | None,
    prompt: str,
    system: str | None = None,
    messages: list[dict[str, str]] | None = None,
    options: SUTOptions | None = None,
    index: int = 0,
    run_id: str | None = None,
    prompt_id: str | None = None,
    started_at: str | None = None,
    cached: bool = False,
    thread: str | None = None,
) -> ResultRecord:
    common: dict[str, Any] = {
        "run_id": run_id,
        "prompt_id": prompt_id,
        "thread": thread,
        "index": index,
        "sut": redact(sut),
        "uid": None if uid is None else redact(uid),
        "prompt": redact(prompt),
        "system": None if system is None else redact(system),
        "messages": None
        if messages is None
        else [
            RecordMessage.model_validate({"role": m["role"], "content": redact(m["content"])})
            for m in messages
        ],
        "options": options_dict(options),
        "timings": _timings(event.timings),
        "started_at": started_at,
        "cached": cached,
    }
    if isinstance(event, Finished):
        response = event.response
        usage = response.usage
        return ResultRecord(
            **common,
            status="done",
            text=response.text,
            reasoning=response.reasoning,
            finish_reason=response.finish_reason,
            provider_finish_reason=response.provider_finish_reason,
            notes=list(response.notes),
            usage=None
            if usage is None
            else RecordUsage(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                reasoning_tokens=usage.reasoning_tokens,
            ),
        )
    partial: dict[str, Any] = {
        "text": event.partial_text,
        "reasoning": event.partial_reasoning or None,
        "notes": list(event.notes),
    }
    if isinstance(event, Failed):
        return ResultRecord(**common, **partial, status="failed", error=event.error.to_dict())
    return ResultRecord(**common, **partial, status="cancelled")
