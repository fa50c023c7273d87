"""A run id as a person types it (`12`, `#12`, `last`), for `history` and `run-sut --continue`."""

from __future__ import annotations

import re

from sutui.errors import InputError
from sutui.history.store import HistoryStore


def parse_run(store: HistoryStore, text: str) -> int:
    """A run id as typed: `12`, `#12` or `last`."""
    if text == "last":
        last = store.last_id()
        if last is None:
            raise InputError("the history is empty: there is no last run.")
        return last
    if not re.fullmatch(r"#?\d+", text):
        raise InputError(
            f"'{text}' is not a run id: give a number from `sutui history list`, or `last`."
        )
    return int(text.lstrip("#"))
