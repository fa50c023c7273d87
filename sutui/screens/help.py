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
from sutui.screens.registry import BY_NAME

OTHER = "The keys of this screen; esc goes back. ctrl+p opens the command palette."
"""The intro of a screen the registry (sutui/screens/registry.py) gives none."""


def intro_for(screen: Screen[object]) -> str:
    """What the screen is for: its registry entry's intro (by its id), else OTHER."""
    spec = BY_NAME.get(screen.id or "")
    return spec.intro if spec is not None and spec.intro else OTHER


GROUPS = (
    ("send and cancel", ("compare.send", "compare.cancel_all", "compare.restore")),
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
                yield Static(Text(intro_for(self.beneath)), classes="help-intro")
                yield Static(bindings_table(self.beneath), id="bindings")
            yield Label("esc closes", classes="dialog-help")
