"""The line above the prompt that says where an arena round stands (shown in arena mode only).

Its stylesheet is not scoped: it also hides what could reveal a blind column's SUT (the
figures: token counts and timings differ between models; a problem's text names the driver).
"""

from __future__ import annotations

from textual.widgets import Static


class ArenaBar(Static):
    SCOPED_CSS = False
    DEFAULT_CSS = """
    ArenaBar { display: none; height: auto; padding: 0 1; background: $boost; }
    CompareScreen.-arena ArenaBar { display: block; }
    ArenaBar.-ready { background: $accent 30%; text-style: bold; }
    SUTColumn.-blind > .figures, SUTColumn.-blind .problem { display: none; }
    """

    def __init__(self) -> None:
        super().__init__(id="arena-bar", markup=False)
