"""Makes tests/data/history-v4.sqlite: a history written by the sutui release before
conversations (schema 4, commit e5891ea), through its own CLI, for the migration test.

Run once from a checkout of that commit (never again: the file stands for old users' data):

    git worktree add /tmp/sutui-v4 e5891ea && cd /tmp/sutui-v4
    PYTHONPATH=. python tests/data/make_history_v4.py tests/data/history-v4.sqlite

It holds: run 1, four SUTs (a repeated one, `demo_echo#2`; one with reasoning; one that
failed to connect) with a system prompt and options; run 2, a re-run of run 1's failed SUT;
run 3, a streaming answer stopped by ctrl+c (partial); run 4, one SUT, no system prompt.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SUTUI_DATA_DIR": f"{tmp}/data",
            "SUTUI_CONFIG_DIR": f"{tmp}/cfg",
            "SUTUI_CACHE_DIR": f"{tmp}/cache",
            "SUTUI_KEYRING": "off",
            "SUTUI_DEMO_DELAY": "0",
            "OPENAI_API_KEY": "sk-made-up-0123456789",
        }

        def sutui(*args: str) -> None:
            subprocess.run([sys.executable, "-m", "sutui", *args], env=env, check=False,
                           stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip

        sutui("run-sut", "--sut", "demo_echo", "--sut", "demo_echo", "--sut", "demo_thinker",
              "--sut", "gpt-x:openai;url=http://127.0.0.1:9/v1", "--prompt",
              "Why is the sky blue?", "--system", "Be brief.", "--max-tokens", "50",
              "--timeout", "5")  # fmt: skip
        sutui("history", "rerun", "1", "--failed")
        slow = {k: v for k, v in env.items() if k != "SUTUI_DEMO_DELAY"}
        prompt = " ".join(f"word{i}" for i in range(400))
        command = [sys.executable, "-m", "sutui", "run-sut", "--prompt", prompt,
                   "--sut", "echo:demo;delay=0.05"]  # fmt: skip
        process = subprocess.Popen(
            command, env=slow, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        path = Path(tmp) / "data" / "history.sqlite3"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until some streamed text was saved
            time.sleep(0.2)
            try:
                with sqlite3.connect(path) as conn:
                    row = conn.execute("SELECT text FROM answers WHERE run_id = 3").fetchone()
            except sqlite3.Error:
                continue
            if row and row[0]:
                break
        process.send_signal(signal.SIGINT)  # ctrl+c: what came is saved as partial
        process.wait()
        sutui("run-sut", "--sut", "demo_yes_no", "--prompt", "Is water wet?")
        with sqlite3.connect(path) as conn:  # one file: the WAL folded in
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute(f"VACUUM INTO '{out}'")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
