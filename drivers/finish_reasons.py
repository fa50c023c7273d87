"""Finish reasons in one vocabulary: each provider's own word (`eos`, `end_turn`, `MAX_TOKENS`,
`SAFETY`...) mapped to stop, length, content_filter, tool_calls, error or other, so answers
are shown, exported and compared on one meaning (the provider's word is kept beside it)."""

from __future__ import annotations

FINISH_REASONS = ("stop", "length", "content_filter", "tool_calls", "error", "other")
_FINISH = {
    "stop": "stop",
    "eos": "stop",
    "eos_token": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "other",  # Anthropic: a long turn paused, to be continued: not a whole answer
    "finish_reason_unspecified": "other",
    "length": "length",
    "max_tokens": "length",
    "model_length": "length",
    "model_context_window_exceeded": "length",
    "content_filter": "content_filter",
    "refusal": "content_filter",
    "safety": "content_filter",
    "recitation": "content_filter",
    "blocklist": "content_filter",
    "prohibited_content": "content_filter",
    "spii": "content_filter",
    "image_safety": "content_filter",
    "language": "content_filter",
    "tool_calls": "tool_calls",
    "tool_use": "tool_calls",
    "function_call": "tool_calls",
    "malformed_function_call": "error",
    "unexpected_tool_call": "error",
    "error": "error",
}


def normalise_finish_reason(raw: str | None) -> str | None:
    """One vocabulary (FINISH_REASONS) for every provider's own word; None stays None."""
    if raw is None:
        return None
    return _FINISH.get(raw.strip().lower(), "other")
