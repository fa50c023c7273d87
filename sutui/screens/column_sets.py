"""Column sets on screen: save the compare screen's columns by name, open a saved set (its
columns replace these, or join them), delete one; and the columns of the last exit, remembered
and opened again at the next start. The data is sutui/column_sets.py,
the sets file sutui/column_set_store.py.

Everything here takes the compare screen and uses its public parts (columns, add_column,
remove_column, shared, timeout_s, threads): the screen itself knows nothing of sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sutui.column_set_store import ReadySet, SetsFile, SetsFileError, check_name, ready
from sutui.column_sets import REDACTED, ColumnSet, SetColumn
from sutui.screens.base import Dialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from sutui.screens.compare import CompareScreen
    from sutui.settings import Settings
    from sutui.widgets.sut_column import SUTColumn

OPEN_HELP = "enter opens (its columns replace these) · a adds beside · d deletes · esc closes"
DELETE_HELP = "enter deletes (after a question) · esc closes"
SAVE_HELP = "enter saves · ↓ picks a set to replace · esc closes"


# ----- the compare screen's columns as a set, and back -----------------------------------------
def current_set(screen: CompareScreen) -> ColumnSet:
    """The screen's columns in order: each one's UID, and its own options and time limit when it
    has them; the shared options and time limit."""
    from sutui.records import options_dict

    columns = tuple(
        SetColumn(c.uid, options_dict(c.own_options), c.own_timeout)
        if c.own_options is not None
        else SetColumn(c.uid)
        for c in screen.columns
    )
    return ColumnSet(columns, options_dict(screen.shared), screen.timeout_s)


def remember_columns(screen: CompareScreen, settings: Settings) -> str | None:
    """At exit: the columns become the ones the next start opens with (app.toml's [start]).
    Written only when they changed; returns a problem to show, or None."""
    if not screen.is_mounted:
        return None  # the app ends before its first frame: nothing to remember
    now = current_set(screen).scrubbed()[0]
    if now == settings.start:
        return None
    settings.start = now
    return settings.save()


def restore_options(screen: CompareScreen, start: ColumnSet) -> None:
    """After the first frame: the start columns (composed from their UIDs alone, so the first
    frame needs no driver layer) get the options they had at the last exit. What no longer
    parses is left out and said, in the column and once in a notification."""
    columns = screen.columns
    needed = start.has_options or any(REDACTED in uid for uid in start.uids)
    if not needed or [c.uid for c in columns] != start.uids:
        return
    found = ready(start)
    screen.shared, screen.timeout_s = found.shared, found.timeout_s
    for column, wanted in zip(columns, found.columns, strict=True):
        if wanted.options is not None:
            column.own_options, column.own_timeout = wanted.options, wanted.timeout_s
            column.watch_status(column.status, column.status)  # "own options" on its status line
    _say_problems(screen, found, columns, "The columns of the last exit")


def apply_set(screen: CompareScreen, found: ReadySet, name: str, beside: bool) -> None:
    """Open a set. Its columns replace the screen's (a new conversation; its shared options and
    time limit become the shared ones), or, `beside`, join them on the right: the shared
    options stay, and a column whose options in the set differ from them gets them as its own.
    A joining column starts from the conversation's questions at the next send, as any added
    column does."""
    from sutui.screens.column_secrets import check_columns

    if not beside:
        for column in screen.columns:
            screen.remove_column(column)
        screen.threads.new()  # new columns, a new conversation
        screen.shared, screen.timeout_s = found.shared, found.timeout_s
    added = []
    for wanted in found.columns:
        column = screen.add_column(wanted.uid, remember=False)
        options, timeout = wanted.options, wanted.timeout_s
        differs = (found.shared, found.timeout_s) != (screen.shared, screen.timeout_s)
        if options is None and beside and differs:  # the set's shared options, its own now
            options, timeout = found.shared, found.timeout_s
        if options is not None:
            column.own_options, column.own_timeout = options, timeout
        added.append(column)
    check_columns(screen, added, added=True)  # a missing secret is said now, not at the send
    verb = "Added" if beside else "Opened"
    where = " beside the others" if beside else ""
    screen.notify(
        f"{verb} column set {name!r}{where}: {len(added)} column{'s' * (len(added) != 1)}.",
        title="Column sets",
        markup=False,
    )
    when_mounted(screen, added, lambda: _say_problems(screen, found, added, f"Set {name!r}"))


def when_mounted(screen: CompareScreen, columns: list[SUTColumn], then: Callable[[], None],
                 tries: int = 100) -> None:  # fmt: skip
    """Call `then` once every column's answer view is mounted (a few frames after mounting)."""
    if all(c.composed for c in columns) or tries <= 0:
        screen.fit_columns()  # the widths, now that the old columns are gone
        then()
    else:
        screen.set_timer(0.02, lambda: when_mounted(screen, columns, then, tries - 1))


def _say_problems(
    screen: CompareScreen, found: ReadySet, columns: list[SUTColumn], what: str
) -> None:
    for column, wanted in zip(columns, found.columns, strict=False):
        if wanted.problems and column.is_attached:
            lines = Text("Restored with a problem:\n", style="bold")
            lines.append("\n".join(wanted.problems), style="italic")
            column.answer.show_problem(lines)
    problems = found.all_problems()
    if problems:
        screen.notify(
            f"{what}: " + "; ".join(problems) + ".",
            title="Column sets", severity="warning", markup=False, timeout=20,
        )  # fmt: skip


# ----- palette commands ------------------------------------------------------------------------
def save_set(screen: CompareScreen) -> None:
    """Ask a name, ask again before replacing a set of that name, save the columns under it."""
    if not screen.columns:
        screen.notify("No column to save: add a SUT first (ctrl+n).", severity="warning")
        return
    sets = SetsFile.load()
    if sets.broken:
        _warn(screen, sets.broken)
        return
    column_set, held = current_set(screen).scrubbed()

    def save(name: str) -> None:
        try:
            sets.save(name, column_set)
        except SetsFileError as exc:
            _warn(screen, str(exc))
            return
        count = len(column_set.columns)
        screen.notify(
            f"Saved {count} column{'s' * (count != 1)} as set {name!r} ({sets.path}).",
            title="Column sets", markup=False,
        )  # fmt: skip
        if held:
            _warn(screen, f"{', '.join(held)}: a credential in the UID was not saved (it reads "
                  f"{REDACTED}); keys belong in the secret store (f6).")  # fmt: skip

    def named(name: str | None) -> None:
        if name is None:
            return
        old = sets.sets.get(name)
        if old is None:
            save(name)
            return
        from sutui.screens.dialogs import ConfirmScreen

        question = (f"Set {name!r} exists ({old.summary(200)}). Replace it with the "
                    f"{len(column_set.columns)} columns of now?")  # fmt: skip
        confirm = ConfirmScreen(question, "Replace (y)", "No (n)")
        screen.app.push_screen(confirm, lambda yes: save(name) if yes else None)

    screen.app.push_screen(SaveSetScreen(column_set, sorted(sets.sets)), named)


def open_set(screen: CompareScreen, deleting: bool = False) -> None:
    """The saved sets: enter opens one (replacing the columns, after a question when they hold
    a conversation), a adds its columns beside, d deletes one."""

    def chosen(choice: SetChoice | None) -> None:
        if choice is None:
            return
        found = ready(choice.column_set)
        if choice.beside or not _holds_answers(screen):
            apply_set(screen, found, choice.name, choice.beside)
            return
        from sutui.screens.dialogs import ConfirmScreen

        count = len(screen.columns)
        question = (
            f"Open set {choice.name!r}: its {len(found.columns)} columns replace the {count} of "
            "now and their conversation (every answer stays in the history, f7)?"
        )
        screen.app.push_screen(
            ConfirmScreen(question, "Replace (y)", "No (n)"),
            lambda yes: apply_set(screen, found, choice.name, False) if yes else None,
        )

    screen.app.push_screen(OpenSetScreen(deleting), chosen)


def delete_set(screen: CompareScreen) -> None:
    open_set(screen, deleting=True)


def _holds_answers(screen: CompareScreen) -> bool:
    return any(c.running or c.question is not None or c.text.strip() for c in screen.columns)


def _warn(screen: Any, text: str) -> None:
    screen.notify(text, title="Column sets", severity="warning", markup=False, timeout=15)


# ----- dialogs ---------------------------------------------------------------------------------
class SaveSetScreen(Dialog[str | None]):
    """A name for the columns of now; the saved sets listed below (picking one fills its
    name in, to replace it)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="save-set.close", tooltip="Save nothing"),
        Binding("down", "focus_list", "Sets", show=False, id="save-set.list",
                tooltip="The saved sets: enter picks one's name"),
    ]  # fmt: skip

    def __init__(self, column_set: ColumnSet, names: list[str]):
        super().__init__(classes="dialog-screen")
        self.column_set = column_set
        self.names = names

    def compose(self) -> ComposeResult:
        count = len(self.column_set.columns)
        with Vertical(classes="dialog"):
            yield Label(f"Save the {count} column{'s' * (count != 1)} as a set",
                        classes="dialog-title")  # fmt: skip
            yield Static(Text(self.column_set.summary(300), style="dim"), classes="set-summary")
            yield Input(placeholder="the set's name", id="name", max_length=60)
            yield Static(id="problem", markup=False)
            if self.names:
                yield OptionList(*[Option(Text(n), id=str(i)) for i, n in enumerate(self.names)],
                                 id="set-names")  # fmt: skip
            yield Label(SAVE_HELP, classes="dialog-help")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = check_name(event.value)
        if problem:
            self.query_one("#problem", Static).update(Text(problem, "red"))
            return
        self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected, "#set-names")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        name = self.names[int(event.option.id or 0)]
        field = self.query_one("#name", Input)
        field.value = name
        field.focus()

    def action_focus_list(self) -> None:
        if self.names:
            self.query_one("#set-names", OptionList).focus()


@dataclass(frozen=True)
class SetChoice:
    name: str
    column_set: ColumnSet
    beside: bool = False


class OpenSetScreen(Dialog[SetChoice | None]):
    """The saved sets, each with its SUTs: open one, add its columns beside, delete one. With
    `deleting`, enter deletes."""

    DEFAULT_CSS = """
    #sets { max-height: 20; }
    #sets > .option-list--option { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="open-set.close", tooltip="Open nothing"),
        Binding("a", "beside", "Add beside", id="open-set.beside",
                tooltip="Add the set's columns beside the ones of now"),
        Binding("d,delete", "delete", "Delete", id="open-set.delete",
                tooltip="Delete the set (after a question)"),
    ]  # fmt: skip

    def __init__(self, deleting: bool = False):
        super().__init__(classes="dialog-screen")
        self.deleting = deleting
        self.sets = SetsFile.load()

    def compose(self) -> ComposeResult:
        title = "Delete a column set" if self.deleting else "Open a column set"
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield OptionList(id="sets")
            yield Static(id="notes", markup=False, classes="dialog-help")
            yield Static(DELETE_HELP if self.deleting else OPEN_HELP, classes="dialog-help",
                         markup=False)  # fmt: skip

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        listed = self.query_one("#sets", OptionList)
        listed.clear_options()
        names = list(self.sets.sets)
        for index, name in enumerate(names):
            if index:
                listed.add_option(None)  # a rule between two sets
            column_set = self.sets.sets[name]
            count = len(column_set.columns)
            line = Text(name, style="bold")
            line.append(f" · {count} column{'s' * (count != 1)}", style="dim")
            line.append("\n" + column_set.summary(400))
            listed.add_option(Option(line, id=str(index)))
        notes = [self.sets.broken] if self.sets.broken else list(self.sets.problems)
        if not names and not self.sets.broken:
            notes.insert(0, "No column set saved yet: ctrl+p, 'compare: save column set…' saves "
                            "the columns of now.")  # fmt: skip
        shown = self.query_one("#notes", Static)
        shown.update(Text("\n".join(notes)))
        shown.display = bool(notes)
        if names:
            listed.highlighted = 0
            listed.focus()

    def _highlighted(self) -> str | None:
        listed = self.query_one("#sets", OptionList)
        option = listed.highlighted_option
        return None if option is None else list(self.sets.sets)[int(option.id or 0)]

    @on(OptionList.OptionSelected, "#sets")
    def _selected(self) -> None:
        if self.deleting:
            self.action_delete()
        else:
            self._choose(beside=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "beside" and self.deleting)

    def action_beside(self) -> None:
        self._choose(beside=True)

    def _choose(self, beside: bool) -> None:
        name = self._highlighted()
        if name is not None:
            self.dismiss(SetChoice(name, self.sets.sets[name], beside))

    def action_delete(self) -> None:
        from sutui.screens.dialogs import ConfirmScreen

        name = self._highlighted()
        if name is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.sets.delete(name)
            except SetsFileError as exc:
                _warn(self, str(exc))
                return
            self.notify(f"Deleted column set {name!r}.", title="Column sets", markup=False)
            self._fill()

        summary = self.sets.sets[name].summary(200)
        self.app.push_screen(ConfirmScreen(f"Delete column set {name!r} ({summary})?"), answered)
