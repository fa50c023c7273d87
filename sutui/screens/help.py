"""F1: what the keys do here, with each binding's tooltip, and how the app fits together."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from sutui.screens.base import Dialog

INTRO = (
    "sutui sends one prompt to many SUTs side by side. Tab goes from the prompt to the first "
    "column, then to each next column and back to the prompt (shift+tab goes the other way); "
    "] and [ move between columns (between SUT tabs in a narrow terminal). A focused column "
    "has its own keys: r k m c o x s d. The Send, Add SUT and Options buttons take a click or "
    "their keys (ctrl+s, ctrl+n, ctrl+o). ctrl+p opens the command palette: 'view: …', "
    "'sut: add …', 'secret: set …'."
)

INTROS = {
    "drivers": "Every registered driver, built in or from a plugin: what it is, the UID options "
    "it takes, the secrets it needs (set or missing) and example UIDs.",
    "suts": "The predefined SUTs of the catalog (the shipped one plus your own suts.toml). The "
    "search box has the focus: type to search by name, driver or description; ↓ or enter goes "
    "to the list, / back to the search.",
    "composer": "Write a SUT UID, [maker/]model:[provider:]driver[:date][;key=value]...: it is "
    "checked as you type, with the grammar's own error, and tab takes the completion shown. "
    "The form follows the text, and the text the form, whenever the UID's parts parse.",
    "secrets": "Every secret a driver or SUT declares: set, missing or optional; the layer it "
    "comes from (environment, OS keyring, or a secrets.toml; the first one found wins) and a "
    "masked value. What you set here goes to the OS keyring.",
    "history": "Every send is kept here, newest first; the search looks in prompts, SUTs and "
    "answers.",
    "history-run": "A saved run, read-only, its answers side by side.",
    "leaderboard": "The blind A/B votes of arena mode, as a leaderboard.",
    "diff": "A word-level diff of two answers.",
    "ResultsScreen": "The records of a batch's results.jsonl, one row per answer; enter shows "
    "one whole.",
    "batch": "A prompt file run on the compare screen's SUTs with its shared options; each answer "
    "is appended to a JSONL file as it arrives. Esc leaves the screen; the batch goes on.",
}
"""What each screen (by id, or class name when it has none) is for; the compare screen's is
INTRO, any other's OTHER."""

OTHER = "The keys of this screen; esc goes back. ctrl+p opens the command palette."

GROUPS = (
    ("send and cancel", ("compare.send", "compare.cancel_all")),
    ("a focused column (Tab to it)", ("column.",)),
    ("columns", ("compare.next", "compare.previous", "compare.add", "compare.options")),
    ("diff and blind vote", ("compare.diff", "compare.arena", "compare.vote", "app.leaderboard")),
    (
        "views",
        ("app.compare", "app.drivers", "app.suts", "app.composer", "app.secrets", "app.history"),
    ),
)
"""Help lists keys in this order (an id, or an id prefix ending in '.'); the rest come last."""


def group_of(binding_id: str) -> tuple[int, int]:
    """(the group, the place in it) of a binding."""
    for index, (_, ids) in enumerate(GROUPS):
        for place, wanted in enumerate(ids):
            if binding_id == wanted or (wanted.endswith(".") and binding_id.startswith(wanted)):
                return index, place
    return len(GROUPS), 0


def bindings_table(screen: Screen[object]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("what it does")
    seen: set[str] = set()
    rows = [(a.binding, a.tooltip) for a in screen.active_bindings.values()]
    # Keys the screen has but does not offer right now (f9 votes in arena mode only).
    rows += [(b, b.tooltip) for b in type(screen).BINDINGS if isinstance(b, Binding)]
    if screen.query("SUTColumn"):
        from sutui.widgets.sut_column import SUTColumn

        rows += [(b, b.tooltip) for b in SUTColumn.BINDINGS if isinstance(b, Binding)]
    # Only sutui's own bindings (each has an id); widgets' editing keys are standard.
    ordered: list[tuple[tuple[int, int], int, Binding, str]] = []
    keys: dict[str, list[str]] = {}
    for position, (binding, tooltip) in enumerate(rows):
        if not binding.id:
            continue
        shown = keys.setdefault(binding.id, [])
        for key in binding.key.split(","):
            display = screen.app.get_key_display(Binding(key.strip(), ""))
            if display not in shown:
                shown.append(display)
        if binding.id in seen:
            continue
        seen.add(binding.id)
        ordered.append((group_of(binding.id), position, binding, tooltip))
    ordered.sort(key=lambda row: row[:2])
    headed = len({row[0][0] for row in ordered}) > 1
    last = -1
    for (group, _), _, binding, tooltip in ordered:
        if headed and group != last:
            title = GROUPS[group][0] if group < len(GROUPS) else "other keys"
            table.add_row(Text(title, style="bold underline"), Text(""), Text(""))
            last = group
        binding_id = binding.id or ""
        where = "column" if binding_id.startswith("column.") else ""
        table.add_row(
            Text(" / ".join(keys[binding_id])),
            Text(f"{where}: {binding.description}" if where else binding.description),
            Text(tooltip or binding.tooltip or "", style="dim"),
        )
    return table


class HelpScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close", tooltip="Close the help"),
    ]

    def __init__(self, beneath: Screen[object]):
        super().__init__(classes="dialog-screen")
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(f"Help · {self.beneath.sub_title or 'sutui'}", classes="dialog-title")
            with VerticalScroll():
                screen_id = self.beneath.id or type(self.beneath).__name__
                intro = INTRO if screen_id == "compare" else INTROS.get(screen_id, OTHER)
                yield Static(Text(intro), classes="help-intro")
                yield Static(bindings_table(self.beneath), id="bindings")
            yield Label("esc closes", classes="dialog-help")
