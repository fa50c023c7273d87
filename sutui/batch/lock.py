"""One batch at a time per output directory: an exclusive `flock` on `OUT/.batch.lock`, held for
the whole run (CLI and app alike).

Two runs appending to the same results.jsonl would send and write the same tasks twice, and
the closing rewrite (results.drop_superseded) could lose lines the other run appended. The
lock file is never removed (removing it would let two runs each lock a different file); it
holds the pid of the run that has it, for the message the other one shows. The kernel drops
the lock when its holder exits, however it exits.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

LOCK = ".batch.lock"


class OutputBusy(Exception):
    """Another batch holds the output directory."""


class OutputLock:
    """`acquire()` (or `with`), then `release()`; never blocks."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out / LOCK
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> OutputLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise OutputBusy(
                f"another batch is writing {self.out}{who}. Wait for it to end (or stop it), "
                "or give another --out directory."
            ) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the lock

    def __enter__(self) -> OutputLock:
        return self if self.held else self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _holder(fd: int) -> int | None:
    """The pid the holder wrote (None if it has not written it yet)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
