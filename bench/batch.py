"""`sutui batch` end to end: 2,000 prompts x 4 SUTs against a loopback server answering after
300 ms, at concurrency 128. Prints figures, asserts nothing.

(a) throughput as a fraction of the ideal (concurrency / latency), over the request phase (first
    call started to last call ended, from the records' started_at and total_s) and over the
    whole process (start-up included);
(b) client CPU per request: the batch process's CPU time (user + sys, from wait4; the server runs
    in its own process) / requests; also net of start-up (a 1-prompt run's CPU subtracted);
(c) peak RSS (ru_maxrss) at 1x and at 10x the prompts, and their ratio;
(d) one task's client CPU through `invoke.respond` (what batch uses) and through the streaming
    runner (`FanOut`, one target), in-process, to show why;
(e) for scale on this (shared) machine now: bench/transport.py's loop of the same driver calls,
    with no batch around them, and the load average before and after.

Goals: (a) >= 0.85, (b) <= 1.5 ms, (c) < 1.5.
Run: `.venv/bin/python bench/batch.py [--prompts 2000] [--scale 10] [--skip-scale]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process import timed
from transport import LATENCY, free_port, measure, start_server, sutui_driver

CONCURRENCY = 128
SUTS = 4


def write_prompts(path: Path, n: int) -> None:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"p{i}", "prompt": f"prompt number {i}: say ok"}) + "\n")


def uids(base: str) -> list[str]:
    return [f"bench-{i}:local:openai;url={base}/v1" for i in range(SUTS)]


def run_batch(base: str, prompts: Path, out: Path, suts: list[str]) -> dict[str, float]:
    args = [sys.executable, "-m", "sutui", "batch", "--prompts", str(prompts), "--out", str(out)]
    for uid in suts:
        args += ["--sut", uid]
    args += ["--concurrency", str(CONCURRENCY), "--quiet"]
    env = {**os.environ, "SUTUI_KEYRING": "off"}
    done = timed(args, env)
    wall, usage = done.wall, done.usage
    if done.returncode != 0:
        raise SystemExit(f"the batch failed ({done.returncode}): {done.stderr}")
    first, last, n = float("inf"), 0.0, 0
    with (out / "results.jsonl").open() as f:
        for line in f:
            record = json.loads(line)
            assert record["status"] == "done", record
            began = datetime.fromisoformat(record["started_at"].replace("Z", "+00:00"))
            t = began.timestamp()
            first, last = min(first, t), max(last, t + record["timings"]["total_s"])
            n += 1
    return {
        "requests": n,
        "wall": wall,
        "phase": last - first,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def per_task_cpu(base: str, total: int = 2000) -> dict[str, float]:
    """Client CPU ms per task: respond (one non-streamed request) vs the runner (a stream)."""
    from drivers import TextPrompt, make_sut, respond, transport
    from drivers.options import SUTOptions
    from drivers.runner import FanOut, RunTarget

    sut = make_sut(uids(base)[0], {})
    prompt, options = TextPrompt(text="say ok"), SUTOptions()
    transport.set_concurrency_limit("openai", 1024)

    async def via_runner() -> None:
        async for _ in FanOut([RunTarget("k", sut, group="openai")], prompt, options).events():
            pass

    async def measure(call: object) -> float:
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await call()  # type: ignore[operator]

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))  # warm the pool
        remaining = total
        cpu = time.process_time()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return (time.process_time() - cpu) / total * 1e3

    async def both() -> dict[str, float]:
        got = {
            "respond": await measure(lambda: respond(sut, prompt, options)),
            "runner (stream)": await measure(via_runner),
        }
        await transport.aclose_client()
        return got

    return asyncio.run(both())


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--scale", type=int, default=10, help="the larger run's prompts factor")
    parser.add_argument("--skip-scale", action="store_true", help="no larger run (no RSS ratio)")
    parser.add_argument("--skip-task", action="store_true", help="no respond/runner comparison")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    ideal = CONCURRENCY / LATENCY
    before = load()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            one = root / "one.jsonl"
            write_prompts(one, 1)
            startup = run_batch(base, one, root / "startup", uids(base)[:1])
            print(
                f"server latency {LATENCY * 1e3:.0f} ms, concurrency {CONCURRENCY}, {SUTS} SUTs; "
                f"ideal {ideal:.0f} requests/s"
            )
            print(f"start-up alone (1 prompt x 1 SUT): CPU {startup['cpu']:.2f} s, "
                  f"RSS {startup['rss_mb']:.0f} MB")  # fmt: skip
            runs = [(1, args.prompts)]
            if not args.skip_scale:
                runs.append((args.scale, args.prompts * args.scale))
            figures = {}
            for factor, n in runs:
                prompts = root / f"p{factor}.jsonl"
                write_prompts(prompts, n)
                r = run_batch(base, prompts, root / f"out{factor}", uids(base))
                figures[factor] = r
                net = (r["cpu"] - startup["cpu"]) / r["requests"] * 1e3
                print(
                    f"{factor:>3}x: {n} prompts, {r['requests']:.0f} requests; "
                    f"of ideal {r['requests'] / r['phase'] / ideal:.3f} (request phase "
                    f"{r['phase']:.1f} s), {r['requests'] / r['wall'] / ideal:.3f} (whole "
                    f"process {r['wall']:.1f} s); CPU/request {r['cpu'] / r['requests'] * 1e3:.2f}"
                    f" ms ({net:.2f} ms net of start-up); peak RSS {r['rss_mb']:.0f} MB"
                )
            if len(figures) == 2:
                ratio = figures[args.scale]["rss_mb"] / figures[1]["rss_mb"]
                print(f"RSS {args.scale}x / 1x: {ratio:.3f} (goal < 1.5)")
            print("goals: of ideal >= 0.85, CPU/request <= 1.5 ms")
        if not args.skip_task:
            for name, ms in per_task_cpu(base).items():
                print(f"(d) one task through {name}: {ms:.2f} ms CPU")
        from drivers.transport import set_concurrency_limit

        set_concurrency_limit("openai", 1024)  # the driver's default cap (64) would bind
        fraction, cpu = measure("sutui", sutui_driver, base, CONCURRENCY, 15)
        print(f"(e) the driver alone, {CONCURRENCY} workers: of ideal {fraction:.3f}, "
              f"CPU/request {cpu:.2f} ms; load average {load()} (before: {before})")  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
