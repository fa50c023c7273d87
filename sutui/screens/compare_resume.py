"""A saved conversation reopened in the compare screen (the history's t): its threads become
the columns, with its shared and own options and its system prompt, each column showing its
thread's earlier turns as they were answered, and the next send is the conversation's next
turn (recorded after the branch's latest run, so the history keeps one conversation).

A column's earlier turns are drawn from the saved answers (the text, how it ended, its figures)
and only where the thread took part: a column that joined later shows the turns it was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sutui.widgets.answer_view import past_text
from sutui.widgets.column_status import ColumnStatus

if TYPE_CHECKING:
    from rich.text import Text

    from sutui.history.store import StoredRun
    from sutui.history.threads import Resumed
    from sutui.records import ResultRecord
    from sutui.screens.compare import CompareScreen

_STATUS = {
    "done": ColumnStatus.done,
    "failed": ColumnStatus.error,
    "cancelled": ColumnStatus.cancelled,
}


def reopen(
    screen: CompareScreen,
    resumed: Resumed,
    question: str | None = None,
    then: Callable[[], None] | None = None,
) -> None:
    """Go on with `resumed` in `screen`: its columns and conversation are replaced (asked
    first, with `question` or a default, when they hold anything a user would miss: a
    conversation, or other SUTs); `then` runs once it is loaded."""
    from sutui.screens.dialogs import ConfirmScreen

    def go() -> None:
        load(screen, resumed)
        if then is not None:
            then()

    now = screen.columns
    same = [c.uid for c in now] == [t.sut for t in resumed.threads]
    if not now or (same and not screen.threads.turns and not any(c.running for c in now)):
        go()
        return
    what = _count(len(now), "column")
    turns = screen.threads.turns
    talk = f" and its conversation ({_count(turns, 'turn')})" if turns else ""
    question = question or (
        f"Go on with the conversation of run {resumed.last.id} "
        f"({_count(len(resumed.branch), 'turn')}: {', '.join(t.key for t in resumed.threads)})?"
    )
    question += f" It replaces the compare screen's {what}{talk}; the history keeps them."

    def answered(yes: bool | None) -> None:
        if yes:
            go()

    screen.app.push_screen(ConfirmScreen(question, "Yes (y)", "No (n)"), answered)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def rerun_turn(screen: CompareScreen, run: StoredRun, only_failed: bool) -> None:
    """The history's re-run of a turn after the first: its conversation reopened up to that
    turn, and its question sent again there to its SUTs (or those that did not finish well),
    each with its thread as it stood before: a new branch beside the run (as an edited
    question is), as `sutui history rerun` does."""
    from dataclasses import replace

    from sutui.history.threads import resume, thread_of
    from sutui.screens.history_actions import read_branch

    recording = screen.recording
    store = recording.store()
    branch = read_branch(screen, run.id, store) if store is not None else None
    if not branch:
        return
    resumed = resume(branch, recording.resolves)
    if only_failed:
        failed = {thread_of(a) for a in run.failed}
        resumed = replace(resumed, threads=tuple(t for t in resumed.threads if t.key in failed))

    def send() -> None:
        screen.threads.editing = run.turn  # sent as an edited question is: a branch there
        screen.editor.text = run.prompt
        recording.rerun_of(run.id)

    which = "the failed answers of " if only_failed else ""
    question = f"Re-run {which}turn {run.turn + 1} of run {run.id}'s conversation?"
    reopen(screen, resumed, question, send)


def load(screen: CompareScreen, resumed: Resumed) -> None:
    """The conversation's threads become the columns, ready for its next turn."""
    from drivers.options import SUTOptions

    screen.remove_columns(screen.columns)
    screen.threads.new()
    screen.shared, screen.timeout_s = SUTOptions(**resumed.options), resumed.timeout_s
    screen.set_system(resumed.system or "")
    screen.editor.text = ""
    timings = screen.services.settings.show_timings
    keys: dict[str, str] = {}
    for thread in resumed.threads:
        column = screen.add_column(thread.sut, remember=False, reveal=False)
        if thread.own_options:
            column.own_options = SUTOptions(**thread.options)
            column.own_timeout = resumed.timeout_s
        column.earlier = earlier_turns(resumed.branch, thread.key, timings)
        keys[thread.key] = column.key
    screen.threads.resumed(resumed, keys)
    turns = len(resumed.branch)
    screen.notify(
        f"The conversation of run {resumed.last.id} ({_count(turns, 'turn')}) "
        f"is open: what you send now is turn {turns + 1}.",
        title="History",
        markup=False,
    )
    screen.editor.focus_prompt()


def earlier_turns(
    branch: tuple[StoredRun, ...], thread: str, timings: bool
) -> list[tuple[Text, int | None]]:
    """Thread `thread`'s turns in `branch`, as a column draws its earlier turns (text and turn:
    the column makes widgets of the latest only, answer_view.SHOWN_PAST)."""
    from sutui.history.threads import thread_of

    drawn: list[tuple[Text, int | None]] = []
    for run in branch:
        answer = next((a for a in run.answers if thread_of(a) == thread), None)
        if answer is not None:
            said = ending(answer, timings)
            drawn.append(
                (past_text(run.prompt, answer.text, answer.reasoning or "", said), run.turn)
            )
    return drawn


def ending(answer: ResultRecord, timings: bool) -> str:
    """How a saved answer ended, as a column says it of an earlier turn: its status, then its
    problem or its figures."""
    from drivers.runner import Timings
    from sutui.history.export import error_line
    from sutui.widgets.figures import figure_parts

    status = _STATUS.get(answer.status)
    if status is None:  # partial: the app or run-sut stopped before it ended
        words = f"{ColumnStatus.cancelled.icon} partial (the run stopped)"
    else:
        words = f"{status.icon} {status.words}"
    if answer.error:
        return f"{words}: {error_line(answer.error)}"
    saved, usage = answer.timings, answer.usage
    parts = figure_parts(
        Timings(saved.first_token_s, saved.total_s or 0.0, saved.first_reasoning_s),
        usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None,
        usage.reasoning_tokens if usage else None,
        show_timings=timings,
        unreported=usage is None and answer.status == "done",
        reasoned=bool(answer.reasoning),
    )
    return " · ".join([words, *parts])
