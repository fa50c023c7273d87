"""The lines of a prompt file, each read with a bound: a line longer than the limit is refused
after reading at most the limit, never held whole (one 50 MB line once cost 836 MB of memory,
through the decoded line, the JSON parser and the prompt built from it).
"""

from __future__ import annotations

from typing import TextIO


class LineTooLong(Exception):
    """A line (or a CSV record spanning lines) past the limit."""

    def __init__(self, line: int, limit: int, last_line: int | None = None):
        super().__init__(line, limit)
        self.line = line
        self.limit = limit
        self.last_line = last_line
        """For a CSV record over several lines: the line where the limit was passed."""


class NotUtf8(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


class BoundedLines:
    """Iterate over the lines of a text file, as `for line in f` does (line endings kept), each
    at most `limit` bytes of UTF-8 without its line ending. With `records`, a CSV record (which
    may span lines) must fit the limit too: `start_record()` starts counting one."""

    def __init__(self, f: TextIO, limit: int, records: bool = False):
        self.f = f
        self.limit = limit
        self.records = records
        self.number = 0
        self._record_start = 1
        self._record_bytes = 0

    def __iter__(self) -> BoundedLines:
        return self

    def start_record(self) -> None:
        self._record_start = self.number + 1
        self._record_bytes = 0

    def __next__(self) -> str:
        try:
            # At most limit + 1 characters: a longer line shows itself without being read whole.
            line = self.f.readline(self.limit + 1)
        except UnicodeDecodeError:
            raise NotUtf8(self.number + 1) from None
        if not line:
            raise StopIteration
        self.number += 1
        body = line.rstrip("\r\n")
        size = len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
        if size > self.limit:
            raise LineTooLong(self.number, self.limit)
        if not self.records:
            return line
        self._record_bytes += size
        if self._record_bytes > self.limit:
            raise LineTooLong(self._record_start, self.limit, self.number)
        return line
