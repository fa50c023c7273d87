"""Plain aligned text tables for the CLI (no colour, so pipes and tests read them as they are;
control characters shown, as a cell may hold a provider's or a prompt's text)."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.visible_text import visible


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
