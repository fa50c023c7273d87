"""`sutui report` on a large batch: 10,000 prompts x 4 SUTs with realistic answers (1-2 KB, one
SUT in four reasoning, a few failures). Prints figures, asserts nothing.

(a) the build: `sutui report DIR --out F` in its own process, wall time and peak RSS (wait4);
(b) the file's size;
(c) the open: headless Chromium (Debian's, through Playwright, as tests/browser.py drives it)
    loading the file from file:// until the first page of the matrix is drawn (its first row in
    the DOM), from a fresh page; best and median of a few loads.

Goals: (a) < 10 s, (c) < 3 s.
Run: `.venv/bin/python bench/report.py [--prompts 10000] [--loads 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process import timed

SUTS = ("gpt-4o", "claude-sonnet-4-5", "llama-3.3-70b", "demo_thinker")
TEXT = (
    "the model answers with care and cites what it knows about the question while the prompt "
    "asks for a short and clear explanation of a process in plain words so that anyone reading "
    "can follow each step safely"
)
WORDS = TEXT.split(" ")


def answer(rng: random.Random, low: int = 1000, high: int = 2000) -> str:
    size = rng.randint(low, high)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word + ("." if rng.random() < 0.08 else ""))
        length += len(word) + 1
        if rng.random() < 0.02:
            words.append("\n\n")
    return " ".join(words)[:size]


def write_results(out: Path, prompts: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out / "results.jsonl").open("w") as f:
        for p in range(prompts):
            prompt = f"Question {p}: " + answer(rng, 60, 300)
            for index, sut in enumerate(SUTS):
                failed = rng.random() < 0.01
                total = round(rng.lognormvariate(0.3 * index, 0.5), 4)
                tokens = rng.randint(150, 450)
                record = {
                    "schema": "sutui.result/1", "run_id": "batch-bench", "prompt_id": f"p{p}",
                    "conversation_id": None, "turn": 0, "thread": None, "index": index,
                    "sut": sut, "uid": f"{sut}:bench", "prompt": prompt, "system": None,
                    "messages": None, "options": {}, "status": "failed" if failed else "done",
                    "text": "" if failed else answer(rng),
                    "reasoning": answer(rng, 300, 800) if sut == "demo_thinker" else None,
                    "finish_reason": "error" if failed else rng.choice(["stop"] * 19 + ["length"]),
                    "provider_finish_reason": None, "notes": [],
                    "usage": {"prompt_tokens": 40, "completion_tokens": tokens,
                              "reasoning_tokens": None},
                    "error": {"kind": rng.choice(["rate_limited", "timeout", "server"]),
                              "message": "the provider said no", "status": 429}
                    if failed else None,
                    "timings": {"first_token_s": None, "total_s": total,
                                "first_reasoning_s": None},
                    "started_at": "2026-12-04T12:00:00.000Z", "cached": False,
                    "sutui_version": "0.1.0",
                }  # fmt: skip
                f.write(json.dumps(record) + "\n")
                count += 1
    return count


def build(out: Path, report: Path, data: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `sutui report` in its own process."""
    args = [sys.executable, "-m", "sutui", "report", str(out), "--out", str(report), "--no-votes"]
    env = {**os.environ, "SUTUI_DATA_DIR": str(data)}
    done = timed(args, env)
    if done.returncode != 0:
        raise SystemExit(f"sutui report failed: {done.stderr}")
    return done.wall, done.usage.ru_maxrss / 1024


async def loads(report: Path, times: int) -> list[float]:
    """Seconds from navigation to the first matrix row in the DOM, each in a fresh page."""
    from playwright.async_api import async_playwright

    chromium = next(p for p in ("chromium", "chromium-browser") if shutil.which(p))
    found = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which(chromium), args=["--no-sandbox"]
        )
        for _ in range(times):
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            await page.goto(report.as_uri(), wait_until="commit", timeout=60_000)
            await page.wait_for_selector("#grid tbody tr", timeout=60_000)
            found.append(time.perf_counter() - start)
            await page.close()
        await browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sutui-report-bench-") as tmp:
        root = Path(tmp)
        out = root / "batch"
        records = write_results(out, args.prompts)
        size_in = (out / "results.jsonl").stat().st_size
        print(f"input: {args.prompts} prompts x {len(SUTS)} SUTs = {records} records, "
              f"results.jsonl {size_in / 1e6:.1f} MB")  # fmt: skip
        report = root / "report.html"
        wall, rss = build(out, report, root / "data")
        print(f"(a) build: {wall:.2f} s wall (goal < 10 s), peak RSS {rss:.0f} MB")
        print(f"(b) report.html: {report.stat().st_size / 1e6:.1f} MB")
        seconds = asyncio.run(loads(report, args.loads))
        print(f"(c) open to the first matrix page: best {min(seconds):.2f} s, median "
              f"{statistics.median(seconds):.2f} s of {len(seconds)} (goal < 3 s)")  # fmt: skip
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
