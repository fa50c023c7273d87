"""Base classes of every screen but compare, holding the styles they share (dialogs, list and
detail panes, forms).

These styles are not in sutui.tcss: that file is parsed before the first frame, and these are
not needed until a screen other than compare opens (bench/app_start.py: ~5 ms of the start).
A class's DEFAULT_CSS is parsed when the class is first used, and only then: `Page` holds the
full screens' styles, `Dialog` the modal screens'. They are not scoped: the same classes are
used across screens.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen, Screen
from textual.widget import Widget

ResultT = TypeVar("ResultT")


class Page(Screen[ResultT]):
    """A full screen (drivers, SUTs, secrets, composer, history, ...)."""

    SCOPED_CSS = False
    DEFAULT_CSS = """
    /* ----- list + detail screens (drivers, SUTs, secrets) ----- */
    .master { width: 32; height: 1fr; border: round $primary 40%; }
    .master:focus-within { border: round $accent; }
    .detail { width: 1fr; height: 1fr; border: round $primary 40%; padding: 0 1; }
    .search { margin: 0 0 0 0; }
    .verdict { height: auto; padding: 0 1; }
    .verdict.-ok { color: $text-success; }
    .verdict.-bad { color: $text-error; }

    /* ----- UID composer ----- */
    #composer-body { padding: 1 2; height: 1fr; }
    #composer-body #uid { margin-bottom: 0; }
    #composer-body .dialog-title { text-style: bold; margin-bottom: 1; width: 1fr; }
    #candidates { height: 1; padding: 0 1; }
    #form {
        grid-size: 2; grid-columns: 12 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto;
        margin-top: 1;
    }
    #form .field-label { padding: 0 1 0 0; }
    #composer-body .buttons { height: 3; }
    """


class Dialog(ModalScreen[ResultT]):
    """A modal screen: a box in the middle, the screen under it dimmed, and its own footer:
    the one beneath would show keys that do nothing while the dialog is open."""

    SCOPED_CSS = False
    DEFAULT_CSS = """
    .dialog-screen { align: center middle; background: $background 60%; }
    .dialog {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary 70%;
        background: $surface;
        padding: 1 2;
    }
    .dialog.wide { width: 100; height: 90%; }
    .dialog-title { text-style: bold; margin-bottom: 1; width: 1fr; }
    .dialog-help { color: $text-muted; margin-top: 1; }
    .dialog OptionList { height: auto; max-height: 14; }
    .dialog #verdict { height: auto; }
    .dialog .field { height: 3; }
    .dialog .field-label { width: 14; padding: 1 1 0 0; }
    .dialog .field Input { width: 1fr; }
    .dialog.options .field { height: 1; margin-bottom: 1; }
    .dialog.options .field-label { padding: 0 1 0 0; }
    .dialog .buttons { height: 3; margin-top: 1; }
    .dialog .buttons Button { margin-right: 2; }
    .dialog #problem { color: $text-error; height: auto; }
    .help-intro { margin-bottom: 1; }
    """

    async def mount_composed_widgets(self, widgets: list[Widget]) -> None:
        from sutui.widgets.footer import Footer

        await super().mount_composed_widgets([*widgets, Footer(compact=True)])
