"""Hostile input (issue 12, item 11 and the prompt line bound): files that are not UTF-8, nest
too deeply or hold absurd numbers, history rows with a broken field, providers that do not speak
HTTP or send a body nested 100,000 deep. Each is a clear message and exit 2 (bad input), or a
classified provider error; never an internal error, a traceback or a lost answer."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from test_batch_cli import batch, isolated, local, records, write_jsonl

from drivers.catalog import CatalogError, load_file, reset_default_catalog
from drivers.secret_store import SecretsFileError, read_secrets_file
from sutui.batch import prompts as prompt_file
from sutui.cli.main import run
from sutui.settings import Settings

__all__ = ["isolated"]

DEEP_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def no_crash(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err and "a bug" not in err, err


# ----- TOML files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[openai]\napi_key = "sk-\xff\xfe"\n', "is not UTF-8 text"),
        (DEEP_TOML.encode(), "nested too deeply"),
    ],
    ids=["not-utf8", "deep"],
)
def test_a_hostile_secrets_file_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "secrets.toml"
    path.write_bytes(content)
    with pytest.raises(SecretsFileError, match=expected):
        read_secrets_file(path)
    code, _, err = cli(capsys, "--secrets", str(path), "secrets", "list")
    assert code == 2 and expected in err and str(path) in err, err
    assert "\\xff" not in err and "0xff" not in err  # no byte of a secret is quoted
    no_crash(err)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[[sut]]\nuid = "caf\xe9"\ndriver = "demo"\n', "is not UTF-8 text"),
        (DEEP_TOML.encode(), "nested too deeply"),
    ],
    ids=["not-utf8", "deep"],
)
def test_a_hostile_user_catalog_is_a_warning_and_the_shipped_suts_still_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "cfg" / "suts.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=expected):
        load_file(path)
    reset_default_catalog()  # loaded once per process: read this test's file
    try:
        code, out, err = cli(capsys, "list-suts")
    finally:
        reset_default_catalog()
    assert code == 0 and "demo_echo" in out, "the shipped SUTs are still listed"
    assert "warning" in err and expected in err and str(path) in err, err
    assert "left out until it is mended" in err
    no_crash(err)


@pytest.mark.parametrize(
    "content", [DEEP_TOML.encode(), b'theme = "\xff"\n'], ids=["deep", "not-utf8"]
)
def test_a_hostile_app_toml_falls_back_to_the_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "app.toml"
    path.write_bytes(content)
    settings = Settings.load(path)
    assert settings.theme == Settings().theme
    assert settings.problem is not None and str(path) in settings.problem
    assert "using the defaults" in settings.problem


# ----- the prompt file --------------------------------------------------------------------------


def test_an_id_of_5000_digits_is_kept_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    digits = "7" * 5000
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(f'{{"id": {digits}, "prompt": "big id"}}\n{{"prompt": "fine"}}\n')
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    no_crash(err)
    got = {r["prompt"]: r["prompt_id"] for r in records(tmp_path / "o")}
    assert got["big id"] == digits


def test_a_line_nested_too_deeply_is_a_bad_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "fine"}\n{"prompt": ' + DEEP_JSON + "}\n")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    assert "line 2: nested too deeply" in err and "(skipped)" in err
    no_crash(err)
    assert [r["prompt"] for r in records(tmp_path / "o")] == ["fine"]


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_line_longer_than_the_limit_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    prompts = tmp_path / f"p.{suffix}"
    long = "word " * 300_000  # 1.5 MB
    if suffix == "jsonl":
        prompts.write_text(f'{{"prompt": "fine"}}\n{{"prompt": "{long}"}}\n')
        line = 2
    else:
        prompts.write_text(f"prompt\nfine\n{long}\n")
        line = 3
    args = ["--sut", "demo_echo", "--prompts", str(prompts)]
    code, err = batch(capsys, *args, "--out", "o", "--max-line-bytes", "1000000")
    assert code == 2, err
    assert f"line {line} is longer than 1000000 bytes" in err and "--max-line-bytes" in err
    no_crash(err)
    assert not (tmp_path / "o").exists()
    code, err = batch(capsys, *args, "--out", "o", "--max-line-bytes", "2000000")
    assert code == 0, err
    assert len(records(tmp_path / "o")) == 2


def test_the_default_line_limit_is_10_mib() -> None:
    assert prompt_file.MAX_LINE_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "txt"])
def test_a_huge_line_is_refused_without_being_read_whole(tmp_path: Path, suffix: str) -> None:
    """A 24 MB line against a 1 MiB limit: the scan never holds more than a few MiB (the
    issue's 50 MB line peaked at 836 MB)."""
    prompts = tmp_path / f"p.{suffix}"
    with prompts.open("w") as f:
        f.write('{"prompt": "fine"}\n' if suffix != "csv" else "prompt\nfine\n")
        f.write('{"prompt": "' if suffix != "csv" else "")
        for _ in range(24):
            f.write("x" * (1 << 20))
        f.write('"}\n' if suffix != "csv" else "\n")
    tracemalloc.start()
    try:
        with pytest.raises(prompt_file.PromptFileError, match=r"line [23] is longer than"):
            prompt_file.scan(prompts, max_line_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * (1 << 20), f"peak {peak / (1 << 20):.1f} MiB"


# ----- resuming: prompts without an id ----------------------------------------------------------


def test_a_prompt_without_an_id_is_keyed_by_its_content(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    rows: list[dict[str, Any]] = [{"prompt": f"hi {i}"} for i in range(4)]
    rows.append({"prompt": "hi 0", "system": "be brief"})
    prompts = write_jsonl(tmp_path / "p.jsonl", rows)
    args = ["--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"]
    assert batch(capsys, *args)[0] == 0
    first = {(r["prompt"], r["system"]): r["prompt_id"] for r in records(tmp_path / "o")}
    assert len(set(first.values())) == 5
    assert first[("hi 0", None)] != first[("hi 0", "be brief")]  # the system prompt counts
    # A line inserted at the top moves every line number: nothing done is sent again.
    write_jsonl(prompts, [{"prompt": "new one"}, *rows])
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0, err
    assert [r.body["messages"][-1]["content"] for r in provider_server.requests] == ["new one"]
    final = records(tmp_path / "o")
    assert len(final) == 6 and all(r["status"] == "done" for r in final)
    ids = [r["prompt_id"] for r in final]
    assert len(set(ids)) == 6, "one prompt_id never names two prompts"
    again = {(r["prompt"], r["system"]): r["prompt_id"] for r in final}
    assert {k: again[k] for k in first} == first


def test_identical_prompts_without_an_id_are_counted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "same"}, {"prompt": "same"}])
    args = ["--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"]
    assert batch(capsys, *args)[0] == 0
    ids = sorted(r["prompt_id"] for r in records(tmp_path / "o"))
    assert len(provider_server.requests) == 2 and len(set(ids)) == 2
    assert ids[1] == ids[0] + "-2"  # the second of two identical prompts
    write_jsonl(prompts, [{"prompt": "same"}] * 3)  # a third copy: only it is sent
    provider_server.reset()
    assert batch(capsys, *args)[0] == 0
    assert len(provider_server.requests) == 1
    assert sorted(r["prompt_id"] for r in records(tmp_path / "o")) == [*ids, ids[0] + "-3"]


def test_results_keyed_by_line_number_are_migrated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    """An output directory written before prompts were keyed by content (prompt_id = the line
    number): resuming rewrites those ids and sends nothing already done."""
    rows = [{"prompt": "a"}, {"prompt": "b"}, {"prompt": "c", "id": "3"}]
    prompts = write_jsonl(tmp_path / "p.jsonl", rows)
    sut = local(provider_server, "m1")
    args = ["--sut", sut, "--prompts", str(prompts), "--out", "o"]
    assert batch(capsys, *args)[0] == 0
    new = {r["prompt"]: r["prompt_id"] for r in records(tmp_path / "o")}
    legacy = sorted(records(tmp_path / "o"), key=lambda r: str(r["prompt"]))
    for line, r in enumerate(legacy, start=1):
        r["prompt_id"] = str(line)  # as before: the line number (or the explicit id, "3")
    (tmp_path / "o" / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in legacy))
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0, err
    assert provider_server.requests == []
    assert {r["prompt"]: r["prompt_id"] for r in records(tmp_path / "o")} == new
    assert "prompt ids" in err  # says what it rewrote


# ----- the history ------------------------------------------------------------------------------


def history_db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


def two_answers(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "run-sut", "--sut", "demo_yes_no", "--sut", "demo_echo",
                       "--prompt", "is it so")  # fmt: skip
    assert code == 0, err


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("error", "{not json", "error: unreadable"),
        ("error", DEEP_JSON, "error: unreadable"),
        ("options", "[1, 2", "options: unreadable"),
        ("notes", '"a string, not a list"', "notes: unreadable"),
        ("status", "bogus", "status: unreadable"),
        ("prompt_tokens", "many", "usage: unreadable"),
    ],
    ids=["error", "error-deep", "options", "notes", "status", "usage"],
)
def test_one_bad_history_field_hides_nothing_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, column: str, value: str, shown: str
) -> None:
    two_answers(capsys)
    with sqlite3.connect(history_db(tmp_path)) as conn:
        conn.execute(f"UPDATE answers SET {column} = ? WHERE idx = 0", (value,))
    conn.close()
    for args in (["history", "show", "last"], ["history", "export", "--all"]):
        code, out, err = cli(capsys, *args)
        assert code == 0, err
        no_crash(err)
        assert "demo_yes_no" in out and "demo_echo" in out and "is it so" in out
        assert shown in out, out
    code, out, err = cli(capsys, "history", "show", "last", "--json")
    assert code == 0, err
    bad, good = (json.loads(line) for line in out.splitlines())
    assert good["status"] == "done" and good["text"] == "is it so"
    assert any(shown in note for note in bad["notes"]), bad
    code, out, err = cli(capsys, "history", "export", "--all", "--format", "csv")
    assert code == 0 and "demo_echo" in out, err


# ----- providers --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["bad-status-line", "deep-json"])
def test_a_provider_that_breaks_http_or_json_is_a_protocol_error(
    capsys: pytest.CaptureFixture[str], provider_server: Any, fault: str
) -> None:
    provider_server.queue_fault(fault, 5)
    code, out, err = cli(
        capsys, "run-sut", "--sut", local(provider_server, "m1"), "--prompt", "hi", "--json"
    )
    assert code == 1, err
    no_crash(err + out)
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["status"] == "failed" and record["error"]["kind"] == "protocol", record


def test_a_results_line_nested_too_deeply_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "a"}, {"prompt": "b"}])
    args = ["--sut", "demo_echo", "--prompts", str(prompts), "--out", "o"]
    assert batch(capsys, *args)[0] == 0
    results = tmp_path / "o" / "results.jsonl"
    kept = results.read_text().splitlines()[:1]
    results.write_text("\n".join([*kept, DEEP_JSON, "[1]"]) + "\n")
    (tmp_path / "o" / "batch.json").write_text(DEEP_JSON)
    code, err = batch(capsys, *args)
    assert code == 0, err
    no_crash(err)
    assert "line 2 is not a result record" in err and "line 3 is not a result record" in err
    lines = results.read_text().splitlines()
    assert DEEP_JSON in lines and "[1]" in lines  # left as they are
    records = [json.loads(line) for line in lines if line not in (DEEP_JSON, "[1]")]
    assert sorted(r["prompt"] for r in records) == ["a", "b"]
