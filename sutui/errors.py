"""Errors the app and the CLI share, with no CLI behind them (sutui/cli/ imports click; a
screen must not need it)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input found by sutui itself (not the driver layer); the message says what to do.
    The CLI prints it and exits 2 (sutui/cli/errors.py); a screen shows it."""


CLI_TO_APP = {"`sutui list-drivers`": "the Drivers screen (f3)"}
"""A driver-layer message names the CLI command that shows more; in the app, the screen that
shows the same is one key away."""


def in_app_words(message: str) -> str:
    """`message` as the app says it: each CLI command in CLI_TO_APP becomes its screen."""
    for command, screen in CLI_TO_APP.items():
        message = message.replace(command, screen)
    return message
