"""Writes one run into the history while it happens, for `run-sut` and the compare screen.

The history never stops a run: the first write that fails is reported once (through
`on_problem`) and the recorder goes quiet; the answers still reach the screen or stdout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sutui.history.errors import HistoryError
from sutui.history.planned import Planned
from sutui.records import ResultRecord

if TYPE_CHECKING:
    from drivers.runner import RunEvent
    from sutui.history.store import HistoryStore

PARTIAL_EVERY_S = 1.0
"""How often a streaming answer's text is saved: at most this much is lost to a kill -9."""


class RunRecorder:
    def __init__(
        self,
        store: HistoryStore | None,
        on_problem: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.on_problem = on_problem
        self.clock = clock
        self.run_id: int | None = None
        self.conversation_id: int | None = None
        self.turn = 0
        self._index: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._thoughts: dict[str, str] = {}
        """The reasoning streamed so far, by key (run-sut)."""
        self._saved: dict[str, tuple[float, int]] = {}
        self._ended: set[str] = set()

    def begin(
        self,
        keys: Sequence[str],
        suts: Sequence[Planned],
        *,
        previous_id: int | None = None,
        branch_of: int | None = None,
        **run: Any,
    ) -> int | None:
        """Save the run (keys tell its SUTs apart, in column order); returns its id, or None
        when there is no history. The run is a turn of a conversation: the next one after run
        `previous_id`, or an edited question replacing run `branch_of` (HistoryStore.begin_run);
        neither: a new conversation. `conversation_id` and `turn` say where it went."""
        self._index = {key: i for i, key in enumerate(keys)}
        self._texts = dict.fromkeys(keys, "")
        self._thoughts = dict.fromkeys(keys, "")
        self._saved, self._ended = {}, set()
        self.conversation_id, self.turn = None, 0
        self.run_id = self._write(
            lambda s: s.begin_run(suts=suts, previous_id=previous_id, branch_of=branch_of, **run)
        )
        run_id = self.run_id
        if run_id is not None:
            found = self._write(lambda s: s.position(run_id))
            if found is not None:
                self.conversation_id, self.turn = found
        return self.run_id

    def stamped(self, record: ResultRecord, key: str) -> ResultRecord:
        """`record` with this run's id, its place in the run and in the conversation."""
        index, run_id = self.index(key), self.run_id
        if index is None or run_id is None:
            return record
        return record.model_copy(
            update={
                "run_id": str(run_id),
                "index": index,
                "turn": self.turn,
                "conversation_id": str(self.conversation_id or run_id),
            }
        )

    def index(self, key: str) -> int | None:
        return self._index.get(key) if self.run_id is not None else None

    def ended(self, key: str) -> bool:
        """Whether that answer has ended (was saved by `finish`)."""
        return key in self._ended

    def feed(self, event: RunEvent) -> None:
        """A run's event stream (run-sut's and the compare screen's): streamed text and
        reasoning gathered and saved as they come; a broken stream that starts again voids
        them. An ended answer is saved by `finish`, with its record."""
        from drivers.runner import Chunk, ReasoningChunk, Retrying

        if isinstance(event, Chunk):
            self.chunk(event.key, event.text)
        elif isinstance(event, ReasoningChunk):
            self.chunk(event.key, "", event.text)
        elif isinstance(event, Retrying) and event.restart:
            self.discard(event.key)

    def text(self, key: str) -> str:
        """The answer's text gathered from its events so far."""
        return self._texts.get(key, "")

    def reasoning(self, key: str) -> str:
        return self._thoughts.get(key, "")

    def flush(self, keys: Sequence[str]) -> None:
        """Save what these answers gathered that is not saved yet (the compare screen's
        timer: a stalled stream's last text is kept within a second)."""
        for key in keys:
            text, reasoning = self.text(key), self.reasoning(key)
            if (text or reasoning) and key not in self._ended:
                self.progress(key, text, force=True, reasoning=reasoning)

    def chunk(self, key: str, text: str, reasoning: str = "") -> None:
        """Streamed text or reasoning arrived (run-sut): saved at most every PARTIAL_EVERY_S."""
        if key in self._texts:
            self._texts[key] += text
            self._thoughts[key] += reasoning
            self.progress(key, self._texts[key], reasoning=self._thoughts[key])

    def discard(self, key: str) -> None:
        """A broken stream starts its answer again: what was saved so far is void."""
        if key in self._texts:
            self._texts[key] = self._thoughts[key] = ""
            self.progress(key, "", force=True)

    def progress(self, key: str, text: str, force: bool = False, reasoning: str = "") -> None:
        """The whole text (and reasoning) so far; saved when it grew and PARTIAL_EVERY_S has
        passed."""
        index, run_id = self.index(key), self.run_id
        if index is None or run_id is None:
            return
        now = self.clock()
        at, length = self._saved.get(key, (float("-inf"), -1))
        size = len(text) + len(reasoning)
        if size == length or (not force and now - at < PARTIAL_EVERY_S):
            return
        self._saved[key] = (now, size)
        self._write(lambda s: s.save_partial(run_id, index, text, reasoning))

    def finish(self, key: str, record: ResultRecord) -> ResultRecord:
        """An answer ended: saved at once. Returns the record with its run id."""
        if self.index(key) is None or self.run_id is None:
            return record
        record = self.stamped(record, key)
        self._ended.add(key)
        self._write(lambda s: s.finish(record))
        return record

    def restart(self, key: str, options: dict[str, Any]) -> None:
        index, run_id = self.index(key), self.run_id
        if index is not None and run_id is not None:
            self._saved.pop(key, None)
            self._ended.discard(key)
            self._texts[key] = self._thoughts[key] = ""
            self._write(lambda s: s.restart(run_id, index, options))

    def stop(
        self, texts: dict[str, str] | None = None, reasonings: dict[str, str] | None = None
    ) -> None:
        """The run stops before its other answers end: they are saved as partial, with
        `texts` and `reasonings` (by key; default: what `chunk` gathered)."""
        run_id = self.run_id
        if run_id is None:
            return
        if texts is None:
            texts, reasonings = self._texts, self._thoughts
        thoughts = reasonings or {}
        keys = [k for k in texts if k in self._index and k not in self._ended]
        by_index = {self._index[k]: texts[k] for k in keys}
        reasoning_by_index = {self._index[k]: thoughts.get(k, "") for k in keys}
        if by_index:
            self._write(lambda s: s.stop_running(run_id, by_index, reasoning_by_index))

    def _write(self, write: Callable[[HistoryStore], Any]) -> Any:
        if self.store is None:
            return None
        try:
            return write(self.store)
        except HistoryError as exc:
            self.store = None
            self.run_id = None
            self.on_problem(f"history not saved: {exc}")
            return None
