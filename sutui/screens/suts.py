"""The predefined SUT catalog: live search, driver, secrets ready or missing; add to compare.

Retired SUTs (their provider no longer serves the model) are left out, except when the search
words (3 letters or more) are in one's name: someone looking for an old name finds it, after the
current ones, dimmed and marked `retired YYYY-MM-DD → replacement`; adding it says what to use
instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input

from drivers.catalog import CatalogEntry
from drivers.readiness import Readiness, catalog_readiness
from drivers.retirement import RetiredSUTError
from sutui.messages import AddSUT, SetupSecrets
from sutui.screens.base import Page
from sutui.services import Services
from sutui.widgets.footer import Footer
from sutui.widgets.table import Table


def ready_text(ready: Readiness | None) -> Text:
    if ready is None:
        return Text("checking…", style="dim")
    if ready.problem:
        return Text(f"✗ {ready.problem}", style="red")
    if ready.missing:
        return Text("✗ missing " + ", ".join(s.description.name for s in ready.missing), "red")
    return Text("✓ ready", style="green")


class SUTsScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "app.view('compare')", "Back", id="suts.back", tooltip="Compare"),
        Binding("a", "add", "Add to compare", id="suts.add", tooltip="Add the SUT as a column"),
        Binding("s", "setup", "Set secrets", id="suts.setup",
                tooltip="Guided setup of the SUT's missing secrets"),
        Binding("slash", "search", "Search", id="suts.search", tooltip="Search the catalog"),
        Binding("down", "to_table", "To the list", show=False),  # from the search box
    ]  # fmt: skip

    @dataclass
    class Looked(Message):
        readiness: dict[str, Readiness]

    def __init__(self, services: Services):
        super().__init__(id="suts")
        self.services = services
        self.readiness: dict[str, Readiness] = {}
        self._looked_up = False

    @property
    def loaded(self) -> bool:
        """Whether the background look-up has answered (tests wait for it before a snapshot)."""
        return self._looked_up

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(
            placeholder="search: name, driver, description (↓ or enter: the list; / back here)",
            id="search",
        )
        table: DataTable[object] = Table(id="table", cursor_type="row", zebra_stripes=True)
        table.add_columns("SUT", "driver", "secrets", "description")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "SUTs"
        self._fill("")
        self.query_one("#search", Input).focus()  # open to type: the table's letters are keys
        self.look_up()

    @work(thread=True, exit_on_error=False, group="lookup")
    def look_up(self) -> None:
        found = catalog_readiness(
            self.services.catalog, self.services.store, self.services.registry
        )
        self.post_message(self.Looked({r.uid: r for r in found}))

    @on(Looked)
    def _looked(self, message: Looked) -> None:
        self.readiness = message.readiness
        self._looked_up = True
        self._fill(self.query_one("#search", Input).value)

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        table = self.query_one(DataTable)
        table.clear()
        catalog = self.services.catalog
        for entry in [*catalog.current(), *(e for e in catalog if e.retired is not None)]:
            haystack = f"{entry.uid} {entry.definition.driver} {entry.description}".lower()
            if all(w in haystack for w in words) and _shown(entry, words):
                note = entry.retired_note
                table.add_row(
                    Text(entry.uid, style="dim" if note else ""),
                    Text(entry.definition.driver, style="dim" if note else ""),
                    Text(note, style="dim yellow")
                    if note
                    else ready_text(self.readiness.get(entry.uid) if self.readiness else None),
                    Text(entry.description, style="dim"),
                    key=entry.uid,
                )
        current = len(catalog.current())
        retired = len(catalog) - current
        title = f"{table.row_count} of {current} SUTs"
        if retired:
            title += f" · {retired} retired, shown when searched for by name"
        table.border_title = title

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#search")
    def action_to_table(self) -> None:
        self.query_one(DataTable).focus()

    @property
    def current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value) if row_key.value is not None else None

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_add()

    def action_add(self) -> None:
        uid = self.current
        if uid is not None and not self._retired(uid):
            self.post_message(AddSUT(uid))

    def _retired(self, uid: str) -> bool:
        """Say what replaces a retired SUT instead of acting on it."""
        try:
            self.services.catalog.get(uid)
        except RetiredSUTError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return True
        return False

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_setup(self) -> None:
        uid = self.current
        if uid is None or self._retired(uid):
            return
        ready = self.readiness.get(uid)
        if ready is None:
            ready = self.services.readiness(uid)
        if not ready.secrets:
            self.notify(f"{uid} needs no secret.", markup=False)
            return
        wanted = ready.missing or list(ready.secrets)
        self.post_message(SetupSecrets([s.description for s in wanted], uid))


NAME_SEARCH_MIN = 3
"""Letters typed before retired names are searched: fewer would match most of them."""


def _shown(entry: CatalogEntry, words: list[str]) -> bool:
    """A current entry always; a retired one (listed after the current ones) only when every
    search word is in its name and they make at least NAME_SEARCH_MIN letters."""
    if entry.retired is None:
        return True
    searched = len("".join(words)) >= NAME_SEARCH_MIN
    return searched and all(w in entry.uid.lower() for w in words)
