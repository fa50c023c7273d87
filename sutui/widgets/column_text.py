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


def status_lines(column: SUTColumn) -> list[Text]:
    """The status line (`▸ streaming · own options`, `· idle · needs openai/api_key: s sets it
    up`), then shorter forms for a narrow column, longest first: the secret's names and the
    status words give way before the key to press does (`· idle · needs key: s`, then
    `· needs key: s`). The column's FitLine draws the longest that fits."""
    status = column.status
    note = column.note if status in (ColumnStatus.retrying, ColumnStatus.streaming) else ""
    own = column.own_options is not None
    names = ", ".join(d.name for d in column.missing) if status is ColumnStatus.idle else ""
    keys = "key" if len(column.missing) == 1 else "keys"
    forms = [
        (f"{status.icon} {status.words}", "own options", f"needs {names}: s sets it up"),
        (f"{status.icon} {status.words}", "own options", f"needs {names}: s"),
        (f"{status.icon} {status.words}", "own", f"needs {keys}: s"),
    ]
    if note or own or names:  # the words give way to what follows them
        forms.append((status.icon, "own", f"needs {keys}: s"))
    lines: list[Text] = []
    for head, options, needs in forms:
        line = Text(head)
        if note:
            line.append(f" · {note}")
        if own:
            line.append(f" · {options}", style="italic")
        if names:
            line.append(f" · {needs}", style="bold")
        if all(line.plain != other.plain for other in lines):
            lines.append(line)
    return lines


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
