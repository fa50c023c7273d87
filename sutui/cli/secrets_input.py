"""Reading a secret's value: hidden at a terminal, one line of stdin otherwise; registered
for redaction the moment it is read."""

from __future__ import annotations

import sys

import click

from drivers.redaction import register_secret


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def read_value(label: str, allow_empty: bool = False) -> str | None:
    """A value typed at a hidden prompt (TTY) or one line of stdin; None at end of input."""
    if _stdin_is_tty():
        text = click.prompt(
            f"{label} (hidden)" + (", Enter to skip" if allow_empty else ""),
            hide_input=True,
            default="" if allow_empty else None,
            show_default=False,
            err=True,
        )
        value = str(text).strip()
    else:
        line = sys.stdin.readline()
        if line == "":
            return None
        value = line.strip()
    register_secret(value)
    return value
