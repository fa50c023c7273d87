"""The leaderboard as rows of text (the screen and `sutui leaderboard`) and as JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sutui.arena.ratings import MIN_CI_VOTES, Standing, standings
from sutui.arena.votes import Vote

if TYPE_CHECKING:
    from drivers.catalog import CatalogEntry

ROUNDS = 200
"""Bootstrap resamples for the intervals."""
SEED = 0
"""The bootstrap's seed: the same votes always give the same table."""
HEADERS = ("#", "SUT", "score", "95% CI", "Elo", "votes", "won", "lost", "tied", "win rate")


def board(votes: Sequence[Vote], rounds: int = ROUNDS, seed: int = SEED) -> list[Standing]:
    return standings([v.contest() for v in votes], rounds=rounds, seed=seed)


def known_names(votes: Sequence[Vote], catalog: Iterable[CatalogEntry] = ()) -> dict[str, str]:
    """Each contestant's canonical UID -> the name the user knows it by: the name its column
    had in the latest vote that names it (a catalog name, a UID as typed), else the catalog
    entry that stands for it, else the UID itself (votes name SUTs canonically, so a renamed
    catalog entry keeps its record; people know them by the name they picked)."""
    by_uid: dict[str, str] = {}
    for entry in catalog:
        by_uid.setdefault(str(entry.definition.format()), entry.uid)
    for vote in sorted(votes, key=lambda v: v.created_at):
        for uid, name in zip(vote.contestants, vote.names or vote.contestants, strict=True):
            if name != uid or uid not in by_uid:
                by_uid[uid] = name
    return {uid: by_uid.get(uid, uid) for vote in votes for uid in vote.contestants}


def rows(
    table: Sequence[Standing], names: Mapping[str, str] | None = None
) -> list[tuple[str, ...]]:
    """One row per SUT; `names`: the name shown for each canonical UID (else the UID)."""
    names = names or {}
    return [
        (
            str(rank),
            names.get(row.uid, row.uid),
            f"{row.score:.0f}",
            "n/a" if row.low is None or row.high is None else f"{row.low:.0f}-{row.high:.0f}",
            f"{row.elo:.0f}",
            str(row.votes),
            str(row.wins),
            str(row.losses),
            str(row.ties),
            f"{row.win_rate:.0%}",
        )
        for rank, row in enumerate(table, 1)
    ]


def to_json(table: Sequence[Standing], votes: int, rounds: int, seed: int) -> dict[str, Any]:
    return {
        "schema": "sutui.leaderboard/1",
        "votes": votes,
        "bootstrap": {"rounds": rounds, "seed": seed, "level": 0.95},
        "suts": [
            {
                "rank": rank,
                "uid": row.uid,
                "score": round(row.score, 1),
                "ci_low": None if row.low is None else round(row.low, 1),
                "ci_high": None if row.high is None else round(row.high, 1),
                "elo": round(row.elo, 1),
                "votes": row.votes,
                "wins": row.wins,
                "losses": row.losses,
                "ties": row.ties,
                "win_rate": round(row.win_rate, 4),
            }
            for rank, row in enumerate(table, 1)
        ],
    }


def explanation(votes: int, rounds: int = ROUNDS) -> str:
    return (
        f"{votes} vote{'s' if votes != 1 else ''}. Score: Bradley-Terry on Elo's scale, "
        f"95% interval from {rounds} bootstrap resamples (n/a under {MIN_CI_VOTES} votes); Elo "
        "K=32 in vote order. Won/lost/tied "
        "count pairwise results (a best-of-N win beats each other column); ties and 'both bad' "
        "count half."
    )
