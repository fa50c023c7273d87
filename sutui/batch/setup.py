"""Everything a batch needs before its first request, in one order for the CLI and the app.

The cheap checks that can make the whole run impossible come first, so their one message is not
buried under a page of bad-line warnings: the prompt file can be opened, every UID makes a SUT
(secrets included), the output directory can be written and no other batch holds it. Then the
file is scanned (bad lines, a runaway CSV quote), every SUT translates a sample prompt with the
options (preflight), and the batch id, the cache and what an earlier run left are read.

`prepare_batch` returns with the output directory locked (lock.OutputLock): the caller runs
the batch and then releases it (`with prepared.lock:`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from drivers.options import SUTOptions
from sutui.batch import preflight
from sutui.batch import prompts as prompt_file
from sutui.batch.cache import CacheError, ResponseCache
from sutui.batch.legacy_ids import MigrationError, migrate_line_ids
from sutui.batch.lock import LOCK, OutputBusy, OutputLock
from sutui.batch.results import (
    MANIFEST,
    RESULTS,
    OutputDirError,
    Previous,
    batch_id,
    load,
    prepare,
    unwritable,
)
from sutui.batch.scheduler import BatchConfig
from sutui.timeouts import DEFAULT_TIMEOUT_S

if TYPE_CHECKING:
    from sutui.targets import SUTParts

DEFAULT_CONCURRENCY = 32


class BatchSetupError(Exception):
    """Bad input found before any request; the message says what is wrong and what to do."""


@dataclass
class BatchRequest:
    suts: Sequence[str]
    prompts: Path
    out: Path
    options: SUTOptions = field(default_factory=SUTOptions)
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    concurrency: int = DEFAULT_CONCURRENCY
    per_driver: int | None = None
    rps: float | None = None
    cache: bool = False
    on_bad_line: Literal["skip", "stop"] = "skip"
    max_line_bytes: int = prompt_file.MAX_LINE_BYTES


@dataclass
class PreparedBatch:
    config: BatchConfig
    previous: Previous
    lock: OutputLock
    """Held: release it when the run ends."""
    migrated: int = 0
    """Records whose line-number prompt_id was rewritten to a content id (legacy_ids.py)."""

    @property
    def source(self) -> prompt_file.PromptSource:
        return self.config.source


def prepare_batch(parts: SUTParts, request: BatchRequest) -> PreparedBatch:
    """Check everything and lock the output directory; raises BatchSetupError (or the SUT
    layer's own input errors: an unusable UID, missing secrets) with nothing sent."""
    from drivers.known_secrets import register_known
    from sutui.targets import make_targets

    try:
        prompt_file.check_readable(request.prompts)
    except prompt_file.PromptFileError as exc:
        raise BatchSetupError(str(exc)) from None
    canonical: dict[str, str] = {}
    targets = make_targets(parts, tuple(request.suts), canonical)
    register_known(parts.store)  # a prompt quoting any of the user's keys is written masked
    made = not request.out.exists()
    try:
        prepare(request.out)
        lock = OutputLock(request.out).acquire()
    except (OutputDirError, OutputBusy) as exc:
        raise BatchSetupError(str(exc)) from None
    except OSError as exc:
        raise BatchSetupError(unwritable(exc, request.out / LOCK)) from None
    try:
        source = read_prompts(request.prompts, request.on_bad_line, request.max_line_bytes)
        refused = preflight.problems(targets, source, request.options)
        if refused:
            raise BatchSetupError("\n".join(refused))
        try:
            run_id = batch_id(request.out)
            cache = ResponseCache() if request.cache else None
        except (OutputDirError, CacheError) as exc:
            raise BatchSetupError(str(exc)) from None
        config = BatchConfig(
            targets=targets,
            canonical=canonical,
            source=source,
            out=request.out,
            run_id=run_id,
            options=request.options,
            timeout_s=request.timeout_s,
            concurrency=request.concurrency,
            per_driver=request.per_driver,
            rps=request.rps,
            cache=cache,
        )
        try:
            migrated = migrate_line_ids(request.out, source)
        except MigrationError as exc:
            raise BatchSetupError(str(exc)) from None
        return PreparedBatch(config, load(request.out), lock, migrated)
    except BaseException:
        if made:
            remove_unused(request.out)
        lock.release()
        raise


def remove_unused(out: Path) -> None:
    """Bad input found after the output directory was made for this run: remove it again (it
    holds only the empty files made here), so a refused run leaves nothing behind."""
    for name in (RESULTS, MANIFEST, LOCK):
        path = out / name
        with contextlib.suppress(OSError):
            if name != RESULTS or path.stat().st_size == 0:
                path.unlink()
    with contextlib.suppress(OSError):
        out.rmdir()  # only if nothing else is there


def read_prompts(
    path: Path, on_bad_line: str, max_line_bytes: int = prompt_file.MAX_LINE_BYTES
) -> prompt_file.PromptSource:
    try:
        source = prompt_file.scan(path, on_bad_line == "stop", max_line_bytes)
    except prompt_file.PromptFileError as exc:
        raise BatchSetupError(str(exc)) from None
    if source.bad and on_bad_line == "stop":
        raise BatchSetupError(
            f"{path} {source.bad[0]}. Fix that line, or give --on-bad-line skip to leave bad "
            "lines out."
        )
    if source.count == 0:
        first = str(source.bad[0]).rstrip(".") if source.bad else ""
        bad = f" ({len(source.bad_lines)} bad lines; {first})" if source.bad else ""
        if any("is not UTF-8" in b.problem for b in source.bad):
            fix = "Save the file as UTF-8 (its lines are in another encoding)."
        else:
            fix = (
                "A CSV needs a header with a 'prompt' column (or modelgauge's UID,Text); a "
                'JSONL file one object per line, such as {"id": "q1", "prompt": "..."} or '
                '{"id": "c1", "messages": [{"role": "user", "content": "..."}]}.'
            )
        raise BatchSetupError(f"{path} holds no prompt{bad}. {fix}")
    return source


def bad_line_report(source: prompt_file.PromptSource) -> list[str]:
    """One line per bad line reported (the first ones), then how many more."""
    lines = [f"{source.path} {bad} (skipped)" for bad in source.bad]
    more = len(source.bad_lines) - len(source.bad)
    if more > 0:
        noun = "line" if more == 1 else "lines"
        lines.append(f"... and {more} more bad {noun} in {source.path} (skipped)")
    return lines
