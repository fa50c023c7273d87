"""The leaderboard math on known cases (pure functions, no database)."""

from __future__ import annotations

import pytest

from sutui.arena.ratings import BASE, Contest, bradley_terry, elo, interval, pairs, standings


def win(a: str, b: str) -> Contest:
    return Contest((a, b), "win", 0)


def test_pairs_expand_best_of_n_and_ties() -> None:
    best = pairs(Contest(("a", "b", "c"), "win", 1))
    assert [(p.first, p.second, p.score) for p in best] == [("b", "a", 1.0), ("b", "c", 1.0)]
    tie = pairs(Contest(("a", "b", "c"), "both_bad"))
    assert [(p.first, p.second, p.score) for p in tie] == [
        ("a", "b", 0.5),
        ("a", "c", 0.5),
        ("b", "c", 0.5),
    ]
    assert pairs(Contest(("a", "a"), "tie")) == []  # the same SUT twice compares nothing


def test_a_dominant_sut_ranks_first() -> None:
    contests = [win("strong", "mid")] * 8 + [win("mid", "weak")] * 8 + [win("strong", "weak")] * 8
    contests += [win("mid", "strong"), win("weak", "mid")]
    rows = standings(contests, rounds=50)
    assert [r.uid for r in rows] == ["strong", "mid", "weak"]
    assert rows[0].score > rows[1].score > rows[2].score
    assert rows[0].elo > rows[2].elo
    assert rows[0].wins == 16 and rows[0].losses == 1 and rows[0].votes == 17
    assert all(r.low is not None and r.high is not None for r in rows)
    assert all(r.low <= r.score <= r.high for r in rows if r.low is not None and r.high is not None)


def test_symmetric_results_give_equal_scores() -> None:
    contests = [win("a", "b"), win("b", "a"), win("b", "c"), win("c", "b")]
    contests += [win("c", "a"), win("a", "c"), Contest(("a", "b", "c"), "tie")]
    scores = bradley_terry((p for c in contests for p in pairs(c)), ["a", "b", "c"])
    assert scores["a"] == pytest.approx(BASE) and scores["b"] == pytest.approx(BASE)
    assert scores["c"] == pytest.approx(BASE)
    rows = standings(contests, rounds=20)
    assert {r.win_rate for r in rows} == {0.5}


def test_ties_and_both_bad_count_half() -> None:
    tie = standings([Contest(("a", "b"), "tie")], rounds=0)
    bad = standings([Contest(("a", "b"), "both_bad")], rounds=0)
    assert [(r.ties, r.win_rate, r.score) for r in tie] == [
        (r.ties, r.win_rate, r.score) for r in bad
    ]
    assert tie[0].score == pytest.approx(tie[1].score)


def test_an_unbeaten_sut_has_a_finite_score() -> None:
    rows = standings([win("a", "b")] * 30, rounds=20)
    assert rows[0].uid == "a" and BASE < rows[0].score < BASE + 2000
    assert rows[1].score == pytest.approx(2 * BASE - rows[0].score)


def test_confidence_intervals_shrink_with_more_votes() -> None:
    few = [win("a", "b"), win("a", "b"), win("b", "a")]

    def width(contests: list[Contest]) -> float:
        row = next(r for r in standings(contests, rounds=200, seed=3) if r.uid == "a")
        assert row.high is not None and row.low is not None
        return row.high - row.low

    assert width(few * 20) < width(few * 4) < width(few * 2)


def test_no_interval_from_few_votes_or_none_that_says_nothing() -> None:
    from sutui.arena.board import rows, to_json

    one = standings([win("a", "b")], rounds=200)
    assert all(r.low is None and r.high is None for r in one)  # it was 1016-1016: certainty
    assert [row[3] for row in rows(one)] == ["n/a", "n/a"]
    data = to_json(one, 1, 200, 0)
    assert [(s["ci_low"], s["ci_high"]) for s in data["suts"]] == [(None, None), (None, None)]
    four = standings([win("a", "b")] * 4, rounds=200)
    assert all(r.low is None for r in four)  # under MIN_CI_VOTES
    five = standings([win("a", "b"), win("b", "a")] * 3, rounds=200)
    assert all(r.low is not None and r.high is not None and r.high - r.low >= 1 for r in five)
    assert all(r.low is None for r in standings([win("a", "b"), win("b", "a")] * 3, rounds=0))
    assert interval(1000.0, 1000.4, 1000.2, 50) == (None, None)  # zero width once rounded


def test_elo_applies_one_votes_results_together() -> None:
    ratings = elo([Contest(("w", "x", "y"), "win", 0)])
    assert ratings["x"] == ratings["y"] == pytest.approx(BASE - 16)  # was 984.0 vs 984.7
    assert ratings["w"] == pytest.approx(BASE + 32)
    both_bad = elo([Contest(("a", "b", "c"), "both_bad")])
    assert both_bad == pytest.approx(dict.fromkeys("abc", BASE))


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    contests = [win("a", "b"), win("b", "c"), win("c", "a"), win("a", "c")]
    assert standings(contests, seed=5) == standings(contests, seed=5)


def test_elo_follows_the_order_of_votes() -> None:
    ratings = elo([win("a", "b")])
    assert ratings["a"] == pytest.approx(BASE + 16) and ratings["b"] == pytest.approx(BASE - 16)
    assert elo([]) == {}


def test_the_newton_fit_agrees_with_the_mm_iteration() -> None:
    """An independent check: Hunter's MM iteration for the same likelihood (the one-tie prior
    against a fixed opponent of strength 1), run to convergence, lands on the same scores."""
    import math
    import random

    from sutui.arena.ratings import PRIOR_GAMES, SCALE

    rng = random.Random(4)
    players = ["a", "b", "c", "d"]
    contests = []
    for _ in range(60):
        x, y = rng.sample(players, 2)
        roll = rng.random()
        if roll < 0.15:
            contests.append(Contest((x, y), "tie"))
        else:
            stronger = min(x, y) if roll < 0.75 else max(x, y)
            contests.append(Contest((x, y), "win", (x, y).index(stronger)))
    results = [p for c in contests for p in pairs(c)]
    wins = dict.fromkeys(players, PRIOR_GAMES / 2)
    games: dict[tuple[str, str], float] = {}
    for r in results:
        wins[r.first] += r.score
        wins[r.second] += 1 - r.score
        key = (min(r.first, r.second), max(r.first, r.second))
        games[key] = games.get(key, 0) + 1
    opponents = {
        p: [(q if p == o else o, n) for (o, q), n in games.items() if p in (o, q)] for p in players
    }
    strength = dict.fromkeys(players, 1.0)
    for _ in range(5000):
        strength = {
            p: wins[p]
            / (
                PRIOR_GAMES / (strength[p] + 1)
                + sum(n / (strength[p] + strength[q]) for q, n in opponents[p])
            )
            for p in players
        }
    expected = {p: BASE + SCALE * math.log(s) for p, s in strength.items()}
    fitted = bradley_terry(results, players)
    assert fitted == pytest.approx(expected, abs=1e-6)
    assert max(fitted, key=lambda p: fitted[p]) == "a"
