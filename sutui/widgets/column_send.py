"""One send to some columns: their SUTs prepared at once, then one fan-out of the driver layer
(drivers/runner.py) whose events go to each column's run.

A send of the screen starts every column in one fan-out (the driver caps and the timeout wrapper
are the run's, as in `run-sut`); a column's retry is a send of that column alone. A column that
is sent again, cancelled or removed meanwhile leaves the fan-out (`SUTColumn.cancel_quietly`),
the others go on; events of a run that is no longer a column's current one are dropped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from drivers.options import SUTOptions
    from drivers.prompt import Prompt
    from drivers.run_plan import Problem
    from drivers.runner import RunTarget
    from sutui.services import Services
    from sutui.widgets.sut_column import SUTColumn


@dataclass(frozen=True)
class ColumnRun:
    """A column's part of a send: its run number (events of older runs are dropped), its
    prompt (its own thread of the conversation), the options and time limit it runs with."""

    column: SUTColumn
    run: int
    prompt: Prompt
    options: SUTOptions
    timeout_s: float | None
    fix: str | None = None
    """What to do when the SUT cannot take this prompt (a chat to a text-only SUT)."""
    tokens: int | None = None
    """About how many tokens the prompt holds (a conversation's thread), to warn before it is
    sent to a model whose known context it may not fit."""

    @property
    def current(self) -> bool:
        return self.column.current_run == self.run


def _prepare_each(
    runs: Sequence[ColumnRun], services: Services
) -> list[RunTarget | Problem | BaseException]:
    """Each column's target, or why it cannot run (a bad UID, secrets not set, a prompt it
    cannot take); a driver's bug fails its column only."""
    from drivers.run_plan import prepare

    secrets = services.store.raw_secrets()
    outcomes: list[RunTarget | Problem | BaseException] = []
    for run in runs:
        try:
            prepared = prepare(
                (run.column.uid,), secrets, services.catalog, services.registry,
                prompt=run.prompt, options=run.options, fix=run.fix,
            )  # fmt: skip
        except Exception as exc:
            outcomes.append(exc)
            continue
        outcomes.append(prepared.problems[0] if prepared.problems else prepared.targets[0])
    return outcomes


def _context_warning(target: RunTarget, run: ColumnRun) -> str | None:
    """What to say when the thread (and the answer's max tokens) may not fit the context the
    provider's cached model list gives for the model."""
    from drivers.model_hints import known_context_length

    if not run.tokens:
        return None
    limit = known_context_length(target.sut)
    wanted = run.tokens + (run.options.max_tokens or 0)
    if limit is None or wanted <= limit:
        return None
    answer = (
        f" plus up to {run.options.max_tokens:,} for the answer" if run.options.max_tokens else ""
    )
    return (f"this thread is about {run.tokens:,} tokens (an estimate){answer}, and the model's "
            f"context is {limit:,}: the provider may refuse it or drop its start. A new "
            "conversation starts the thread again.")  # fmt: skip


async def send_columns(runs: Sequence[ColumnRun], services: Services) -> None:
    """Run every column's prompt (a worker: it never touches a widget itself, the
    columns' `deliver` posts messages and fills answer buffers)."""
    from drivers.errors import classify
    from drivers.run_plan import Problem
    from drivers.runner import Cancelled, Failed, FanOut, Timings

    # Making a SUT reads its secrets, which may wait on the OS keyring.
    outcomes = await asyncio.to_thread(_prepare_each, runs, services)
    targets, live = [], []
    for run, outcome in zip(runs, outcomes, strict=True):
        if not run.current:
            continue  # sent again or cancelled while its SUT was being made
        column = run.column
        if isinstance(outcome, BaseException):  # a bug in the driver: this column says so
            column.deliver(run.run, Failed(column.key, classify(outcome), "", Timings(None, 0)))
        elif isinstance(outcome, Problem):  # a bad UID, secrets not set: said in this column
            hint = "remove the column and fix the UID." if outcome.kind == "uid" else None
            failed = Failed(column.key, outcome.error(hint), "", Timings(None, 0.0))
            column.deliver(run.run, failed, outcome.missing)
        else:
            warning = _context_warning(outcome, run)
            if warning:
                column.post_message(column.Warned(column, run.run, warning))
            targets.append(replace(outcome, key=column.key, options=run.options,
                                   timeout_s=run.timeout_s, prompt=run.prompt))  # fmt: skip
            live.append(run)
    if not targets:
        return
    fanout = FanOut(targets, live[0].prompt)  # each target has its own
    by_key = {run.column.key: run for run in live}
    for run in live:
        run.column.joined(fanout)
    try:
        async for event in fanout.events():
            run = by_key[event.key]
            run.column.deliver(run.run, event)
    except asyncio.CancelledError:  # the worker went (its node was removed): say so
        for run in live:
            if run.current and run.column.running:
                run.column.deliver(run.run, Cancelled(run.column.key, "", Timings(None, 0.0)))
        raise
    finally:
        for run in live:
            run.column.left(fanout)
