"""Text that is not valid Unicode never kills a run (issue 12, item 6).

One policy, two boundaries (docs/streams.md): what a *provider* sends is repaired at the driver
layer's boundary (a UTF-16 surrogate pair split across two stream events is joined; a lone
surrogate becomes U+FFFD and the answer's notes say so); what the *user* gives (`--prompt`,
`--system`, stdin, a prompt file) that is not valid UTF-8 is refused with exit 2 and the place
of the bad bytes, since a silently altered prompt would falsify the evaluation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_fault_matrix import DRIVERS, Driver, _make

from drivers import invoke, transport
from drivers.options import SUTOptions
from drivers.prompt import TextPrompt
from drivers.response import SUTResponse
from drivers.transport import HttpRuntime, use_runtime
from drivers.unicode_repair import StreamRepair, repair

EMOJI = "\U0001f600"
PROMPT = TextPrompt(text="Smile <U+D83D>|<U+DE00> lone <U+DC80> end")
"""The loopback server answers `<U+XXXX>` as that code point and splits a word at `|`: an
emoji's surrogate pair in two stream events, then a lone low surrogate."""
REPAIRED = f"Echo: Smile {EMOJI} lone \ufffd end"


@pytest.fixture(autouse=True)
def _fast() -> Iterator[None]:
    with use_runtime(HttpRuntime(retry=transport.RetryPolicy(max_tries=1, base_delay=0.01))):
        yield


def test_repair_joins_pairs_and_replaces_lone_halves() -> None:
    assert repair("a\ud83d\ude00b") == (f"a{EMOJI}b", 0)
    assert repair("a\ud800b\udc80") == ("a\ufffdb\ufffd", 2)
    assert repair("plain") == ("plain", 0)
    stream = StreamRepair()
    parts = [stream.feed("x\ud83d"), stream.feed("\ude00y\ud800"), stream.feed("z"), stream.flush()]
    assert "".join(parts) == f"x{EMOJI}y\ufffdz" and stream.replaced == 1
    held = StreamRepair()
    assert held.feed("end\ud83d") == "end" and held.flush() == "\ufffd" and held.replaced == 1


@pytest.mark.parametrize("driver", DRIVERS, ids=[d.name for d in DRIVERS])
async def test_every_wire_format_streams_valid_text(
    driver: Driver, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sut = _make(driver, provider_server.url, monkeypatch)
    chunks = [c async for c in invoke.stream(sut, PROMPT, SUTOptions(max_tokens=50))]
    text = "".join(c.text for c in chunks)
    assert text == REPAIRED
    for chunk in chunks:
        chunk.model_dump_json()  # every chunk serialises: no lone surrogate left
        chunk.text.encode()
    notes = [n for c in chunks for n in c.notes]
    assert any("1 invalid character" in n and "U+FFFD" in n for n in notes), notes


@pytest.mark.parametrize("driver", DRIVERS, ids=[d.name for d in DRIVERS])
async def test_every_wire_format_answers_valid_text(
    driver: Driver, provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sut = _make(driver, provider_server.url, monkeypatch)
    response: SUTResponse = await invoke.respond(sut, PROMPT, SUTOptions(max_tokens=50))
    assert response.text == REPAIRED
    assert any("U+FFFD" in n for n in response.notes)
    response.model_dump_json()


def _cli(args: list[str], *, stdin: bytes | None = None, env: dict[str, str]) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "sutui", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def cli_env(provider_server: Any, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SUTUI_OPENAI__API_KEY="sk-test-openai-0001",
        SUTUI_CONFIG_DIR=str(tmp_path / "cfg"),
        SUTUI_CACHE_DIR=str(tmp_path / "cache"),
        SUTUI_KEYRING="off",
        SUTUI_DEMO_DELAY="0",
    )
    return env


def _uid(server: Any) -> str:
    return f"gpt-4o:openai;url={server.url}/openai/v1"


def test_run_sut_prints_saves_and_exports_a_repaired_answer(
    provider_server: Any, cli_env: dict[str, str]
) -> None:
    """Two SUTs, one answer holding surrogates: both are printed, saved and exported."""
    uid = _uid(provider_server)
    done = _cli(
        ["run-sut", "--sut", uid, "--sut", "demo_echo", "--prompt", PROMPT.text], env=cli_env
    )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert REPAIRED in out and "U+FFFD" in out
    assert "Traceback" not in done.stderr.decode()
    exported = _cli(["history", "export", "--all", "--format", "jsonl"], env=cli_env)
    assert exported.returncode == 0, exported.stderr.decode()
    rows = [json.loads(line) for line in exported.stdout.decode().splitlines() if line]
    texts = [row["text"] for row in rows]
    assert REPAIRED in texts and len(texts) == 2


def test_run_sut_json_is_valid_json(provider_server: Any, cli_env: dict[str, str]) -> None:
    done = _cli(
        ["run-sut", "--sut", _uid(provider_server), "--prompt", PROMPT.text, "--json"], env=cli_env
    )
    assert done.returncode == 0, done.stderr.decode()
    record = json.loads(done.stdout)
    assert record["text"] == REPAIRED and any("U+FFFD" in n for n in record["notes"])


def test_batch_finishes_with_a_repaired_answer(
    provider_server: Any, cli_env: dict[str, str], tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(json.dumps({"id": "p1", "prompt": PROMPT.text}) + "\n")
    out = tmp_path / "out"
    args = ["batch", "--prompts", str(prompts), "--sut", _uid(provider_server), "--out", str(out)]
    done = _cli(args, env=cli_env)
    assert done.returncode == 0, done.stderr.decode()
    (record,) = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert record["status"] == "done" and record["text"] == REPAIRED


# ----- the input boundary: the user's bytes are refused, with where ------------------------------


@pytest.mark.parametrize("flag", ["--prompt", "--system"])
def test_argument_that_is_not_utf8_is_refused(
    flag: str, provider_server: Any, cli_env: dict[str, str]
) -> None:
    bad = os.fsdecode(b"caf\xe9 au lait")  # Latin-1 bytes, as a legacy terminal sends them
    args = ["run-sut", "--sut", "demo_echo", "--prompt", "hi", flag, bad]
    done = _cli(args, env=cli_env)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert flag in err and "UTF-8" in err and "0xe9" in err and "Traceback" not in err


def test_stdin_that_is_not_utf8_is_refused(cli_env: dict[str, str]) -> None:
    done = _cli(
        ["run-sut", "--sut", "demo_echo", "--prompt", "-"],
        stdin=b"hello \xff\xfe world\n",
        env=cli_env,
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "stdin" in err and "UTF-8" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "line",
    [b'{"id": "p1", "prompt": "half \\ud800 a pair"}', b'{"id": "p1", "prompt": "caf\xe9"}'],
    ids=["escaped-surrogate", "latin-1-byte"],
)
def test_prompt_file_line_that_is_not_valid_unicode_is_skipped_and_said(
    line: bytes, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A bad line of a prompt file is reported with its place and skipped, as every bad line
    is; the rest of the batch runs."""
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_bytes(b'{"id": "p0", "prompt": "fine"}\n' + line + b"\n")
    out = tmp_path / "o"
    done = _cli(
        ["batch", "--prompts", str(prompts), "--sut", "demo_echo", "--out", str(out)], env=cli_env
    )
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "line 2: 'prompt'" in err and "at character" in err
    assert "Traceback" not in err and "internal" not in err.lower()
    records = [json.loads(r) for r in (out / "results.jsonl").read_text().splitlines()]
    assert [(r["prompt_id"], r["status"]) for r in records] == [("p0", "done")]


def test_a_prompt_file_in_another_encoding_says_so(cli_env: dict[str, str], tmp_path: Path) -> None:
    """UTF-16 (a byte order mark) is named at once; a Latin-1 file whose every line is bad is
    told to be saved as UTF-8, not to get a 'prompt' column it already has."""
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("prompt\nhello\n".encode("utf-16"))
    latin1 = tmp_path / "l1.csv"
    latin1.write_bytes("prompt\ncafé\n".encode("latin-1"))
    for path, said in (
        (utf16, "is UTF-16 text: save it as UTF-8"),
        (latin1, "Save the file as UTF-8"),
    ):
        args = [
            "batch",
            "--prompts",
            str(path),
            "--sut",
            "demo_echo",
            "--out",
            str(tmp_path / path.stem),
        ]
        done = _cli(args, env=cli_env)
        err = done.stderr.decode()
        assert done.returncode == 2 and said in err, err
        assert "'prompt' column" not in err
