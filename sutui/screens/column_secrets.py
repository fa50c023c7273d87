"""When the user adds a column, say which of its secrets are missing: before the first send,
not only in the error column after it; and look again when the compare screen is back (from
the guided setup or the secrets screen), so a secret just set stops being said missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen

from sutui.widgets.column_status import ColumnStatus
from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from drivers.secrets import SecretDescription


class SecretsLookedUp(Message):
    def __init__(
        self, column: SUTColumn, missing: tuple[SecretDescription, ...], added: bool
    ) -> None:
        super().__init__()  # a plain class, not a dataclass: see sutui/messages.py
        self.column = column
        self.missing = missing
        self.added = added
        """Looked up because the user just added the column (a note says what is missing)."""


def check_columns(screen: Screen[Any], columns: list[SUTColumn], added: bool = False) -> None:
    """Look the columns' secrets up in a thread (the keyring may be slow, even stalled), and
    post what each one misses (maybe nothing) to `screen`."""
    if not columns:
        return
    looked = [(column, column.services, column.uid) for column in columns]

    def look_up() -> None:
        for column, services, uid in looked:
            ready = services.readiness(uid)
            missing = tuple(status.description for status in ready.missing)
            if missing or not added:
                screen.post_message(SecretsLookedUp(column, missing, added))

    screen.run_worker(look_up, thread=True, group="column-secrets", exit_on_error=False)


def show_looked_up(screen: Screen[Any], message: SecretsLookedUp) -> None:
    """The compare screen's handler: the column says what it misses (or stops saying it), and
    a column just added gets a note."""
    column = message.column
    if not column.is_attached or column.status is not ColumnStatus.idle:
        return  # removed, or sent since: the run says what is missing (not yet mounted:
        # needs() leaves the drawing to on_mount)
    if message.added and message.missing and not column.missing:
        names = ", ".join(d.name for d in message.missing)
        screen.notify(
            f"{column.uid} needs {names}, which is not set: s in its column sets it up.",
            severity="warning", markup=False,
        )  # fmt: skip
    column.needs(message.missing)
