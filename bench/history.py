"""What the run history costs (prints figures; not a test).

The app writes the history on its event loop, so each write is a pause for the UI: this prints
the time of each kind of write a run makes (start, partial text, an answer ending), then the
time to list and search a history of many runs, and its size on disk.

    .venv/bin/python bench/history.py [--runs 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from sutui.history.store import HistoryStore, Planned
from sutui.history.threads import resume
from sutui.records import RecordTimings, RecordUsage, ResultRecord

WORDS = [
    "the",
    "sky",
    "is",
    "blue",
    "because",
    "air",
    "scatters",
    "short",
    "wavelengths",
    "more",
    "than",
    "long",
    "ones",
]
T = TypeVar("T")
SUTS = ["demo_yes_no", "gpt-4o-mini", "llama-3.1-8b-hfrelay", "claude-3-5-haiku"]


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def timed(samples: list[float], action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    samples.append(time.perf_counter() - start)
    return result


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (
        f"median {statistics.median(ordered) * 1000:.2f} ms · p99 {p99 * 1000:.2f} ms · "
        f"max {ordered[-1] * 1000:.2f} ms  ({len(ordered)} writes)"
    )


def fill(store: HistoryStore, runs: int, rng: random.Random) -> dict[str, list[float]]:
    """Runs as the app makes them: 4 SUTs, two partial saves each, then every answer."""
    costs: dict[str, list[float]] = {
        "start a run": [],
        "save partial text": [],
        "end an answer": [],
    }
    for n in range(runs):
        prompt = f"question {n}: " + text(rng, 20)
        planned = [Planned(s, f"{s}:demo", {"max_tokens": 256}) for s in SUTS]
        run_id = timed(
            costs["start a run"],
            partial(
                store.begin_run,
                prompt=prompt,
                system=None,
                options={"max_tokens": 256},
                suts=planned,
                origin="app",
            ),
        )
        answers = [text(rng, 150) for _ in SUTS]
        for index, answer in enumerate(answers):
            for cut in (len(answer) // 3, 2 * len(answer) // 3):
                timed(costs["save partial text"],
                      partial(store.save_partial, run_id, index, answer[:cut]))  # fmt: skip
        for index, answer in enumerate(answers):
            record = ResultRecord(
                run_id=str(run_id), index=index, sut=SUTS[index], prompt=prompt, status="done",
                text=answer, finish_reason="stop", options={"max_tokens": 256},
                usage=RecordUsage(prompt_tokens=20, completion_tokens=150),
                timings=RecordTimings(first_token_s=0.3, total_s=2.1),
            )  # fmt: skip
            timed(costs["end an answer"], partial(store.finish, record))
    return costs


def long_conversation(
    store: HistoryStore, rng: random.Random, threads: int = 8, turns: int = 50
) -> int:
    """A conversation of `turns` turns, `threads` SUTs each answering ~2 KB: its last run."""
    keys = [f"sut-{i}:demo" for i in range(threads)]
    previous = None
    for n in range(turns):
        run_id = store.begin_run(
            prompt=f"turn {n}: " + text(rng, 20), system="Be thorough.", options={},
            suts=[Planned(k, k) for k in keys], origin="app", previous_id=previous,
        )  # fmt: skip
        for index in range(threads):
            store.finish(ResultRecord(
                run_id=str(run_id), index=index, sut=keys[index], prompt="-", status="done",
                text=text(rng, 330), finish_reason="stop",
            ))  # fmt: skip
        previous = run_id
    assert previous is not None
    return previous


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        with HistoryStore(path) as store:
            costs = fill(store, args.runs, rng)
            print(f"history of {args.runs} runs x {len(SUTS)} SUTs (~150-word answers)")
            for name, samples in costs.items():
                print(f"  {name:<18} {ms(samples)}")
            for label, action in [
                ("list the newest 500", lambda: store.runs(limit=500)),
                ("search 1 word, all", lambda: store.runs("wavelengths")),
                ("search 2 words, 500", lambda: store.runs("question 99", limit=500)),
                ("search, no match", lambda: store.runs("zebra")),
                ("open one run", lambda: store.run(args.runs // 2)),
            ]:
                samples: list[float] = []
                for _ in range(5):
                    timed(samples, action)
                print(f"  {label:<22} median {statistics.median(samples) * 1000:.1f} ms")
            tip = long_conversation(store, rng)
            samples = []
            for _ in range(5):
                timed(samples, lambda: resume(store.conversation(tip) or []))
            took = statistics.median(samples)
            print(f"  open a conversation of 8 SUTs x 50 turns (~2 KB answers), every "
                  f"answer's messages rebuilt, ready to go on: median {took:.3f} s")  # fmt: skip
            start = time.perf_counter()
            HistoryStore(path).close()
            print(
                f"  open (migrate check + recovery)  {(time.perf_counter() - start) * 1000:.1f} ms"
            )
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        print(f"  on disk: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
