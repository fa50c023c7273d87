"""F1: what the keys do here, with each binding's tooltip, and how the app fits together."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

INTRO = (
    "sutui sends one prompt to many SUTs side by side. Tab moves between the prompt and the "
    "columns; a focused column has its own keys (retry, cancel, copy, maximize, options). "
    "ctrl+p opens the command palette: 'view: …', 'sut: add …', 'secret: set …'."
)


def bindings_table(screen: Screen[object]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("what it does")
    seen: set[str] = set()
    rows = [(a.binding, a.tooltip) for a in screen.active_bindings.values()]
    if screen.query("SUTColumn"):
        from sutui.widgets.sut_column import SUTColumn

        rows += [(b, b.tooltip) for b in SUTColumn.BINDINGS if isinstance(b, Binding)]
    for binding, tooltip in rows:
        # Only sutui's own bindings (each has an id); widgets' editing keys are standard.
        if not binding.id or binding.id in seen:
            continue
        seen.add(binding.id)
        where = "column" if binding.id.startswith("column.") else ""
        table.add_row(
            Text(screen.app.get_key_display(binding)),
            Text(f"{where}: {binding.description}" if where else binding.description),
            Text(tooltip or binding.tooltip or "", style="dim"),
        )
    return table


class HelpScreen(ModalScreen[None]):
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
                yield Static(Text(INTRO), classes="help-intro")
                yield Static(bindings_table(self.beneath), id="bindings")
            yield Label("esc closes", classes="dialog-help")
