"""What the leaderboard and the diff cost (prints figures; not a test).

The leaderboard screen computes in a thread and `sutui leaderboard` at once, so the figure
that matters is the whole table: reading the votes, the Bradley-Terry fit, 200 bootstrap
resamples and Elo, for local histories of growing size. Then the word diff of two long answers
(the diff screen computes it in a thread), on prose-like text and on a worst case.

    .venv/bin/python bench/leaderboard.py
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from sutui.arena.board import board
from sutui.arena.votes import Vote, connect, load_votes, save
from sutui.word_diff import word_diff


def votes(count: int, suts: int, rng: random.Random) -> list[Vote]:
    """Random pairwise and best-of-3 votes where a lower index is stronger."""
    names = [f"model-{i}:demo" for i in range(suts)]
    made = []
    for i in range(count):
        size = 2 if rng.random() < 0.8 else 3
        shown = tuple(rng.sample(names, size))
        roll = rng.random()
        if roll < 0.1:
            outcome, winner = "tie", None
        elif roll < 0.15:
            outcome, winner = "both_bad", None
        else:
            best = min(shown, key=lambda n: int(n.split("-")[1].split(":")[0]) + rng.gauss(0, 4))
            outcome, winner = "win", shown.index(best)
        made.append(Vote(shown, outcome, winner, "p", created_at=f"2026-01-01T00:00:{i:06d}Z"))
    return made


def main() -> None:
    rng = random.Random(1)
    print("leaderboard (read + fit + 200 bootstrap resamples + Elo)")
    for count, suts in ((100, 5), (1000, 10), (5000, 20), (10000, 30)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "history.sqlite3"
            conn = connect(path)
            for vote in votes(count, suts, rng):
                save(conn, vote)
            conn.close()
            start = time.perf_counter()
            loaded = load_votes(path)
            read = time.perf_counter() - start
            table = board(loaded)
            total = time.perf_counter() - start
        print(f"  {count:>6} votes, {suts:>2} SUTs: read {read * 1000:6.1f} ms, "
              f"table {total:6.2f} s (first: {table[0].uid})")  # fmt: skip
    vocabulary = [f"w{i}" for i in range(3000)]
    zipf = rng.choices(vocabulary, [1 / (i + 1) for i in range(3000)], k=3000)
    few = [rng.choice(["alpha", "beta", "gamma", "delta", "sky", "blue"]) for _ in range(3000)]
    for name, words in (("prose-like (Zipf)", zipf), ("six words repeated", few)):
        left = " ".join(words)
        right = " ".join(w if rng.random() > 0.1 else "changed" for w in words)
        start = time.perf_counter()
        diff = word_diff(left, right)
        took = time.perf_counter() - start
        print(
            f"word diff of two 3000-word answers, {name}: {took * 1000:.0f} ms ({diff.summary()})"
        )


if __name__ == "__main__":
    main()
