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
from drivers.response import SUTResponse, SUTStreamChunk, TokenProbability, TokenUsage, TopTokens


def parse_usage(data: Any) -> TokenUsage | None:
    if not isinstance(data, dict):
        return None
    prompt, completion = data.get("prompt_tokens"), data.get("completion_tokens")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
    )


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
            ErrorKind.protocol, f"{where} answered without choices: {json.dumps(data)[:200]}"
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
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise SUTError(ErrorKind.protocol, f"{where} answered a message whose content is not text")
    reason = choice.get("finish_reason")
    return SUTResponse(
        text=content,
        finish_reason=reason if isinstance(reason, str) else None,
        usage=parse_usage(data.get("usage")),
        top_logprobs=parse_logprobs(choice.get("logprobs")),
    )


async def stream_chunks(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[SUTStreamChunk]:
    """chat.completion.chunk events as text chunks, then one last chunk with usage and finish
    reason (OpenAI sends usage after the finish reason, in a chunk with no choices)."""
    usage: TokenUsage | None = None
    reason: str | None = None
    async for event in events:
        usage = parse_usage(event.get("usage")) or usage
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            continue
        choice = choices[0]
        # "message": a server that ignored stream=true sent the whole answer at once.
        delta = choice.get("delta", choice.get("message"))
        text = delta.get("content") if isinstance(delta, dict) else None
        logprobs = parse_logprobs(choice.get("logprobs"))
        if isinstance(choice.get("finish_reason"), str):
            reason = choice["finish_reason"]
        if (isinstance(text, str) and text) or logprobs:
            yield SUTStreamChunk(
                text=text if isinstance(text, str) else "", top_logprobs=logprobs or None
            )
    yield SUTStreamChunk(usage=usage, finish_reason=reason)
