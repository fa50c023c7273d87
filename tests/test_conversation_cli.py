"""`sutui run-sut --continue RUN`: the next turn of a saved conversation, each SUT sent its own
thread, against the loopback provider server (what each SUT was sent is read from its
requests); and `history show|list|rerun|delete` of conversations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from provider_server import KEYS

from sutui.cli.main import run
from sutui.history.store import HistoryStore


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("SUTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"] or "")
    monkeypatch.chdir(tmp_path)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def chat(server: Any, model: str) -> str:
    return f"{model}:openai;url={server.url}/openai/v1"


def sent(server: Any, model: str) -> list[list[tuple[str, str]]]:
    """Every chat request's messages for `model`, as (role, content)."""
    return [
        [(m["role"], m["content"]) for m in r.body["messages"]]
        for r in server.requests
        if isinstance(r.body, dict) and r.body.get("model") == model
    ]


def bodies(server: Any, model: str) -> list[dict[str, Any]]:
    return [r.body for r in server.requests if isinstance(r.body, dict)
            and r.body.get("model") == model]  # fmt: skip


def by_index(record: dict[str, Any]) -> int:
    return int(record["index"])


def records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_each_sut_is_sent_its_own_thread_and_the_turn_is_saved(
    capsys: pytest.CaptureFixture[str], provider_server: Any
) -> None:
    sut = chat(provider_server, "model-a")
    first = ["--max-tokens", "20", "--prompt", "Why is the sky blue?", "--system", "be brief"]
    code, _, err = cli(capsys, "run-sut", "--sut", sut, "--sut", "demo_echo", *first)
    assert code == 0, err
    code, out, err = cli(capsys, "run-sut", "--continue", "last", "--prompt",
                         "What was my previous question?", "--json")  # fmt: skip
    assert code == 0, err
    assert sent(provider_server, "model-a")[-1] == [
        ("system", "be brief"),
        ("user", "Why is the sky blue?"),
        ("assistant", "Echo: Why is the sky blue?"),  # its own answer
        ("user", "What was my previous question?"),
    ]
    assert bodies(provider_server, "model-a")[-1]["max_tokens"] == 20  # its options kept
    second = records(out)
    assert {(r["run_id"], r["conversation_id"], r["turn"]) for r in second} == {("2", "1", 1)}
    by_sut = {r["sut"]: r for r in second}
    assert [(m["role"], m["content"]) for m in by_sut[sut]["messages"]] == sent(
        provider_server, "model-a"
    )[-1]
    # The echo SUT went on from its own answer, not model-a's:
    assert by_sut["demo_echo"]["messages"][2] == {
        "role": "assistant", "content": "Why is the sky blue?",
    }  # fmt: skip
    assert by_sut["demo_echo"]["text"] == "What was my previous question?"
    # The history: one conversation of two turns; show prints its threads turn by turn and,
    # with --json, the records run-sut printed.
    code, out, _ = cli(capsys, "history", "list")
    assert code == 0 and "What was my previous question? · 2 turns" in out
    assert len(out.splitlines()) == 2
    code, out, _ = cli(capsys, "history", "show", "2")
    assert out.startswith("## Conversation 1 · 2 turns")
    assert out.index("### Turn 1 · run 1") < out.index("Echo: Why is the sky blue?")
    assert out.index("Echo: Why is the sky blue?") < out.index("### Turn 2 · run 2")
    code, out, _ = cli(capsys, "history", "show", "2", "--json")
    shown = records(out)
    assert [r["turn"] for r in shown] == [0, 0, 1, 1]
    assert sorted(shown[2:], key=by_index) == sorted(second, key=by_index)
    code, out, err = cli(capsys, "history", "show", "1")
    assert code == 0 and "Run 1 goes on" in out and "history show 2" in out


def test_a_sut_whose_last_answer_failed_is_refused_unless_gaps_are_allowed(
    capsys: pytest.CaptureFixture[str], provider_server: Any
) -> None:
    sut = chat(provider_server, "model-g")
    provider_server.queue_fault("422")
    code, _, _ = cli(capsys, "run-sut", "--sut", sut, "--sut", "demo_echo", "--prompt", "q1")
    assert code == 1
    code, out, err = cli(capsys, "run-sut", "--continue", "1", "--prompt", "q2")
    assert code == 2 and "Traceback" not in err
    assert f"  {sut}: failed (" in err and "--allow-gaps" in err and "demo_echo:" not in err
    assert "sutui history rerun 1" in err and len(sent(provider_server, "model-g")) == 1
    code, out, err = cli(capsys, "run-sut", "--continue", "1", "--prompt", "q2", "--sut",
                         "demo_echo", "--json")  # fmt: skip
    assert code == 0, err  # leaving it out works
    (echo,) = records(out)
    assert echo["turn"] == 1 and echo["text"] == "q2"
    code, out, err = cli(capsys, "run-sut", "--continue", "1", "--fork", "--allow-gaps",
                         "--prompt", "q2", "--json")  # fmt: skip
    assert code == 0, err
    assert sent(provider_server, "model-g")[-1] == [("user", "q1\n\nq2")]
    failed_one = next(r for r in records(out) if r["sut"] == sut)
    assert any("sent without an answer: turn 1" in n for n in failed_one["notes"])
    with HistoryStore() as store:
        forked = store.run(3)
        assert forked is not None and (forked.previous_id, forked.branch_of) == (1, 2)


def test_a_run_with_later_turns_is_refused_unless_forked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "q1")
    cli(capsys, "run-sut", "--continue", "1", "--prompt", "q2")
    cli(capsys, "run-sut", "--continue", "2", "--prompt", "q3")
    code, _, err = cli(capsys, "run-sut", "--continue", "1", "--prompt", "other")
    assert code == 2 and "run 1 is turn 1 of conversation 1" in err
    assert "--continue 3" in err and "--fork" in err
    code, out, err = cli(capsys, "run-sut", "--continue", "1", "--fork", "--prompt", "other",
                         "--json")  # fmt: skip
    assert code == 0, err
    (record,) = records(out)
    assert (record["run_id"], record["turn"]) == ("4", 1)
    assert [m["content"] for m in record["messages"]] == ["q1", "q1", "other"]
    code, out, _ = cli(capsys, "history", "list")
    assert "other · 2 turns" in out and len(out.splitlines()) == 2
    code, out, _ = cli(capsys, "history", "list", "--search", "q3")
    assert "q3 · 3 turns" in out
    code, out, _ = cli(capsys, "history", "list", "--search", "q2", "--json")
    (row,) = records(out)
    assert (row["run_id"], row["conversation_id"], row["turn"], row["turns"]) == ("2", "1", 1, 3)
    code, out, _ = cli(capsys, "history", "delete", "2")
    assert code == 0 and out == "Deleted run 2 and the later turn that went on from them (run 3).\n"
    code, out, _ = cli(capsys, "history", "delete", "4", "--conversation")
    assert code == 0 and out == "Deleted run 1, 4.\n"


def test_sut_limits_the_threads_or_adds_one_that_joins_now(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, _ = cli(capsys, "run-sut", "--sut", "demo_echo", "--sut", "demo_echo", "--sut",
                     "demo_yes_no", "--prompt", "q1", "--temperature", "0.5")  # fmt: skip
    assert code == 0
    code, out, err = cli(capsys, "run-sut", "--continue", "last", "--prompt", "q2", "--sut",
                         "demo_echo#2", "--sut", "demo_always_sorry", "--json")  # fmt: skip
    assert code == 0, err
    echo2, sorry = records(out)
    assert (echo2["sut"], echo2["thread"], echo2["uid"]) == ("demo_echo#2", "demo_echo#2",
                                                             "echo:demo")  # fmt: skip
    assert echo2["options"] == {"temperature": 0.5} == sorry["options"]
    assert [m["content"] for m in echo2["messages"]] == ["q1", "q1", "q2"]
    assert [m["content"] for m in sorry["messages"]] == ["q1\n\nq2"]
    assert sorry["notes"][0].startswith("joined at turn 2: sent without an answer: turn 1")
    code, out, err = cli(capsys, "run-sut", "--continue", "last", "--prompt", "q3",
                         "--temperature", "0.1", "--json")  # fmt: skip
    assert code == 0, err
    assert [r["sut"] for r in records(out)] == ["demo_echo#2", "demo_always_sorry"]
    assert {json.dumps(r["options"]) for r in records(out)} == {'{"temperature": 0.1}'}


def test_a_text_only_sut_cannot_be_sent_a_thread(
    capsys: pytest.CaptureFixture[str], provider_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUTUI_HUGGING_FACE__TOKEN", KEYS["tgi"] or "x")
    tgi = f"gpt2:local:hf;url={provider_server.url}/tgi;api=generate"
    code, _, err = cli(capsys, "run-sut", "--sut", tgi, "--sut", "demo_echo", "--prompt", "q1")
    assert code == 0, err
    before = len(provider_server.requests)
    code, _, err = cli(capsys, "run-sut", "--continue", "1", "--prompt", "q2")
    assert code == 2 and "Traceback" not in err
    assert "takes a text prompt only" in err
    assert "start a new conversation (without --continue)" in err
    assert len(provider_server.requests) == before  # nothing was sent


def test_bad_continue_input_is_one_clear_message_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = cli(capsys, "run-sut", "--continue", "last", "--prompt", "q")
    assert code == 2 and "the history is empty" in err
    cli(capsys, "run-sut", "--sut", "demo_echo", "--prompt", "q1")
    cases = {
        ("--continue", "7"): "no run 7 in the history",
        ("--continue", "seven"): "'seven' is not a run id",
        ("--continue", "1", "--no-history"): "drop --no-history",
        ("--fork",): "--fork goes with --continue RUN",
        ("--allow-gaps", "--sut", "demo_echo"): "--allow-gaps goes with --continue RUN",
        (): "say which SUTs to send to: --sut UID",
        ("--continue", "1", "--sut", "nonsense:nodriver"): "nodriver",
    }
    for args, said in cases.items():
        code, _, err = cli(capsys, "run-sut", "--prompt", "q2", *args)
        assert code == 2 and said in err and "Traceback" not in err, (args, err)
    with HistoryStore() as store:
        assert store.last_id() == 1  # nothing was saved


def test_rerun_of_a_later_turn_is_a_new_branch_with_its_thread(
    capsys: pytest.CaptureFixture[str], provider_server: Any
) -> None:
    sut = chat(provider_server, "model-r")
    cli(capsys, "run-sut", "--sut", sut, "--prompt", "q1")
    cli(capsys, "run-sut", "--continue", "1", "--prompt", "q2")
    code, _, err = cli(capsys, "history", "rerun", "2", "--json")
    assert code == 0, err
    assert sent(provider_server, "model-r")[-1] == sent(provider_server, "model-r")[-2] == [
        ("user", "q1"), ("assistant", "Echo: q1"), ("user", "q2"),
    ]  # fmt: skip
    with HistoryStore() as store:
        again = store.run(3)
        assert again is not None
        assert (again.turn, again.previous_id, again.branch_of, again.parent_id) == (1, 1, 2, 2)
    code, _, err = cli(capsys, "history", "rerun", "2", "--no-history")
    assert code == 2 and "Drop --no-history" in err


def test_a_key_in_a_later_turn_is_never_written(
    capsys: pytest.CaptureFixture[str], provider_server: Any, tmp_path: Path
) -> None:
    key = KEYS["openai"] or ""
    sut = chat(provider_server, "model-k")
    cli(capsys, "run-sut", "--sut", sut, "--prompt", f"my key is {key}")
    code, out, err = cli(capsys, "run-sut", "--continue", "1", "--prompt", f"again: {key}",
                         "--json")  # fmt: skip
    assert code == 0, err
    assert key not in out and key not in err
    (record,) = records(out)
    assert len(record["messages"]) == 3 and "my key is" in record["messages"][0]["content"]
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    assert key.encode() not in stored
    code, out, _ = cli(capsys, "history", "export", "--all", "--format", "jsonl")
    assert code == 0 and key not in out and "my key is" in out
