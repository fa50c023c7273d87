"""The footer of every sutui screen: Textual's compact Footer, showing only the keys that fit
whole. Textual's lets the keys run under the command-palette key docked on the right, so at
70 columns a key was cut in half beside it ("f▏^p palette") and a terminal could keep stray
characters of it. The keys left out are still in help (f1) and the palette.

It also draws its keys in the screen's first frame: Textual's composes none until the screen's
bindings change, then composes them again at every change (four times while the compare
screen starts, 10-15 ms each, the last one ~90 ms after the first paint). Here the first
composition has them, and a change composes again only when the keys shown differ."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

KeySignature = tuple[tuple[str, str, str, bool, str], ...]


def key_width(key: FooterKey) -> int:
    """Cells a compact footer key takes: its key, a space and its words, then its margin (the
    palette key's is a border on its left instead)."""
    words = f" {key.description}" if key.description else ""
    return cell_len(key.key_display + words) + 1


class Footer(TextualFooter):
    """A footer whose keys never run under the palette key or off the screen: the last ones
    that do not fit whole are left out (made again when the width changes). Compact: the
    widths are a compact footer's."""

    def __init__(self, *, compact: bool = True) -> None:
        super().__init__(compact=compact)
        # The screen's bindings are there when the footer is composed (on mount): Textual's
        # waits for their first change, so the first frame had no keys.
        self.set_reactive(TextualFooter._bindings_ready, True)
        self._shown: KeySignature | None = None
        """The keys of the last composition."""
        self._pending = False
        """A composition is already asked for after the next refresh."""
        self._needed = 0
        """Cells every key would take (a resize past it needs no new composition)."""
        self._width = 0
        """The width the keys were last fitted to."""

    def compose(self) -> ComposeResult:
        # One key at a time, as Textual's compose yields them (a group of keys is composed
        # in a context its keys must be yielded within; groups are not measured here).
        # Before its first layout the footer has no size: it spans the screen's width.
        self._width = width = self.size.width or self.app.size.width
        self._shown = self._signature()
        palette = self._palette_width()
        self._needed, room = palette, width - palette
        full = False
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not (
                widget.has_class("-command-palette") or widget.has_class("-grouped")
            ):
                cells = key_width(widget)
                self._needed += cells
                room -= cells
                full = full or (width > 0 and room < 0)
                if full:
                    continue  # this key and the ones after it: keys stay in their order
            yield widget

    def _signature(self) -> KeySignature:
        """What the keys shown depend on: each shown binding's key, words, action, whether it
        is enabled, and its tooltip."""
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Compose again after the refresh, once however many changes come before it, and only
        when the keys shown changed (a focus moving between widgets without keys of their own
        changes nothing)."""
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._compose_if_changed)

    async def _compose_if_changed(self) -> None:
        self._pending = False
        if self.is_attached and self._signature() != self._shown:
            await self.recompose()

    def _palette_width(self) -> int:
        """Cells the command palette's key takes on the right (none if it is not shown)."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return 0
        binding = found[1]
        return cell_len(f"{self.app.get_key_display(binding)} {binding.description}") + 1

    def on_resize(self, event: events.Resize) -> None:
        if not self._bindings_ready:  # no keys yet: they are fitted when they come
            return
        width = event.size.width
        if width != self._width and (self._needed > min(width, self._width) or not self._width):
            self.call_after_refresh(self.recompose)
