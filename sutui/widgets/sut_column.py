"""One SUT's column: its status line, the streamed answer, and its timings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from drivers.runner import (
    Cancelled,
    Chunk,
    Failed,
    Finished,
    FirstToken,
    Queued,
    RunEvent,
    Started,
)


class SUTColumn(VerticalScroll):
    """Shows one SUT's answer. Provider text is shown as plain Text, never read as markup."""

    DEFAULT_CSS = """
    SUTColumn { width: 1fr; border: round $primary 50%; padding: 0 1; }
    SUTColumn:focus-within { border: round $accent; }
    SUTColumn > .status { color: $text-muted; }
    SUTColumn.-error > .status { color: $error; }
    SUTColumn.-done > .status { color: $success; }
    SUTColumn > .answer { margin-top: 1; }
    """

    def __init__(self, uid: str, *, id: str | None = None):
        super().__init__(id=id)
        self.uid = uid
        self.border_title = uid
        self._parts: list[str] = []
        self._first_token: float | None = None

    def compose(self) -> ComposeResult:
        yield Static("idle", classes="status", markup=False)
        yield Static("", classes="answer", markup=False)

    def _status(self, text: str) -> None:
        self.query_one(".status", Static).update(Text(text))

    def _answer(self) -> None:
        self.query_one(".answer", Static).update(Text("".join(self._parts)))

    def reset(self) -> None:
        self._parts.clear()
        self._first_token = None
        self.remove_class("-error", "-done")
        self._answer()

    def apply(self, event: RunEvent) -> None:
        if isinstance(event, Queued):
            self.reset()
            self._status("queued")
        elif isinstance(event, Started):
            self._status("waiting for first token")
        elif isinstance(event, FirstToken):
            self._first_token = event.first_token_s
            self._status(f"streaming · first token {event.first_token_s:.2f} s")
        elif isinstance(event, Chunk):
            self._parts.append(event.text)
            self._answer()
            self.scroll_end(animate=False)
        elif isinstance(event, Finished):
            usage = event.response.usage
            count = usage.completion_tokens if usage else None
            tokens = f" · {count} token{'s' if count != 1 else ''}" if count else ""
            self.add_class("-done")
            self._status(f"done · {event.timings.total_s:.2f} s{tokens}")
            self._parts = [event.response.text]
            self._answer()
        elif isinstance(event, Failed):
            self.add_class("-error")
            self._status(f"error · {event.error.one_line()}")
        elif isinstance(event, Cancelled):
            self._status(f"cancelled after {event.timings.total_s:.2f} s")
