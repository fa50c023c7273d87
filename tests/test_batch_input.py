"""`sutui batch` and bad input: a runaway CSV quote, the order of the checks, the words used."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_batch_cli import batch, isolated, local, records, write_jsonl

from sutui.batch.prompt_ids import content_id
from sutui.records import ResultRecord

__all__ = ["isolated"]


def runaway(tmp_path: Path) -> Path:
    """Line 3 opens a quote that is never closed; 47 good rows follow (lines 4-50)."""
    path = tmp_path / "p.csv"
    rows = ["id,prompt", "q1,fine", 'q2,"broken quote here']
    rows += [f"q{i},good row {i}" for i in range(3, 50)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_runaway_csv_quote_fails_the_run_before_any_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = runaway(tmp_path)
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 2, err
    assert "a quote opened on line 3 is never closed" in err
    assert "lines 3-50 were not read (about 47 prompts after it)" in err
    assert "(skipped)" not in err and "Traceback" not in err
    assert provider_server.requests == []
    assert not (tmp_path / "o").exists()


def test_a_runaway_quote_on_the_last_but_one_line_counts_one_prompt(tmp_path: Path) -> None:
    from sutui.batch.prompts import runaway_quote

    assert "(about 1 prompt after it)" in runaway_quote(tmp_path / "p.csv", 9, 10)
    assert "(about 2 prompts after it)" in runaway_quote(tmp_path / "p.csv", 8, 10)


def test_a_quote_closed_later_is_one_field_over_several_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.csv"
    prompts.write_text('id,prompt\nq1,"two\nlines"\nq2,"a ""quoted"" word"\n')
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    texts = sorted(r["prompt"] for r in records(tmp_path / "o"))
    assert texts == ['a "quoted" word', "two\nlines"]


@pytest.mark.parametrize(
    ("out", "sut", "expected"),
    [
        ("afile/out", "demo_echo", "cannot write results"),
        ("o", "demo_random_words", "[demo] api_key"),  # its secret is not set
        ("o", "nope:nodriver", "there is no driver 'nodriver'"),
    ],
)
def test_unusable_sut_or_out_is_said_before_the_file_is_scanned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, out: str, sut: str, expected: str
) -> None:
    (tmp_path / "afile").write_text("x")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(f"not json {i}\n" for i in range(30)) + '{"prompt": "hi"}\n')
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", out)
    assert code == 2 and expected in err
    assert "(skipped)" not in err and "not JSON" not in err
    assert len(err.strip().splitlines()) < 15  # the one message, no page of bad lines


def test_one_answer_and_the_json_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "fine"}\n{"prompt": "x"\n')  # line 2: no closing brace
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    assert "line 2: not JSON (Expecting ',' delimiter at column 15) (skipped)" in err
    assert "1 answer written to" in err and "1 answers" not in err
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert "resuming: 1 answer already done" in err and "0 answers written" in err


def test_a_file_of_bad_lines_only_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"id": "x"}, {"id": "y"}])
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 2
    assert "holds no prompt (2 bad lines; line 1: no 'prompt' or 'messages' key)" in err
    assert not (tmp_path / "o").exists()


# ----- conversations (`messages`) and modelgauge's CSV ---------------------------------------
CONVERSATION = [
    {"role": "system", "content": "answer in one word"},
    {"role": "user", "content": "my name is Ada"},
    {"role": "assistant", "content": "hello Ada"},
    {"role": "user", "content": "what is my name?"},
]


def sent(server: Any) -> list[list[tuple[str, str]]]:
    """Each chat request's messages as (role, content), in the order the server got them."""
    return [[(m["role"], m["content"]) for m in r.body["messages"]] for r in server.requests]


def test_a_conversation_is_sent_whole_in_order_and_recorded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    modelgauge = [  # modelgauge's own ChatMessage JSON: `text`, roles in capitals, SUT
        {"text": "my name is Bob", "role": "USER"},
        {"text": "hi Bob", "role": "SUT"},
        {"text": "what is my name?", "role": "USER"},
    ]
    prompts = write_jsonl(
        tmp_path / "p.jsonl",
        [{"id": "c1", "messages": CONVERSATION}, {"id": "c2", "messages": modelgauge}],
    )
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 0, err
    assert sorted(sent(provider_server)) == sorted(
        [
            [("system", "answer in one word"), ("user", "my name is Ada"),
             ("assistant", "hello Ada"), ("user", "what is my name?")],
            [("user", "my name is Bob"), ("assistant", "hi Bob"), ("user", "what is my name?")],
        ]
    )  # fmt: skip
    got = {r["prompt_id"]: r for r in records(tmp_path / "o")}
    c1, c2 = got["c1"], got["c2"]
    assert c1["messages"] == CONVERSATION
    assert c1["prompt"] == "what is my name?" and c1["system"] == "answer in one word"
    assert c2["messages"] == [
        {"role": "user", "content": "my name is Bob"},
        {"role": "assistant", "content": "hi Bob"},
        {"role": "user", "content": "what is my name?"},
    ]
    assert c2["system"] is None and c2["text"] == "Echo: what is my name?"
    assert all(ResultRecord.from_dict(r).to_dict() == r for r in got.values())


def test_one_user_turn_in_messages_is_the_same_prompt_as_a_prompt_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    """So a text-only SUT takes it, and it has the id and answers of the `prompt` line."""
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"messages": [{"role": "user", "content": "hi"}]}])
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 0, err
    (record,) = records(tmp_path / "o")
    assert record["prompt_id"] == content_id("hi", None) and record["messages"] is None
    # The same prompt as a `prompt` line: done already, nothing sent.
    provider_server.reset()
    write_jsonl(prompts, [{"prompt": "hi"}])
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 0 and provider_server.requests == [] and "1 answer already done" in err


def test_earlier_turns_make_another_prompt_for_ids_resume_and_the_cache(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    def talk(earlier: str) -> list[dict[str, str]]:
        return [
            {"role": "user", "content": earlier},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "and now?"},
        ]

    sut = local(provider_server, "m1")
    # Without ids: the same last question after other turns, and alone, are three prompts.
    prompts = write_jsonl(
        tmp_path / "p.jsonl",
        [{"messages": talk("first")}, {"messages": talk("second")}, {"prompt": "and now?"}],
    )
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "a", "--cache")
    assert code == 0, err
    assert len(provider_server.requests) == 3
    assert len({r["prompt_id"] for r in records(tmp_path / "a")}) == 3
    assert all(re.fullmatch(r"h-[0-9a-f]{16}", r["prompt_id"]) for r in records(tmp_path / "a"))
    # Resuming finds all three done.
    provider_server.reset()
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "a")
    assert code == 0 and provider_server.requests == [] and "3 answers already done" in err
    # An explicit id whose earlier turn changed is sent again on resume (same id, same last
    # question, same system prompt: only the conversation differs).
    provider_server.reset()
    write_jsonl(prompts, [{"id": "c", "messages": talk("first")}])
    assert batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "b")[0] == 0
    write_jsonl(prompts, [{"id": "c", "messages": talk("third")}])
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "b")
    assert code == 0, err
    assert [s[0] for s in sent(provider_server)] == [("user", "first"), ("user", "third")]
    assert [r["messages"][0]["content"] for r in records(tmp_path / "b")] == ["first", "third"]
    # The cache: "first" and "second" were stored by the first run, "third" never was.
    provider_server.reset()
    write_jsonl(prompts, [{"messages": talk(t)} for t in ("first", "second", "third")])
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "c", "--cache")
    assert code == 0, err
    assert sent(provider_server) == [[("user", "third"), ("assistant", "ok"), ("user", "and now?")]]
    cached = {r["messages"][0]["content"]: r["cached"] for r in records(tmp_path / "c")}
    assert cached == {"first": True, "second": True, "third": False}


BAD_CONVERSATIONS: list[tuple[Any, str]] = [
    (
        {"prompt": "hi", "messages": [{"role": "user", "content": "hi"}]},
        "both 'messages' and 'prompt': keep one",
    ),
    (
        {"system": "be brief", "messages": [{"role": "user", "content": "hi"}]},
        "both 'messages' and 'system': keep one",
    ),
    ({"messages": []}, "'messages' is empty: give at least the user's message"),
    ({"messages": "hi"}, "'messages' must be a list of messages"),
    ({"messages": None}, "'messages' must be a list of messages such as"),
    (
        {"messages": [{"role": "user", "content": True}]},
        "message 1 (user): 'content' must be a string, not true or false",
    ),
    ({"messages": ["hi"]}, "message 1 is a string, not an object"),
    ({"messages": [{"content": "hi"}]}, "message 1 has no 'role'"),
    (
        {"messages": [{"role": "tool", "content": "x"}, {"role": "user", "content": "hi"}]},
        'message 1 has the role "tool", which a prompt cannot have: use system, user or assistant',
    ),
    (
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
        "the last message (2) is the assistant's, but the SUT answers the last message, which "
        "must be the user's",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "system", "content": "b"},
                {"role": "user", "content": "c"},
            ]
        },
        "message 2 is a system message, which may only be the first: move it to the start",
    ),
    ({"messages": [{"role": "user"}]}, "message 1 (user) has no 'content'"),
    (
        {"messages": [{"role": "user", "content": "a", "text": "a"}]},
        "message 1 (user) has both 'content' and 'text': keep one",
    ),
    ({"messages": [{"role": "user", "content": " "}]}, "message 1 (user) is empty"),
    (
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]},
        "message 1 (user): 'content' must be a string, not an array",
    ),
]


def test_bad_conversations_are_bad_lines_that_say_how_to_fix_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    rows = [{"id": "good", "messages": CONVERSATION}] + [row for row, _ in BAD_CONVERSATIONS]
    prompts = write_jsonl(tmp_path / "p.jsonl", rows)
    sut = local(provider_server, "m1")
    code, err = batch(capsys, "--sut", sut, "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    for number, (_, problem) in enumerate(BAD_CONVERSATIONS, start=2):
        assert f"p.jsonl line {number}: {problem}" in err, (number, err)
    assert err.count("(skipped)") == len(BAD_CONVERSATIONS) and "Traceback" not in err
    assert [r["prompt_id"] for r in records(tmp_path / "o")] == ["good"]
    assert len(provider_server.requests) == 1
    # --on-bad-line stop: the first bad line, nothing sent, no output directory.
    provider_server.reset()
    code, err = batch(
        capsys, "--sut", sut, "--prompts", str(prompts), "--out", "s", "--on-bad-line", "stop"
    )
    assert code == 2 and "line 2: both 'messages' and 'prompt': keep one" in err
    assert "--on-bad-line skip" in err and "Traceback" not in err
    assert provider_server.requests == [] and not (tmp_path / "s").exists()


def test_a_text_only_sut_given_a_conversation_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    provider_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_token_0005")
    tgi = f"gpt2:hf;url={provider_server.url}/tgi;api=generate"  # TGI's native, text-only API
    prompts = write_jsonl(
        tmp_path / "p.jsonl",
        [{"id": "one", "prompt": "hi"}, {"id": "c1", "messages": CONVERSATION}],
    )
    code, err = batch(capsys, "--sut", tgi, "--prompts", str(prompts), "--out", "o")
    assert code == 2, err
    assert f"{tgi} cannot take a conversation (earlier turns in 'messages') as line 2 asks: " in err
    assert "takes a text prompt only (AcceptsTextPrompt): leave it out (--sut)" in err
    assert "Traceback" not in err and "internal error" not in err
    assert provider_server.requests == [] and not (tmp_path / "o").exists()
    # One user turn in `messages` is a text prompt: the same SUT takes it.
    write_jsonl(prompts, [{"id": "one", "messages": [{"role": "user", "content": "hi"}]}])
    code, err = batch(capsys, "--sut", tgi, "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    assert [r.body["inputs"] for r in provider_server.requests] == ["hi"]


@pytest.mark.parametrize(
    "header", ["UID,Text,Ignored", "uid,text,Ignored", "prompt_uid,prompt_text,Ignored"]
)
def test_modelgauges_csv_runs_as_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any, header: str
) -> None:
    """The file modelgauge's own test gives `modelgauge run-csv-items` (and the column names
    its later releases read)."""
    prompts = tmp_path / "input.csv"
    prompts.write_text(f"{header}\np1,Say yes,ignored\np2,Refuse,ignored\n")
    code, err = batch(
        capsys, "--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"
    )
    assert code == 0, err
    assert sorted(s[-1][1] for s in sent(provider_server)) == ["Refuse", "Say yes"]
    got = {r["prompt_id"]: r["prompt"] for r in records(tmp_path / "o")}
    assert got == {"p1": "Say yes", "p2": "Refuse"}


def test_sutuis_own_csv_columns_come_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "p.csv"
    prompts.write_text("UID,id,text,prompt\nu1,q1,a note,the prompt\n")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(prompts), "--out", "o")
    assert code == 0, err
    (record,) = records(tmp_path / "o")
    assert (record["prompt_id"], record["prompt"]) == ("q1", "the prompt")
    nocol = tmp_path / "n.csv"
    nocol.write_text("question\nhi\n")
    code, err = batch(capsys, "--sut", "demo_echo", "--prompts", str(nocol), "--out", "o")
    assert code == 2 and "no 'prompt' column (it has: question)" in err
    assert "modelgauge's UID,Text header is read as it is" in err


def test_a_failed_conversation_is_sent_again_and_its_failure_line_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, provider_server: Any
) -> None:
    prompts = write_jsonl(tmp_path / "p.jsonl", [{"messages": CONVERSATION}])
    args = ["--sut", local(provider_server, "m1"), "--prompts", str(prompts), "--out", "o"]
    provider_server.queue_fault("401", 1)  # not retried: the one request fails for good
    assert batch(capsys, *args)[0] == 1
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0 and "replaced by their new answers: 1." in err, err
    assert len(sent(provider_server)) == 1 and len(sent(provider_server)[0]) == 4
    (record,) = records(tmp_path / "o")
    assert record["status"] == "done" and record["messages"] == CONVERSATION
    # A results line whose `messages` is not a conversation is no record: kept, not a crash.
    with (tmp_path / "o" / "results.jsonl").open("a") as f:
        f.write(json.dumps({**record, "messages": [{"role": "user"}]}) + "\n")
    provider_server.reset()
    code, err = batch(capsys, *args)
    assert code == 0 and provider_server.requests == [] and "Traceback" not in err
