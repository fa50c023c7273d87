"""Why a file could not be written, in words a user can act on: "disk full", "read-only file
system", "permission denied", "disk quota exceeded", always with the path.

An OSError carries its errno. SQLite does not pass errno on: it says SQLITE_FULL for a full
database file, but a full disk often shows as a disk I/O error (its shared-memory file cannot
grow) or "unable to open" (a read-only directory), so for those the file system itself is asked.
Also the read-only fallback every store here shares: what can be read is still read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import sqlite3

T = TypeVar("T")

DISK_FULL = "disk full"
READ_ONLY = "read-only file system"
PERMISSION = "permission denied"
QUOTA = "disk quota exceeded"

ERRNO_PROBLEMS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: QUOTA,
    errno.EROFS: READ_ONLY,
    errno.EACCES: PERMISSION,
    errno.EPERM: PERMISSION,
}
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 10, 13, 14
NEARLY_FULL_BYTES = 64 * 1024
"""Free space below this, when SQLite reports an I/O error: the disk is full."""


class StorageError(Exception):
    """A file cannot be written because of where it is (disk full, read-only, no permission):
    the user must fix that, so the CLI exits 2."""


def problem(exc: BaseException, path: Path) -> str | None:
    """DISK_FULL, READ_ONLY, PERMISSION or QUOTA when `exc` (writing `path`) is one of them."""
    if isinstance(exc, OSError):
        return ERRNO_PROBLEMS.get(exc.errno or 0)
    # sqlite3 is imported by the stores that use it: when it is not loaded, `exc` is none of
    # its errors (and `run-sut --no-history` does not import it to find that out).
    sqlite = sys.modules.get("sqlite3")
    if sqlite is not None and isinstance(exc, sqlite.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = None if code is None else code & 0xFF
        if primary == SQLITE_FULL:
            return DISK_FULL
        if primary in (SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN):
            found = file_system_problem(path)
            if found is None and primary == SQLITE_READONLY:
                return READ_ONLY
            return found
    return None


def file_system_problem(path: Path) -> str | None:
    """What stops writes at `path`, asking the file system (for errors that do not say)."""
    where = path if path.is_dir() else path.parent
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        fs = os.statvfs(where)
    except OSError:
        return None
    if fs.f_flag & os.ST_RDONLY:
        return READ_ONLY
    free = fs.f_bfree if os.geteuid() == 0 else fs.f_bavail
    if free * fs.f_frsize < NEARLY_FULL_BYTES:
        return DISK_FULL
    if not os.access(where, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return PERMISSION
    return None


def cannot_write(exc: BaseException, path: Path, what: str = "") -> str:
    """`disk full: cannot write PATH` (or the error's own words when it is no such problem);
    `what` names the thing written ("results to ")."""
    found = problem(exc, path)
    if found is not None:
        return f"{found}: cannot write {what}{path}"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot write {what}{path}: {reason}"


def advice(found: str | None) -> str:
    """What to do about a problem from `problem`."""
    if found in (DISK_FULL, QUOTA):
        return "Free some space on that disk"
    if found in (READ_ONLY, PERMISSION):
        return "Make that directory writable"
    return "Check that disk"


def when_free(open_db: Callable[[], T], timeout_s: float) -> T:
    """`open_db()`, tried again while another process holds the database: two processes
    opening a new database at once both turn on WAL, and SQLite answers "database is locked"
    to one of them at once, whatever its busy timeout."""
    import sqlite3

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return open_db()
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code not in (SQLITE_BUSY, SQLITE_LOCKED) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect_read_only(path: Path, timeout_s: float) -> sqlite3.Connection:
    """`path` opened for reading only where it cannot be written. Read-only mode needs the WAL's
    shared-memory file (made if missing, which a read-only or full disk refuses); failing that,
    `immutable`, which reads the database file as it is (nothing can be writing it there)."""
    import sqlite3

    uri = path.absolute().as_uri()
    last: sqlite3.Error | None = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri + query, uri=True, isolation_level=None, timeout=timeout_s)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            last = exc
            continue
        return conn
    assert last is not None
    raise last


def write_text_safely(path: Path, text: str) -> None:
    """Write a whole file or leave the old one: a regular file is written beside it and renamed
    over, so a full disk never leaves half of the new text in place of the old (a device or a
    pipe, as /dev/stdout, is written directly)."""
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        special = False
    if special:
        path.write_text(text, encoding="utf-8")
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
