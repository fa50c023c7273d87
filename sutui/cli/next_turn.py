"""The next turn of a saved conversation: `run-sut --continue RUN`, and `history rerun` of a
turn after the first. Each SUT is sent its own thread (the system prompt, the questions, its
own answers), rebuilt from the history (sutui/history/threads.py); the run is saved as the next
turn after RUN.

What stops it, before anything is sent (exit 2): RUN unknown; later turns already going on from
RUN (continue the newest, or --fork a new branch); a SUT with no whole answer to the latest
turn, a gap (--allow-gaps sends its question without an answer, joined to the new one); a SUT
that takes one text prompt only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from drivers.options import SUTOptions
from drivers.run_plan import run_keys
from sutui.cli.job import Job, Turn
from sutui.cli.run_ids import parse_run
from sutui.errors import InputError
from sutui.history.export import error_line
from sutui.history.threads import Resumed, resume, thread_of
from sutui.targets import make_targets, resolves
from sutui.timeouts import effective

if TYPE_CHECKING:
    from sutui.cli.context import CliContext
    from sutui.history.store import HistoryStore, StoredRun

TEXT_ONLY_FIX = "start a new conversation (without --continue), or leave it out (--sut naming " \
    "the others)"  # fmt: skip


@dataclass(frozen=True)
class Asked:
    """What `run-sut --continue` was asked."""

    run: str
    """RUN as typed (`12`, `#12`, `last`)."""
    text: str
    system: str | None
    """None: the conversation's system prompt."""
    suts: tuple[str, ...]
    """Empty: every SUT of RUN. Names that are a thread's key (its run key: `uid`, `uid#2`)
    continue it; any other starts a thread that joins now."""
    options: dict[str, Any]
    """The options given on the command line (SUTOptions fields): they override each SUT's."""
    timeout: float | None = None
    fork: bool = False
    allow_gaps: bool = False


@dataclass(frozen=True)
class Chosen:
    """A thread to send the turn to."""

    key: str
    sut: str
    options: dict[str, Any]


def next_turn(ctx: CliContext, store: HistoryStore, asked: Asked) -> tuple[Job, float]:
    """The job that sends `asked.text` as the turn after run `asked.run`, and its timeout."""
    run_id = parse_run(store, asked.run)
    branch = store.conversation(run_id)
    if branch is None:
        raise InputError(f"no run {run_id} in the history: `sutui history list` shows the ids.")
    last = branch[-1]
    later = store.later(run_id)
    if later and not asked.fork:
        tip = store.tip(run_id)
        _, tip_turn = store.position(tip) or (0, 0)
        raise InputError(
            f"run {run_id} is turn {last.turn + 1} of conversation {last.conversation_id}, and "
            f"later turns go on from it (the newest: run {tip}, turn {tip_turn + 1}). Continue "
            f"that one (--continue {tip}), or add --fork to go on from run {run_id} on a new "
            "branch (the later turns stay in the history)."
        )
    resumed = resume(branch, lambda name: resolves(ctx, name))
    threads = {t.key: t for t in resumed.threads}
    chosen: list[Chosen] = []
    if asked.suts:
        for name, key in zip(asked.suts, run_keys(asked.suts), strict=True):
            known = threads.get(key)
            if known is not None:
                chosen.append(Chosen(key, known.sut, known.options))
            else:  # a SUT that joins the conversation now
                chosen.append(Chosen(key, name, dict(resumed.options)))
    else:
        chosen = [Chosen(t.key, t.sut, t.options) for t in resumed.threads]
    if not chosen:  # a run with no answer rows (a hand edit)
        raise InputError(f"run {run_id} has no SUTs to go on with: name them with --sut UID.")
    return plan(
        ctx,
        resumed,
        text=asked.text,
        system=asked.system if asked.system is not None else resumed.system,
        chosen=chosen,
        shared={**resumed.options, **asked.options},
        given=asked.options,
        timeout=asked.timeout or effective(resumed.timeout_s),
        branch_of=later[-1] if later else None,
        allow_gaps=asked.allow_gaps,
    )


def rerun_turn(
    ctx: CliContext, store: HistoryStore, run: StoredRun, only_failed: bool
) -> tuple[Job, float]:
    """`history rerun` of a turn after the first: its question again, each SUT (or each that
    did not finish well) sent its thread as it stood before that turn; a new branch beside it."""
    assert run.previous_id is not None
    branch = store.conversation(run.previous_id)
    if branch is None:
        raise InputError(
            f"run {run.id} goes on from run {run.previous_id}, which is no longer in the "
            "history: its thread cannot be rebuilt."
        )
    answers = run.failed if only_failed else run.answers
    chosen = [Chosen(thread_of(a), _to_send(ctx, a.sut, a.uid), dict(a.options)) for a in answers]
    return plan(
        ctx,
        resume(branch, lambda name: resolves(ctx, name)),
        text=run.prompt,
        system=run.system,
        chosen=chosen,
        shared=run.options,
        given={},
        timeout=effective(run.timeout_s),
        branch_of=run.id,
        allow_gaps=True,  # the turn was sent across them before: sent the same way again
    )


def _to_send(ctx: CliContext, sut: str, uid: str | None) -> str:
    from sutui.history.rerun import named

    name = named(sut)
    return uid if uid and uid != name and not resolves(ctx, name) else name


def plan(
    ctx: CliContext,
    resumed: Resumed,
    *,
    text: str,
    system: str | None,
    chosen: Sequence[Chosen],
    shared: dict[str, Any],
    given: dict[str, Any],
    timeout: float,
    branch_of: int | None,
    allow_gaps: bool,
) -> tuple[Job, float]:
    """Every chosen thread's prompt for `text`, its SUT made and checked, as one job."""
    talk = resumed.conversation
    talk.system = system  # each turn sends the whole thread with the system prompt it has now
    last = resumed.last
    gaps = [c for c in chosen if not talk.joined_later(c.key) and resumed.gap(c.key)]
    if gaps and not allow_gaps:
        raise InputError(_gap_message(last, gaps))
    notes: dict[str, list[str]] = {}
    prompts = {}
    for c in chosen:
        prompt, said = talk.prompt_for(c.key, text)
        if talk.joined_later(c.key):
            said = [f"joined at turn {last.turn + 2}: " + n for n in said]
        prompts[c.key] = prompt
        if said:
            notes[c.key] = said
    shared_options = SUTOptions(**shared)
    names = tuple(c.sut for c in chosen)
    canonical: dict[str, str] = {}
    first = prompts[chosen[0].key]  # every thread is a chat by now: one stands for all
    targets = make_targets(ctx, names, canonical, prompt=first, options=shared_options,
                           fix=TEXT_ONLY_FIX)  # fmt: skip
    keyed: dict[str, str] = {}
    made = []
    for target, c, run_key in zip(targets, chosen, run_keys(names), strict=True):
        own = {**c.options, **given}
        made.append(
            replace(
                target,
                key=c.key,
                prompt=prompts[c.key],
                options=SUTOptions(**own) if own != shared else None,
            )
        )
        if run_key in canonical:
            keyed[c.key] = canonical[run_key]
    turn = Turn(text, system, previous_id=last.id, branch_of=branch_of, notes=notes,
                number=last.turn + 1)  # fmt: skip
    return Job(made, first, shared_options, keyed, turn), timeout


def _gap_message(last: StoredRun, gaps: Sequence[Chosen]) -> str:
    by_thread = {thread_of(a): a for a in last.answers}
    lines = []
    for c in gaps:
        answer = by_thread.get(c.key)
        if answer is None:
            why = f"was not asked turn {last.turn + 1}"
        elif answer.status == "failed" and answer.error:
            why = f"failed ({error_line(answer.error)})"
        elif answer.status == "done":
            why = "was cut at the length limit"
        else:
            why = str(answer.status)
        lines.append(f"  {c.key}: {why}")
    them = "it" if len(gaps) == 1 else "them"
    return "\n".join([
        f"no whole answer to turn {last.turn + 1} (run {last.id}) from these SUTs, so their "
        "threads have a gap:",
        *lines,
        f"Send anyway with --allow-gaps (that question goes without an answer, joined to the new "
        f"one), leave {them} out with --sut naming the others, or ask turn {last.turn + 1} again "
        f"first: `sutui history rerun {last.id}` (a new branch; then --continue the run it "
        "makes).",
    ])  # fmt: skip
