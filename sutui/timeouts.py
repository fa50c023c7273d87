"""The one default time limit for a whole answer, in every front end: the compare screen (its
Options dialog, a column's own options), a batch (the screen and `sutui batch`), `run-sut`, a
history re-run. None, wherever a timeout is optional, means this default. No imports: the
compare screen reads it before the driver layer loads."""

from __future__ import annotations

DEFAULT_TIMEOUT_S = 300.0


def effective(timeout_s: float | None) -> float:
    """The limit a run uses: the one given, else the default."""
    return DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s


def timeout_text(timeout_s: float | None) -> str:
    """'300 s (the default)' or '60 s': the same words wherever a timeout is shown."""
    if timeout_s is None:
        return f"{DEFAULT_TIMEOUT_S:g} s (the default)"
    return f"{timeout_s:g} s"
