"""From the sources named to the written file: gather, lay out, sum up, render, write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sutui.errors import InputError
from sutui.records import now_iso
from sutui.report import matrix as layout
from sutui.report import page, sources
from sutui.report.summary import summarize
from sutui.storage import advice, cannot_write, problem, write_text_safely


@dataclass(frozen=True)
class Request:
    dirs: tuple[Path, ...] = ()
    runs: tuple[str, ...] = ()
    every: bool = False
    search: str = ""
    votes: bool | None = None
    """True: the leaderboard is wanted (no votes is an error); None: when votes exist."""


@dataclass(frozen=True)
class Built:
    prompts: int
    columns: int
    answers: int
    votes: int
    skipped: int
    size: int


def check_out(out: Path) -> None:
    """Refuse an --out that cannot be written before any work is done."""
    if out.is_dir():
        raise InputError(f"--out {out} is a directory: give the HTML file to write.")
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"--out {out}: the folder {folder} does not exist; create it first.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InputError(f"--out {out}: no permission to write there; choose another --out.")


def build(request: Request, out: Path) -> Built:
    check_out(out)
    found = sources.Gathered()
    for folder in request.dirs:
        sources.batch_records(folder, found)
    if request.runs or request.every or request.search:
        sources.history_records(request.runs, request.every, request.search, found)
    board = None
    if request.votes is not False:
        board = sources.leaderboard(required=request.votes is True)
    if not found.records and board is None:
        raise InputError(
            "nothing to report: give a batch's --out directory, run numbers from "
            "`sutui history list`, --all, --search WORDS or --votes."
        )
    answers = len(found.records)
    matrix = layout.build(found.records) if found.records else None
    found.records.clear()  # the cells hold what the page needs: free the records first
    columns = summarize(matrix) if matrix is not None else []
    if board is not None:
        found.sources.append(f"{board.votes} arena vote{'s' if board.votes != 1 else ''}")
    html = page.render(matrix, columns, board, found.sources, now_iso())
    html = html.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate: \udxxx
    try:
        write_text_safely(out, html)
    except OSError as exc:
        why = problem(exc, out)
        todo = f"{advice(why)}, or choose" if why else "Choose"
        raise InputError(f"{cannot_write(exc, out)}. {todo} another --out.") from None
    return Built(
        prompts=len(matrix.rows) if matrix else 0,
        columns=len(matrix.columns) if matrix else 0,
        answers=answers,
        votes=board.votes if board else 0,
        skipped=found.skipped,
        size=out.stat().st_size,
    )
