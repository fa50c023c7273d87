"""`sutui report SOURCE… --out report.html`: one self-contained HTML file (docs/report.md)."""

from __future__ import annotations

import re
from pathlib import Path

import click

RUN = re.compile(r"#?\d+|last")


@click.command()
@click.argument("sources", nargs=-1, metavar="SOURCE…")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The HTML file to write (replaced if it exists).",
)
@click.option("--all", "every", is_flag=True, help="Every run in the history.")
@click.option(
    "--search", default="", metavar="WORDS", help="Every run `sutui history list --search` finds."
)
@click.option(
    "--votes/--no-votes",
    default=None,
    help="Add the arena leaderboard (default: when there are votes).",
)
def report(
    sources: tuple[str, ...], out: Path, every: bool, search: str, votes: bool | None
) -> None:
    """Write one HTML file (no server, nothing fetched: open it, or mail it) showing answers
    side by side, per-SUT figures, charts, and the arena leaderboard.

    SOURCE is a batch's --out directory (its results.jsonl) or a history run number (`12`,
    `#12`, `last`: that run with the turns before it); --all and --search add history runs.
    With --votes alone, the report is the leaderboard."""
    from sutui.report.build import Request, build

    dirs = tuple(Path(s) for s in sources if not (RUN.fullmatch(s) and not Path(s).is_dir()))
    runs = tuple(s for s in sources if RUN.fullmatch(s) and not Path(s).is_dir())
    built = build(Request(dirs, runs, every, search, votes), out)
    said = []
    if built.prompts:
        said.append(
            f"{built.prompts} prompt{'s' if built.prompts != 1 else ''} \u00d7 "
            f"{built.columns} SUT{'s' if built.columns != 1 else ''}"
        )
    if built.votes:
        said.append(f"the leaderboard of {built.votes} vote{'s' if built.votes != 1 else ''}")
    click.echo(
        f"sutui report: {' and '.join(said)} written to {out} ({_size(built.size)}).", err=True
    )
    if built.skipped:
        click.echo(
            f"warning: {built.skipped} line{'s' if built.skipped != 1 else ''} of "
            "results.jsonl held no result record and were left out.",
            err=True,
        )


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
