"""What the history list and a saved run's screen both do with a run: read it, re-run it (a
message the app handles), copy it, export it, delete it (after a confirmation dialog).

Each action takes what it needs (the screen it notifies and pushes dialogs from, the run, the
timings setting): nothing here knows the app or another screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from sutui.messages import ContinueConversation, RerunRequested

if TYPE_CHECKING:
    from sutui.history.store import HistoryStore, StoredRun
    from sutui.settings import Settings


def with_history(action: Callable[[HistoryStore], Any]) -> Any:
    """Open the history, do `action`, close it (from a thread worker)."""
    from sutui.history.store import HistoryStore

    with HistoryStore() as store:
        return action(store)


def rerun(screen: Screen[Any], run: StoredRun, only_failed: bool) -> None:
    """Back to compare, with the run's SUTs (or its failed ones), prompt and options, sent: the
    app does it (sutui/app.py handles RerunRequested). Asked first: it sends requests that may
    cost money, and a single letter must never do that unasked."""
    from sutui.screens.dialogs import ConfirmScreen

    answers = run.failed if only_failed else run.answers
    if not answers:
        screen.notify(f"Every SUT of run {run.id} finished well: nothing to re-run.")
        return
    names = ", ".join(a.sut for a in answers)
    count = f"{len(answers)} request" + ("s" if len(answers) > 1 else "")
    what = "the SUTs that did not finish well" if only_failed else "its SUTs"
    question = (
        f"Re-run run {run.id} on the compare screen: its prompt sent again to {what} "
        f"({names}). That is {count} to the providers (they may cost money)."
    )

    def answered(yes: bool | None) -> None:
        if yes:
            screen.post_message(RerunRequested(run, only_failed))

    screen.app.push_screen(ConfirmScreen(question, f"Send {count} (y)", "No (n)"), answered)


def go_on(screen: Screen[Any], run_id: int, resolves: Callable[[str], bool]) -> None:
    """Back to compare with the conversation ending at `run_id`, ready for its next turn: the
    app hands ContinueConversation to the compare screen."""
    from sutui.history.threads import resume

    branch = read_branch(screen, run_id)
    if branch:
        screen.post_message(ContinueConversation(run_id, resume(branch, resolves)))


def read_branch(
    screen: Screen[Any], run_id: int, store: HistoryStore | None = None
) -> list[StoredRun] | None:
    """The branch ending at run `run_id`, to go on with (its answers' `messages` not rebuilt),
    from `store` (None: the history opened for it); None, said on `screen`, when it cannot be
    read or is gone."""
    from sutui.history.errors import HistoryError

    branch: list[StoredRun] | None
    try:
        if store is None:
            branch = with_history(lambda opened: opened.conversation(run_id, messages=False))
        else:
            branch = store.conversation(run_id, messages=False)
    except HistoryError as exc:
        screen.notify(str(exc), title="History", severity="error", markup=False)
        return None
    if not branch:
        screen.notify(f"Run {run_id} is no longer in the history.", severity="warning")
        return None
    return branch


def branch_runs(store: HistoryStore, ids: list[int], whole: bool) -> list[StoredRun]:
    """Each run with the turns before it, or (`whole`) every run of its conversation, every
    branch; each run once, in the order given (a conversation's runs together)."""
    found: dict[int, StoredRun] = {}
    for run_id in ids:
        if whole:
            run = store.run(run_id)
            runs = store.conversation_runs(run.conversation_id or run.id) if run else []
        else:
            runs = store.conversation(run_id) or []
        for run in runs:
            found.setdefault(run.id, run)
    return list(found.values())


def export_runs(
    screen: Screen[Any],
    ids: list[int],
    what: str,
    default: str,
    settings: Settings,
    whole: bool = False,
) -> None:
    """Export runs, each with the turns before it (`whole`: each one's whole conversation), to
    a folder the user chooses (`settings` remembers the last); says the full path written."""
    from sutui.history.export import export
    from sutui.screens.history_export import ExportScreen

    def render(fmt: str) -> str:
        runs = with_history(lambda store: branch_runs(store, ids, whole))
        return str(export(runs, fmt))

    def written(path: Path | None) -> None:
        if path is not None:
            screen.notify(f"Exported {what} to {path}.", title="Export", markup=False)

    screen.app.push_screen(ExportScreen(what, default, render, settings), written)


def copy_markdown(screen: Screen[Any], run: StoredRun, timings: bool) -> None:
    """The run as Markdown, with the turns before it when it goes on a conversation."""
    from sutui.history.export import markdown

    branch = [run]
    if run.previous_id is not None:
        branch = with_history(lambda store: store.conversation(run.id)) or branch
    text = markdown(branch, timings).rstrip("\n")
    screen.app.copy_to_clipboard(text)
    screen.notify(
        f"Copied run {run.id} as Markdown ({len(text)} characters) with OSC 52. If nothing was "
        "copied, your terminal blocks OSC 52: `sutui history show "
        f"{run.id}` prints the same text.",
        title="Copy",
        markup=False,
    )


def confirm_delete(
    screen: Screen[Any], run_id: int, after: Callable[[], object], whole: bool = False
) -> None:
    """Delete a run (and the later turns that go on from it), or (`whole`) its conversation,
    after a confirmation that says which runs go."""
    from sutui.history.errors import HistoryError
    from sutui.screens.dialogs import ConfirmScreen

    def which(store: HistoryStore) -> tuple[list[int], list[int]]:
        run = store.run(run_id)
        if whole and run is not None:
            every = [r.id for r in store.conversation_runs(run.conversation_id or run.id)]
            return every, []
        return [run_id], store.later_turns([run_id])

    try:
        chosen, later = with_history(which)
    except HistoryError as exc:
        screen.notify(str(exc), title="History", severity="error", markup=False)
        return
    ids = chosen + later
    named = ", ".join(map(str, ids))
    if len(chosen) > 1:
        question = f"Delete the conversation (run {named}) and its answers?"
    elif later:
        question = f"Delete run {run_id} and the later turns that go on from it (run {named})?"
    else:
        question = f"Delete run {run_id} and its answers?"

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            with_history(lambda store: store.delete(ids))
        except HistoryError as exc:
            screen.notify(str(exc), title="History", severity="error", markup=False)
            return
        screen.notify(f"Deleted run {named}.")
        after()

    screen.app.push_screen(ConfirmScreen(question), answered)
