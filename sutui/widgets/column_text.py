"""What a SUT column says in words: its status line and its problem. Functions of the
column's state, so sut_column.py keeps to running and drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from sutui.errors import in_app_words
from sutui.widgets.column_status import ColumnStatus

if TYPE_CHECKING:
    from drivers.errors import SUTError
    from sutui.widgets.sut_column import SUTColumn


def status_line(column: SUTColumn) -> Text:
    """`▸ streaming · own options`, `· idle · needs openai/api_key: s sets it up`..."""
    status = column.status
    line = Text(f"{status.icon} {status.words}")
    if column.note and status in (ColumnStatus.retrying, ColumnStatus.streaming):
        line.append(f" · {column.note}")
    if column.own_options is not None:
        line.append(" · own options", style="italic")
    if column.missing and status is ColumnStatus.idle:
        names = ", ".join(d.name for d in column.missing)
        line.append(f" · needs {names}: s sets it up", style="bold")
    return line


def problem_text(column: SUTColumn, error: SUTError) -> Text:
    """The classified error and what to do; for a missing secret, where setup would put it."""
    text = Text()
    if column.missing:
        names = ", ".join(d.name for d in column.missing)
        text.append(f"Missing secret: {names}\n", style="bold")
        text.append(f"Press s to set it up ({where_secrets_go(column)}).", style="italic")
        return text
    text.append(in_app_words(error.one_line()), style="bold")  # f3, not a CLI command
    if error.hint:
        text.append(f"\n{in_app_words(error.hint)}", style="italic")
    if column.auth_failed:
        text.append("\nPress s to set up this SUT's secrets.", style="italic")
    return text


def where_secrets_go(column: SUTColumn) -> str:
    """Where setup would store the secret: the keyring, unless it is off or its last use
    failed (a remembered problem: nothing is asked of the keyring here)."""
    store = column.services.store
    if not store.keyring_enabled:
        return "the keyring is off here: set it in the environment or a secrets.toml"
    if store.keyring_problem() is not None:
        return (
            "the OS keyring cannot be used here, f6 says why: set it in the environment "
            "or a secrets.toml"
        )
    return "stored in the OS keyring"
