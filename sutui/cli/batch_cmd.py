"""`sutui batch`: every prompt of a CSV or JSONL file on every SUT, into OUT/results.jsonl.

Everything that can be wrong with the input (the file, a line, a UID, a secret, the output
directory, the cache) is reported before the first request. Running the same command again
resumes: only prompts x SUTs without a `done` record are sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Literal

import click

from drivers.http_client import PER_HOST_CONNECTIONS
from drivers.transport import aclose_client
from sutui.batch.progress import ProgressDisplay
from sutui.batch.prompts import MAX_LINE_BYTES
from sutui.batch.results import RESULTS, Previous
from sutui.batch.scheduler import BatchRunner, Outcome
from sutui.batch.setup import (
    BatchRequest,
    BatchSetupError,
    PreparedBatch,
    bad_line_report,
    prepare_batch,
)
from sutui.cli.context import pass_context
from sutui.cli.errors import INTERRUPTED, RUN_FAILED, USAGE_ERROR, InputError
from sutui.cli.model_options import (
    bad_flag,
    model_options,
    run_runtime,
    sut_options,
    suts_option,
)


def echo(text: str) -> None:
    click.echo(f"sutui batch: {text}", err=True)


@click.command("batch")
@suts_option
@click.option(
    "--prompts",
    "prompts_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV (columns prompt, optional id and system; or modelgauge's UID,Text) or JSONL "
    '({"prompt": ..., "id": ..., "system": ...} per line, or a conversation: '
    '{"id": ..., "messages": [{"role": "user", "content": ...}, ...]}).',
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for results.jsonl (made if missing; reused to resume).",
)
@click.option(
    "--concurrency",
    type=int,
    default=32,
    show_default=True,
    help="Requests in flight at once, all SUTs together.",
)
@click.option(
    "--per-driver",
    type=int,
    default=None,
    help="Requests in flight per driver at most (default: --concurrency). A 429 halves it "
    "for that driver; successes grow it back.",
)
@click.option("--rps", type=float, default=None, help="Requests per second per driver at most.")
@click.option("--cache", is_flag=True, help="Reuse answers cached by earlier runs; cache new ones.")
@click.option(
    "--on-bad-line",
    type=click.Choice(["skip", "stop"]),
    default="skip",
    show_default=True,
    help="A malformed line of the prompt file: report it and go on, or stop before sending.",
)
@click.option(
    "--max-line-bytes",
    type=int,
    default=MAX_LINE_BYTES,
    show_default=True,
    help="The longest line (or CSV record) of the prompt file, in bytes; a longer one stops "
    "the run before anything is sent.",
)
@model_options
@click.option("--quiet", is_flag=True, help="No progress display; only the closing summary.")
def batch(
    suts: tuple[str, ...],
    prompts_path: Path,
    out: Path,
    concurrency: int,
    per_driver: int | None,
    rps: float | None,
    cache: bool,
    on_bad_line: Literal["skip", "stop"],
    max_line_bytes: int,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    top_k: int | None,
    stop: tuple[str, ...],
    seed: int | None,
    reasoning: str | None,
    timeout: float,
    idle_timeout: float | None,
    quiet: bool,
) -> int:
    """Run every prompt of a file on every SUT; results stream to OUT/results.jsonl.

    Ctrl-C stops cleanly; the same command again resumes (sends only what is missing or
    failed).
    """
    ctx = pass_context()
    if concurrency < 1:
        raise bad_flag("--concurrency", concurrency, "1 or more")
    if per_driver is not None and per_driver < 1:
        raise bad_flag("--per-driver", per_driver, "1 or more")
    if rps is not None and not rps > 0:  # nan too
        raise bad_flag("--rps", rps, "more than 0 (requests per second)")
    if max_line_bytes < 1:
        raise bad_flag("--max-line-bytes", max_line_bytes, "1 or more")
    options = sut_options(max_tokens, temperature, top_p, top_k, stop, seed, timeout, reasoning)
    runtime = run_runtime(idle_timeout)
    if min(concurrency, per_driver or concurrency) > PER_HOST_CONNECTIONS:
        echo(
            f"warning: the shared HTTP client opens at most {PER_HOST_CONNECTIONS} connections "
            "to one host; requests to one host past that wait for a free connection."
        )
    request = BatchRequest(
        suts=suts,
        prompts=prompts_path,
        out=out,
        options=options,
        timeout_s=timeout,
        concurrency=concurrency,
        per_driver=per_driver,
        rps=rps,
        cache=cache,
        on_bad_line=on_bad_line,
        max_line_bytes=max_line_bytes,
    )
    try:
        prepared = prepare_batch(ctx, request)
    except BatchSetupError as exc:
        raise InputError(str(exc)) from None
    with prepared.lock:
        for text in bad_line_report(prepared.source):
            echo(text)
        if prepared.migrated:
            echo(
                f"rewrote the prompt ids of {plural(prepared.migrated, 'record')} in "
                f"{out / RESULTS}: a line number before, the prompt's content id now, which "
                "does not change when lines move (docs/batch.md)."
            )
        report_previous(out, prepared.previous)
        with runtime:
            return run_prepared(prepared, quiet)


def run_prepared(prepared: PreparedBatch, quiet: bool) -> int:
    """Run with the progress display; the summary and the exit code."""
    display = ProgressDisplay(sys.stderr, quiet=quiet)
    runner = BatchRunner(prepared.config, prepared.previous, on_progress=display.update)
    with display:
        outcome = asyncio.run(_run(runner))
        display.close(runner.progress())
    return summarize(prepared.config.out, runner, outcome)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def report_previous(out: Path, previous: Previous) -> None:
    if previous.trimmed:
        echo(
            f"removed an unfinished last line ({previous.trimmed} bytes) of {out / RESULTS}, "
            "left by a run that was killed; that answer is sent again."
        )
    for number in previous.unreadable[:5]:
        echo(f"{out / RESULTS} line {number} is not a result record: left as it is, ignored.")
    if previous.records:
        echo(
            f"resuming: {plural(len(previous.done), 'answer')} already done in {out / RESULTS}; "
            f"failed before, sent again: {len(previous.failed)}."
        )


async def _run(runner: BatchRunner) -> Outcome:
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # SIGINT: asyncio.run's own
        loop.add_signal_handler(signal.SIGTERM, runner.stop)
    try:
        return await runner.run()
    finally:
        await aclose_client()  # before the loop ends, or aiohttp warns on stderr


def summarize(out: Path, runner: BatchRunner, outcome: Outcome) -> int:
    rows = runner.progress()
    cached = sum(p.cached for p in rows)
    before = sum(p.before for p in rows)
    parts = [f"{plural(outcome.written, 'answer')} written to {out / RESULTS}"]
    if outcome.failed:
        parts.append(f"{outcome.failed} failed")
    if cached:
        parts.append(f"{cached} from the cache")
    if before:
        parts.append(f"{before} done by an earlier run")
    echo(", ".join(parts) + ".")
    if outcome.dropped:
        echo(f"failure lines of earlier runs replaced by their new answers: {outcome.dropped}.")
    for note in outcome.notes:
        echo(f"warning: {note}")
    if outcome.problem:
        echo(outcome.problem)  # a full disk: the user must make room
        return USAGE_ERROR
    if outcome.interrupted:
        echo("stopped before the end. Run the same command again to resume: it sends only the "
             "prompts that have no answer yet.")  # fmt: skip
        return INTERRUPTED
    if outcome.failed:
        echo("some answers failed (their records hold the error). Run the same command again "
             "to send them again.")  # fmt: skip
        return RUN_FAILED
    return 0
