"""The output directory: `results.jsonl` (one record per prompt x SUT, appended as answers come)
and `batch.json` (the batch id, kept across resumed runs).

Each record is written with one `write` on an O_APPEND descriptor, so an interrupt never leaves
half a line. A full disk can: the writer cuts what went through of that record at once and
raises ResultsWriteError (the batch stops; the records before it stay). A SIGKILL in the middle
of a write can too, and the next run trims that unfinished line before appending. Reading back
(`load`) streams the file and keeps only 16-byte task keys.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sutui import storage
from sutui.batch import messages as chat
from sutui.batch.keys import options_json, task_key

RESULTS = "results.jsonl"
MANIFEST = "batch.json"


class OutputDirError(Exception):
    """The output directory cannot be made or written."""


class ResultsWriteError(storage.StorageError):
    """A record could not be appended (a full disk): the batch stops, resumable."""


def prepare(out: Path) -> Path:
    """Make `out` and check we can write there, before any request is sent."""
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"--out {out} is a file: give a directory (it is made if missing).")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        results = out / RESULTS
        fd = os.open(results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.close(fd)
    except OSError as exc:
        raise OutputDirError(unwritable(exc, out, "results to ")) from None
    return out


def unwritable(exc: OSError, path: Path, what: str = "") -> str:
    """`disk full: cannot write PATH. Free some space..., or choose another --out directory.`"""
    found = storage.problem(exc, path)
    todo = f"{storage.advice(found)}, or choose" if found else "Choose"
    return f"{storage.cannot_write(exc, path, what)}. {todo} another --out directory."


def batch_id(out: Path) -> str:
    """The batch id in `out/batch.json`, made and saved the first time."""
    manifest = out / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        found = data.get("run_id") if isinstance(data, dict) else None
        if isinstance(found, str):
            return found
    except (OSError, ValueError, RecursionError):
        pass
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_id = f"batch-{stamp}-{secrets.token_hex(3)}"
    try:
        manifest.write_text(json.dumps({"run_id": run_id}, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputDirError(unwritable(exc, manifest)) from None
    return run_id


def record_key(data: dict[str, Any]) -> bytes:
    """The task a record answered (keys.task_key, as the scheduler makes it from the prompt
    line). A record whose `messages` is not a list of role/content objects raises ValueError."""
    try:
        conversation = chat.key_text(data.get("messages"))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed 'messages' ({exc!r})") from None
    return task_key(
        str(data.get("prompt_id")),
        str(data.get("sut")),
        str(data.get("prompt")),
        data.get("system"),
        options_json(data.get("options") or {}),
        conversation,
    )


@dataclass
class Previous:
    """What an earlier run of this batch left in results.jsonl."""

    done: set[bytes] = field(default_factory=set)
    failed: set[bytes] = field(default_factory=set)
    """Tasks whose only records are failures: they run again."""
    records: int = 0
    trimmed: int = 0
    """Bytes of an unfinished last line removed."""
    unreadable: list[int] = field(default_factory=list)
    """Line numbers that are not records (kept, ignored)."""


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        yield from f


def trim_unfinished(path: Path) -> int:
    """Cut an unfinished last line (a killed run's); returns the bytes removed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size == 0:
        return 0
    with path.open("rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return 0
        block = 1 << 16
        end = size
        while end > 0:
            start = max(0, end - block)
            f.seek(start)
            chunk = f.read(end - start)
            at = chunk.rfind(b"\n")
            if at >= 0:
                keep = start + at + 1
                break
            end = start
        else:
            keep = 0
        f.truncate(keep)
        return size - keep


def load(out: Path) -> Previous:
    path = out / RESULTS
    previous = Previous(trimmed=trim_unfinished(path))
    if not path.exists():
        return previous
    for number, raw in enumerate(_lines(path), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            key = record_key(data)
            status = data["status"]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            previous.unreadable.append(number)
            continue
        previous.records += 1
        if status == "done":
            previous.done.add(key)
            previous.failed.discard(key)
        elif key not in previous.done:
            previous.failed.add(key)
    return previous


class ResultsWriter:
    """Appends one JSON line per record, each in one write, flushed as it comes."""

    def __init__(self, out: Path):
        self.path = out / RESULTS
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.start_size = self._size = os.fstat(self._fd).st_size
        self.written = 0

    def write(self, line: str) -> None:
        assert self._fd is not None, "the results file is closed"
        data = (line + "\n").encode()
        view = memoryview(data)
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
        except OSError as exc:
            self._take_back()
            raise ResultsWriteError(
                f"{storage.cannot_write(exc, self.path)}. The batch stopped; every record "
                f"written before is kept. {storage.advice(storage.problem(exc, self.path))} "
                "(or give another --out), then run the same command again: it resumes with "
                "what is missing."
            ) from None
        self._size += len(data)
        self.written += 1

    def _take_back(self) -> None:
        """Cut the part of a record a failed write let through (a truncate needs no space)."""
        assert self._fd is not None
        with contextlib.suppress(OSError):
            if os.fstat(self._fd).st_size > self._size:
                os.ftruncate(self._fd, self._size)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def drop_superseded(out: Path, replaced: set[bytes], before: int) -> int:
    """After a run that wrote again some tasks an earlier run had failed, drop those earlier
    failure lines (among the first `before` bytes) so the file has one line per task again.
    Rewrites to a temporary file and renames it over: the file is never half-written."""
    if not replaced:
        return 0
    path = out / RESULTS
    tmp = out / f".{RESULTS}.tmp"
    dropped = 0
    offset = 0
    try:
        with path.open("rb") as src, tmp.open("wb") as dst:
            for raw in src:
                line_start, offset = offset, offset + len(raw)
                if line_start < before:
                    try:
                        data = json.loads(raw)
                        if data.get("status") != "done" and record_key(data) in replaced:
                            dropped += 1
                            continue
                    except (ValueError, TypeError, AttributeError, RecursionError):
                        pass
                dst.write(raw)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ResultsWriteError(
            f"{storage.cannot_write(exc, path)}: the failure lines of earlier runs stay in "
            f"{path} beside their new answers (a later run drops them)."
        ) from None
    return dropped
