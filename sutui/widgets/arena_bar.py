"""The line above the prompt that says where an arena round stands (shown in arena mode only,
and mounted when arena mode is first turned on).

What hides a blind column's figures and problem is in sutui.tcss, with the other column rules.
"""

from __future__ import annotations

from textual.widgets import Static


class ArenaBar(Static):
    SCOPED_CSS = False
    DEFAULT_CSS = """
    ArenaBar { display: none; height: auto; padding: 0 1; background: $boost; }
    CompareScreen.-arena ArenaBar { display: block; }
    ArenaBar.-ready { background: $accent 30%; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__(id="arena-bar", markup=False)
