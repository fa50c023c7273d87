"""Arena mode on the compare screen: blind rounds and the vote that ends each one.

In arena mode a send with no open round starts one: the columns are shuffled (a seeded RNG, one
seed per round, kept with the vote), titled A, B, C... instead of their SUTs, and their figures
hidden. The round is a conversation: more sends go on in the same blind columns, turn after
turn, until the user votes (f9) once every column has answered; the vote is saved to the
history database and the names are revealed. The next send starts a new round, and with it a
new conversation (the earlier answers would tell the shuffled columns apart). A column removed
or added during a round makes the round void (no vote until the next send): letters never shift
under the user, so a vote always means the answers the user read under those letters. Arena mode
turned off puts the columns back in the user's order. The compare screen calls in here; nothing
here streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.containers import HorizontalScroll

from sutui.arena.shuffle import letter, new_seed, shuffled
from sutui.widgets.arena_bar import ArenaBar
from sutui.widgets.column_status import ColumnStatus
from sutui.widgets.sut_column import SUTColumn

if TYPE_CHECKING:
    from sutui.arena.votes import Vote
    from sutui.screens.compare import CompareScreen


class Round:
    """A plain class, not a dataclass: this module loads before the first frame (see
    sutui/messages.py)."""

    def __init__(
        self, seed: int, columns: list[SUTColumn], prompt: str, system: str | None,
        vote: Vote | None = None, turns: int = 1,
    ) -> None:  # fmt: skip
        self.seed = seed
        self.columns = columns
        """In the order shown: index 0 is A."""
        self.prompt = prompt
        """The round's first question (the vote's `prompt`; the history run holds every
        turn)."""
        self.system = system
        self.vote = vote
        self.turns = turns
        self.told = False
        """The user was told that every column has ended (once)."""
        self.void: str | None = None
        """Why the round can no longer be voted on (a column was removed or added), if it
        can't."""

    @property
    def ended(self) -> bool:
        return all(c.status is not ColumnStatus.idle and not c.running for c in self.columns)


class ArenaMode:
    def __init__(self, screen: CompareScreen, seeds: Callable[[], int] = new_seed):
        self.screen = screen
        self.seeds = seeds
        """Where each round's seed comes from (tests give a fixed one)."""
        self.enabled = False
        self.round: Round | None = None
        self.letters: dict[str, str] = {}
        """Each blind column's letter, by column key: it stays until the next round."""
        self.user_order: list[SUTColumn] = []
        """The columns in the user's order (a round shuffles them): put back when arena mode
        is turned off. Columns added in arena mode come last, as they were added."""

    # ----- the compare screen calls these ----------------------------------------------------
    def toggle(self) -> None:
        self.enabled = not self.enabled
        self.screen.set_class(self.enabled, "-arena")
        self.screen.refresh_bindings()
        if self.enabled:
            self.user_order = self.screen.columns
            self._blind(self.screen.columns)
            self.screen.notify(
                "Arena mode: a round shuffles the columns and hides their SUTs; follow-ups "
                "go on in it until you vote (f9). ctrl+g leaves it.",
                title="Arena",
            )
        else:
            if self.round is not None and self.round.vote is None:
                self.screen.notify("Left arena mode without voting: no vote saved.")
            self.round = None
            self._restore_order()
            self._reveal(self.screen.columns, keep_letters=False)
            self.letters.clear()
        self.draw()

    @property
    def open_round(self) -> bool:
        """A round goes on: a send is its next turn (else a send starts a new round)."""
        round_ = self.round
        return self.enabled and round_ is not None and round_.vote is None and round_.void is None

    @property
    def starts_round(self) -> bool:
        return self.enabled and not self.open_round

    def before_send(self, prompt: str, system: str) -> None:
        """The next turn of the open round, or a new round: shuffle the columns, letter them,
        hide their SUTs."""
        if not self.enabled:
            return
        if self.open_round:
            assert self.round is not None
            self.round.turns += 1
            self.round.told = False
            self.draw()
            return
        last = self.round
        if last is not None and last.vote is None and last.void is None and last.ended:
            self.screen.notify("The last round had no vote: nothing saved for it.")
        seed = self.seeds()
        order = shuffled(self.screen.columns, seed)
        scroller = self.screen.query_one("#columns", HorizontalScroll)
        for index, column in enumerate(order):
            scroller.move_child(column, before=index)
        self.round = Round(seed, order, prompt, system.strip() or None)
        self._blind(order)
        self._retab(order)
        if isinstance(self.screen.focused, SUTColumn):  # focus would follow the SUT it is on
            self.screen.editor.focus_prompt()
        self.draw()

    def _restore_order(self) -> None:
        """The columns back in the user's order, as before arena mode shuffled them."""
        shown = self.screen.columns
        order = [c for c in self.user_order if c in shown]
        order += [c for c in shown if c not in order]  # never one left out
        self.user_order = []
        if order == shown:
            return
        scroller = self.screen.query_one("#columns", HorizontalScroll)
        for index, column in enumerate(order):
            scroller.move_child(column, before=index)
        self._retab(order)

    def status_changed(self) -> None:
        round_ = self.round
        if round_ is None or round_.vote is not None:
            return
        if round_.ended and not round_.told and round_.void is None:
            round_.told = True
            self.screen.notify(
                "Every column has answered: press f9 to vote, or send a follow-up.", title="Arena"
            )
        self.draw()

    def added(self, column: SUTColumn) -> None:
        """A column about to be added in arena mode is blind too, under a letter no other
        column has (it joins the next round); an open round becomes void."""
        if not self.enabled:
            return
        self.user_order.append(column)
        used = {self.letters.get(c.key) for c in self.screen.columns}
        free = next(letter(i) for i in range(len(used) + 1) if letter(i) not in used)
        self._blind_one(column, free)
        self._void("a column was added")

    def removed(self, column: SUTColumn) -> None:
        """The other columns keep their letters; an open round becomes void."""
        round_ = self.round
        if round_ is not None and column in round_.columns:
            self._void("a column was removed")
        self.letters.pop(column.key, None)
        if column in self.user_order:
            self.user_order.remove(column)

    def _void(self, why: str) -> None:
        round_ = self.round
        if round_ is None or round_.vote is not None or round_.void is not None:
            return
        round_.void = why
        self.screen.notify(
            f"This blind round is void ({why}): no vote on it. Send again for a new round.",
            title="Arena",
            severity="warning",
        )
        self.draw()

    @property
    def can_vote(self) -> bool:
        round_ = self.round
        return round_ is not None and round_.vote is None and round_.void is None and round_.ended

    def open_vote(self) -> None:
        from sutui.screens.vote import VoteScreen

        round_ = self.round
        if round_ is None:
            message = "Turn arena mode on (ctrl+g) and send a prompt first."
            if self.enabled:
                message = "Send a prompt first: votes are on a blind round."
            self.screen.notify(message, severity="warning")
            return
        if round_.vote is not None:
            self.screen.notify("This round has its vote: send again for a new one.")
            return
        if round_.void is not None:
            self.screen.notify(
                f"No vote on this round: {round_.void} during it. Send again for a new round.",
                severity="warning",
            )
            return
        if not round_.ended:
            self.screen.notify("Wait until every column has answered.", severity="warning")
            return
        if len(round_.columns) < 2:
            self.screen.notify("A vote needs two columns: add a SUT (ctrl+n).", severity="warning")
            return
        labels = [self.letters.get(c.key, letter(i)) for i, c in enumerate(round_.columns)]
        self.screen.app.push_screen(VoteScreen(labels), self._voted)

    # ----- the vote ------------------------------------------------------------------------
    def _voted(self, choice: tuple[str, int | None] | None) -> None:
        round_ = self.round
        if choice is None or round_ is None:
            return
        from sutui.arena.votes import Vote

        outcome, winner = choice
        vote = Vote(
            contestants=tuple(self._canonical(c.uid) for c in round_.columns),
            names=tuple(c.uid for c in round_.columns),
            outcome=outcome,
            winner=winner,
            prompt=round_.prompt,
            system=round_.system,
            run_id=self._run_id(),
            seed=round_.seed,
        )
        round_.vote = vote
        self._reveal(round_.columns, keep_letters=True)
        self.draw()
        self.screen.run_worker(lambda: self._save(vote), thread=True, group="vote")

    def _save(self, vote: Vote) -> None:
        """In a thread: the database may wait on another writer."""
        from sutui.arena.votes import save_vote

        try:
            save_vote(vote)
        except Exception as exc:  # the vote is on screen; say why it is not kept
            self.screen.app.call_from_thread(
                self.screen.notify,
                f"The vote was not saved: {exc}",
                severity="error",
                markup=False,
            )

    def _canonical(self, uid: str) -> str:
        try:
            definition, _ = self.screen.services.resolve(uid)
        except Exception:
            return uid
        return str(definition.format())

    def _run_id(self) -> int | None:
        """The history's id of the round's run, when the compare screen recorded one."""
        recording = getattr(self.screen, "recording", None)  # sutui/screens/compare_history.py
        run_id = getattr(recording, "run_id", None)
        return run_id if isinstance(run_id, int) else None

    # ----- drawing ---------------------------------------------------------------------------
    def _blind(self, columns: list[SUTColumn]) -> None:
        self.letters.clear()
        for index, column in enumerate(columns):
            self._blind_one(column, letter(index))

    def _blind_one(self, column: SUTColumn, name: str) -> None:
        self.letters[column.key] = name
        column.border_title = name
        column.add_class("-blind")
        self._tab_label(column)

    def _reveal(self, columns: list[SUTColumn], keep_letters: bool) -> None:
        for index, column in enumerate(columns):
            name = self.letters.get(column.key, letter(index))
            column.border_title = f"{name} · {column.uid}" if keep_letters else column.uid
            column.remove_class("-blind")
            self._tab_label(column)

    def _tab_label(self, column: SUTColumn) -> None:
        self.screen.column_tabs.relabel(column)

    def _retab(self, order: list[SUTColumn]) -> None:
        self.screen.column_tabs.reorder(order)

    def _bar(self) -> ArenaBar:
        """The bar, mounted above the editor when first needed."""
        bar = next(self.screen.query(ArenaBar).results(ArenaBar), None)
        if bar is None:
            bar = ArenaBar()
            self.screen.mount(bar, before="#editor")
        return bar

    def draw(self) -> None:
        if not self.enabled and not self.screen.query(ArenaBar):
            return  # never shown: nothing to clear
        bar = self._bar()
        bar.set_class(self.can_vote, "-ready")
        round_ = self.round
        if not self.enabled:
            bar.update("")
        elif round_ is None:
            bar.update("Arena: send a prompt; the columns are shuffled and their SUTs hidden.")
        elif round_.vote is not None:
            bar.update(f"Voted: {verdict(round_.vote)}. Send again for a new round.")
        elif round_.void is not None:
            bar.update(f"Round void ({round_.void}): no vote. Send again for a new round.")
        elif round_.ended:
            turns = f" (turn {round_.turns})" if round_.turns > 1 else ""
            bar.update(f"Every column has answered{turns}: press f9 to vote, or send a follow-up.")
        else:
            waiting = sum(1 for c in round_.columns if c.running)
            turn = f", turn {round_.turns}" if round_.turns > 1 else ""
            bar.update(
                f"Blind round{turn}: waiting for {waiting} of {len(round_.columns)} columns."
            )


def verdict(vote: Vote) -> str:
    """The vote in words, names revealed: "A (demo_echo) better than B (demo_yes_no)"."""
    names = vote.names or vote.contestants
    shown = [f"{letter(i)} ({name})" for i, name in enumerate(names)]
    if vote.outcome == "win" and vote.winner is not None:
        others = [s for i, s in enumerate(shown) if i != vote.winner]
        verb = "better than" if len(shown) == 2 else "best, over"
        return f"{shown[vote.winner]} {verb} {', '.join(others)}"
    if vote.outcome == "tie":
        return "tie between " + ", ".join(shown)
    return ("both bad: " if len(shown) == 2 else "all bad: ") + ", ".join(shown)
