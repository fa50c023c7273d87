"""The prompt file: CSV (a `prompt` column, optional `id` and `system`; modelgauge's `UID,Text`
and `prompt_uid,prompt_text` headers too) or JSONL (objects with `prompt`, optional `id` and
`system`, or `messages`: a conversation, sutui/batch/messages.py), read one line at a time, each
line (and CSV record) at most `max_line_bytes` long, so a file of any size costs about the same
memory.

The file is read once up front (`scan`) to count the prompts and report every bad line before any
request is sent; each SUT's feeder then reads it again (`PromptSource.rows`), skipping the lines
the scan found bad. A prompt's id is its `id` value, else a digest of its content
(sutui/batch/prompt_ids.py), so resuming finds a prompt wherever it moved. A CSV quote never
closed, or a line past the limit, is no bad line but the end of the run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from drivers.prompt import ChatMessage, ChatPrompt, ChatRole, Prompt, make_prompt
from sutui import text_input
from sutui.batch import messages as chat
from sutui.batch.lines import BoundedLines, LineTooLong, NotUtf8
from sutui.batch.prompt_ids import Repeats, content_id

Format = Literal["csv", "jsonl"]
MAX_REPORTED = 20
"""Bad lines listed one by one; past that, only their number."""
MAX_LINE_BYTES = 10 * 1024 * 1024
"""The longest line (or CSV record) of a prompt file, in bytes of UTF-8 (`--max-line-bytes`)."""
DETECT_READ = 4096
"""Characters read at a time while looking for the first line's first character."""
COLUMNS = {
    "prompt": ("prompt", "text", "prompt_text"),
    "id": ("id", "uid", "prompt_uid", "release_prompt_id"),
    "system": ("system",),
}
"""CSV header names (any case) for each field, the first one present taken: sutui's own, then
modelgauge's (`UID,Text`, what `modelgauge run-csv-items` read; its later `prompt_uid` or
`release_prompt_id` and `prompt_text`), so its prompt files run as they are."""


class PromptFileError(Exception):
    """The prompt file cannot be read at all (missing, not UTF-8, no prompt column)."""


@dataclass(frozen=True)
class PromptRow:
    line: int
    id: str
    prompt: str
    """The user's prompt: of a conversation, its last user turn (the one the SUT answers)."""
    system: str | None = None
    derived: bool = False
    """The line gives no id: `id` is its content's (sutui/batch/prompt_ids.py)."""
    messages: tuple[ChatMessage, ...] | None = None
    """The whole conversation, system message and last user turn included, when the line's
    `messages` has earlier turns; None when `prompt` and `system` say it all."""

    def to_prompt(self) -> Prompt:
        if self.messages is not None:
            return ChatPrompt(messages=list(self.messages))
        return make_prompt(self.prompt, self.system)

    @property
    def conversation(self) -> str | None:
        """The conversation as keys take it (messages.key_text), None for one turn."""
        return chat.key_text(self.messages)

    @property
    def turns(self) -> int:
        """Messages before the user's last one, the system prompt left out (0: one turn)."""
        if self.messages is None:
            return 0
        return sum(1 for m in self.messages[:-1] if m.role is not ChatRole.system)


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
        try:
            while chunk := f.readline(DETECT_READ):  # a part of a huge line is enough
                if chunk.strip():
                    return "jsonl" if chunk.lstrip().startswith("{") else "csv"
        except UnicodeDecodeError:
            raise PromptFileError(_not_utf8(path, None)) from None
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
    sys_text = None if system is None or system == "" else _text(system, "system")
    if pid is None or pid == "":  # built once: every SUT's feeder reads every line
        return PromptRow(line, content_id(text, sys_text), text, sys_text, derived=True)
    return PromptRow(line, _text(pid, "id"), text, sys_text)


def _with_id(row: PromptRow, pid: Any) -> PromptRow:
    """`row` with its id: the line's `id`, else its content's."""
    if pid is None or pid == "":
        derived = content_id(row.prompt, row.system, row.conversation)
        return replace(row, id=derived, derived=True)
    return replace(row, id=_text(pid, "id"))


def _conversation_row(line: int, data: dict[str, Any]) -> PromptRow:
    """A line with `messages`: one user turn is the prompt a `prompt` line makes (the same
    id, cache key and record); earlier turns make it a conversation."""
    both = [name for name in ("prompt", "system") if name in data]
    if both:
        raise ValueError(
            f"both 'messages' and '{both[0]}': keep one. A conversation goes in 'messages', "
            'its system prompt as the first message ({"role": "system", "content": "..."}); '
            "a single prompt in 'prompt' (and 'system')"
        )
    turns = chat.parse(data["messages"])
    one = chat.single(turns)
    if one is not None:
        return _with_id(PromptRow(line, "", one[0], one[1]), data.get("id"))
    system = turns[0].text if turns[0].role is ChatRole.system else None
    row = PromptRow(line, "", turns[-1].text, system, messages=turns)
    return _with_id(row, data.get("id"))


def _decode(line: str) -> Any:
    """One JSONL line's value. Integers stay as written (an id of 5,000 digits is past
    Python's int conversion limit); nesting too deep for the parser is a ValueError."""
    try:
        return json.loads(line, parse_int=str)
    except json.JSONDecodeError as exc:  # columns count on the line as shown
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("nested too deeply (arrays or objects inside one another)") from None
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None


def _jsonl(lines: BoundedLines) -> Iterator[PromptRow | BadLine]:
    for raw in lines:
        number = lines.number
        if not raw.strip():
            continue
        try:
            data = _decode(raw.rstrip("\r\n"))
        except ValueError as exc:
            yield BadLine(number, str(exc))
            continue
        if not isinstance(data, dict):
            yield BadLine(number, f"a JSON {type(data).__name__}, not an object")
            continue
        if "prompt" not in data and "messages" not in data:
            yield BadLine(number, "no 'prompt' or 'messages' key")
            continue
        try:
            if "messages" in data:
                yield _conversation_row(number, data)
            else:
                yield _row(number, data["prompt"], data.get("id"), data.get("system"))
        except ValueError as exc:
            yield BadLine(number, str(exc))


def _csv(path: Path, lines: BoundedLines) -> Iterator[PromptRow | BadLine]:
    # The csv module's own field limit (128 KiB) called longer prompts "malformed" where JSONL
    # took them: a field may be as long as a record, which the line bound keeps in check.
    csv.field_size_limit(max(csv.field_size_limit(), lines.limit))
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise PromptFileError(f"{path}: the CSV header is malformed ({exc}).") from None
    if header is None:
        return
    names = [h.strip().lower() for h in header]
    at = {
        field: names.index(found)
        for field, aliases in COLUMNS.items()
        if (found := next((a for a in aliases if a in names), None)) is not None
    }
    if "prompt" not in at:
        raise PromptFileError(
            f"{path}: the CSV header has no 'prompt' column (it has: {', '.join(header)}). "
            "Name the column holding the prompts 'prompt' (optional: 'id', 'system'); "
            "modelgauge's UID,Text header is read as it is."
        )
    start = reader.line_num + 1
    while True:
        lines.start_record()
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


def prompts_count(count: int) -> str:
    """'1 prompt', '12 prompts'."""
    return f"{count} prompt{'' if count == 1 else 's'}"


def runaway_quote(path: Path, start: int, end: int) -> str:
    """A quote never closed swallows the rest of the file into one field: not one bad line to
    skip, but most of the file unread, so the run must not go on as if it had read it."""
    return (
        f"{path} line {start}: a quote opened on line {start} is never closed, so it runs to "
        f"the end of the file: lines {start}-{end} were not read (about "
        f"{prompts_count(end - start)} after it). Close the quote (a quote inside a quoted "
        'field is written twice: "").'
    )


def check_readable(path: Path) -> None:
    """Raise PromptFileError now if the file cannot be opened (missing, a directory, no
    permission) or is UTF-16 (its byte order mark says so; read as UTF-8 it would be a header
    of odd characters): the cheap check made before anything else, the full scan comes later."""
    with _open(path) as f:
        start = f.buffer.peek(2)[:2] if hasattr(f, "buffer") else b""
    if start in (b"\xff\xfe", b"\xfe\xff"):
        raise PromptFileError(
            f"{path} is UTF-16 text: save it as UTF-8 (most editors and spreadsheet tools "
            "offer it under Save As, e.g. 'CSV UTF-8')."
        )


def read(
    path: Path, fmt: Format, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[PromptRow | BadLine]:
    """Every prompt and bad line of the file, in order. A prompt without an id has its
    content's (PromptRow.derived); `scan` tells identical ones apart."""
    with _open(path) as f:
        lines = BoundedLines(f, max_line_bytes, records=fmt == "csv")
        try:
            yield from _csv(path, lines) if fmt == "csv" else _jsonl(lines)
        except NotUtf8 as exc:
            raise PromptFileError(_not_utf8(path, exc.line)) from None
        except LineTooLong as exc:
            raise PromptFileError(too_long(path, exc)) from None


def _not_utf8(path: Path, line: int | None) -> str:
    where = f"{path} line {line}" if line is not None else str(path)
    return f"{where} is not UTF-8 text: save the file as UTF-8."


def too_long(path: Path, exc: LineTooLong) -> str:
    """A line past the limit ends the run before anything is sent: skipping it would quietly
    drop what may be a real prompt, and the limit is there to be raised when it is one."""
    limit = f"{exc.limit} bytes"
    if exc.limit >= 1 << 20:
        limit += f" ({exc.limit / (1 << 20):.3g} MiB)"
    what = f"line {exc.line} is longer than {limit}"
    if exc.last_line is not None and exc.last_line != exc.line:
        what = (
            f"line {exc.line}: a CSV record (a quoted field spanning lines {exc.line}-"
            f"{exc.last_line} so far) is longer than {limit}; is a quote never closed?"
        )
    return (
        f"{path} {what}, the limit for one prompt: nothing was sent. If the prompt is meant to "
        "be that long, raise the limit (sutui batch --max-line-bytes N); else fix the line."
    )


@dataclass
class PromptSource:
    """A scanned prompt file: how many prompts, which lines are bad (reported once)."""

    path: Path
    format: Format
    max_line_bytes: int = MAX_LINE_BYTES
    count: int = 0
    bad: list[BadLine] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    repeats: dict[int, str] = field(default_factory=dict)
    """Line -> id of each prompt without an id whose content an earlier one has (`-2`...)."""

    def rows(self) -> Iterator[PromptRow]:
        for item in read(self.path, self.format, self.max_line_bytes):
            if isinstance(item, PromptRow) and item.line not in self.bad_lines:
                repeat = self.repeats.get(item.line)
                yield item if repeat is None else replace(item, id=repeat)


def scan(
    path: Path, stop_at_bad: bool = False, max_line_bytes: int = MAX_LINE_BYTES
) -> PromptSource:
    """Count the prompts and find the bad lines (including an id used twice, which would make
    two prompts one for resuming); number the repeats of identical prompts without an id.
    With `stop_at_bad`, stop at the first bad line."""
    source = PromptSource(path, detect_format(path), max_line_bytes)
    ids: set[str] = set()
    repeats = Repeats()
    for item in read(path, source.format, max_line_bytes):
        if isinstance(item, PromptRow) and item.derived and item.id in ids:
            item = replace(item, id=repeats.next_id(item.id, ids))
            source.repeats[item.line] = item.id
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
