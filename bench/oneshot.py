"""One prompt, one SUT, from the shell: `sutui run-sut` against a bare python+httpx script on the
same loopback server (300 ms latency). Prints figures, asserts nothing. Goal (issue 16): sutui
<= 1.4x the bare script.

Each sample is a fresh process timed from spawn to exit; the two alternate (>= 15 each), so
drift hits both alike; medians and the median of the paired ratios are printed. The bare script
does what a user's own script would: import httpx, POST one chat completion, print the answer.
sutui runs as a user types it: `sutui run-sut --sut 'bench:local:openai;url=…' --prompt hi
--no-history`, with no keyring (SUTUI_KEYRING=off: a keyring's D-Bus round trip is the
machine's, not sutui's) and byte-compiled sources.
Then `python -X importtime` of the same command: the modules that cost most, cumulative.
Run: `.venv/bin/python bench/oneshot.py [samples]` (default 15).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from transport import free_port, start_server

BARE = """
import sys, httpx
response = httpx.post(sys.argv[1] + "/chat/completions", timeout=30,
                      json={"model": "bench", "messages": [{"role": "user", "content": "hi"}]})
print(response.json()["choices"][0]["message"]["content"])
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def import_table(argv: list[str], env: dict[str, str], top: int = 15) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the slowest top-level imports of one run."""
    done = subprocess.run([sys.executable, "-X", "importtime", *argv[1:]], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    parsed = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line[len("import time:") :].split("|")
            if name.startswith(" ") and not name.startswith("  "):  # a top-level import
                parsed.append((int(cumulative), name.strip()))
    return sorted(parsed, reverse=True)[:top]


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    root = Path(__file__).resolve().parent.parent
    for package in ("sutui", "drivers"):
        compileall.compile_dir(root / package, quiet=1)
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        with tempfile.TemporaryDirectory() as config:
            env = {**os.environ, "SUTUI_CONFIG_DIR": config, "SUTUI_DATA_DIR": config,
                   "SUTUI_KEYRING": "off", "PYTHONPATH": str(root)}  # fmt: skip
            sutui = [sys.executable, "-m", "sutui", "run-sut", "--sut",
                     f"bench:local:openai;url={url}", "--prompt", "hi", "--no-history"]  # fmt: skip
            bare = [sys.executable, "-c", BARE, url]
            timed(sutui, env), timed(bare, env)  # warm the OS caches
            ours, theirs = [], []
            for _ in range(samples):
                ours.append(timed(sutui, env))
                theirs.append(timed(bare, env))
            table = import_table(sutui, env)
    finally:
        server.kill()
    a, b = statistics.median(ours), statistics.median(theirs)
    paired = statistics.median(x / y for x, y in zip(ours, theirs, strict=True))
    print(f"{samples} runs each, alternating, server latency 300 ms; spawn to exit, medians")
    print(f"  python + httpx script: {b * 1000:.0f} ms (min {min(theirs) * 1000:.0f})")
    print(f"  sutui run-sut:         {a * 1000:.0f} ms (min {min(ours) * 1000:.0f})")
    print(f"  ratio {a / b:.2f} (paired {paired:.2f}; goal <= 1.4)")
    print("slowest top-level imports of `sutui run-sut` (python -X importtime, cumulative):")
    for micros, name in table:
        print(f"  {micros / 1000:6.1f} ms  {name}")


if __name__ == "__main__":
    main()
