"""Reading a TOML file a person wrote (secrets.toml, suts.toml, app.toml) so that every way it
can be unusable is one TomlFileError saying why: not UTF-8, not TOML, or nested so deeply that
the parser would exhaust Python's stack (a RecursionError is no message for a person).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class TomlFileError(ValueError):
    """Why a TOML file cannot be used, as the end of a sentence that starts with its path:
    `is not UTF-8 text (...): save it as UTF-8`. Never quotes the file's bytes (it may hold
    secrets)."""


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; a TOMLDecodeError or a too-deep nesting is a TomlFileError."""
    import tomllib  # not at import time: the app's first frame needs no TOML parser

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message holds a position, no value
        raise TomlFileError(f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise TomlFileError(
            "is nested too deeply to read (arrays or tables inside one another, thousands of "
            "levels down): flatten it"
        ) from None


def read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML. FileNotFoundError goes up as it is (callers say it their own way);
    any other problem is a TomlFileError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise TomlFileError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TomlFileError(
            f"is not UTF-8 text (byte {exc.start}, on line {line}, is not valid UTF-8): "
            "save it as UTF-8"
        ) from None
    return parse_toml(text)
