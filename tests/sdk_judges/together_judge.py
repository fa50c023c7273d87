"""Run by tests/test_sdk_judges.py in the together SDK's own venv (scripts/install-sdk-judges):
the official client reads the fake Together server, whole and streamed, and prints what it
parsed as one JSON object. Any parse error is the fake's fault and ends this with exit 1."""

from __future__ import annotations

import json
import sys

import together


def main(base_url: str, key: str, model: str) -> None:
    client = together.Together(api_key=key, base_url=base_url, max_retries=0)
    messages = [{"role": "user", "content": "hello there world"}]
    whole = client.chat.completions.create(model=model, messages=messages, max_tokens=50)
    choice = whole.choices[0]
    chunks = list(
        client.chat.completions.create(model=model, messages=messages, max_tokens=50, stream=True)
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    usage = next((c.usage for c in reversed(chunks) if c.usage), None)
    print(
        json.dumps(
            {
                "text": choice.message.content,
                "finish_reason": str(choice.finish_reason),
                "completion_tokens": whole.usage.completion_tokens if whole.usage else None,
                "streamed": streamed,
                "stream_finish": [str(f) for f in finishes],
                "stream_usage": usage.completion_tokens if usage else None,
                "types": sorted({type(c).__name__ for c in chunks}),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
