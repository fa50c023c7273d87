"""The footer of every sutui screen: the keys of the screen's bindings on one line, drawn by
one widget.

Textual's Footer composes a widget per key (a FooterKey, styled, laid out and drawn on its
own): on the compare screen its eight keys cost the first frame ~20 ms of a ~270 ms start
(first paint on a pty, 20 paired launches with and without a footer; this one: ~3 ms), and it
composed them again at each
change of the screen's bindings, the first time only after the first frame. This one draws the
same line (the same component styles and spacing as Textual's compact footer) from a list of
keys, in the first frame, again only when the keys shown change.

It also shows only keys that fit whole: Textual's let them run under the command-palette key
docked on the right, so at 70 columns a key was cut in half beside it ("f▏^p palette"). The
keys left out are still in help (f1) and the palette. Binding groups (one description for
several keys) are not drawn as groups: no sutui screen declares one.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

EDGE = "▏"
"""The line left of the palette key (Textual's `vkey` border)."""

PALETTE_PAD = 1
"""Cells right of the palette key, as Textual's footer draws it (not counted when fitting)."""


class FooterItem(NamedTuple):
    """One key as the footer shows it. (Not a frozen dataclass: ~0.7 ms less before the first
    frame.)"""

    key: str
    """The key pressed when the item is clicked (a binding's first key)."""
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    palette: bool = False

    @property
    def text(self) -> str:
        return f"{self.display} {self.description}" if self.description else self.display

    @property
    def width(self) -> int:
        """Cells it takes: its text, then the space after it (the palette key: the line on its
        left instead)."""
        return cell_len(self.text) + 1


class Footer(TextualFooter):
    """The screen's keys on one line: those that fit whole, in order, the palette key on the
    right. Clicking a key presses it; hovering shows its tooltip."""

    COMPONENT_CLASSES = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--item",
        "footer-key--hover",
        "footer-key--edge",
    }
    DEFAULT_CSS = """
    Footer {
        .footer-key--item { background: $footer-item-background; }
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer-key--edge { color: $foreground 20%; }
        &:hover { pointer: pointer; }
    }
    """

    def __init__(self, *, compact: bool = True) -> None:
        # Always drawn as Textual's compact footer (every sutui screen asks for it).
        super().__init__(compact=compact)
        self._items: tuple[FooterItem, ...] = ()
        """Every key the screen's bindings show, the palette key last (if shown)."""
        self._hover: FooterItem | None = None

    def compose(self) -> ComposeResult:
        return iter(())  # no widget per key: render() draws them

    def on_mount(self) -> None:
        # Textual's Footer.on_mount (called after this one: handlers run up the class chain)
        # subscribes to the screen's binding changes.
        self._items = self._read_items()

    # ----- which keys ------------------------------------------------------------------------
    def _read_items(self) -> tuple[FooterItem, ...]:
        app = self.app
        items: list[FooterItem] = []
        palette: FooterItem | None = None
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            item = FooterItem(
                key=binding.key.split(",")[0].strip(),
                display=app.get_key_display(binding),
                description=binding.description,
                action=binding.action,
                enabled=enabled,
                tooltip=tooltip or binding.tooltip or binding.description,
            )
            if binding.key == app.COMMAND_PALETTE_BINDING:
                if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
                    palette = item._replace(palette=True)
            elif binding.show and not any(shown.action == item.action for shown in items):
                items.append(item)  # one key per action, as Textual's footer shows
        return (*items, palette) if palette else tuple(items)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Drawn again only when the keys shown change (a focus moving between widgets
        without keys of their own changes nothing)."""
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        items = self._read_items()
        if items != self._items:
            self._items = items
            self._hover = None
            self.refresh()

    def shown(self, width: int | None = None) -> list[tuple[int, FooterItem]]:
        """(x, item) of each key drawn at `width` (the footer's own by default): the keys that
        fit whole left of the palette key, then the palette key at the right edge."""
        width = self.size.width if width is None else width
        palette = next((i for i in self._items if i.palette), None)
        room = width - (palette.width if palette else 0)
        placed, x = [], 0
        for item in self._items:
            if item.palette:
                continue
            if x + item.width > room:
                break  # this key and the ones after it: keys stay in their order
            placed.append((x, item))
            x += item.width
        if palette is not None and width >= palette.width + PALETTE_PAD:
            placed.append((width - palette.width - PALETTE_PAD, palette))
        return placed

    # ----- drawing ---------------------------------------------------------------------------
    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        end = 0
        for x, item in self.shown():
            line.append(" " * (x - end))
            if item.palette:
                line.append(EDGE, self._edge_style())
            line.append_text(self._item_text(item))
            end = x + item.width - (0 if item.palette else 1)  # its space: the gap after it
        line.append(" " * (self.size.width - end))
        return line

    def _item_text(self, item: FooterItem) -> Text:
        base = self.get_component_rich_style("footer-key--item")
        key = self.get_component_rich_style("footer-key--key")
        words = self.get_component_rich_style("footer-key--description")
        if item is self._hover:
            hover = self.get_component_rich_style("footer-key--hover")
            base, key, words = (s + Style(bgcolor=hover.bgcolor) for s in (hover, key, words))
        parts = Text.assemble((item.display, key))
        if item.description:
            parts.append(f" {item.description}", words)
        parts.stylize_before(base)
        if not item.enabled:
            parts.stylize(Style(dim=True))
        return parts

    def _edge_style(self) -> Style:
        return self.get_component_rich_style("footer-key--edge")

    # ----- the mouse -------------------------------------------------------------------------
    def _item_at(self, x: int) -> FooterItem | None:
        for start, item in self.shown():
            left = start + (1 if item.palette else 0)  # the palette's line is not its key
            if left <= x < start + item.width - (0 if item.palette else 1):
                return item
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        if item is not self._hover:
            self._hover = item
            self.tooltip = item.tooltip if item is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        event.stop()
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()  # which keys fit whole depends on the width
