"""Leaderboard math on votes: pairwise counts, Bradley-Terry scores with bootstrap intervals,
and Elo. Pure Python (numpy is not a dependency, and a local leaderboard has at most a few
thousand votes and a few dozen SUTs).

Every vote becomes pairwise results: a win of A over B is one; best-of-N is a win of the winner
over each other contestant (nothing is known between the losers); a tie and "both bad" are a
half win each way. The same SUT twice in one vote is no comparison.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Outcome = str
"""`win` (with a winner), `tie`, or `both_bad` (with more than two: all bad)."""
OUTCOMES = ("win", "tie", "both_bad")

BASE = 1000.0
"""A score of 1000 is the strength of the virtual opponent (Bradley-Terry) and Elo's start."""
SCALE = 400.0 / math.log(10)
"""Scores on Elo's scale: 400 points is a 10:1 odds ratio."""
PRIOR_GAMES = 1.0
"""Each SUT plays this many virtual ties against a 1000-point opponent. Without it a SUT that
never lost (or never won) has an infinite score; with it, scores shrink a little toward 1000."""
ELO_K = 32.0
MIN_CI_VOTES = 5
"""A SUT in fewer votes gets no interval: a bootstrap of one to four votes can only repeat them
(one vote gives a zero-width interval, which reads as certainty)."""


@dataclass(frozen=True)
class Contest:
    """What the ratings need of a vote: the contestants (canonical UIDs, shown order), the
    outcome, and the winner's index for `win`."""

    contestants: tuple[str, ...]
    outcome: Outcome
    winner: int | None = None


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    score: float
    """1 when `first` won, 0.5 for a tie."""


def pairs(contest: Contest) -> list[Pair]:
    """The pairwise results of one vote (see the module docstring)."""
    names = contest.contestants
    if contest.outcome == "win":
        if contest.winner is None or not 0 <= contest.winner < len(names):
            return []
        best = names[contest.winner]
        return [Pair(best, other, 1.0) for other in names if other != best]
    result: list[Pair] = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if first != second:
                result.append(Pair(first, second, 0.5))
    return result


@dataclass(frozen=True)
class Standing:
    uid: str
    votes: int
    wins: int
    losses: int
    ties: int
    """Pairwise: a best-of-4 win is 3 wins; a tie of 3 is 2 ties for each."""
    score: float
    low: float | None
    high: float | None
    """The 95% interval; None when it says nothing (see `interval`)."""
    elo: float

    @property
    def win_rate(self) -> float:
        """Pairwise, ties counting half: 0.5 is average whatever the number of columns."""
        played = self.wins + self.losses + self.ties
        return (self.wins + self.ties / 2) / played if played else 0.0


# ----- Bradley-Terry ---------------------------------------------------------------------------
Indexed = tuple[int, int, float]
"""A pairwise result by player index: (first, second, first's score)."""


def bradley_terry(
    results: Iterable[Pair], players: Sequence[str], tolerance: float = 1e-9
) -> dict[str, float]:
    """Maximum-likelihood strengths on Elo's scale (see `_fit`)."""
    index = {p: i for i, p in enumerate(players)}
    indexed = [(index[r.first], index[r.second], r.score) for r in results]
    theta = _fit(*_aggregate([indexed], len(players)), tolerance=tolerance)
    return {p: BASE + SCALE * theta[index[p]] for p in players}


def _aggregate(
    groups: Iterable[Sequence[Indexed]], size: int
) -> tuple[list[float], dict[tuple[int, int], float]]:
    """Each player's (half-)wins, with its PRIOR_GAMES virtual ties, and games per pair."""
    wins = [PRIOR_GAMES / 2] * size
    games: dict[tuple[int, int], float] = defaultdict(float)
    for group in groups:
        for a, b, score in group:
            wins[a] += score
            wins[b] += 1 - score
            games[(a, b) if a < b else (b, a)] += 1
    return wins, games


def _fit(
    wins: list[float],
    games: dict[tuple[int, int], float],
    start: list[float] | None = None,
    tolerance: float = 1e-9,
    iterations: int = 50,
) -> list[float]:
    """A logistic regression fitted by Newton's method: a few steps, where the MM/Zermelo
    iteration needs hundreds when one SUT dominates. The virtual ties are against a fixed
    opponent of strength 0; they make the likelihood strictly concave, so the fit always
    exists. `start` (a nearby fit) saves steps."""
    size = len(wins)
    theta = list(start) if start else [0.0] * size
    for _ in range(iterations):
        gradient = list(wins)
        hessian = [[0.0] * size for _ in range(size)]  # minus the Hessian: positive definite
        for i in range(size):
            p = _sigmoid(theta[i])
            gradient[i] -= PRIOR_GAMES * p
            hessian[i][i] += PRIOR_GAMES * p * (1 - p)
        for (i, j), n in games.items():
            p = _sigmoid(theta[i] - theta[j])
            gradient[i] -= n * p
            gradient[j] -= n * (1 - p)
            w = n * p * (1 - p)
            hessian[i][i] += w
            hessian[j][j] += w
            hessian[i][j] -= w
            hessian[j][i] -= w
        step = _solve(hessian, gradient)
        largest = max((abs(x) for x in step), default=0.0)
        damping = min(1.0, 2.0 / largest) if largest else 1.0  # no wild first steps
        theta = [t + damping * x for t, x in zip(theta, step, strict=True)]
        if largest < tolerance:
            break
    return theta


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a few dozen unknowns at most)."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col][col]
        for r in range(col + 1, size):
            factor = rows[r][col] / head
            if factor:
                for c in range(col, size + 1):
                    rows[r][c] -= factor * rows[col][c]
    result = [0.0] * size
    for r in range(size - 1, -1, -1):
        total = rows[r][size] - sum(rows[r][c] * result[c] for c in range(r + 1, size))
        result[r] = total / rows[r][r]
    return result


def bootstrap(
    contests: Sequence[Contest],
    players: Sequence[str],
    rounds: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the Bradley-Terry scores over `rounds` resamples of the votes
    (with replacement, a seeded RNG: the same votes give the same intervals)."""
    if not contests or rounds <= 0:
        return {p: (BASE, BASE) for p in players}
    rng = random.Random(seed)
    index = {p: i for i, p in enumerate(players)}
    expanded = [[(index[r.first], index[r.second], r.score) for r in pairs(c)] for c in contests]
    center = _fit(*_aggregate(expanded, len(players)))
    samples: list[list[float]] = [[] for _ in players]
    for _ in range(rounds):
        drawn = rng.choices(expanded, k=len(expanded))
        theta = _fit(*_aggregate(drawn, len(players)), start=center, tolerance=1e-6)
        for i, value in enumerate(theta):
            samples[i].append(BASE + SCALE * value)
    tail = (1 - level) / 2
    return {
        p: (quantile(samples[i], tail), quantile(samples[i], 1 - tail)) for p, i in index.items()
    }


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of `values` (not empty), interpolated between the two nearest ranks."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ----- Elo ---------------------------------------------------------------------------------------
def elo(contests: Iterable[Contest], k: float = ELO_K) -> dict[str, float]:
    """Online Elo over the votes in the order given (oldest first); unlike Bradley-Terry it
    depends on the order. The pairwise results of one vote are applied together, from the
    ratings before it: the order of the columns within a vote does not matter."""
    ratings: dict[str, float] = {}
    for contest in contests:
        moves: dict[str, float] = defaultdict(float)
        for pair in pairs(contest):
            a = ratings.setdefault(pair.first, BASE)
            b = ratings.setdefault(pair.second, BASE)
            change = k * (pair.score - 1 / (1 + 10 ** ((b - a) / 400)))
            moves[pair.first] += change
            moves[pair.second] -= change
        for uid, change in moves.items():
            ratings[uid] += change
    return ratings


def interval(
    low: float, high: float, score: float, votes: int
) -> tuple[float | None, float | None]:
    """The bootstrap interval around `score`, or (None, None) when it says nothing: fewer than
    MIN_CI_VOTES votes, or a width under one point (every resample gave the same score)."""
    low, high = min(low, score), max(high, score)
    if votes < MIN_CI_VOTES or high - low < 1.0:
        return None, None
    return low, high


# ----- the table ---------------------------------------------------------------------------------
def standings(contests: Sequence[Contest], rounds: int = 200, seed: int = 0) -> list[Standing]:
    """One row per SUT, best Bradley-Terry score first (then the UID, for a stable order)."""
    players = sorted({uid for c in contests for uid in c.contestants})
    votes: dict[str, int] = dict.fromkeys(players, 0)
    wins: dict[str, int] = dict.fromkeys(players, 0)
    losses: dict[str, int] = dict.fromkeys(players, 0)
    ties: dict[str, int] = dict.fromkeys(players, 0)
    every: list[Pair] = []
    for contest in contests:
        for uid in set(contest.contestants):
            votes[uid] += 1
        for pair in pairs(contest):
            every.append(pair)
            if pair.score == 0.5:
                ties[pair.first] += 1
                ties[pair.second] += 1
            else:
                wins[pair.first] += 1
                losses[pair.second] += 1
    scores = bradley_terry(every, players)
    intervals = bootstrap(contests, players, rounds=rounds, seed=seed)
    ratings = elo(contests)
    bounds = {
        p: interval(*intervals[p], scores[p], votes[p]) if rounds > 0 else (None, None)
        for p in players
    }
    rows = [
        Standing(
            uid=p,
            votes=votes[p],
            wins=wins[p],
            losses=losses[p],
            ties=ties[p],
            score=scores[p],
            low=bounds[p][0],
            high=bounds[p][1],
            elo=ratings.get(p, BASE),
        )
        for p in players
    ]
    return sorted(rows, key=lambda row: (-round(row.score, 6), row.uid))
