"""Turning any failure into one clear paragraph on stderr and an exit code; never a traceback.

Bad input (a UID, an option, a missing secret, a broken file) and a place that cannot be
written (a full disk, a read-only directory) exit 2; a SUT failing at run time exits 1; an
interrupt exits 130. SUTUI_DEBUG=1 adds a (redacted) traceback for bug reports.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from pathlib import Path

import click
from pydantic import ValidationError

from drivers.catalog import CatalogError
from drivers.invoke import MissingSUTCapabilities
from drivers.keyring_layer import KeyringProblem
from drivers.redaction import redact
from drivers.secret_store import SecretsFileError
from drivers.secrets import MissingSecretValues
from drivers.uid import UIDError
from drivers.visible_text import visible
from sutui import storage
from sutui.errors import InputError as InputError

USAGE_ERROR = 2
RUN_FAILED = 1
INTERRUPTED = 130


INPUT_ERRORS = (
    UIDError,
    MissingSecretValues,
    CatalogError,
    SecretsFileError,
    InputError,
    MissingSUTCapabilities,
    KeyringProblem,
    storage.StorageError,
)


def describe_validation(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "value"
        lines.append(f"--{field.replace('_', '-')}: {err['msg']} (got {err.get('input')!r})")
    return "bad option: " + "; ".join(lines)


def report(exc: BaseException) -> int:
    """Print `exc` for a person and return the exit code."""
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        exc.show()
        return exc.exit_code
    if isinstance(exc, click.exceptions.Abort | KeyboardInterrupt):
        click.echo("sutui: interrupted.", err=True)
        return INTERRUPTED
    if isinstance(exc, INPUT_ERRORS):
        click.echo(f"sutui: {visible(redact(str(exc))).rstrip()}", err=True)
        return USAGE_ERROR
    if isinstance(exc, ValidationError):
        click.echo(f"sutui: {visible(redact(describe_validation(exc)))}", err=True)
        return USAGE_ERROR
    if _is_runtime_problem(exc):
        click.echo(f"sutui: {visible(redact(str(exc))).rstrip()}", err=True)
        return RUN_FAILED
    if isinstance(exc, BrokenPipeError):
        quiet_broken_stdout()
        return RUN_FAILED
    if isinstance(exc, OSError) and _unwritable(exc):
        return _storage_problem(exc)
    notes = " ".join(getattr(exc, "__notes__", []))
    text = visible(redact(f"{type(exc).__name__}: {exc}" + (f" {notes}" if notes else "")))
    click.echo(
        f"sutui: internal error: {text}\nThis is a bug in sutui; please report it "
        "with the command you ran (set SUTUI_DEBUG=1 to see where it happened).",
        err=True,
    )
    if os.environ.get("SUTUI_DEBUG"):
        click.echo(redact("".join(traceback.format_exception(exc))), err=True)
    return RUN_FAILED


def _unwritable(exc: OSError) -> bool:
    """A full disk or a read-only file system anywhere; no permission on a named file."""
    found = storage.problem(exc, Path("."))
    return found is not None and (exc.filename is not None or found != storage.PERMISSION)


def _storage_problem(exc: OSError) -> int:
    """Such a problem met where sutui does not catch it itself: the user's to fix (exit 2), not
    a bug."""
    found = storage.problem(exc, Path("."))
    where = exc.filename or "the output (stdout, or a file it was sent to)"
    click.echo(
        redact(f"sutui: {found}: cannot write {where}. {storage.advice(found)}, then try again."),
        err=True,
    )
    return USAGE_ERROR


def _is_runtime_problem(exc: BaseException) -> bool:
    """A failure sutui explains itself (the history cannot be opened): exit 1, no traceback."""
    from sutui.history.errors import HistoryError

    return isinstance(exc, HistoryError)


def quiet_broken_stdout() -> None:
    """After the reader of our stdout went away, point stdout at /dev/null so the interpreter's
    final flush does not print a BrokenPipeError."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_stdout()
    except ValueError:
        pass
