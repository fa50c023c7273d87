"""What the app prints when a bug ends it: the traceback without local values, secrets masked.

Textual's own crash screen shows every frame's locals, and a driver's frame may hold a key in
one; its exception message may quote one too. This report has the frames (file, line, code)
and the redacted message, which is what a bug report needs, and nothing a person should not
paste into one.
"""

from __future__ import annotations

import traceback

from rich.text import Text

from drivers.redaction import redact


def crash_report(error: BaseException) -> Text:
    """The crash as plain text (never markup: an exception message may hold brackets)."""
    frames = redact("".join(traceback.format_exception(error))).rstrip()
    return Text.assemble(
        ("sutui stopped on a bug. ", "bold red"),
        "Please report it with the lines below (they show no local values, and keys are "
        "masked).\n\n",
        frames,
    )
