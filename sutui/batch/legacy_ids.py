"""Output directories written before prompts without an id were keyed by their content: such a
prompt's records have its line number as `prompt_id`. Resuming one rewrites those ids to the
content ids the prompt file now gives (sutui/batch/prompt_ids.py), so nothing done is sent
again and one prompt keeps one id.

A record is rewritten only when its prompt_id is a number, the prompt file's line of that number
has no id of its own and is no conversation (those came later), and the record's prompt and
system prompt are that line's. Anything else (a file edited since, an explicit numeric id) is
left as it is. Only the `prompt_id` field's bytes change; the file is rewritten beside and
renamed over, never half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from sutui.batch.prompts import PromptSource
from sutui.batch.results import RESULTS

_LINE_ID = re.compile(rb'"prompt_id":\s*"(\d{1,12})"')
"""A record whose prompt_id is a line number, found without parsing every record."""


class MigrationError(Exception):
    """results.jsonl could not be rewritten."""


def _numbered(path: Path) -> set[int]:
    found: set[int] = set()
    with path.open("rb") as f:
        for raw in f:
            match = _LINE_ID.search(raw)
            if match:
                found.add(int(match.group(1)))
    return found


def migrate_line_ids(out: Path, source: PromptSource) -> int:
    """Rewrite line-number prompt ids of `out`'s results to content ids; how many were."""
    path = out / RESULTS
    if not path.exists():
        return 0
    wanted = _numbered(path)
    if not wanted:
        return 0
    now: dict[int, tuple[str, str, str | None]] = {}
    for row in source.rows():
        if row.derived and row.line in wanted and row.messages is None:
            now[row.line] = (row.id, row.prompt, row.system)
    if not now:
        return 0
    tmp = out / f".{RESULTS}.ids.tmp"
    rewritten = 0
    try:
        with path.open("rb") as src, tmp.open("wb") as dst:
            for raw in src:
                new = _rewritten(raw, now)
                if new is not None:
                    raw = new
                    rewritten += 1
                dst.write(raw)
        if rewritten:
            os.replace(tmp, path)
    except OSError as exc:
        raise MigrationError(
            f"cannot rewrite the prompt ids of {path} ({exc.strerror or exc}); nothing was "
            "sent. Free some space or fix the permissions, then run the same command again."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return rewritten


def _rewritten(raw: bytes, now: dict[int, tuple[str, str, str | None]]) -> bytes | None:
    match = _LINE_ID.search(raw)
    if match is None:
        return None
    found = now.get(int(match.group(1)))
    if found is None:
        return None
    new_id, prompt, system = found
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("prompt_id") != match.group(1).decode():
        return None
    if data.get("prompt") != prompt or data.get("system") != system:
        return None
    quoted = json.dumps(new_id).encode()
    return raw[: match.start()] + b'"prompt_id":' + quoted + raw[match.end() :]
