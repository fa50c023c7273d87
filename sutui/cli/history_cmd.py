"""`sutui history list|show|export|delete|rerun|path`: the saved runs, from the command line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from sutui.cli.context import pass_context
from sutui.cli.errors import InputError
from sutui.cli.run_ids import parse_run
from sutui.cli.table import table
from sutui.history.export import FORMATS, MARKS, export, format_of, runs_count, when
from sutui.history.store import HistoryStore, RunSummary, StoredRun, default_path
from sutui.storage import advice, cannot_write, problem, write_text_safely
from sutui.timeouts import effective


@contextmanager
def opened() -> Iterator[HistoryStore]:
    store = HistoryStore()
    try:
        yield store
    finally:
        store.close()


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


def branches(store: HistoryStore, ids: Sequence[str]) -> list[StoredRun]:
    """The conversation ending at each run named (its earlier turns before it), each run
    once; an error names every id that is not there."""
    runs: dict[int, StoredRun] = {}
    missing = []
    for text in ids:
        run_id = parse_run(store, text)
        branch = store.conversation(run_id)
        if branch is None:
            missing.append(str(run_id))
            continue
        for run in branch:
            runs.setdefault(run.id, run)
    if missing:
        raise InputError(
            f"no run {', '.join(missing)} in the history: `sutui history list` shows the ids."
        )
    return list(runs.values())


def select_runs(
    store: HistoryStore, ids: Sequence[str], every: bool = False, search: str = ""
) -> list[StoredRun]:
    """The runs named (each with the turns before it), then with --all or --search every turn
    of every branch of each conversation found, oldest first, each run once (`history export`
    and `sutui report` choose runs this way)."""
    chosen = branches(store, ids)
    if every or search:
        seen = {r.id for r in chosen}
        for summary in reversed(store.runs(search)):  # oldest first
            for found in store.conversation_runs(summary.conversation_id):
                if found.id not in seen:
                    seen.add(found.id)
                    chosen.append(found)
    return chosen


def suts_line(summary: RunSummary) -> str:
    return " · ".join(f"{sut} {MARKS.get(status, '?')}" for sut, status in summary.suts)


def first_line(text: str, width: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def prompt_cell(summary: RunSummary) -> str:
    """The prompt's first line, and the turns when the conversation has several."""
    turns = summary.turns_text
    return first_line(summary.prompt) + (f" · {turns}" if turns else "")


@click.group("history")
def history() -> None:
    """The saved runs: every `run-sut` (unless --no-history) and every send in the app.

    A run is one turn of a conversation (`run-sut --continue`, the app's compare screen); the
    list shows one row per conversation, `show` a conversation turn by turn.

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
    """One row per conversation, newest first: its latest run (`· 3 turns` when it has
    several), or with --search the latest that matches (`· turn 2 of 3`). Marks: ✓ done,
    ✗ failed, ■ cancelled, ◐ partial (the run stopped before that SUT finished), … running."""
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
                                   "suts": suts, "conversation_id": str(s.conversation_id),
                                   "turn": s.turn, "turns": s.turns},
                                  ensure_ascii=False))  # fmt: skip
        if more:
            click.echo(more, err=True)  # stdout stays JSON Lines
        return
    if not found:
        where = f" matching '{search}'" if search else ""
        click.echo(f"No runs{where} in the history yet. Every `sutui run-sut` and every send in "
                   "the app is saved there.")  # fmt: skip
        return
    rows = [[str(s.id), when(s.started_at), suts_line(s), prompt_cell(s)] for s in found]
    click.echo(table(["run", "when", "SUTs", "prompt"], rows))
    if more:
        click.echo(more)


@history.command("show")
@click.argument("run")
@click.option("--json", "as_json", is_flag=True, help="The answers as result records (JSON Lines).")
def show(run: str, as_json: bool) -> None:
    """One run: its prompt, options and every answer (RUN: an id from `list`, or `last`). A
    turn of a conversation is shown with the turns before it, turn by turn."""
    pass_context()
    with opened() as store:
        found = branches(store, [run])
        last = found[-1]
        after = store.tip(last.id)
        later = store.position(after) if after != last.id else None
    click.echo(export(found, "jsonl" if as_json else "md"), nl=False)
    if later is not None:
        click.echo(f"Run {last.id} goes on: its newest branch reaches turn {later[1] + 1} in run "
                   f"{after} (`sutui history show {after}`).", err=as_json)  # fmt: skip


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
    """Runs as Markdown, JSON, JSON Lines or CSV (the records of docs/results.md). A run named
    comes with the turns before it; --all and --search give every turn of every branch of each
    conversation found."""
    pass_context()
    if not runs and not every and not search:
        raise InputError(
            "say which runs to export: run ids (`sutui history export 3 4`), --all, or "
            "--search WORDS."
        )
    fmt = export_format(fmt, out)
    with opened() as store:
        chosen = select_runs(store, runs, every, search)
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
@click.option("--conversation", "whole", is_flag=True,
              help="Delete each run's whole conversation (every turn, every branch).")  # fmt: skip
def delete(runs: tuple[str, ...], whole: bool) -> None:
    """Delete runs and their answers (RUN: ids from `list`, or `last`), with the later turns
    that go on from them (a turn cannot go on without the one before)."""
    pass_context()
    with opened() as store:
        found = load_runs(store, runs)  # every id must exist, or none goes
        chosen = [r.id for r in found]
        if whole:
            chosen = sorted(
                {r.id for f in found for r in store.conversation_runs(f.conversation_id or f.id)}
            )
        later = [i for i in store.later_turns(chosen) if i not in chosen]
        store.delete(chosen)
    said = f"Deleted run {', '.join(map(str, chosen))}"
    if later:
        said += f" and the later turn{'s' if len(later) > 1 else ''} that went on from them " \
            f"(run{'s' if len(later) > 1 else ''} {', '.join(map(str, later))})"  # fmt: skip
    click.echo(said + ".")


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
    """Send a saved run's prompt, system prompt and options to its SUTs again (a new run). A
    later turn of a conversation is sent with each SUT's thread before it: a new branch."""
    from drivers.options import SUTOptions
    from drivers.prompt import make_prompt
    from sutui.cli.job import Job
    from sutui.cli.next_turn import rerun_turn
    from sutui.cli.run_sut import make_targets, open_history, run_job, warn
    from sutui.history.recorder import RunRecorder
    from sutui.history.rerun import to_send
    from sutui.targets import resolves

    ctx = pass_context()
    with opened() as store:
        (found,) = load_runs(store, [run])
        answers = found.failed if only_failed else found.answers
        if not answers:
            click.echo(f"Every SUT of run {found.id} finished well: nothing to re-run.")
            return 0
        if found.previous_id is not None:  # a later turn: its thread, as a new branch
            if no_history:
                raise InputError(
                    f"run {found.id} is turn {found.turn + 1} of a conversation: its re-run is "
                    "a new branch of it, saved in the history. Drop --no-history."
                )
            job, timeout = rerun_turn(ctx, store, found, only_failed)
    if found.previous_id is None:
        names = tuple(to_send(a, lambda name: resolves(ctx, name)) for a in answers)
        canonical: dict[str, str] = {}
        targets = make_targets(ctx, names, canonical)
        shared = SUTOptions(**found.options)
        targets = [
            dataclasses.replace(t, options=SUTOptions(**a.options))
            if a.options != found.options
            else t
            for t, a in zip(targets, answers, strict=True)
        ]
        job = Job(targets, make_prompt(found.prompt, found.system), shared, canonical)
        timeout = effective(found.timeout_s)
    recorder = RunRecorder(None if no_history else open_history(), warn)
    return asyncio.run(run_job(job, timeout, as_json, recorder, parent_id=found.id))


@history.command("path")
def path() -> None:
    """Where the history database is (SUTUI_DATA_DIR or XDG_DATA_HOME move it)."""
    click.echo(str(default_path()))
