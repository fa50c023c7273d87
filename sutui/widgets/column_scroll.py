"""The compare screen's row of columns, scrolled sideways a whole column at a time. Textual
scrolls by cells, so a scroll (the wheel, the scrollbar, focus moving to a column off-screen)
stopped anywhere: a partly drawn column stood at the left edge, its border's corners alone
in the frame. Here every scroll ends where a column starts (or at the end); the compare
screen makes the columns fill the width exactly (`fit_columns`), so the end is one too."""

from __future__ import annotations

from typing import Any

from textual.containers import HorizontalScroll


class ColumnScroll(HorizontalScroll):
    def stops(self) -> list[int]:
        """The scroll positions where a column starts, then the end."""
        stops, x = [0], 0
        end = self.max_scroll_x
        for child in self.displayed_children:
            x += child.outer_size.width
            if x < end:
                stops.append(x)
        if end > 0:
            stops.append(end)
        return stops

    def snapped(self, x: float) -> int:
        """The nearest position where a column starts."""
        return min(self.stops(), key=lambda stop: abs(stop - x))

    # Every scroll goes through Widget._scroll_to: scroll_to, the scrollbar's ScrollTo,
    # scroll_to_widget (focus), page left/right.
    def _scroll_to(self, x: float | None = None, y: float | None = None, **kwargs: Any) -> bool:
        return super()._scroll_to(None if x is None else self.snapped(x), y, **kwargs)

    def _scroll_right_for_pointer(self, **kwargs: Any) -> bool:
        """The wheel (shift+wheel, a trackpad's sideways swipe): one column on."""
        here = self.scroll_target_x
        ahead = [stop for stop in self.stops() if stop > here]
        return bool(ahead) and super()._scroll_to(ahead[0], **kwargs)

    def _scroll_left_for_pointer(self, **kwargs: Any) -> bool:
        here = self.scroll_target_x
        behind = [stop for stop in self.stops() if stop < here]
        return bool(behind) and super()._scroll_to(behind[-1], **kwargs)
