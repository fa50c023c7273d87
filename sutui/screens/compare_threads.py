"""The compare screen's conversation: every column keeps its own thread, turn after turn.

A send after the first continues every column's thread (drivers/conversation.py builds what
each SUT is sent: the system prompt, the user's turns and its own answers). A column with a gap
(its last answer failed, was cancelled or cut at the length limit) is not sent across it
silently: the user is asked first (retry it with r, or send anyway). A column added during the
conversation starts from the shared user turns, said in its notes. New conversation (ctrl+f: a
fresh one) clears the threads and keeps the columns. In a column, `a` makes its answer the one every
column continues from ("use for all"), and `e` edits an earlier question: sent again, it forks
the conversation there (the later turns leave every column; the history keeps them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from drivers.conversation import Answer, Conversation
    from drivers.runner import RunEvent
    from sutui.history.threads import Resumed
    from sutui.screens.compare import CompareScreen

NEW_KEY = "ctrl+f"  # not ctrl+b: tmux takes it
TEXT_ONLY_FIX = f"start a new conversation ({NEW_KEY}) or remove this column"


class Threads:
    def __init__(self, screen: CompareScreen):
        self.screen = screen
        self.conversation: Conversation | None = None
        self.turn_of: dict[str, int] = {}
        """Each column's current run's turn (by column key)."""
        self.editing: int | None = None
        """The turn whose question is being edited (the next send forks there)."""
        self.names: dict[str, str] = {}
        """Each column's thread name in the history (by column key): its SUT as named at its
        first send (`uid`, `uid#2`), the same every turn, never reused by another column."""
        self.taken: set[str] = set()
        """Thread names of a reopened conversation whose columns are gone (not reused)."""
        self.run_of: dict[int, int] = {}
        """The history run of each turn of the current branch (what the next turn continues,
        what an edited turn replaces)."""

    @property
    def turns(self) -> int:
        return len(self.conversation.turns) if self.conversation is not None else 0

    def send(self, text: str, system: str, asked: bool = False) -> None:
        """Send `text` as the next turn to every column (asking first across a gap)."""
        from drivers.conversation import Conversation

        screen = self.screen
        if screen.arena.starts_round and self.turns:  # a blind round starts from scratch
            self.new()
            screen.notify("A new blind round: a new conversation.", title="Arena")
        talk = self.conversation = self.conversation or Conversation()
        columns = screen.columns
        if self.editing is not None:  # what this send goes on from: the turns before the edit
            talk = Conversation(talk.system, talk.turns[: self.editing])
        gapped = [c for c in columns if talk.started and not talk.joined_later(c.key)
                  and c.running is False and talk.gaps(c.key)]  # fmt: skip
        running = [c for c in columns if c.running]
        if running and talk.started and not asked:
            names = ", ".join(c.border_title or c.uid for c in running)
            self._ask(f"{names} still answering turn {self.turns}: cancel and send turn "
                      f"{self.turns + 1} (their answers so far stay as they are)?",
                      "Send now (y)", text, system)  # fmt: skip
            return
        if gapped and not asked:
            names = ", ".join(c.border_title or c.uid for c in gapped)
            self._ask(
                f"{names} {'has' if len(gapped) == 1 else 'have'} no whole answer to an earlier "
                "turn (failed, cancelled or cut short). Send anyway: the unanswered question is "
                "sent without an answer. Or choose No and retry it first (r in the column).",
                "Send anyway (y)", text, system,
            )  # fmt: skip
            return
        for column in running:
            column.cancel_quietly()
        self._send(text, system)

    def _ask(self, question: str, yes: str, text: str, system: str) -> None:
        from sutui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.send(text, system, asked=True)

        self.screen.app.push_screen(ConfirmScreen(question, yes, "No (n)"), answered)

    def _send(self, text: str, system: str) -> None:
        from sutui.widgets.column_send import send_columns

        screen = self.screen
        talk = self.conversation
        assert talk is not None
        screen.arena.before_send(text, system)  # in arena mode: shuffled and blind
        columns = screen.columns  # in their (maybe new) order
        replaced = None
        if self.editing is not None:
            replaced = self.run_of.get(self.editing)
            self._fork(self.editing)
        talk.system = system if system.strip() else None  # the whole thread is sent each time
        fix = TEXT_ONLY_FIX if talk.started else None
        chosen = self._chosen_note()
        prompts = {c.key: talk.prompt_for(c.key, text) for c in columns}
        joined = {c.key for c in columns if talk.joined_later(c.key)}
        talk.add_turn(text)
        turn = len(talk.turns) - 1
        run_id = screen.recording.begin(
            text,
            system,
            columns,
            threads=self._names(columns),
            previous_id=self.run_of.get(turn - 1),
            branch_of=replaced,
        )
        if run_id is not None:
            self.run_of[turn] = run_id
        runs = []
        with screen.app.batch_update():
            for column in columns:
                prompt, notes = prompts[column.key]
                if column.key in joined:
                    notes = [f"joined at turn {turn + 1}: " + n for n in notes]
                if chosen is not None and chosen[0] != column.key:
                    notes = [*notes, chosen[1]]
                self.turn_of[column.key] = turn
                column.send_notes = notes
                column.border_subtitle = ""
                run = column.begin(prompt, screen.shared, screen.timeout_s, text, fix, turn)
                tokens = talk.thread_tokens(column.key)[0] if turn else None
                runs.append(replace(run, tokens=tokens))
        screen.run_worker(send_columns(runs, screen.services), group="send", exit_on_error=False)
        screen.sent()

    def _names(self, columns: list[SUTColumn]) -> dict[str, str]:
        """The thread name of each column (a new one for a column's first send)."""
        taken = set(self.names.values()) | self.taken
        for column in columns:
            if column.key not in self.names:
                name, n = column.uid, 1
                while name in taken:
                    n += 1
                    name = f"{column.uid}#{n}"
                self.names[column.key] = name
                taken.add(name)
        return {c.key: self.names[c.key] for c in columns}

    def _chosen_note(self) -> tuple[str, str] | None:
        """The answer chosen for all after the last turn (its column's key, the note)."""
        talk = self.conversation
        if talk is None or not talk.turns or talk.turns[-1].for_all is None:
            return None
        key = talk.turns[-1].for_all
        name = next((c.border_title for c in self.screen.columns if c.key == key), key)
        return key, f"continues from {name}'s answer to turn {len(talk.turns)} (used for all)"

    def _fork(self, first: int) -> None:
        """The conversation goes back to before turn `first` in every column."""
        assert self.conversation is not None
        self.conversation.fork(first)
        self.editing = None
        self.run_of = {turn: run for turn, run in self.run_of.items() if turn < first}
        for column in self.screen.columns:
            column.drop_turns(first)
            if self.turn_of.get(column.key, -1) >= first:
                del self.turn_of[column.key]
        self.screen.edited(None)

    # ----- a column's keys --------------------------------------------------------------------
    def use_for_all(self, column: SUTColumn) -> None:
        """`column`'s answer to the latest turn is what every column continues from (again:
        each its own)."""
        talk, screen = self.conversation, self.screen
        turn = self.turn_of.get(column.key)
        if talk is None or turn is None or turn != len(talk.turns) - 1:
            screen.notify("Only an answer to the latest turn can be used for all: send first.",
                          severity="warning")  # fmt: skip
            return
        answer = talk.turns[turn].answers.get(column.key)
        if answer is None or not answer.complete or column.running:
            screen.notify(f"{column.border_title} has no whole answer to the latest turn yet.",
                          severity="warning", markup=False)  # fmt: skip
            return
        undo = talk.turns[turn].for_all == column.key
        talk.choose_for_all(turn, None if undo else column.key)
        run_id = self.run_of.get(turn)
        if run_id is not None:
            screen.recording.set_for_all(run_id, None if undo else self.names.get(column.key))
        for each in screen.columns:
            each.border_subtitle = "" if undo or each is not column else "used for all"
        if undo:
            screen.notify("Each column continues from its own answer again.")
        else:
            screen.notify(f"Every column continues from {column.border_title}'s answer to turn "
                          f"{turn + 1} (a again: each its own).", markup=False)  # fmt: skip

    def questions(self) -> list[str]:
        return [t.text for t in self.conversation.turns] if self.conversation else []

    def edit(self, turn: int) -> None:
        """Edit turn `turn`'s question: it goes to the prompt box; sent, it forks there."""
        self.editing = turn
        self.screen.edited(turn, self.questions()[turn])

    def stop_editing(self) -> None:
        self.editing = None
        self.screen.edited(None)

    def ended(self, column: SUTColumn, event: RunEvent) -> None:
        """A column's answer ended: it becomes that thread's answer to its turn."""
        turn = self.turn_of.get(column.key)
        if self.conversation is None or turn is None or turn >= self.turns:
            return
        self.conversation.answer(turn, column.key, answer_of(event))

    def added(self, column: SUTColumn) -> None:
        """A column added during the conversation says at once how it will join it (in its
        notes, shown as it mounts)."""
        talk = self.conversation
        if talk is None or not talk.started:
            return
        turns = len(talk.turns)
        chosen = [i + 1 for i, t in enumerate(talk.turns) if t.for_all is not None]
        if len(chosen) == turns:
            how = "the answers chosen for all"
        elif chosen:
            how = (f"the answers chosen for all (turn {', '.join(map(str, chosen))}) and the "
                   "other questions without answers")  # fmt: skip
        else:
            how = "the earlier questions, without answers (joined to the next one)"
        column.send_notes = [f"joins this conversation at turn {turns + 1}: it is sent {how}"]

    def removed(self, column: SUTColumn) -> None:
        self.turn_of.pop(column.key, None)
        if self.conversation is not None:
            self.conversation.forget(column.key)

    def resumed(self, resumed: Resumed, columns: dict[str, str]) -> None:
        """A saved conversation goes on here: `columns` gives each of its threads' column
        (thread name -> column key); the next send continues its latest run."""
        talk = self.conversation = resumed.conversation.renamed(columns)
        self.names = {column: thread for thread, column in columns.items()}
        self.taken = {k for turn in resumed.conversation.turns for k in turn.answers}
        self.run_of = {run.turn: run.id for run in resumed.branch}
        latest = len(talk.turns) - 1
        self.turn_of = dict.fromkeys(columns.values(), latest)
        for_all = talk.turns[latest].for_all if talk.turns else None
        for column in self.screen.columns:
            column.border_subtitle = "used for all" if column.key == for_all else ""

    def new(self) -> None:
        """A new conversation: the threads are cleared, the columns stay."""
        for column in self.screen.columns:
            column.new_conversation()
        self.conversation = None
        self.turn_of.clear()
        self.names.clear()
        self.taken = set()
        self.run_of.clear()
        if self.editing is not None:
            self.stop_editing()
        self.screen.recording.stop()


def answer_of(event: RunEvent) -> Answer:
    """A run's end as a thread's answer: whole only when done and not cut at the length
    limit (a cut answer is kept, and asked about before a thread goes on from it)."""
    from drivers.conversation import Answer
    from drivers.runner import Cancelled, Failed, Finished

    if isinstance(event, Finished):
        response = event.response
        usage = response.usage
        return Answer(
            response.text,
            complete=response.finish_reason != "length",
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )
    if isinstance(event, Failed | Cancelled):
        return Answer(event.partial_text, complete=False)
    return Answer("", complete=False)
