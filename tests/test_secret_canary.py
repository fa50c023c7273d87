"""Redaction in one place: a recognisable key must reach no output and no file.

A canary key is set in the environment, then sutui runs as a person runs it (subprocesses with
HOME, every XDG dir and TMPDIR in a temp dir): `secrets list`, `list-suts`, `secrets test`, a
`run-sut` against a local server that answers 401 while echoing the key in its error body, a
batch and the history made into an HTML report (`sutui report`), and two crashes of a driver
whose exception holds the key (one with SUTUI_DEBUG=1's traceback).
The key must be in no stdout, no stderr and no file written under those dirs.

Then every wire format the built-in drivers speak echoes its key back, in every form and at
every place a provider can put it (below): none of it may show anywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
import string
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from keyring_fixtures import EchoServer
from provider_server.echo import FORMS, Echo, received_key

from drivers import transport
from drivers.known_secrets import forget_registration
from drivers.redaction import forget_all, forms
from drivers.transport import HttpRuntime, use_runtime
from sutui.cli.main import run

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
    record("report", sutui(sandbox, work, "report", "batch-1", "batch-2", "--all", "--out",
                           "report.html"))  # fmt: skip
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
    assert results["report"].returncode == 0, results["report"].stderr
    assert "[REDACTED]" in (work / "report.html").read_text()
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


# ----- every wire format echoing its key, in every form, at every place -------------------------
#
# In-process (sutui.cli.main.run), against the loopback provider server in echo mode
# (tests/provider_server/echo.py): each SUT gets its own canary key, holding both quotes and a
# backslash; some are stored (environment, secrets.toml) with the whitespace a shell or an
# editor leaves after them, and are sent stripped. Each case runs `run-sut` (every SUT at once,
# as text and as --json, then each SUT alone: the live printer), `batch` twice with --cache
# (plain requests, then the cache), `history export` in every format, `report` of the batch and
# the history, and then reads every file
# written (SQLite rows whole). Secrets are forgotten before each command, so each one registers
# its keys as a fresh process does. There are no log files: stderr is the log.

ALNUM = string.ascii_letters + string.digits
WINDOW = 8
"""No 8 characters of a key's random parts in a row may show (a key here is ~50 characters:
mask() shows at most 4 in a row)."""


def _random(n: int) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def canary_key(tag: str) -> str:
    """A realistic key (`sk-` and random letters) with both quotes and a backslash in it."""
    return f"sk-{tag}-{_random(12)}\"{_random(8)}\\{_random(8)}'{_random(10)}"


@dataclass(frozen=True)
class Target:
    name: str
    uid: str
    """With {url} for the provider server's base URL."""
    secret: str
    """Where its key is: an environment variable, or `file:SCOPE/KEY` in the secrets.toml."""
    stored: str = ""
    """The whitespace stored after the key (sent stripped)."""


TARGETS = (
    Target("openai", "gpt-4o:openai;url={url}/openai/v1", "OPENAI_API_KEY"),
    Target("together", "meta-llama/Llama-3.3-70B:together;url={url}/together/v1",
           "TOGETHER_API_KEY"),
    Target("mistral", "mistral-small-latest:mistral;url={url}/mistral/v1", "MISTRAL_API_KEY",
           "\n"),
    Target("nvidia-nim", "meta/llama-3.1-8b-instruct:nvidia-nim;url={url}/nim/v1",
           "NVIDIA_API_KEY"),
    Target("hfrelay", "google/gemma-3-27b-it:nebius:hfrelay;url={url}/hf-router/v1",
           "file:hugging_face/token", " \n"),
    Target("hf-chat", "allenai/OLMo-2-7B-Instruct:hf;url={url}/tgi", "file:hugging_face/token",
           " \n"),
    Target("hf-generate", "gpt2:local:hf;url={url}/tgi;api=generate", "file:hugging_face/token",
           " \n"),
    Target("modelship", "meta-llama/Llama-3.1-8B-Instruct:modelship;url={url}/vllm/v1",
           "SUTUI_MODELSHIP__API_KEY"),
    Target("anthropic", "claude-sonnet-4-5:anthropic;url={url}/anthropic/v1",
           "file:anthropic/api_key", " "),
    Target("google", "gemini-2.0-flash:google;url={url}/google/v1beta", "GEMINI_API_KEY", " "),
    Target("ollama", "llama3.2%3A3b:ollama;url={url}/ollama", ""),
)  # fmt: skip
"""Every wire format the built-in drivers speak: OpenAI chat (and its flavours: Together,
Mistral, NIM, the HF router, TGI's /v1, vLLM), TGI's /generate, Anthropic Messages, Gemini
generateContent, ollama. ollama takes no key: it recites the OpenAI one (masked even in a run of
ollama alone: every key kept is registered before a run, drivers/known_secrets.py)."""

PLACES = (
    Echo("answer"),
    *(Echo("tail", form, at) for form, at in (("raw", 4), ("json", 20), ("basic", 30))),
    *(Echo("tail", form, at) for form, at in (("repr", 44), ("url", 9))),
    Echo("error"),
    Echo("error", status=403),
    Echo("error-text"),
    *(Echo("error-cut", form, at) for form, at in (("raw", 1), ("json", 17), ("url-plus", 40))),
    Echo("error-cut", "basic-a", 50),
    Echo("stream-error"),
    Echo("malformed"),
    *(Echo("cut", form, at) for form, at in (("raw", 6), ("repr", 25), ("basic-ab", 12))),
    *(Echo("truncate", form, at) for form, at in (("raw", 30), ("json", 8))),
)
"""Forms and cut offsets spread over the places: each case runs every wire format."""


def _leak_windows(key: str) -> set[str]:
    """Every WINDOW characters in a row of the key's random parts, and of its base64 forms."""
    random = re.split(r"[^A-Za-z0-9]", key.split("-", 2)[2])  # after `sk-TAG-`
    encoded = [f for f in forms(key) if re.fullmatch(r"[A-Za-z0-9+/=]+", f)]
    runs = [p for p in random if len(p) >= WINDOW] + encoded
    return {run[i : i + WINDOW] for run in runs for i in range(len(run) - WINDOW + 1)}


class Canary:
    """The keys, the sandbox and every output met, each checked for a leak."""

    def __init__(self, tmp_path: Path, url: str):
        self.root = tmp_path
        self.url = url
        self.keys = {t.secret: canary_key(t.name.replace("-", "")) for t in TARGETS if t.secret}
        self.keys[""] = self.keys["OPENAI_API_KEY"]  # what ollama recites
        self.windows = {w for key in self.keys.values() for w in _leak_windows(key)}

    def environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        stored: dict[str, dict[str, str]] = {}
        for target in TARGETS:
            value = self.keys[target.secret] + target.stored
            if target.secret.startswith("file:"):
                scope, _, key = target.secret.removeprefix("file:").partition("/")
                stored.setdefault(scope, {})[key] = value
            elif target.secret:
                monkeypatch.setenv(target.secret, value)
        toml = "".join(
            f"[{scope}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
            for scope, table in stored.items()
        )
        (self.root / "secrets.toml").write_text(toml)
        monkeypatch.setenv("SUTUI_SECRETS_FILE", str(self.root / "secrets.toml"))
        for name in ("CONFIG", "CACHE", "DATA"):
            monkeypatch.setenv(f"SUTUI_{name}_DIR", str(self.root / name.lower()))
        monkeypatch.setenv("SUTUI_KEYRING", "off")
        monkeypatch.chdir(self.root)

    def uid(self, target: Target) -> str:
        return target.uid.format(url=self.url)

    def check(self, where: str, text: str) -> None:
        for window in self.windows:
            at = text.find(window)
            assert at < 0, f"a key leaked into {where}: {text[max(0, at - 150) : at + 60]!r}"

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        forget_all()  # each command registers its keys as a fresh process does
        forget_registration()
        code = run(list(args))
        out, err = capsys.readouterr()
        command = " ".join(a.replace(self.url, "") for a in args)
        self.check(f"stdout of {command}", out)
        self.check(f"stderr of {command}", err)
        return code, out, err

    def check_files(self) -> int:
        """Every file written under the sandbox (history, cache, results, exports)."""
        files = [p for p in self.root.rglob("*") if p.is_file() and p.name != "secrets.toml"]
        for path in files:
            data = path.read_bytes()
            self.check(str(path), data.decode("utf-8", "replace"))
            if data.startswith(b"SQLite format 3"):  # a long row spans pages: read it whole
                self.check(f"the rows of {path}", _rows(path))
        return len(files)


def _rows(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"')
        )


@pytest.fixture
def canaries(
    tmp_path: Path, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Canary]:
    found = Canary(tmp_path, provider_server.url)
    found.environment(monkeypatch)
    fast = transport.RetryPolicy(max_tries=2, base_delay=0.01, max_delay=0.02)
    with use_runtime(HttpRuntime(retry=fast)):
        yield found
    provider_server.echo_key(None)


@pytest.mark.parametrize(
    "echo", PLACES, ids=[f"{e.place}-{e.form}-{e.at}-{e.status}" for e in PLACES]
)
def test_no_wire_format_shows_an_echoed_key(
    canaries: Canary, echo: Echo, provider_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_server.echo_key(replace(echo, key=canaries.keys[""]))
    every = [a for t in TARGETS for a in ("--sut", canaries.uid(t))]
    code, out, _ = canaries.cli(capsys, "run-sut", *every, "--prompt", "hi", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(TARGETS)
    assert code == (0 if echo.place in ("answer", "tail") else 1), records
    canaries.cli(capsys, "run-sut", *every, "--prompt", "hi")
    for target in TARGETS:
        canaries.cli(capsys, "run-sut", "--sut", canaries.uid(target), "--prompt", "hi")
    (canaries.root / "p.jsonl").write_text('{"prompt": "hi"}\n')
    for _ in range(2):  # the second answers from the cache what the first got
        canaries.cli(capsys, "batch", *every, "--prompts", "p.jsonl", "--out", "b", "--cache")
    for fmt in ("md", "json", "jsonl", "csv"):
        assert canaries.cli(capsys, "history", "export", "--all", "--format", fmt)[0] == 0
    assert canaries.cli(capsys, "report", "b", "--all", "--out", "report.html")[0] == 0
    assert canaries.check_files() > 3

    # The test means something: each key was sent (stripped), and came back.
    sent = {received_key(r.headers) for r in provider_server.requests}
    assert {k for s, k in canaries.keys.items() if s} <= sent
    if echo.place == "answer":
        for record in records:
            assert record["status"] == "done", record
            assert record["text"].count("[REDACTED]") == len(FORMS), record
    if echo.place.startswith("error"):
        assert all(r["status"] == "failed" for r in records)
    if echo.place in ("error", "error-text"):
        assert sum("[REDACTED]" in json.dumps(r["error"]) for r in records) >= len(TARGETS) - 1
