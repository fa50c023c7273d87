"""Result files for the report's tests: a real batch of the demo SUTs, and records written the
way a batch writes them (ResultRecord) for what the demo SUTs never do (fail, take seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sutui.records import RecordTimings, RecordUsage, ResultRecord

HOSTILE = (
    "<script>window.pwned = 1</script>",
    '</script><script>window.pwned = 2</script><img src=x onerror="window.pwned = 3">',
)
"""Prompts that would run as script if provider text became markup."""


def demo_batch(tmp_path: Path, prompts: list[str]) -> Path:
    """`sutui batch --sut demo_echo --sut demo_thinker` on these prompts; returns --out."""
    lines = "".join(f'{{"id": "q{i}", "prompt": {_json(p)}}}\n' for i, p in enumerate(prompts))
    (tmp_path / "p.jsonl").write_text(lines, encoding="utf-8")
    out = tmp_path / "batch"
    done = subprocess.run(  # its own process: a browser test's event loop is running here
        [sys.executable, "-m", "sutui", "batch", "--sut", "demo_echo", "--sut", "demo_thinker",
         "--prompts", str(tmp_path / "p.jsonl"), "--out", str(out), "--quiet"],
        env={**os.environ, "SUTUI_DEMO_DELAY": "0"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def _json(text: str) -> str:
    import json

    return json.dumps(text)


def record(prompt_id: str, sut: str, index: int, **fields: Any) -> ResultRecord:
    fields.setdefault("status", "done")
    fields.setdefault("text", f"{sut} answers {prompt_id}")
    fields.setdefault("finish_reason", "stop")
    total = fields.pop("total", 1.0)
    tokens = fields.pop("tokens", 10)
    return ResultRecord(
        run_id="batch-test",
        prompt_id=prompt_id,
        index=index,
        sut=sut,
        prompt=fields.pop("prompt", f"prompt {prompt_id}"),
        timings=RecordTimings(total_s=total),
        usage=RecordUsage(prompt_tokens=3, completion_tokens=tokens),
        **fields,
    )


def write_results(out: Path, records: list[ResultRecord]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.jsonl").write_text("".join(r.to_json() + "\n" for r in records))
    return out


def failed(prompt_id: str, sut: str, index: int, kind: str = "rate_limited") -> ResultRecord:
    error = {"kind": kind, "message": f"{kind} <b>upstream</b> said no", "status": 429}
    return record(prompt_id, sut, index, status="failed", text="", error=error,
                  finish_reason="error")  # fmt: skip
