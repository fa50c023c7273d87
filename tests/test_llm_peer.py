"""The openai driver and `sutui run-sut` against a real llama.cpp server (SmolLM2-135M).

Its answers vary with the KV cache, so these tests check structure, never exact text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from llm_peer import LlmPeer

from drivers import SUTOptions, TextPrompt, make_sut, respond, stream
from drivers.errors import ErrorKind, SUTError

pytestmark = pytest.mark.slow


def uid(peer: LlmPeer) -> str:
    return f"smollm2:local:openai;url={peer.base_url}"


def secrets(peer: LlmPeer) -> dict[str, dict[str, str]]:
    return {"local": {"api_key": peer.api_key}}


async def test_plain_answer_with_usage_and_finish_reason(llm_peer: LlmPeer) -> None:
    sut = make_sut(uid(llm_peer), secrets(llm_peer))
    response = await respond(sut, TextPrompt(text="Say hello."), SUTOptions(max_tokens=12))
    assert response.text.strip()
    assert response.usage is not None
    assert (response.usage.prompt_tokens or 0) > 0
    # llama-cpp-python counts one token past max_tokens when it stops for length.
    assert 0 < (response.usage.completion_tokens or 0) <= 13
    assert response.finish_reason in ("stop", "length")


async def test_max_tokens_stops_with_length(llm_peer: LlmPeer) -> None:
    sut = make_sut(uid(llm_peer), secrets(llm_peer))
    response = await respond(
        sut,
        TextPrompt(text="Tell me a long story about a lion."),
        SUTOptions(max_tokens=3, temperature=0),
    )
    assert response.finish_reason == "length"
    assert response.usage is not None and response.usage.completion_tokens in (3, 4)


async def test_streaming_arrives_in_several_chunks(llm_peer: LlmPeer) -> None:
    sut = make_sut(uid(llm_peer), secrets(llm_peer))
    chunks = [
        c async for c in stream(sut, TextPrompt(text="Count to five."), SUTOptions(max_tokens=16))
    ]
    texts = [c.text for c in chunks if c.text]
    assert len(texts) >= 2
    assert "".join(texts).strip()
    assert any(c.finish_reason in ("stop", "length") for c in chunks)


async def test_wrong_key_is_an_auth_error(llm_peer: LlmPeer) -> None:
    sut = make_sut(uid(llm_peer), {"local": {"api_key": "not-the-right-key-123"}})
    with pytest.raises(SUTError) as info:
        await respond(sut, TextPrompt(text="hi"), SUTOptions(max_tokens=2))
    assert info.value.kind is ErrorKind.auth and info.value.status == 401


def run_cli(peer: LlmPeer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUTUI_LOCAL__API_KEY": peer.api_key, "SUTUI_KEYRING": "off"}
    return subprocess.run(
        [sys.executable, "-m", "sutui", "run-sut", "--sut", uid(peer), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_run_sut_answers_from_the_real_server(llm_peer: LlmPeer) -> None:
    done = run_cli(llm_peer, "--prompt", "hi", "--max-tokens", "10")
    assert done.returncode == 0, done.stderr
    assert "── done" in done.stdout
    assert done.stderr == ""  # nothing else: no warning, no traceback
    as_json = run_cli(llm_peer, "--prompt", "hi", "--max-tokens", "10", "--json")
    assert as_json.returncode == 0, as_json.stderr
    obj = json.loads(as_json.stdout)
    assert obj["status"] == "done" and obj["text"].strip()
    # llama-cpp-python sends no usage in a stream (it ignores stream_options), and run-sut
    # streams: so usage may be absent here, but never made up.
    assert obj["usage"] is None or obj["usage"]["completion_tokens"] > 0
    # ...and a person is told so, rather than shown nothing.
    reported = "tokens not reported" if obj["usage"] is None else " out"
    assert reported in done.stdout
    assert llm_peer.api_key not in done.stdout + done.stderr + as_json.stdout


def test_a_second_turn_goes_on_from_the_first_with_run_sut_continue(llm_peer: LlmPeer) -> None:
    """A two-turn thread: the second answer needs the first turn. SmolLM2-135M cannot keep
    a number ("Remember 7481. Reply OK." rambles on about 7481 until the length limit, a gap),
    but it does repeat a secret word it was told, and never says it when asked alone."""
    options = ["--temperature", "0", "--seed", "1", "--max-tokens", "48", "--json"]
    first = run_cli(llm_peer, "--prompt", "The secret word is banana. Reply OK.", *options)
    assert first.returncode == 0, first.stderr
    one = json.loads(first.stdout)
    assert one["status"] == "done" and one["finish_reason"] == "stop", one
    env = {**os.environ, "SUTUI_LOCAL__API_KEY": llm_peer.api_key, "SUTUI_KEYRING": "off"}
    question = "What is the secret word?"
    second = subprocess.run(
        [sys.executable, "-m", "sutui", "run-sut", "--continue", one["run_id"], "--prompt",
         question, "--json"],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    two = json.loads(second.stdout)
    assert (two["turn"], two["conversation_id"]) == (1, one["run_id"])
    assert [m["role"] for m in two["messages"]] == ["user", "assistant", "user"]
    assert two["messages"][1]["content"] == one["text"]  # its own first answer was sent
    assert two["options"]["temperature"] == 0  # the first turn's options, kept
    assert "banana" in two["text"].lower(), two["text"]
    alone = run_cli(llm_peer, "--prompt", question, "--no-history", *options)
    assert alone.returncode == 0, alone.stderr
    assert "banana" not in json.loads(alone.stdout)["text"].lower()  # it needed turn 1
