"""A provider that breaks the protocol itself, said as the provider's fault (kind `protocol`),
never as "a bug in the driver": a reply that is not HTTP (a bad status line, a header no parser
reads), or a JSON body nested so deeply that the parser runs out of stack.

The libraries' own words quote the bytes they could not read (`illegal status line:
bytearray(b'...')`); only the words before those bytes are kept: provider bytes are never
shown as a repr.
"""

from __future__ import annotations

import re

from drivers.errors import ErrorKind, SUTError

DISCONNECTED = ("disconnect", "closed", "incomplete", "without sending")
"""httpx calls a cut connection a RemoteProtocolError too: those stay connection errors."""
_QUOTED = re.compile(r":|\s(?:b['\"]|bytearray\()")
"""Where a library's message starts quoting bytes."""


def too_deep(where: str) -> SUTError:
    return SUTError(
        ErrorKind.protocol,
        f"{where} sent JSON nested too deeply to read (thousands of levels)",
    )


def _words(text: str) -> str:
    """The library's words up to the quoted bytes: `illegal status line`, `Bad status line`."""
    head = text.strip().splitlines()[0] if text.strip() else ""
    return _QUOTED.split(head, maxsplit=1)[0].strip() or "unreadable reply"


def protocol_fault(exc: BaseException, where: str = "the provider") -> SUTError | None:
    """The SUTError for a protocol fault, or None when `exc` is no such fault."""
    if isinstance(exc, RecursionError):
        # json's C parser says "... while decoding a JSON array": a body, not our own recursion.
        return too_deep(where) if "decoding" in str(exc) else None
    module = type(exc).__module__
    if module.startswith("aiohttp"):
        import aiohttp

        if isinstance(exc, aiohttp.ClientResponseError):
            # The reply's head could not be parsed (sutui never asks aiohttp to raise for an
            # HTTP status: those are read as responses).
            what = _words(exc.message or type(exc).__name__)
            return SUTError(ErrorKind.protocol, f"{where} did not answer in HTTP ({what})")
        return None
    if module.startswith("httpx") or module.startswith("h11"):
        import httpx

        text = str(exc)
        if isinstance(exc, httpx.RemoteProtocolError):
            if any(word in text.lower() for word in DISCONNECTED):
                return None
            return SUTError(ErrorKind.protocol, f"{where} did not answer in HTTP ({_words(text)})")
        if isinstance(exc, httpx.LocalProtocolError):
            return SUTError(
                ErrorKind.config,
                f"the request to {where} cannot be sent as HTTP ({_words(text)})",
                hint="a header value, such as an API key, holds a character HTTP cannot carry "
                "(a newline?): set it again.",
            )
    return None
