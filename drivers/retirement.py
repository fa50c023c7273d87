"""A catalog SUT whose model its provider no longer serves. The entry stays, marked with the date
(`retired = "YYYY-MM-DD"`) and a `replacement`, so a user's old name gets an answer that says
what to use instead, before any request, rather than a provider's 404 or 410 mid-run.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from drivers.uid import UIDError

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
RETIRED_FIX = "(sutui list-suts shows the current ones)"


class RetiredSUTError(UIDError):
    """A predefined SUT that is retired: names the date and the replacement. Only the catalog
    name is refused; a dynamic UID for the same model still runs (the user may know better)."""

    def __init__(self, name: str, retired: date, replacement: str | None, dynamic_uid: str):
        self.retired, self.replacement, self.dynamic_uid = retired, replacement, dynamic_uid
        use = f": use {replacement}" if replacement else ""
        super().__init__(
            name,
            f"retired by its provider on {retired.isoformat()}",
            f"{'Use ' + replacement + ' ' if replacement else ''}{RETIRED_FIX}.",
        )
        self.args = (
            f"{name} was retired by its provider on {retired.isoformat()}{use} {RETIRED_FIX}. "
            f"To try the model anyway, give its UID: '{dynamic_uid}'.",
        )


def parse_retired(value: object) -> date:
    """A TOML date (`retired = 2026-10-23`) or a "YYYY-MM-DD" string; ValueError otherwise."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f'retired must be a date, e.g. retired = "2026-10-23" (got {value!r})')


def retired_note(retired: date, replacement: str | None) -> str:
    """The short mark a list shows: `retired 2026-10-23 → gpt-5.4-mini`."""
    return f"retired {retired.isoformat()}" + (f" → {replacement}" if replacement else "")
