"""Redaction in one place: a recognisable key must reach no output and no file.

A canary key is set in the environment, then sutui runs as a person runs it (subprocesses with
HOME, every XDG dir and TMPDIR in a temp dir): `secrets list`, `list-suts`, `secrets test`, a
`run-sut` against a local server that answers 401 while echoing the key in its error body, and
two crashes of a driver whose exception holds the key (one with SUTUI_DEBUG=1's traceback).
The key must be in no stdout, no stderr and no file written under those dirs.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring_fixtures import EchoServer

CRASH_DRIVER = textwrap.dedent(
    '''
    """Runs the sutui CLI with a driver 'crash' whose exceptions hold its key."""
    import sys
    from typing import Any

    from drivers.capabilities import AcceptsTextPrompt
    from drivers.factory import DynamicSUTFactory
    from drivers.registry import DYNAMIC_SUT_FACTORIES
    from drivers.response import SUTResponse
    from drivers.secrets import InjectSecret, RequiredSecret, SecretDescription
    from drivers.sut import PromptResponseSUT, modelgauge_sut


    class CanaryKey(RequiredSecret):
        @classmethod
        def description(cls) -> SecretDescription:
            return SecretDescription(scope="canary", key="api_key")


    @modelgauge_sut(capabilities=[AcceptsTextPrompt])
    class CrashSUT(PromptResponseSUT[str, str]):
        def __init__(self, uid: str, key: str):
            super().__init__(uid)
            self.key = key

        def translate_text_prompt(self, prompt: Any, options: Any) -> str:
            return prompt.text

        async def evaluate(self, request: str) -> str:
            raise RuntimeError("upstream said: bad key " + self.key)

        def translate_response(self, request: str, response: str) -> SUTResponse:
            return SUTResponse(text=response)


    class CrashFactory(DynamicSUTFactory):
        def get_secrets(self) -> list[InjectSecret[Any]]:
            return [InjectSecret(CanaryKey)]

        def make_sut(self, definition: Any) -> CrashSUT:
            (key,) = self.injected_secrets()
            if definition.model == "at-make":
                raise RuntimeError("driver blew up holding " + key.value)
            return CrashSUT(definition.uid, key.value)


    DYNAMIC_SUT_FACTORIES["crash"] = CrashFactory

    from sutui.cli.main import run

    sys.exit(run(sys.argv[1:]))
    '''
)


@pytest.fixture
def canary() -> str:
    return "sk-canary-" + secrets.token_hex(12)


@pytest.fixture
def sandbox(tmp_path: Path, canary: str) -> dict[str, str]:
    """An environment whose every writable place is under tmp_path/sandbox."""
    root = tmp_path / "sandbox"
    dirs = {
        "HOME": root / "home",
        "XDG_CONFIG_HOME": root / "config",
        "XDG_DATA_HOME": root / "data",
        "XDG_CACHE_HOME": root / "cache",
        "XDG_STATE_HOME": root / "state",
        "XDG_RUNTIME_DIR": root / "run",
        "TMPDIR": root / "tmp",
    }
    for path in dirs.values():
        path.mkdir(parents=True)
    (root / "work").mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {k: str(v) for k, v in dirs.items()}
    env |= {
        "SUTUI_CANARY__API_KEY": canary,
        "OPENAI_API_KEY": canary,
        "SUTUI_DEMO_DELAY": "0",
        "SUTUI_KEYRING_TIMEOUT": "2",
    }
    return env


def sutui(
    env: dict[str, str], cwd: Path, *args: str, stdin: str = "", debug: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sutui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, **({"SUTUI_DEBUG": "1"} if debug else {})},
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_the_canary_key_reaches_no_output_and_no_file(
    sandbox: dict[str, str], canary: str, key_echo_server: EchoServer, tmp_path: Path
) -> None:
    work = tmp_path / "sandbox" / "work"
    script = tmp_path / "crash_driver.py"
    script.write_text(CRASH_DRIVER)
    uid = f"some/model:canary:openai;url={key_echo_server.url}"
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def record(name: str, result: subprocess.CompletedProcess[str]) -> None:
        results[name] = result

    record("secrets list", sutui(sandbox, work, "secrets", "list"))
    record("secrets list --json", sutui(sandbox, work, "secrets", "list", "--json"))
    record("list-suts", sutui(sandbox, work, "list-suts"))
    record("list-suts --json", sutui(sandbox, work, "list-suts", "--json"))
    record("list-secrets", sutui(sandbox, work, "list-secrets"))
    record("template", sutui(sandbox, work, "secrets", "template"))
    record(
        "secrets test",
        sutui(sandbox, work, "secrets", "test", "canary", "--url", key_echo_server.url),
    )
    record(
        "secrets set (no keyring)",
        sutui(sandbox, work, "secrets", "set", "canary", "api_key", stdin=canary + "\n"),
    )
    for debug in (False, True):
        record(
            f"run-sut debug={debug}",
            sutui(sandbox, work, "run-sut", "--sut", uid, "--prompt", "hi", debug=debug),
        )
        record(
            f"run-sut --json debug={debug}",
            sutui(sandbox, work, "run-sut", "--sut", uid, "--prompt", "hi", "--json", debug=debug),
        )
    # A server that answers with the key itself: plain, streamed (split across two events),
    # in a batch with its response cache, then the history exported.
    echo = f"some/model:canary:openai;url={key_echo_server.url.removesuffix('/v1')}/echo/v1"
    record("echo run-sut", sutui(sandbox, work, "run-sut", "--sut", echo, "--prompt", "hi"))
    record(
        "echo run-sut --json",
        sutui(sandbox, work, "run-sut", "--sut", echo, "--sut", echo, "--prompt", "hi", "--json"),
    )
    (work / "prompts.jsonl").write_text('{"prompt": "hi"}\n{"prompt": "again"}\n')
    for out in ("batch-1", "batch-2"):  # the second answers from the cache
        record(
            out,
            sutui(sandbox, work, "batch", "--sut", echo, "--prompts", "prompts.jsonl",
                  "--out", out, "--cache", "--quiet"),
        )  # fmt: skip
    for fmt in ("md", "json", "csv"):
        record(f"history export {fmt}", sutui(sandbox, work, "history", "export", "--all",
                                              "--format", fmt))  # fmt: skip
    for model in ("at-make", "at-evaluate"):
        record(
            f"crash {model}",
            subprocess.run(
                [
                    sys.executable,
                    str(script),
                    "run-sut",
                    "--sut",
                    f"{model}:crash",
                    "--prompt",
                    "hi",
                ],
                capture_output=True,
                text=True,
                env={**sandbox, "SUTUI_DEBUG": "1"},
                cwd=work,
                timeout=120,
                check=False,
            ),
        )

    # The test means something: the key was really sent, and really echoed back.
    sent = [h.get("authorization", "") for h in key_echo_server.seen]
    assert f"Bearer {canary}" in sent
    assert any(h["path"].endswith("/chat/completions") for h in key_echo_server.seen)
    # ... the commands did what they should ...
    assert results["secrets list"].returncode == 0
    listed = next(
        line for line in results["secrets list"].stdout.splitlines() if "openai/api_key" in line
    )
    assert f"sk-…{canary[-4:]}" in listed and "env OPENAI_API_KEY" in listed
    assert results["secrets test"].returncode == 1
    assert "rejected" in results["secrets test"].stderr
    assert results["secrets set (no keyring)"].returncode == 2
    assert results["run-sut debug=False"].returncode == 1
    assert "401" in results["run-sut debug=False"].stdout + results["run-sut debug=False"].stderr
    make_crash = results["crash at-make"]
    assert make_crash.returncode == 1 and "internal error" in make_crash.stderr
    assert "Traceback" in make_crash.stderr and "[REDACTED]" in make_crash.stderr
    for name in ("echo run-sut", "echo run-sut --json", "batch-1", "batch-2"):
        assert results[name].returncode == 0, results[name].stderr
    assert "your key is Bearer [REDACTED]" in results["echo run-sut"].stdout
    assert "[REDACTED]" in (work / "batch-2" / "results.jsonl").read_text()
    assert "[REDACTED]" in results["history export json"].stdout
    evaluate_crash = results["crash at-evaluate"]
    assert evaluate_crash.returncode == 1
    assert "[REDACTED]" in evaluate_crash.stdout + evaluate_crash.stderr
    # ... and the key is nowhere.
    for name, result in results.items():
        assert canary not in result.stdout, f"the key leaked to stdout of {name}"
        assert canary not in result.stderr, f"the key leaked to stderr of {name}"
        assert "Traceback" not in result.stdout, name
    written = [p for p in (tmp_path / "sandbox").rglob("*") if p.is_file()]
    for path in written:
        assert canary.encode() not in path.read_bytes(), f"the key leaked into {path}"
