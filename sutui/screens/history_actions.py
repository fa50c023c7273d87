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

from sutui.messages import RerunRequested

if TYPE_CHECKING:
    from sutui.history.store import HistoryStore, StoredRun


def with_history(action: Callable[[HistoryStore], Any]) -> Any:
    """Open the history, do `action`, close it (from a thread worker)."""
    from sutui.history.store import HistoryStore

    with HistoryStore() as store:
        return action(store)


def rerun(screen: Screen[Any], run: StoredRun, only_failed: bool) -> None:
    """Back to compare, with the run's SUTs (or its failed ones), prompt and options, sent: the
    app does it (sutui/app.py handles RerunRequested)."""
    screen.post_message(RerunRequested(run, only_failed))


def export_runs(screen: Screen[Any], ids: list[int], what: str, default: str) -> None:
    from sutui.history.export import export
    from sutui.screens.history_export import ExportScreen

    def render(fmt: str) -> str:
        runs = with_history(lambda store: [store.run(i) for i in ids])
        return str(export([r for r in runs if r is not None], fmt))

    def written(path: Path | None) -> None:
        if path is not None:
            screen.notify(f"Exported {what} to {path}.", title="Export", markup=False)

    screen.app.push_screen(ExportScreen(what, default, render), written)


def copy_markdown(screen: Screen[Any], run: StoredRun, timings: bool) -> None:
    from sutui.history.export import run_markdown

    text = run_markdown(run, timings)
    screen.app.copy_to_clipboard(text)
    screen.notify(
        f"Copied run {run.id} as Markdown ({len(text)} characters) with OSC 52. If nothing was "
        "copied, your terminal blocks OSC 52: `sutui history show "
        f"{run.id}` prints the same text.",
        title="Copy",
        markup=False,
    )


def confirm_delete(screen: Screen[Any], run_id: int, after: Callable[[], object]) -> None:
    from sutui.history.errors import HistoryError
    from sutui.screens.dialogs import ConfirmScreen

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            with_history(lambda store: store.delete([run_id]))
        except HistoryError as exc:
            screen.notify(str(exc), title="History", severity="error", markup=False)
            return
        screen.notify(f"Deleted run {run_id}.")
        after()

    screen.app.push_screen(ConfirmScreen(f"Delete run {run_id} and its answers?"), answered)
