"""A prompt that quotes one of the user's keys is stored and exported masked (issue 12, item 5).

Redaction knows a key once it is looked up, and a run looks up only its SUTs' secrets; so every
front end registers all the keys the user keeps (environment, secrets file, the keyring entries
sutui wrote) before it stores a prompt (drivers/known_secrets.py). The request itself is sent
as the user wrote it: that is their choice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_app_support import isolated, new_app, send

from sutui.history.store import HistoryStore

ENV_KEY = "sk-ant-envcanary-5f1e2d3c4b5a69788"
KEPT_KEY = "sk-kept-keyring-canary-0a1b2c3d4e5f"

__all__ = ["isolated"]


def _sutui(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sutui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "SUTUI_DEMO_DELAY": "0"},
        timeout=60,
    )


def _database_bytes() -> bytes:
    folder = Path(os.environ["SUTUI_DATA_DIR"])
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _assert_masked_everywhere(key: str, *outputs: str) -> None:
    for shown in outputs:
        assert key not in shown and key[:12] not in shown, shown
    assert key.encode() not in _database_bytes()
    for fmt in ("jsonl", "md", "csv"):
        exported = _sutui("history", "export", "--all", "--format", fmt)
        assert exported.returncode == 0, exported.stderr
        assert key not in exported.stdout and key[:12] not in exported.stdout
        assert "[REDACTED]" in exported.stdout, "the prompt is kept, with the key masked"


def test_a_prompt_quoting_a_key_from_the_environment_is_stored_masked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("SUTUI_ANTHROPIC__API_KEY", ENV_KEY)  # not a key demo_echo uses
    done = _sutui("run-sut", "--sut", "demo_echo", "--prompt", f"is {ENV_KEY} valid?", "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["prompt"] == "is [REDACTED] valid?"
    _assert_masked_everywhere(ENV_KEY, done.stdout, done.stderr)


def test_a_prompt_quoting_a_key_kept_in_the_keyring_is_stored_masked(
    real_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _sutui("secrets", "set", "together", "api_key", stdin=KEPT_KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    done = _sutui("run-sut", "--sut", "demo_echo", "--prompt", f"remember {KEPT_KEY} please")
    assert done.returncode == 0, done.stderr
    _assert_masked_everywhere(KEPT_KEY, done.stdout, done.stderr)
    index = (Path(os.environ["SUTUI_CONFIG_DIR"]) / "keyring-names.json").read_text()
    assert "together" in index and KEPT_KEY not in index, "names only, never a value"


def test_a_batch_prompt_quoting_a_key_is_written_masked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("SUTUI_MISTRALAI__API_KEY", ENV_KEY)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(json.dumps({"id": "q1", "prompt": f"key {ENV_KEY}"}) + "\n")
    out = tmp_path / "out"
    done = _sutui("batch", "--prompts", str(prompts), "--sut", "demo_echo", "--out", str(out))
    assert done.returncode == 0, done.stderr
    written = (out / "results.jsonl").read_text()
    assert ENV_KEY not in written and "key [REDACTED]" in written


async def test_the_app_stores_a_prompt_quoting_a_key_masked() -> None:
    app = new_app(suts=["demo_echo"], environ={"SUTUI_GOOGLE_AI__API_KEY": ENV_KEY})
    async with app.run_test() as pilot:
        await send(pilot, f"what is {ENV_KEY}?")
    with HistoryStore() as store:
        last = store.last_id()
        assert last is not None
        run = store.run(last)
        assert run is not None
    assert run.prompt == "what is [REDACTED]?"
    assert ENV_KEY not in run.answers[0].text
