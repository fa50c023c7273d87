"""`sutui models DRIVER`: the live list of a provider's models, marked when the catalog names
them, cached a day with its fetch time (no secret in the cache), and the usual clear errors.
The OpenAI-compatible path runs against the real llama.cpp peer (tests/llm_peer.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from llm_peer import LlmPeer

from sutui.cli.main import run


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.endswith(("_API_KEY", "_TOKEN")) or ("__" in name and name.startswith("SUTUI_")):
            monkeypatch.delenv(name)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["models", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_lists_the_llama_cpp_peer_and_caches_it(
    llm_peer: LlmPeer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SUTUI_LOCAL__API_KEY", llm_peer.api_key)
    where = ("openai", "--provider", "local", "--url", llm_peer.base_url)
    code, out, err = cli(capsys, *where)
    assert code == 0, err
    assert f"1 model at {llm_peer.base_url} (now)" in out
    assert f"smollm2:local:openai;url={llm_peer.base_url}" in out
    code, out, _ = cli(capsys, *where)
    assert code == 0 and "(cached, fetched" in out and "--refresh asks again" in out
    code, out, _ = cli(capsys, *where, "--json")
    listed = json.loads(out)
    assert listed["from_cache"] is True and listed["url"] == llm_peer.base_url
    (model,) = listed["models"]
    assert model["id"] == "smollm2" and model["in_catalog"] == []
    assert model["uid"] == f"smollm2:local:openai;url={llm_peer.base_url}"
    code, out, _ = cli(capsys, *where, "--refresh")
    assert code == 0 and "(now)" in out
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert b"smollm2" in cached and llm_peer.api_key.encode() not in cached
    # The UID it prints runs.
    code = run(["run-sut", "--sut", model["uid"], "--prompt", "Say hi", "--max-tokens", "3"])
    assert code == 0, capsys.readouterr().err


def test_a_rejected_key_is_a_classified_failure(
    llm_peer: LlmPeer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_LOCAL__API_KEY", "not-the-right-key-123")
    code, out, err = cli(capsys, "openai", "--provider", "local", "--url", llm_peer.base_url)
    assert code == 1 and out == ""
    assert "listing openai's models failed: auth [HTTP 401]" in err and "what to do" in err


def test_bad_input_is_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    code, _, err = cli(capsys, "opnai")
    assert code == 2 and "there is no driver 'opnai'" in err and "openai" in err
    code, _, err = cli(capsys, "demo")
    assert code == 2 and "the demo driver cannot list its models" in err
    code, _, err = cli(capsys, "openai")  # the official API needs a key
    assert code == 2 and "[openai]" in err and "api_key" in err, err
    code, _, err = cli(capsys, "openai", "--url", "ftp://nowhere")
    assert code == 2 and "bad URL" in err and "what to do" in err, err


def test_an_unreachable_server_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "openai", "--url", "http://127.0.0.1:9/v1")
    assert code == 1 and "connection" in err, err


def test_the_cache_is_per_key(
    provider_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list fetched with one key is not what another key (or none) gets: a wrong key meets
    its 401, a missing one the missing-secret message, not yesterday's list."""
    from provider_server import KEYS

    url = f"{provider_server.url}/openai/v1"
    monkeypatch.setenv("SUTUI_LOCAL__API_KEY", KEYS["openai"])
    code, out, err = cli(capsys, "openai", "--provider", "local", "--url", url)
    assert code == 0 and "(now)" in out, err
    monkeypatch.setenv("SUTUI_LOCAL__API_KEY", "sk-wrong-key-000000")
    code, out, err = cli(capsys, "openai", "--provider", "local", "--url", url)
    assert code == 1 and "auth [HTTP 401]" in err
    monkeypatch.setenv("SUTUI_LOCAL__API_KEY", KEYS["openai"])
    code, out, err = cli(capsys, "openai", "--provider", "local", "--url", url)
    assert code == 0 and "(cached" in out
    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", KEYS["openai"])
    monkeypatch.setattr("drivers.providers.openai.OpenAISUTFactory.DEFAULT_BASE_URL", url)
    assert cli(capsys, "openai")[0] == 0
    monkeypatch.delenv("SUTUI_OPENAI__API_KEY")
    code, _, err = cli(capsys, "openai")
    assert code == 2 and "[openai]" in err, "no key: the missing secret, not the cached list"


def test_the_hints_are_said_for_a_listing(
    provider_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 with no key sent names the key to set (not "the provider rejected the key"); a
    404 points at --url; an unknown driver or a missing --provider name the flag."""
    url = f"{provider_server.url}/openai/v1"
    code, _, err = cli(capsys, "openai", "--provider", "local", "--url", url)
    assert code == 1 and "auth [HTTP 401]" in err
    assert "no key was sent: optional key [local] api_key is not set" in err, err
    assert "sutui secrets set local api_key" in err and "what to do: the provider" not in err
    code, _, err = cli(capsys, "openai", "--url", f"{provider_server.url}/nowhere")
    assert code == 1 and "check --url" in err and "/v1" in err, err
    code, _, err = cli(capsys, "nosuch")
    assert code == 2 and "there is no driver 'nosuch'" in err and "UID" not in err
    code, _, err = cli(capsys, "hfrelay")
    assert code == 2 and "--provider" in err, err
