"""The shared result record: run-sut --json writes it, and it reads back unchanged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drivers.errors import ErrorKind, SUTError
from drivers.response import SUTResponse, TokenUsage
from drivers.runner import Cancelled, Failed, Finished, Timings
from sutui.cli.main import cli
from sutui.records import SCHEMA, ResultRecord, record_from_event

FIELDS = [
    "schema", "run_id", "prompt_id", "conversation_id", "turn", "thread", "index", "sut", "uid",
    "prompt", "system", "messages", "options", "status", "text", "reasoning", "finish_reason",
    "provider_finish_reason", "notes", "usage", "error", "timings", "started_at", "cached",
    "sutui_version",
]  # fmt: skip


def test_run_sut_json_lines_are_records_with_every_field() -> None:
    result = CliRunner().invoke(
        cli,
        ["run-sut", "--sut", "demo_echo", "--sut", "demo_echo", "--prompt", "hello there",
         "--system", "be brief", "--temperature", "0.5", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(line["index"] for line in lines) == [0, 1]
    for line in lines:
        assert list(line) == FIELDS
        assert line["schema"] == SCHEMA and line["uid"] == "echo:demo"
        assert line["prompt"] == "hello there" and line["system"] == "be brief"
        assert line["options"] == {"temperature": 0.5}
        assert line["messages"] is None  # a single send: `prompt` and `system` say it all
        assert line["turn"] == 0 and line["thread"] == line["sut"]
        assert line["conversation_id"] == line["run_id"]  # a first turn names its conversation
        assert ResultRecord.from_dict(line).to_dict() == line
    assert {line["sut"] for line in lines} == {"demo_echo", "demo_echo#2"}


def test_failed_and_cancelled_events_keep_partial_text_and_the_error() -> None:
    timings = Timings(first_token_s=0.1, total_s=0.5)
    error = SUTError(ErrorKind.auth, "rejected", status=401)
    failed = record_from_event(
        Failed("x", error, "half an ans", timings), sut="x", uid="m:d", prompt="p"
    )
    assert failed.status == "failed" and failed.text == "half an ans"
    assert failed.error is not None and failed.error["kind"] == "auth"
    cancelled = record_from_event(Cancelled("x", "par", timings), sut="x", uid=None, prompt="p")
    assert cancelled.status == "cancelled" and cancelled.error is None
    done = record_from_event(
        Finished("x", SUTResponse(text="ok", usage=TokenUsage(completion_tokens=2)), timings),
        sut="x",
        uid="m:d",
        prompt="p",
    )
    assert done.usage is not None and done.usage.completion_tokens == 2


def test_an_unknown_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown result schema"):
        ResultRecord.from_dict({"schema": "sutui.result/9", "sut": "x", "prompt": "p",
                                "status": "done"})  # fmt: skip
