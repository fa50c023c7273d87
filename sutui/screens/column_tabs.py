"""The tabs a narrow terminal shows instead of side-by-side columns: one per column, labelled
with its status, the active one the column shown (the `-shown` class, sutui.tcss).

The Tabs widget is made when the terminal first is narrow, not before: six widgets the first
frame of a wide terminal does without, and Textual's Tabs module is imported then too (~2 ms).
The focused column is always the `-shown` one, so a terminal that narrows keeps the column the
user was in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widgets import Tab, Tabs


def tab_label(column: SUTColumn) -> str:
    """The status mark (STATUS_ICONS: ✓ done, ✗ error, ▸ streaming...) and the UID (a letter
    in a blind round)."""
    return f"{column.mark} {column.border_title or column.uid}"


def tab_id(column: SUTColumn) -> str:
    return f"tab-{column.key}"


def new_tab(column: SUTColumn) -> Tab:
    """A column's tab. Its width is capped (sutui.tcss: a long `;url=` UID pushed the other
    tabs off the strip), so the whole label is its tooltip."""
    from textual.widgets import Tab

    label = tab_label(column)
    tab = Tab(label, id=tab_id(column))
    tab.tooltip = label
    return tab


class ColumnTabs:
    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen
        """The screen holding the columns (compare): the tabs go above its #columns."""
        self._tabs: Tabs | None = None

    @property
    def columns(self) -> list[SUTColumn]:
        return list(self.screen.query(SUTColumn))

    @property
    def widget(self) -> Tabs | None:
        """None until the terminal first is narrow."""
        return self._tabs

    def make(self, columns: list[SUTColumn], shown: SUTColumn | None = None) -> Tabs:
        from textual.widgets import Tabs

        self._tabs = tabs = Tabs(
            *(new_tab(c) for c in columns),
            active=tab_id(shown) if shown else None,
            id="tabs",
        )
        tabs.can_focus = False  # Tab goes from the prompt to the columns; alt+→/← switch tabs
        return tabs

    def narrowed(self, columns: list[SUTColumn]) -> None:
        """The terminal is narrow: make the tabs if they are not there yet."""
        if columns and self.widget is None:
            shown = next((c for c in columns if c.has_class("-shown")), columns[0])
            self.screen.mount(self.make(columns, shown), before="#columns")

    def added(self, column: SUTColumn) -> None:
        """A new column's tab, made active (and so scrolled to) once it is mounted and laid
        out: Tabs ignores an active id it cannot find yet, and cannot scroll to a tab with no
        place, which left a new tab off-screen on the right."""
        tabs = self.widget
        if tabs is None:
            return
        mounted = tabs.add_tab(new_tab(column))
        key = tab_id(column)

        def activate() -> None:
            if tabs.is_attached and tabs.query(f"#tabs-list > #{key}"):
                tabs.active = key

        async def when_mounted() -> None:
            await mounted
            tabs.call_after_refresh(activate)

        self.screen.call_later(when_mounted)

    def removed(self, column: SUTColumn) -> None:
        tabs = self.widget
        if tabs is not None:
            tabs.remove_tab(tab_id(column))

    def relabel(self, column: SUTColumn) -> None:
        if self._tabs is None:
            return
        from textual.widgets import Tab

        for tab in self.screen.query(f"#{tab_id(column)}").results(Tab):
            tab.label = tab.tooltip = tab_label(column)

    def focused(self, column: SUTColumn) -> None:
        if column.has_class("-shown"):
            return
        for other in self.columns:
            other.set_class(other is column, "-shown")
        tabs = self.widget
        if tabs is not None:
            tabs.active = tab_id(column)

    def activated(self, tab: Tab | None) -> None:
        """A tab was activated (None: the last one went): its column is the one shown."""
        key = (tab.id or "").removeprefix("tab-") if tab else None
        for column in self.columns:
            column.set_class(column.key == key, "-shown")

    def step(self, step: int) -> None:
        """The next (or previous) tab, and its column focused once it is shown."""
        tabs = self.widget
        if tabs is None:
            return
        tabs.action_next_tab() if step > 0 else tabs.action_previous_tab()
        key = (tabs.active or "").removeprefix("tab-")
        self.screen.call_after_refresh(self._focus_key, key)

    def _focus_key(self, key: str) -> None:
        for column in self.columns:
            if column.key == key and column.display:
                column.focus()

    def reorder(self, order: list[SUTColumn]) -> None:
        """The columns were shuffled (a blind round): the tabs follow, the first one shown."""
        tabs = self.widget
        if tabs is None:
            return  # made in the columns' order when the terminal narrows
        from textual.widgets import Tab

        holder = tabs.query_one("#tabs-list")
        for index, column in enumerate(order):
            for tab in tabs.query(f"#{tab_id(column)}").results(Tab):
                holder.move_child(tab, before=index)
        if order:
            tabs.active = tab_id(order[0])
