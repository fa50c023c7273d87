"""When the user adds a column, say which of its secrets are missing: before the first send,
not only in the error column after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen

from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from drivers.secrets import SecretDescription


@dataclass
class SecretsMissing(Message):
    column: SUTColumn
    missing: tuple[SecretDescription, ...]


def check_added_column(screen: Screen[Any], column: SUTColumn) -> None:
    """Look the column's secrets up in a thread (the keyring may be slow, even stalled), and
    post what is missing to `screen`."""
    services, uid = column.services, column.uid

    def look_up() -> None:
        ready = services.readiness(uid)
        if ready.missing:
            missing = tuple(status.description for status in ready.missing)
            screen.post_message(SecretsMissing(column, missing))

    screen.run_worker(look_up, thread=True, group="column-secrets", exit_on_error=False)
