"""`sutui votes export` (every blind vote as JSONL) and `sutui leaderboard` (the table)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from sutui.cli.errors import InputError


@click.group()
def votes() -> None:
    """The blind votes cast in arena mode (stored with the history)."""


@votes.command("export")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to FILE instead of stdout.",
)
def export(out: Path | None) -> None:
    """Every vote, oldest first, one JSON object a line (fields: docs/arena.md)."""
    from sutui.arena.votes import export_lines, load_votes

    lines = list(export_lines(load_votes()))
    if out is None:
        for line in lines:
            click.echo(line)
        return
    if out.parent and not out.parent.is_dir():
        raise InputError(f"--out {out}: the folder {out.parent} does not exist; create it first.")
    try:
        out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write it ({exc.strerror or exc}).") from exc
    click.echo(f"{len(lines)} vote{'s' if len(lines) != 1 else ''} written to {out}.", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object (fields: docs/arena.md).")
@click.option(
    "--rounds",
    type=click.IntRange(0, 100_000),
    default=200,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals (0: none).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The bootstrap's seed.")
def leaderboard(as_json: bool, rounds: int, seed: int) -> None:
    """Every SUT that took part in a blind vote, best Bradley-Terry score first."""
    from sutui.arena.board import HEADERS, board, explanation, rows, to_json
    from sutui.arena.votes import load_votes
    from sutui.cli.table import table

    all_votes = load_votes()
    standings = board(all_votes, rounds=rounds, seed=seed)
    if as_json:
        click.echo(json.dumps(to_json(standings, len(all_votes), rounds, seed), indent=2))
        return
    if not all_votes:
        click.echo("No votes yet: vote in the app's arena mode (ctrl+g on the compare screen).")
        return
    click.echo(table(HEADERS, rows(standings)))
    click.echo()
    click.echo(textwrap.fill(explanation(len(all_votes), rounds), width=100))
