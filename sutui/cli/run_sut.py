"""`sutui run-sut`: one prompt to one or more SUTs, run concurrently, answers as they finish;
with `--continue RUN`, the next turn of a saved conversation (sutui/cli/next_turn.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from drivers.known_secrets import register_known
from drivers.prompt import Prompt, make_prompt, prompt_parts
from drivers.redaction import redact
from drivers.runner import (
    Cancelled,
    Chunk,
    Failed,
    FanOut,
    Finished,
    ReasoningChunk,
    Retrying,
    RunEvent,
    Timings,
)
from drivers.transport import aclose_client
from drivers.visible_text import visible
from sutui import text_input
from sutui.cli.context import pass_context
from sutui.cli.errors import RUN_FAILED, InputError
from sutui.cli.job import Job
from sutui.cli.model_options import model_options, run_runtime, sut_options
from sutui.history.errors import HistoryError, HistoryStorageError
from sutui.history.planned import Planned
from sutui.history.recorder import RunRecorder
from sutui.records import now_iso, options_dict
from sutui.run_figures import answer_speed, seconds, tokens
from sutui.targets import make_targets as make_targets
from sutui.targets import missing_secrets_message as missing_secrets_message

if TYPE_CHECKING:
    from sutui.history.store import HistoryStore


def build_prompt(prompt: str, system: str | None) -> Prompt:
    return make_prompt(read_prompt(prompt, system), system)


def read_prompt(prompt: str, system: str | None) -> str:
    """The prompt's text (`-`: stdin), checked with --system: text, UTF-8, not empty."""
    name = "--prompt"
    if prompt == "-":
        name = "the prompt on stdin"
        # Bytes, decoded here: what is not UTF-8 is refused with its place, not a traceback.
        prompt = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        if prompt.endswith("\n"):  # the newline that ends the piped text is not part of it
            prompt = prompt[:-1]
    fix = "set your terminal (or the program piping it) to UTF-8"
    try:
        text_input.check(prompt, name, fix)
        if system is not None:
            text_input.check(system, "--system", fix)
    except text_input.NotText as exc:
        raise InputError(str(exc)) from None
    if not prompt.strip():
        raise InputError("the prompt is empty: give --prompt TEXT (or --prompt - to read stdin).")
    return prompt


def _stats(timings: Timings, usage: Any, finish: str | None, reasoned: bool = False) -> str:
    parts = [seconds(timings.total_s)]
    if timings.first_reasoning_s is not None:
        parts.append(f"first thought {seconds(timings.first_reasoning_s)}")
    if timings.first_token_s is not None:
        parts.append(f"first token {seconds(timings.first_token_s)}")
    if usage is not None and (usage.prompt_tokens is not None or usage.completion_tokens):
        out = usage.completion_tokens or 0
        text = tokens(usage.prompt_tokens or 0, out)
        if usage.reasoning_tokens:
            text += f" ({usage.reasoning_tokens} reasoning)"
        parts.append(text)
        speed = answer_speed(timings, usage.completion_tokens, usage.reasoning_tokens, reasoned)
        if speed:
            parts.append(speed)
    elif usage is None:
        parts.append("tokens not reported")
    if finish:
        parts.append(finish)
    return " · ".join(parts)


class HumanPrinter:
    """Streams live when there is one SUT; with several, prints each answer as it finishes.
    Provider text is printed with its control characters shown (drivers/visible_text.py)."""

    def __init__(self, live: bool):
        self.live = live
        self.started: set[str] = set()
        self.thinking: set[str] = set()
        """SUTs whose live output is in its thinking section."""

    def header(self, key: str) -> None:
        click.secho(f"━━ {key} ━━", bold=True)

    def on_event(self, event: RunEvent) -> None:
        if isinstance(event, Chunk | ReasoningChunk) and self.live:
            if event.key not in self.started:
                self.header(event.key)
                self.started.add(event.key)
            thought = isinstance(event, ReasoningChunk)
            if thought and event.key not in self.thinking:
                self.thinking.add(event.key)
                click.secho("── thinking", dim=True)
            elif not thought and event.key in self.thinking:
                self.thinking.discard(event.key)
                click.echo()
                click.secho("── answer", dim=True)
            click.secho(visible(event.text), nl=False, dim=thought)
            sys.stdout.flush()
            return
        if isinstance(event, Retrying) and event.restart and event.key in self.started:
            self.thinking.discard(event.key)  # the new attempt's reasoning gets its header
            click.echo()
            click.secho(
                f"── ↻ {event.error.one_line()}: the text above is void; the answer starts "
                f"again in {event.wait_s:.1f} s (attempt {event.attempt + 1})",
                fg="yellow",
            )
            return
        if not isinstance(event, Finished | Failed | Cancelled):
            return
        if event.key not in self.started:
            self.header(event.key)
            if not self.live:
                if isinstance(event, Finished):
                    text, reasoning = event.response.text, event.response.reasoning or ""
                else:
                    text, reasoning = event.partial_text, event.partial_reasoning
                if reasoning:
                    click.secho("── thinking", dim=True)
                    click.secho(visible(reasoning), dim=True)
                    click.secho("── answer", dim=True)
                click.echo(visible(text), nl=False)
        click.echo()
        if isinstance(event, Finished):
            r = event.response
            stats = _stats(event.timings, r.usage, r.finish_reason, bool(r.reasoning))
            click.secho(f"── done · {stats}", dim=True)
            notes: tuple[str, ...] | list[str] = r.notes
        elif isinstance(event, Failed):
            click.secho(f"── failed · {event.error.one_line()}", fg="red", err=False)
            if event.error.hint:
                click.echo(f"   what to do: {event.error.hint}")
            notes = event.notes
        else:
            click.secho(f"── cancelled after {event.timings.total_s:.2f} s", fg="yellow")
            notes = event.notes
        for note in notes:
            click.secho(f"   note: {visible(note)}", fg="yellow")
        click.echo()

    def interrupted(self, key: str, text: str, reasoning: str = "") -> None:
        """A SUT still answering at ctrl+c: what came, marked partial."""
        if key not in self.started:
            self.header(key)
            if reasoning:
                click.secho(f"── thinking\n{visible(reasoning)}\n── answer", dim=True)
            click.echo(visible(text), nl=False)
        click.echo()
        click.secho("── interrupted: the answer above is partial", fg="yellow")
        click.echo()


@click.command("run-sut")
@click.option(
    "--sut",
    "suts",
    multiple=True,
    metavar="UID",
    help="A predefined SUT or a dynamic UID (quote it: ';' is special to the shell). Repeat to "
    "run several at once. With --continue: the conversation's SUTs to send to (their run keys, "
    "`uid#2` for a repeat) and any new ones; default: all of its latest turn's.",
)
@click.option("--prompt", required=True, help="The prompt text, or - to read it from stdin.")
@click.option(
    "--system",
    default=None,
    help="A system prompt (sends a chat prompt). With --continue: replaces the conversation's "
    "for this turn and the next ones (each turn sends the whole thread).",
)
@click.option(
    "--continue",
    "continue_run",
    metavar="RUN",
    default=None,
    help="Send --prompt as the next turn of the saved conversation whose latest turn is run RUN "
    "(an id from `sutui history list`, or `last`): each SUT is sent its own thread (the system "
    "prompt, the questions, its own answers), with its options (flags given here override "
    "them).",
)
@click.option(
    "--fork",
    is_flag=True,
    help="With --continue: go on from RUN even though later turns continue it (a new branch; "
    "the later turns stay in the history).",
)
@click.option(
    "--allow-gaps",
    is_flag=True,
    help="With --continue: also send to a SUT with no whole answer to the latest turn (failed, "
    "cancelled, cut short); that question goes without an answer, joined to the new one.",
)
@model_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per SUT, one per line.")
@click.option(
    "--no-history", is_flag=True, help="Do not save this run in the history (`sutui history`)."
)
def run_sut(
    suts: tuple[str, ...],
    prompt: str,
    system: str | None,
    continue_run: str | None,
    fork: bool,
    allow_gaps: bool,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    top_k: int | None,
    stop: tuple[str, ...],
    seed: int | None,
    reasoning: str | None,
    timeout: float,
    idle_timeout: float | None,
    as_json: bool,
    no_history: bool,
) -> int:
    """Send one prompt to one or more SUTs at once, or (--continue) the next turn of a saved
    conversation to each of its SUTs."""
    ctx = pass_context()
    options = sut_options(max_tokens, temperature, top_p, top_k, stop, seed, timeout, reasoning)
    run_runtime(idle_timeout)  # the flag checked before anything is read or resolved
    if continue_run is not None:
        from sutui.cli.next_turn import Asked, next_turn

        if no_history:
            raise InputError(
                "--continue reads the conversation from the history and saves the new turn "
                "there: drop --no-history (or drop --continue for a run of its own)."
            )
        given = {"max_tokens": max_tokens, "temperature": temperature, "top_p": top_p,
                 "top_k_per_token": top_k, "stop_sequences": stop or None, "seed": seed,
                 "reasoning": reasoning}  # fmt: skip
        dumped = options.model_dump(mode="json")
        source = click.get_current_context().get_parameter_source("timeout")
        asked = Asked(
            run=continue_run,
            text=read_prompt(prompt, system),
            system=system,
            suts=suts,
            options={k: dumped[k] for k, v in given.items() if v is not None},
            timeout=timeout if source is not click.core.ParameterSource.DEFAULT else None,
            fork=fork,
            allow_gaps=allow_gaps,
        )
        store = open_history(strict=True)
        assert store is not None
        try:
            job, timeout = next_turn(ctx, store, asked)
        except BaseException:
            store.close()
            raise
        register_known(ctx.store)
        recorder = RunRecorder(store, warn)
        with run_runtime(idle_timeout, len(job.targets)):
            return asyncio.run(run_job(job, timeout, as_json, recorder))
    if fork or allow_gaps:
        flag = "--fork" if fork else "--allow-gaps"
        raise InputError(f"{flag} goes with --continue RUN: drop it, or add --continue RUN.")
    if not suts:
        raise InputError(
            "say which SUTs to send to: --sut UID (repeat it for several), or --continue RUN to "
            "go on with a saved conversation (`sutui history list` shows them)."
        )
    the_prompt = build_prompt(prompt, system)
    canonical: dict[str, str] = {}
    fix = "drop --system" if system is not None else None  # a text-only SUT, a system prompt
    targets = make_targets(ctx, suts, canonical, prompt=the_prompt, options=options, fix=fix)
    register_known(ctx.store)  # a prompt quoting any of the user's keys is stored masked
    job = Job(targets, the_prompt, options, canonical)
    recorder = RunRecorder(None if no_history else open_history(), warn)
    with run_runtime(idle_timeout, len(job.targets)):
        return asyncio.run(run_job(job, timeout, as_json, recorder))


def warn(problem: str) -> None:
    click.echo(f"sutui: warning: {problem}", err=True)


def open_history(strict: bool = False) -> HistoryStore | None:
    """The history, or None (with a warning) when it cannot be opened: the run goes on.
    `strict` (a run that needs it: --continue) raises instead."""
    from sutui.history.store import HistoryStore  # not imported by a run with --no-history

    try:
        store = HistoryStore()
    except HistoryError as exc:
        if strict:
            raise
        warn(f"history not saved: {exc}")
        return None
    if strict and store.read_only is not None:
        store.close()
        raise HistoryStorageError(f"--continue saves the new turn, but {store.read_only}")
    return store


async def run_job(
    job: Job, timeout: float, as_json: bool, recorder: RunRecorder, parent_id: int | None = None
) -> int:
    """Each answer is saved in the history before it is printed (a kill loses none shown)."""
    targets, prompt, options = job.targets, job.prompt, job.options
    printer = HumanPrinter(live=len(targets) == 1)
    started_at = now_iso()
    text, system = prompt_parts(prompt)
    turn = job.turn
    if turn is not None:
        text, system = turn.text, turn.system
    recorder.begin(
        [t.key for t in targets],
        [
            Planned(t.key, job.canonical.get(t.key), options_dict(t.options or options))
            for t in targets
        ],
        prompt=text,
        system=system,
        options=options_dict(options),
        origin="cli",
        timeout_s=timeout,
        parent_id=parent_id,
        started_at=started_at,
        previous_id=turn.previous_id if turn is not None else None,
        branch_of=turn.branch_of if turn is not None else None,
    )
    if turn is not None and not as_json:
        fork = f", a new branch beside run {turn.branch_of}" if turn.branch_of else ""
        saved = f"run {recorder.run_id}, " if recorder.run_id is not None else ""
        click.secho(
            f"── turn {turn.number + 1} ({saved}after run {turn.previous_id}{fork})", dim=True
        )
    failed = False
    partial: dict[str, list[str]] = {t.key: [] for t in targets}
    """What each SUT still answering has sent (printed, marked partial, if ctrl+c comes)."""
    thoughts: dict[str, list[str]] = {t.key: [] for t in targets}
    """...and its reasoning."""
    began = time.monotonic()
    try:
        async for event in FanOut(targets, prompt, options, timeout_s=timeout).events():
            recorder.feed(event)
            if isinstance(event, Chunk):
                partial[event.key].append(event.text)
            if isinstance(event, ReasoningChunk):
                thoughts[event.key].append(event.text)
            if isinstance(event, Retrying) and event.restart:  # a broken stream starts again
                partial[event.key], thoughts[event.key] = [], []
            if isinstance(event, Failed | Cancelled):
                failed = True
            if isinstance(event, Finished | Failed | Cancelled):
                partial.pop(event.key, None)
                record = recorder.finish(event.key, job.record(event, started_at))
                if as_json:
                    click.echo(record.to_json())
            if not as_json:
                printer.on_event(event)
    except (asyncio.CancelledError, KeyboardInterrupt):
        for key, pieces in partial.items():
            text, thought = redact("".join(pieces)), redact("".join(thoughts[key]))
            if as_json:
                elapsed = Timings(None, time.monotonic() - began)
                stopped = Cancelled(key, text, elapsed, thought)
                record = recorder.stamped(job.record(stopped, started_at), key)
                record = record.model_copy(update={"status": "partial"})
                click.echo(record.to_json())
            else:
                printer.interrupted(key, text, thought)
        raise
    finally:
        recorder.stop()  # interrupted (ctrl+c): what came is kept, as partial
        await aclose_client()  # before the loop ends, or aiohttp warns on stderr
        if recorder.store is not None:
            recorder.store.close()
    return RUN_FAILED if failed else 0
