"""One saved run, read-only: its prompt and options, and each SUT's answer side by side.

Provider text is shown as rich Text, never read as markup. From here the run can be sent again
(all its SUTs, or only those that did not finish well), copied as Markdown, or deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import Header, Static

from drivers.visible_text import visible
from sutui.screens.base import Page
from sutui.screens.history_actions import confirm_delete, copy_markdown, export_runs, rerun
from sutui.widgets.footer import Footer

if TYPE_CHECKING:
    from sutui.history.store import StoredRun
    from sutui.records import ResultRecord
    from sutui.settings import Settings


def heading(run: StoredRun) -> Text:
    from sutui.history.export import options_line, when

    text = Text()
    text.append(f"Run {run.id}", style="bold")
    text.append(f" · {when(run.started_at)} · from the {'app' if run.origin == 'app' else 'CLI'}")
    if run.previous_id is not None or run.branch_of is not None:
        text.append(f" · turn {run.turn + 1} of conversation {run.conversation_id}")
    if run.branch_of is not None:
        text.append(f" · an edited question, beside run {run.branch_of}")
    if run.parent_id is not None:
        text.append(f" · a re-run of run {run.parent_id}")
    if run.options:
        text.append(f"\noptions: {options_line(run.options)}", style="dim")
    if run.timeout_s:
        text.append(f"{' · ' if run.options else chr(10)}timeout {run.timeout_s:g} s", style="dim")
    return text


def prompt_text(run: StoredRun) -> Text:
    text = Text()
    if run.system:
        text.append("system: ", style="bold italic")
        text.append(visible(run.system) + "\n", style="italic")
    text.append(visible(run.prompt))
    return text


def answer_status(answer: ResultRecord, running: bool, timings: bool) -> Text:
    from sutui.history.export import MARKS, STATUS_STYLES, figures

    status = "running" if running else answer.status
    text = Text(f"{MARKS.get(status, '?')} {status}", style=STATUS_STYLES.get(status, "dim"))
    shown = figures(answer, timings)
    if shown:
        text.append(f" · {shown}", style="dim")
    return text


def answer_problem(answer: ResultRecord) -> Text:
    from sutui.history.export import error_line

    text = Text()
    if answer.error:
        text.append(visible(error_line(answer.error)), style="bold")
        if answer.error.get("hint"):
            text.append(f"\n{answer.error['hint']}", style="italic")
    elif answer.status == "partial":
        text.append("The run stopped before this answer ended: this is what had come.")
    return text


class AnswerPanel(VerticalScroll, can_focus=True):
    """One SUT's saved answer (focus it to scroll)."""

    def __init__(self, answer: ResultRecord, running: bool, timings: bool):
        super().__init__(classes=f"answer-panel -{answer.status}")
        self.answer = answer
        self.running = running
        self.timings = timings
        title = answer.sut
        self.border_title = title
        if answer.uid and answer.uid != answer.sut:
            self.border_subtitle = answer.uid

    def compose(self) -> ComposeResult:
        yield Static(answer_status(self.answer, self.running, self.timings), classes="status")
        for note in self.answer.notes:
            yield Static(Text(visible(f"note: {note}")), classes="note", markup=False)
        if self.answer.reasoning:
            yield Static(Text(f"thinking\n{visible(self.answer.reasoning)}"), classes="reasoning",
                         markup=False)  # fmt: skip
        yield Static(Text(visible(self.answer.text)), classes="answer", markup=False)
        yield Static(answer_problem(self.answer), classes="problem", markup=False)


class HistoryRunScreen(Page[None]):
    DEFAULT_CSS = """
    HistoryRunScreen #run-head { height: auto; padding: 0 1; }
    HistoryRunScreen #run-prompt {
        height: auto; max-height: 8; border: round $secondary 60%; padding: 0 1;
    }
    HistoryRunScreen #answers { height: 1fr; }
    HistoryRunScreen AnswerPanel {
        min-width: 30; height: 1fr; border: round $primary 40%; padding: 0 1;
    }
    HistoryRunScreen AnswerPanel:focus { border: round $accent; }
    HistoryRunScreen AnswerPanel > .status { height: auto; margin-bottom: 1; }
    HistoryRunScreen AnswerPanel > .problem { color: $text-error; margin-top: 1; }
    HistoryRunScreen AnswerPanel > .note { color: $text-warning; }
    HistoryRunScreen AnswerPanel > .reasoning {
        color: $text-muted; text-style: dim; margin-bottom: 1;
    }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="run.back", tooltip="The history list"),
        Binding("r", "rerun(False)", "Re-run", id="run.rerun",
                tooltip="Send the run again to all its SUTs (on the compare screen)"),
        Binding("f", "rerun(True)", "Re-run failed", id="run.rerun_failed",
                tooltip="Send the run again to the SUTs that did not finish well"),
        Binding("c", "copy", "Copy", id="run.copy", tooltip="Copy the run as Markdown"),
        Binding("e", "export", "Export", id="run.export",
                tooltip="Write the run to a .md, .json, .jsonl or .csv file"),
        Binding("d,delete", "delete", "Delete", id="run.delete", tooltip="Delete the run"),
    ]  # fmt: skip

    def __init__(self, run: StoredRun, settings: Settings):
        super().__init__(id="history-run")
        self.run = run
        self.settings = settings
        self.timings = settings.show_timings
        """Whether times are shown (the app's show_timings setting)."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(heading(self.run), id="run-head", markup=False)
        prompt = VerticalScroll(Static(prompt_text(self.run), markup=False), id="run-prompt")
        prompt.border_title = "prompt"
        prompt.can_focus = False
        yield prompt
        timings = self.timings
        with HorizontalScroll(id="answers", can_focus=False):
            for answer in self.run.answers:
                yield AnswerPanel(answer, answer.index in self.run.running, timings)
        yield Footer(compact=True)

    def on_resize(self) -> None:
        """Share the width between the answers, none narrower than 30 columns (then scroll)."""
        panels = list(self.query(AnswerPanel))
        width = max(30, self.size.width // max(1, len(panels)))
        for panel in panels:
            panel.styles.width = width

    def on_mount(self) -> None:
        self.sub_title = f"run {self.run.id} (read-only)"
        panels = self.query(AnswerPanel)
        if panels:
            panels.first().focus()

    def action_rerun(self, only_failed: bool) -> None:
        rerun(self, self.run, only_failed)

    def action_copy(self) -> None:
        copy_markdown(self, self.run, self.timings)

    def action_export(self) -> None:
        name = f"sutui-run-{self.run.id}.md"
        export_runs(self, [self.run.id], f"run {self.run.id}", name, self.settings)

    def action_delete(self) -> None:
        confirm_delete(self, self.run.id, self.app.pop_screen)
