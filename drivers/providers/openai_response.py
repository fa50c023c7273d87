"""Reading OpenAI chat-completions answers: a chat.completion object, or a stream of
chat.completion.chunk events, as the driver layer's SUTResponse and SUTStreamChunk. Lenient
where providers differ (content parts, usage in a last chunk without choices, a server that
ignored stream=true); a clear protocol error where the answer cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from drivers.errors import ErrorKind, SUTError
from drivers.reasoning import ThinkSplitter, split_think
from drivers.redaction import shorten
from drivers.response import SUTResponse, SUTStreamChunk, TokenProbability, TokenUsage, TopTokens


def parse_usage(data: Any) -> TokenUsage | None:
    if not isinstance(data, dict):
        return None
    prompt, completion = data.get("prompt_tokens"), data.get("completion_tokens")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return None
    details = data.get("completion_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
        reasoning_tokens=reasoning if isinstance(reasoning, int) else None,
    )


def _timings_usage(data: Any) -> TokenUsage | None:
    """llama.cpp's llama-server puts its counts in the last chunk's `timings` (prompt_n,
    predicted_n) even when it sends no `usage`: better than "not reported"."""
    if not isinstance(data, dict):
        return None
    prompt, predicted = data.get("prompt_n"), data.get("predicted_n")
    if not isinstance(prompt, int) and not isinstance(predicted, int):
        return None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=predicted if isinstance(predicted, int) else None,
    )


REASONING_FIELDS = ("reasoning_content", "reasoning")
"""Where OpenAI-compatible servers put reasoning: DeepSeek, vLLM, llama.cpp (reasoning_content);
OpenRouter, Together, ollama's /v1, newer vLLM (reasoning)."""


def _reasoning_field(message: dict[str, Any]) -> str:
    for name in REASONING_FIELDS:
        value = message.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _content_parts(content: Any) -> tuple[str, str]:
    """(reasoning, answer) of a message's content: a string, or a list of parts (Mistral's
    magistral: {"type": "thinking", "thinking": [{"type": "text", "text"}]} and text parts)."""
    if isinstance(content, str):
        return "", content
    if not isinstance(content, list):
        return "", ""
    reasoning, answer = [], []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "thinking":
            inner = part.get("thinking")
            if isinstance(inner, list):
                reasoning += [p.get("text", "") for p in inner if isinstance(p, dict)]
            elif isinstance(inner, str):
                reasoning.append(inner)
        elif isinstance(part.get("text"), str):
            answer.append(part["text"])
    return "".join(reasoning), "".join(answer)


def parse_logprobs(data: Any) -> list[TopTokens] | None:
    """OpenAI's {"content":[{token, logprob, top_logprobs:[...]}]}, or Together's
    {"tokens":[...], "token_logprobs":[...], "top_logprobs":[{token: logprob}]}."""
    if not isinstance(data, dict):
        return None
    out: list[TopTokens] = []
    content = data.get("content")
    if isinstance(content, list):
        for position in content:
            if not isinstance(position, dict):
                continue
            alternatives = position.get("top_logprobs") or [position]
            out.append(
                TopTokens(
                    top_tokens=[
                        TokenProbability(token=str(a.get("token", "")), logprob=float(a["logprob"]))
                        for a in alternatives
                        if isinstance(a, dict) and _is_number(a.get("logprob"))
                    ]
                )
            )
        return out
    tokens, logprobs = data.get("tokens"), data.get("token_logprobs")
    if isinstance(tokens, list) and isinstance(logprobs, list):
        tops = data.get("top_logprobs")
        for i, (token, logprob) in enumerate(zip(tokens, logprobs, strict=False)):
            top = tops[i] if isinstance(tops, list) and i < len(tops) else None
            if isinstance(top, dict) and top:
                pairs = [(str(k), v) for k, v in top.items() if _is_number(v)]
            else:
                pairs = [(str(token), logprob)] if _is_number(logprob) else []
            out.append(
                TopTokens(
                    top_tokens=[TokenProbability(token=t, logprob=float(lp)) for t, lp in pairs]
                )
            )
        return out
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _first_choice(data: dict[str, Any], where: str) -> dict[str, Any]:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise SUTError(
            ErrorKind.protocol,
            f"{where} answered without choices: {shorten(json.dumps(data), 200)}",
        )
    return choices[0]


def parse_completion(data: dict[str, Any], where: str = "the provider") -> SUTResponse:
    """An OpenAI-style chat.completion object as a SUTResponse (usage and finish reason kept)."""
    choice = _first_choice(data, where)
    message = choice.get("message")
    if not isinstance(message, dict):
        raise SUTError(ErrorKind.protocol, f"{where} answered a choice without a message")
    content = message.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str | list):
        raise SUTError(ErrorKind.protocol, f"{where} answered a message whose content is not text")
    reasoning, content = _content_parts(content)
    reasoning = reasoning or _reasoning_field(message)
    if not reasoning:
        reasoning, content = split_think(content)
    reason = choice.get("finish_reason")
    return SUTResponse(
        text=content,
        reasoning=reasoning or None,
        finish_reason=reason if isinstance(reason, str) else None,
        usage=parse_usage(data.get("usage")),
        top_logprobs=parse_logprobs(choice.get("logprobs")),
    )


def is_stream_end(event: dict[str, Any]) -> bool:
    """The stream's end marker besides `[DONE]`: a choice with a finish reason (what follows it
    is only usage, which some servers never send)."""
    choices = event.get("choices")
    if not isinstance(choices, list):
        return False
    return any(isinstance(c, dict) and _is_text(c.get("finish_reason")) for c in choices)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


async def stream_chunks(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[SUTStreamChunk]:
    """chat.completion.chunk events as text chunks, then one last chunk with usage and finish
    reason (OpenAI sends usage after the finish reason, in a chunk with no choices)."""
    usage: TokenUsage | None = None
    reason: str | None = None
    think = ThinkSplitter()  # inline <think>: only when no reasoning field came
    fielded = False
    async for event in events:
        usage = parse_usage(event.get("usage")) or _timings_usage(event.get("timings")) or usage
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            continue
        choice = choices[0]
        # "message": a server that ignored stream=true sent the whole answer at once.
        delta = choice.get("delta", choice.get("message"))
        if not isinstance(delta, dict):
            delta = {}
        reasoning, text = _content_parts(delta.get("content"))
        field = _reasoning_field(delta)
        fielded = fielded or bool(field or reasoning)
        reasoning += field
        if text and not fielded:
            inline, text = think.feed(text)
            reasoning += inline
        logprobs = parse_logprobs(choice.get("logprobs"))
        if isinstance(choice.get("finish_reason"), str):
            reason = choice["finish_reason"]
        if text or reasoning or logprobs:
            yield SUTStreamChunk(text=text, reasoning=reasoning, top_logprobs=logprobs or None)
    inline, text = think.flush()
    yield SUTStreamChunk(text=text, reasoning=inline, usage=usage, finish_reason=reason)
