"""Fan-out overhead with the offline demo driver: prints figures, asserts nothing.

(a) runner overhead per SUT: N instant demo SUTs through FanOut, wall and CPU per SUT;
(b) fan-out wall time for 32 SUTs of 300 ms each, divided by one SUT's (ideal 1.0).
Run: `.venv/bin/python bench/fanout.py` (medians of 5 runs).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from drivers import TextPrompt, make_sut
from drivers.runner import FanOut, Finished, RunTarget


async def run(n: int) -> tuple[float, float]:
    targets = [RunTarget(str(i), make_sut("demo_echo", {})) for i in range(n)]
    wall, cpu = time.perf_counter(), time.process_time()
    done = 0
    async for event in FanOut(targets, TextPrompt(text="one two three four five")).events():
        done += isinstance(event, Finished)
    assert done == n
    return time.perf_counter() - wall, time.process_time() - cpu


def median_of(n: int, repeats: int = 5) -> tuple[float, float]:
    runs = [asyncio.run(run(n)) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    os.environ["SUTUI_DEMO_DELAY"] = "0"
    for n in (1, 32, 256):
        wall, cpu = median_of(n)
        print(
            f"(a) {n:4d} instant SUTs: wall {wall * 1e3:8.2f} ms, "
            f"CPU per SUT {cpu / n * 1e3:.3f} ms"
        )
    os.environ["SUTUI_DEMO_DELAY"] = "0.06"  # 5 words x 0.06 s = 300 ms per SUT
    one, _ = median_of(1)
    many, _ = median_of(32)
    print(
        f"(b) one 300 ms SUT: {one * 1e3:.0f} ms; 32 at once: {many * 1e3:.0f} ms; "
        f"ratio {many / one:.3f} (goal <= 1.1)"
    )


if __name__ == "__main__":
    main()
