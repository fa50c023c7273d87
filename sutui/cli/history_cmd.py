"""`sutui history list|show|export|delete|rerun|path`: the saved runs, from the command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from sutui.cli.context import CliContext, pass_context
from sutui.cli.errors import InputError
from sutui.cli.table import table
from sutui.history.export import FORMATS, MARKS, export, format_of, runs_count, when
from sutui.history.store import HistoryStore, RunSummary, StoredRun, default_path
from sutui.storage import advice, cannot_write, problem, write_text_safely


@contextmanager
def opened() -> Iterator[HistoryStore]:
    store = HistoryStore()
    try:
        yield store
    finally:
        store.close()


def parse_run(store: HistoryStore, text: str) -> int:
    """A run id as typed: `12`, `#12` or `last`."""
    if text == "last":
        last = store.last_id()
        if last is None:
            raise InputError("the history is empty: there is no last run.")
        return last
    if not re.fullmatch(r"#?\d+", text):
        raise InputError(
            f"'{text}' is not a run id: give a number from `sutui history list`, or `last`."
        )
    return int(text.lstrip("#"))


def load_runs(store: HistoryStore, ids: Sequence[str]) -> list[StoredRun]:
    """Every run named, or an error naming every id that is not there."""
    runs, missing = [], []
    for text in ids:
        run_id = parse_run(store, text)
        run = store.run(run_id)
        if run is None:
            missing.append(str(run_id))
        else:
            runs.append(run)
    if missing:
        raise InputError(
            f"no run {', '.join(missing)} in the history: `sutui history list` shows the ids."
        )
    return runs


def suts_line(summary: RunSummary) -> str:
    return " · ".join(f"{sut} {MARKS.get(status, '?')}" for sut, status in summary.suts)


def first_line(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


@click.group("history")
def history() -> None:
    """The saved runs: every `run-sut` (unless --no-history) and every send in the app.

    Kept in SQLite in the user data dir (`sutui history path`); no secret is ever saved.
    """


@history.command("list")
@click.option(
    "--search",
    default="",
    metavar="WORDS",
    help="Only runs whose prompt, SUTs or answers hold every word.",
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, one per line.")
def list_runs(search: str, limit: int, as_json: bool) -> None:
    """The newest runs first. Marks: ✓ done, ✗ failed, ■ cancelled, ◐ partial (the run stopped
    before that SUT finished), … running."""  # fmt: skip
    pass_context()
    with opened() as store:
        found = store.runs(search, limit=limit)
        hidden = store.count(search) - len(found) if len(found) == limit else 0
    more = ""
    if hidden > 0:
        more = f"… {hidden} more: --limit {limit + hidden} shows them all, or narrow with --search."
    if as_json:
        for s in found:
            suts = [{"sut": sut, "status": status} for sut, status in s.suts]
            click.echo(json.dumps({"run_id": str(s.id), "started_at": s.started_at,
                                   "origin": s.origin, "prompt": s.prompt, "system": s.system,
                                   "suts": suts}, ensure_ascii=False))  # fmt: skip
        if more:
            click.echo(more, err=True)  # stdout stays JSON Lines
        return
    if not found:
        where = f" matching '{search}'" if search else ""
        click.echo(f"No runs{where} in the history yet. Every `sutui run-sut` and every send in "
                   "the app is saved there.")  # fmt: skip
        return
    rows = [[str(s.id), when(s.started_at), suts_line(s), first_line(s.prompt)] for s in found]
    click.echo(table(["run", "when", "SUTs", "prompt"], rows))
    if more:
        click.echo(more)


@history.command("show")
@click.argument("run")
@click.option("--json", "as_json", is_flag=True, help="The answers as result records (JSON Lines).")
def show(run: str, as_json: bool) -> None:
    """One run: its prompt, options and every answer (RUN: an id from `list`, or `last`)."""
    pass_context()
    with opened() as store:
        (found,) = load_runs(store, [run])
    click.echo(export([found], "jsonl" if as_json else "md"), nl=False)


@history.command("export")
@click.argument("runs", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every run in the history.")
@click.option("--search", default="", metavar="WORDS", help="Every run `list --search` finds.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="md, json (an array of result records), jsonl (as run-sut --json) or csv. "
                   "Default: from the --out suffix, else md.")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of stdout.")  # fmt: skip
def export_runs(
    runs: tuple[str, ...], every: bool, search: str, fmt: str | None, out: Path | None
) -> None:
    """Runs as Markdown, JSON, JSON Lines or CSV (the records of docs/results.md)."""
    pass_context()
    if not runs and not every and not search:
        raise InputError(
            "say which runs to export: run ids (`sutui history export 3 4`), --all, or "
            "--search WORDS."
        )
    fmt = export_format(fmt, out)
    with opened() as store:
        chosen = load_runs(store, runs)
        if every or search:
            seen = {r.id for r in chosen}
            for summary in reversed(store.runs(search)):  # oldest first
                if summary.id not in seen:
                    found = store.run(summary.id)
                    if found is not None:
                        chosen.append(found)
    text = export(chosen, fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_safely(out, text)  # a full disk leaves an earlier file as it was
    except OSError as exc:
        why = problem(exc, out)
        todo = f"{advice(why)}, or choose" if why else "Choose"
        raise InputError(f"{cannot_write(exc, out)}. {todo} another --out.") from exc
    click.echo(f"Exported {runs_count(len(chosen))} as {fmt} to {out}.", err=True)


def export_format(fmt: str | None, out: Path | None) -> str:
    """The format --out's suffix names, which --format may repeat but not contradict; md when
    neither says (stdout, or a file without a suffix)."""
    named = format_of(out) if out is not None else None
    if out is not None and out.suffix and named is None:
        raise InputError(
            f"--out {out}: '{out.suffix}' is no export format. End the file name with .md, "
            ".json, .jsonl or .csv (the format follows it)."
        )
    if fmt is not None and named is not None and fmt != named:
        raise InputError(
            f"--format {fmt} contradicts --out {out}, which names {named}: drop --format, or "
            f"name the file .{fmt}."
        )
    return fmt or named or "md"


@history.command("delete")
@click.argument("runs", nargs=-1, required=True)
def delete(runs: tuple[str, ...]) -> None:
    """Delete runs and their answers (RUN: ids from `list`, or `last`)."""
    pass_context()
    with opened() as store:
        chosen = load_runs(store, runs)  # every id must exist: none is deleted otherwise
        store.delete([r.id for r in chosen])
    click.echo(f"Deleted run {', '.join(str(r.id) for r in chosen)}.")


@history.command("rerun")
@click.argument("run")
@click.option(
    "--failed",
    "only_failed",
    is_flag=True,
    help="Only the SUTs that did not finish well (failed, cancelled, partial).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per SUT, one per line.")
@click.option("--no-history", is_flag=True, help="Do not save the new run.")  # fmt: skip
def rerun(run: str, only_failed: bool, as_json: bool, no_history: bool) -> int:
    """Send a saved run's prompt, system prompt and options to its SUTs again (a new run)."""
    from drivers.options import SUTOptions
    from drivers.prompt import make_prompt
    from sutui.cli.run_sut import Job, make_targets, open_history, run_job, warn
    from sutui.history.recorder import RunRecorder
    from sutui.history.rerun import to_send

    ctx = pass_context()
    with opened() as store:
        (found,) = load_runs(store, [run])
    answers = found.failed if only_failed else found.answers
    if not answers:
        click.echo(f"Every SUT of run {found.id} finished well: nothing to re-run.")
        return 0
    names = tuple(to_send(a, lambda name: _resolves(ctx, name)) for a in answers)
    canonical: dict[str, str] = {}
    targets = make_targets(ctx, names, canonical)
    shared = SUTOptions(**found.options)
    targets = [
        dataclasses.replace(t, options=SUTOptions(**a.options)) if a.options != found.options else t
        for t, a in zip(targets, answers, strict=True)
    ]
    job = Job(targets, make_prompt(found.prompt, found.system), shared, canonical)
    recorder = RunRecorder(None if no_history else open_history(), warn)
    timeout = found.timeout_s or 300.0
    return asyncio.run(run_job(job, timeout, as_json, recorder, parent_id=found.id))


def _resolves(ctx: CliContext, name: str) -> bool:
    from drivers.catalog import CatalogError
    from drivers.registry import resolve
    from drivers.uid import UIDError

    try:
        resolve(name, ctx.catalog, ctx.registry)
    except (UIDError, CatalogError):
        return False
    return True


@history.command("path")
def path() -> None:
    """Where the history database is (SUTUI_DATA_DIR or XDG_DATA_HOME move it)."""
    click.echo(str(default_path()))
