"""The prompt file: CSV (a `prompt` column, optional `id` and `system`) or JSONL (objects with
`prompt`, optional `id` and `system`), read one line at a time so a file of any size costs the
same memory.

The file is read once up front (`scan`) to count the prompts and report every bad line before any
request is sent; each SUT's feeder then reads it again (`PromptSource.rows`), skipping the lines
the scan found bad. A prompt's id is its `id` value, else its line number. A CSV quote never
closed is no bad line but the end of the run: it swallows the rest of the file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, Prompt, TextPrompt
from sutui import text_input

Format = Literal["csv", "jsonl"]
MAX_REPORTED = 20
"""Bad lines listed one by one; past that, only their number."""


class PromptFileError(Exception):
    """The prompt file cannot be read at all (missing, not UTF-8, no prompt column)."""


@dataclass(frozen=True)
class PromptRow:
    line: int
    id: str
    prompt: str
    system: str | None = None

    def to_prompt(self) -> Prompt:
        if self.system is None:
            return TextPrompt(text=self.prompt)
        return ChatPrompt(
            messages=[
                ChatMessage(text=self.system, role=ChatRole.system),
                ChatMessage(text=self.prompt, role=ChatRole.user),
            ]
        )


@dataclass(frozen=True)
class BadLine:
    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


def detect_format(path: Path) -> Format:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with _open(path) as f:
        for raw in f:
            if raw.strip():
                return "jsonl" if raw.lstrip().startswith("{") else "csv"
    return "csv"


def _open(path: Path) -> Any:
    try:
        # Bytes that are not UTF-8 arrive as surrogate escapes, refused line by line with
        # their place (sutui/text_input.py) rather than as one error for the whole file.
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except FileNotFoundError:
        raise PromptFileError(f"the prompt file {path} does not exist.") from None
    except IsADirectoryError:
        raise PromptFileError(f"{path} is a directory: give a CSV or JSONL file.") from None
    except OSError as exc:
        raise PromptFileError(f"cannot read the prompt file {path}: {exc.strerror}.") from None


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"'{name}' must be a string, not {type(value).__name__}")
    return text_input.check(str(value), f"'{name}'", "save the file as UTF-8")


def _row(line: int, prompt: Any, pid: Any, system: Any) -> PromptRow:
    text = _text(prompt, "prompt")
    if not text.strip():
        raise ValueError("the prompt is empty")
    ident = str(line) if pid is None or pid == "" else _text(pid, "id")
    sys_text = None if system is None or system == "" else _text(system, "system")
    return PromptRow(line, ident, text, sys_text)


def _jsonl(path: Path) -> Iterator[PromptRow | BadLine]:
    with _open(path) as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.rstrip("\r\n"))  # columns count on the line as shown
            except json.JSONDecodeError as exc:
                yield BadLine(number, f"not JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield BadLine(number, f"a JSON {type(data).__name__}, not an object")
                continue
            if "prompt" not in data:
                yield BadLine(number, "no 'prompt' key")
                continue
            try:
                yield _row(number, data["prompt"], data.get("id"), data.get("system"))
            except ValueError as exc:
                yield BadLine(number, str(exc))


CSV_FIELD_LIMIT = 64 * 1024 * 1024
"""The longest CSV field read (the csv module's own default, 128 KiB, called longer prompts
"malformed" where JSONL took them): as long as a JSONL line may be."""


def _csv(path: Path) -> Iterator[PromptRow | BadLine]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with _open(path) as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise PromptFileError(f"{path}: the CSV header is malformed ({exc}).") from None
        if header is None:
            return
        names = [h.strip().lower() for h in header]
        if "prompt" not in names:
            raise PromptFileError(
                f"{path}: the CSV header has no 'prompt' column (it has: {', '.join(header)}). "
                "Name the column holding the prompts 'prompt' (optional: 'id', 'system')."
            )
        at = {name: names.index(name) for name in ("prompt", "id", "system") if name in names}
        start = reader.line_num + 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if reader.line_num > start and "unexpected end of data" in str(exc):
                    raise PromptFileError(runaway_quote(path, start, reader.line_num)) from None
                yield BadLine(start, f"malformed CSV ({exc})")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not fields or fields == [""]:
                continue
            if len(fields) != len(names):
                yield BadLine(line, f"{len(fields)} fields where the header has {len(names)}")
                continue
            try:
                yield _row(
                    line,
                    fields[at["prompt"]],
                    fields[at["id"]] if "id" in at else None,
                    fields[at["system"]] if "system" in at else None,
                )
            except ValueError as exc:
                yield BadLine(line, str(exc))


def runaway_quote(path: Path, start: int, end: int) -> str:
    """A quote never closed swallows the rest of the file into one field: not one bad line to
    skip, but most of the file unread, so the run must not go on as if it had read it."""
    return (
        f"{path} line {start}: a quote opened on line {start} is never closed, so it runs to "
        f"the end of the file: lines {start}-{end} were not read (about {end - start} prompts "
        'after it). Close the quote (a quote inside a quoted field is written twice: "").'
    )


def check_readable(path: Path) -> None:
    """Raise PromptFileError now if the file cannot be opened (missing, a directory, no
    permission): the cheap check made before anything else, the full scan comes later."""
    with _open(path):
        pass


def read(path: Path, fmt: Format) -> Iterator[PromptRow | BadLine]:
    """Every prompt and bad line of the file, in order."""
    rows = _csv(path) if fmt == "csv" else _jsonl(path)
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise PromptFileError(
            f"{path} is not UTF-8 text (byte {exc.start} of a read block): save it as UTF-8."
        ) from None


@dataclass
class PromptSource:
    """A scanned prompt file: how many prompts, which lines are bad (reported once)."""

    path: Path
    format: Format
    count: int = 0
    bad: list[BadLine] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    def rows(self) -> Iterator[PromptRow]:
        for item in read(self.path, self.format):
            if isinstance(item, PromptRow) and item.line not in self.bad_lines:
                yield item


def scan(path: Path, stop_at_bad: bool = False) -> PromptSource:
    """Count the prompts and find the bad lines (including an id used twice, which would make
    two prompts one for resuming). With `stop_at_bad`, stop at the first bad line."""
    source = PromptSource(path, detect_format(path))
    ids: set[str] = set()
    for item in read(path, source.format):
        if isinstance(item, PromptRow) and item.id in ids:
            item = BadLine(item.line, f"the id {item.id!r} is used by an earlier line")
        if isinstance(item, BadLine):
            source.bad_lines.add(item.line)
            if len(source.bad) < MAX_REPORTED or stop_at_bad:
                source.bad.append(item)
            if stop_at_bad:
                break
            continue
        ids.add(item.id)
        source.count += 1
    return source
