"""Errors the app and the CLI share, with no CLI behind them (sutui/cli/ imports click; a
screen must not need it)."""

from __future__ import annotations

import re


class InputError(Exception):
    """Bad input found by sutui itself (not the driver layer); the message says what to do.
    The CLI prints it and exits 2 (sutui/cli/errors.py); a screen shows it."""


CLI_TO_APP = {"`sutui list-drivers`": "the Drivers screen (f3)"}
"""A driver-layer message names the CLI command that shows more; in the app, the screen that
shows the same is one key away."""


def in_app_words(message: str) -> str:
    """`message` as the app says it: each CLI command in CLI_TO_APP becomes its screen (with
    a capital at the start of a sentence)."""
    for command, screen in CLI_TO_APP.items():
        starts = re.compile(r"(^|[.?!] )" + re.escape(command))
        message = starts.sub(r"\g<1>" + screen[0].upper() + screen[1:], message)
        message = message.replace(command, screen)
    return message
