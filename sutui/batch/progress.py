"""Per-SUT counters of a batch (done, errors, rate, ETA) and the two ways the CLI shows them: a
rich Live table on a terminal, plain periodic lines otherwise (a log, CI)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text


@dataclass
class SUTProgress:
    key: str
    driver: str
    total: int
    """Prompts in the file (bad lines left out)."""
    before: int = 0
    """Done by an earlier run (skipped)."""
    done: int = 0
    errors: int = 0
    cached: int = 0
    retries: int = 0
    limit: int = 0
    """The driver's concurrency window now (it shrinks on 429s)."""
    started: float = field(default_factory=time.monotonic)
    """When the run started (BatchRunner.run sets it)."""
    finished: float | None = None
    """When this SUT's last prompt was answered (or the run stopped): its rate stops there,
    not at the end of the slowest SUT's."""

    @property
    def finished_count(self) -> int:
        return self.before + self.done + self.errors

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.finished_count)

    def rate(self, now: float | None = None) -> float:
        """Answers (done or failed, not cached) per second from the start to now, or to this
        SUT's end once it has one: the same figure while it runs and after (0 in the first half
        second of a run, when it would mean little)."""
        end = self.finished or now or time.monotonic()
        elapsed = end - self.started
        sent = self.done + self.errors - self.cached
        soon = self.finished is None and elapsed <= 0.5
        return sent / elapsed if elapsed > 0 and sent and not soon else 0.0

    def counted(self, now: float | None = None) -> None:
        """An answer was counted: the SUT's end, once it has none left to send."""
        if not self.remaining and self.finished is None:
            self.finished = now or time.monotonic()

    def rate_text(self) -> str:
        """The rate for people: "-" until it means something."""
        rate = self.rate()
        return f"{rate:.1f}" if rate else "-"

    def eta_s(self, now: float | None = None) -> float | None:
        if not self.remaining:
            return 0.0
        rate = self.rate(now)
        return self.remaining / rate if rate else None

    def copy(self) -> SUTProgress:
        return SUTProgress(**self.__dict__)


def duration(value: float | None) -> str:
    if value is None:
        return "?"
    seconds = round(value)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def line(p: SUTProgress) -> str:
    parts = [f"{p.key}: {p.finished_count}/{p.total}"]
    if p.errors:
        parts.append(f"{p.errors} failed")
    if p.cached:
        parts.append(f"{p.cached} cached")
    if p.before:
        parts.append(f"{p.before} from before")
    parts.append(f"{p.rate_text()}/s")
    if p.remaining:
        parts.append(f"ETA {duration(p.eta_s())}")
    else:
        parts.append("finished")
    return " · ".join(parts)


def table(rows: Sequence[SUTProgress]) -> Table:
    t = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (
        ("SUT", "left"),
        ("done", "right"),
        ("failed", "right"),
        ("cached", "right"),
        ("rate/s", "right"),
        ("ETA", "right"),
        ("window", "right"),
    ):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for p in rows:
        t.add_row(
            Text(p.key),
            f"{p.finished_count}/{p.total}",
            Text(str(p.errors), style="red" if p.errors else ""),
            str(p.cached),
            p.rate_text(),
            duration(p.eta_s()) if p.remaining else "done",
            str(p.limit),
        )
    return t


class ProgressDisplay:
    """`update(rows)` as often as you like; it draws at most every `every` seconds."""

    def __init__(self, stream: IO[str], every: float | None = None, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.live: Live | None = None
        tty = bool(getattr(stream, "isatty", lambda: False)())
        self.every = every if every is not None else (0.25 if tty else 10.0)
        self._last = 0.0 if tty else time.monotonic()  # plain lines: the first after `every`
        if tty and not quiet:
            console = Console(file=stream, stderr=True)
            self.live = Live(console=console, auto_refresh=False, transient=False)
            self.live.start()

    def update(self, rows: Sequence[SUTProgress], force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        if self.live is not None:
            self.live.update(table(rows), refresh=True)
            return
        for p in rows:
            print(line(p), file=self.stream, flush=True)

    def close(self, rows: Sequence[SUTProgress]) -> None:
        if self.live is not None:
            self.live.update(table(rows), refresh=True)
            self.live.stop()
            self.live = None
        elif not self.quiet:
            self.update(rows, force=True)

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
