"""Errors the app and the CLI share, with no CLI behind them (sutui/cli/ imports click; a
screen must not need it)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input found by sutui itself (not the driver layer); the message says what to do.
    The CLI prints it and exits 2 (sutui/cli/errors.py); a screen shows it."""
