"""The CLI, in-process for speed and through a subprocess as a person or script runs it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sutui.cli.main import run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("SUTUI_DEMO__") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_sut_answers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "run-sut", "--sut", "demo_yes_no", "--prompt", "Why did the chicken cross the road?"
    )
    assert code == 0, err
    assert "demo_yes_no" in out and "\nNo\n" in out and "done" in out


def test_run_sut_json_prints_one_object_per_sut(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys,
        "run-sut",
        "--sut",
        "demo_yes_no",
        "--sut",
        "demo_always_sorry",
        "--prompt",
        "hi",
        "--json",
    )
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert {o["sut"]: o["text"] for o in objects} == {
        "demo_yes_no": "No",
        "demo_always_sorry": "Sorry, I can't help with that.",
    }
    assert all(o["status"] == "done" and o["timings"]["total_s"] >= 0 for o in objects)


def test_system_prompt_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys,
        "run-sut",
        "--sut",
        "echo:demo",
        "--prompt",
        "a b c d",
        "--system",
        "be terse",
        "--max-tokens",
        "2",
        "--json",
    )
    assert code == 0
    obj = json.loads(out)
    assert (obj["text"], obj["finish_reason"]) == ("a b", "length")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--sut", "x:dmeo"], "Did you mean 'demo'"),
        (["--sut", "demo_yes_n"], "Did you mean 'demo_yes_no'"),
        (["--sut", "demo_random_words"], 'api_key = "<value>"'),
        (["--sut", "echo:demo;url=http://x"], "does not take the option 'url'"),
        (["--sut", "a:b:c:d:e"], "at most 4"),
        (["--sut", "demo_echo", "--timeout", "0"], "--timeout 0: must be more than 0 seconds."),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = cli(capsys, "run-sut", "--prompt", "hi", *args)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--top-k", "-1", "sutui: --top-k -1: must be 1 or more.\n"),
        ("--temperature", "5", "sutui: --temperature 5: must be from 0 to 2.\n"),
        ("--max-tokens", "0", "sutui: --max-tokens 0: must be 1 or more.\n"),
        ("--top-p", "1.5", "sutui: --top-p 1.5: must be more than 0 and at most 1.\n"),
    ],
)
def test_a_model_option_out_of_range_names_the_flag_typed_and_its_range(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, expected: str
) -> None:
    """The flag as typed (--top-k, not the field top_k_per_token) and plain words, not
    pydantic's "Input should be greater than or equal to 1"."""
    code, out, err = cli(capsys, "run-sut", "--sut", "demo_yes_no", "--prompt", "hi", flag, value)
    assert (code, out, err) == (2, "", expected)


def test_every_problem_reported_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys,
        "run-sut",
        "--prompt",
        "hi",
        "--sut",
        "x:dmeo",
        "--sut",
        "nope",
        "--sut",
        "demo_random_words",
    )
    assert code == 2
    assert "dmeo" in err and "'nope'" in err and "[demo]" in err


def test_runtime_failure_exits_1_and_keeps_other_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_DEMO__API_KEY", "wrong-key-value")
    code, out, _ = cli(
        capsys,
        "run-sut",
        "--sut",
        "demo_random_words",
        "--sut",
        "demo_echo",
        "--prompt",
        "keep me",
        "--json",
    )
    assert code == 1
    objects = {o["sut"]: o for o in map(json.loads, out.splitlines())}
    assert objects["demo_random_words"]["error"]["kind"] == "auth"
    assert objects["demo_echo"]["text"] == "keep me"
    assert "wrong-key-value" not in out


def test_uid_explains_the_issue_example(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "uid", "google/gemma-3-27b-it:nebius:hfrelay:20250507", "--json")
    info = json.loads(out)
    assert (info["maker"], info["model"], info["provider"], info["driver"], info["date"]) == (
        "google",
        "gemma-3-27b-it",
        "nebius",
        "hfrelay",
        "20250507",
    )
    _, out, _ = cli(capsys, "uid", "google/gemma-3-27b-it:nebius:hfrelay:20250507")
    assert "maker:         google" in out and "date:          20250507" in out


def test_uid_for_a_predefined_sut_and_a_bad_uid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "uid", "demo_random_words")
    assert code == 0 and "kind:          predefined" in out and "[demo] api_key: missing" in out
    code, _, err = cli(capsys, "uid", "m:d;reas=maybe")
    assert code == 2 and "reas=y" in err


def test_an_unresolvable_host_reads_the_same_in_run_sut_and_secrets_test(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiohttp (run-sut) and httpx (secrets test) word a DNS failure differently; sutui says
    it one way. `.invalid` never resolves (RFC 6761), so this needs no network."""
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    url = "http://nosuchhost.invalid/v1"
    said = "could not connect to nosuchhost.invalid: the host name could not be resolved"
    code, out, _ = cli(capsys, "run-sut", "--sut", f"m:openai;url={url}", "--prompt", "hi")
    assert code == 1 and said in out and "Unknown error" not in out
    assert out.count("check the URL") == 1  # the message, then what to do: said once
    code, _, err = cli(capsys, "secrets", "test", "openai", "--url", url)
    assert code == 1 and said in err and "Errno" not in err
    assert err.count("check the URL") == 1


def test_the_uid_examples_in_the_docs_name_real_drivers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/uids.md's table of parts (each row's parts as `sutui uid` reads them) and the
    README's UID examples: a UID there once named an `azure` driver that does not exist."""
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    table = re.findall(
        r"^\| `([^`]+)` \|(( [^|]+ \|){5})$", (ROOT / "docs/uids.md").read_text(), re.M
    )
    readme = (ROOT / "README.md").read_text().split("### UIDs", 1)[1].split("\n#", 1)[0]
    examples = [
        u for u in re.findall(r"`([^`]+)`", readme) if re.search(r"\w:\w", u) and "[" not in u
    ]
    assert len(table) >= 4 and len(examples) >= 2
    for uid, cells, _ in table:
        code, out, err = cli(capsys, "uid", uid, "--json")
        assert code == 0, (uid, err)
        info = json.loads(out)
        parts = [info[k] or "-" for k in ("maker", "model", "provider", "driver", "date")]
        assert parts == [c.strip() for c in cells.strip(" |").split("|")], uid
    for uid in examples:
        code, _, err = cli(capsys, "uid", uid)
        assert code == 0, (uid, err)


def test_list_suts_shows_40_or_more_with_missing_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "list-suts", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 40
    by_uid = {r["uid"]: r for r in rows}
    assert by_uid["demo_yes_no"]["ready"] is True
    assert by_uid["demo_random_words"]["secrets"] == [
        {"scope": "demo", "key": "api_key", "required": True, "set": False, "layer": None}
    ]
    code, out, _ = cli(capsys, "list-suts")
    assert "demo_random_words" in out and "missing demo/api_key" in out


def test_list_suts_help_names_the_columns_its_table_has(capsys: pytest.CaptureFixture[str]) -> None:
    code, help_text, _ = cli(capsys, "list-suts", "--help")
    assert code == 0
    _, out, _ = cli(capsys, "list-suts")
    columns = out.splitlines()[0].split()
    assert columns == ["SUT", "DRIVER", "SECRETS", "STATUS"]
    assert all(column in help_text for column in columns)


def test_list_drivers_and_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "list-drivers", "--json")
    demo = next(d for d in json.loads(out) if d["driver"] == "demo")
    assert demo["origin"] == "built-in" and "delay" in demo["options"]
    code, out, _ = cli(capsys, "list-secrets")
    assert code == 0 and "[demo]" in out and 'api_key = "<value>"' in out


def test_secrets_file_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "s.toml"
    file.write_text('[demo]\napi_key = "12345"\n')
    code, out, _ = cli(
        capsys,
        "--secrets",
        str(file),
        "run-sut",
        "--sut",
        "demo_random_words",
        "--prompt",
        "hi",
        "--max-tokens",
        "3",
        "--json",
    )
    assert code == 0 and len(json.loads(out)["text"].split()) == 3
    code, _, err = cli(
        capsys,
        "--secrets",
        str(tmp_path / "none.toml"),
        "run-sut",
        "--sut",
        "demo_random_words",
        "--prompt",
        "hi",
    )
    assert code == 2 and "does not exist" in err


def test_the_secrets_option_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sutui run-sut --secrets F …` (and inside a group: `secrets list --secrets F`) reads F
    as `sutui --secrets F run-sut …` does."""
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    file = tmp_path / "s.toml"
    file.write_text('[demo]\napi_key = "12345"\n')
    code, out, err = cli(
        capsys, "run-sut", "--secrets", str(file), "--sut", "demo_random_words",
        "--prompt", "hi", "--max-tokens", "3", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert len(json.loads(out)["text"].split()) == 3
    code, out, _ = cli(capsys, "secrets", "list", "--json", "--secrets", str(file))
    (demo,) = [s for s in json.loads(out)["secrets"] if s["scope"] == "demo"]
    assert code == 0 and (demo["layer"], demo["source"]) == ("file", str(file))
    code, _, err = cli(
        capsys, "run-sut", "--sut", "demo_random_words", "--secrets", "none.toml", "--prompt", "x"
    )
    assert code == 2 and "none.toml does not exist" in err


def test_secrets_list_shows_a_value_kept_for_the_session(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the app kept in memory (no keyring) is layer `session` in `secrets list` run in
    the same process; the text and the JSON say so, never the value."""
    from drivers.session_secrets import session_secrets

    monkeypatch.setenv("SUTUI_KEYRING", "off")
    session_secrets().set("together", "api_key", "tg-kept-in-memory-42")
    code, out, _ = cli(capsys, "secrets", "list", "--json")
    (row,) = [s for s in json.loads(out)["secrets"] if s["scope"] == "together"]
    assert code == 0 and row["set"] and row["layer"] == "session"
    code, out, _ = cli(capsys, "secrets", "list")
    (line,) = [ln for ln in out.splitlines() if ln.startswith("together/api_key")]
    assert code == 0 and line.split()[1:3] == ["set", "session"]
    assert "tg-kept-in-memory" not in out


def test_prompt_from_stdin_and_empty_prompt(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"from stdin")))
    code, out, _ = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "-", "--json")
    assert json.loads(out)["text"] == "from stdin"
    code, _, err = cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "  ")
    assert code == 2 and "empty" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "lsit-suts")
    assert code == 2 and "No such command" in err


def sutui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "SUTUI_DEMO_DELAY": "0", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sutui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_subprocess_run_sut_and_errors() -> None:
    done = sutui(
        "run-sut", "--sut", "demo_yes_no", "--sut", "demo_always_sorry", "--prompt", "hi", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 2
    bad = sutui("run-sut", "--sut", "nope:nodriver", "--prompt", "hi")
    assert bad.returncode == 2
    assert "there is no driver 'nodriver'" in bad.stderr and "Traceback" not in bad.stderr
    missing = sutui("run-sut", "--prompt", "hi")
    assert missing.returncode == 2 and "--sut" in missing.stderr


def test_subprocess_version_and_help() -> None:
    assert sutui("--version").stdout.startswith("sutui, version")
    helped = sutui("--help")
    assert helped.returncode == 0 and "run-sut" in helped.stdout


def test_a_closed_pipe_is_not_an_error() -> None:
    env = {**os.environ, "SUTUI_KEYRING": "off"}
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{sys.executable}' -m sutui list-suts | head -2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "internal error" not in result.stderr
    assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_uid_runs_the_drivers_own_checks(capsys: pytest.CaptureFixture[str]) -> None:
    for bad, expected in (
        ("x:demo", "no model 'x'"),
        ("echo:demo;delay=abc", "delay"),
        ("m:demo;mk=foo", "no model 'foo/m'"),
    ):
        code, out, err = cli(capsys, "uid", bad)
        assert code == 2 and expected in err and err.removeprefix("sutui: ") not in out


@pytest.mark.parametrize("bad", ["x:dmeo", "a:b:c:d:e"])
def test_uid_explains_a_failure_on_stderr_only(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    """A driver-level problem (x:dmeo) goes to stderr as a syntax error (a:b:c:d:e) does; the
    parts it could parse stay on stdout, and --json stays one valid document on stdout."""
    code, out, err = cli(capsys, "uid", bad)
    assert code == 2 and "problem" not in out and "Did you mean" not in out
    assert err.startswith("sutui: ") and err.count("\n") == 1
    if bad == "x:dmeo":
        assert "driver:        dmeo" in out and "Did you mean 'demo'" in err
    code, out, err = cli(capsys, "uid", bad, "--json")  # one JSON document, even for syntax
    document = json.loads(out)
    assert code == 2 and document["uid"] == bad and document["ready"] is False
    assert err == f"sutui: {document['problem']}\n"
    if bad == "x:dmeo":
        assert "Did you mean 'demo'" in document["problem"]


def test_uid_with_a_missing_secret_points_to_secrets_setup_for_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    code, out, _ = cli(capsys, "uid", "gpt-4o")
    assert code == 0 and "`sutui secrets setup gpt-4o`" in out and "list-secrets" not in out
    _, out, _ = cli(capsys, "uid", "m:openai;url=http://h/v1")
    assert "ready:         yes" in out


def test_missing_secrets_say_which_sut_needs_what(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    code, _, err = cli(
        capsys, "run-sut", "--prompt", "hi", "--sut", "demo_random_words", "--sut", "demo_yes_no"
    )
    assert code == 2
    assert "demo_random_words: [demo] api_key" in err and "demo_yes_no" not in err
    assert "SUTUI_DEMO__API_KEY" in err and "`sutui secrets setup demo_random_words`" in err


def test_json_carries_the_position_asked(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(
        capsys,
        "run-sut",
        "--sut",
        "echo:demo;delay=0.05",
        "--sut",
        "demo_yes_no",
        "--prompt",
        "a b",
        "--json",
    )
    objects = [json.loads(line) for line in out.splitlines()]
    assert {o["sut"]: o["index"] for o in objects} == {"echo:demo;delay=0.05": 0, "demo_yes_no": 1}


def test_ctrl_c_prints_what_each_unfinished_sut_sent_marked_partial(tmp_path: Path) -> None:
    env = {**os.environ, "SUTUI_DATA_DIR": str(tmp_path), "SUTUI_KEYRING": "off"}
    env["SUTUI_DEMO_DELAY"] = ""  # the UID's delay holds
    command = [sys.executable, "-m", "sutui", "run-sut", "--sut", "echo:demo;delay=0.3",
               "--sut", "demo_yes_no", "--prompt", "a b c d e f g h i j k l", "--json"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None
    first = json.loads(child.stdout.readline())  # yes_no has answered; echo is streaming
    assert first["sut"] == "demo_yes_no" and first["status"] == "done"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    rest, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    (last,) = [json.loads(line) for line in rest.splitlines()]
    assert last["sut"] == "echo:demo;delay=0.3" and last["status"] == "partial"
    assert last["text"] and "a b c d e f g h i j k l".startswith(last["text"])
    assert last["run_id"] == first["run_id"] is not None, "the partial record names its run"
