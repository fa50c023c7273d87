"""Arena mode, the vote, the diff and the leaderboard in the app (Pilot and snapshots)."""

from __future__ import annotations

from typing import Any

from test_app_support import (
    FIXED_VOTES,
    columns,
    isolated,
    new_app,
    no_blink,
    save_votes,
    send,
    settle,
    steady,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, Tabs

from sutui.arena.shuffle import shuffled
from sutui.arena.votes import Vote, load_votes, save_vote
from sutui.screens.diff import DiffChooser, DiffScreen
from sutui.screens.leaderboard import LeaderboardScreen
from sutui.screens.secrets import ConfirmScreen
from sutui.screens.vote import VoteScreen
from sutui.widgets.figures import Figures

__all__ = ["isolated"]

SUTS = ["demo_yes_no", "demo_echo"]
CANONICAL = {
    "demo_yes_no": "yes_no:demo",
    "demo_echo": "echo:demo",
    "demo_always_sorry": "always_sorry:demo",
}


def screen_text(app: Any) -> str:
    """Every title and line the compare screen shows (border titles, tabs, statics)."""
    parts = [str(c.border_title) for c in columns(app)]
    parts += [str(t.label) for tabs in app.compare.query(Tabs) for t in tabs.query("Tab")]
    parts += [str(s.render()) for s in app.compare.query(Static) if s.display]
    return "\n".join(parts)


async def blind_round(pilot: Pilot[None], seed: int = 7, prompt: str = "one two three") -> None:
    await settle(pilot)
    pilot.app.compare.arena.seeds = lambda: seed  # type: ignore[attr-defined]
    await pilot.press("ctrl+g")
    await send(pilot, prompt)
    await settle(pilot)


async def test_a_full_blind_round_hides_then_reveals_and_saves_the_vote() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(120, 30)) as pilot:
        await blind_round(pilot)
        order = shuffled(SUTS, 7)
        assert [c.uid for c in columns(app)] == order
        assert [str(c.border_title) for c in columns(app)] == ["A", "B"]
        assert not any(c.query_one(Figures).display for c in columns(app))
        text = screen_text(app)
        assert not any(name in text for name in SUTS)
        assert "press f9 to vote" in str(app.compare.query_one("#arena-bar", Static).render())
        await pilot.press("f9")
        assert isinstance(app.screen, VoteScreen)
        await pilot.press("b")
        await settle(pilot)
        assert [str(c.border_title) for c in columns(app)] == [f"A · {order[0]}", f"B · {order[1]}"]
        assert all(c.query_one(Figures).display for c in columns(app))
        bar = str(app.compare.query_one("#arena-bar", Static).render())
        assert f"B ({order[1]}) better than A ({order[0]})" in bar
        run_id = app.compare.recording.run_id
        assert run_id is not None
    (saved,) = load_votes()
    assert saved.contestants == tuple(CANONICAL[n] for n in order)
    assert saved.names == tuple(order)
    assert (saved.outcome, saved.winner, saved.seed, saved.prompt) == ("win", 1, 7, "one two three")
    assert saved.run_id == run_id  # the vote links to the saved run


async def test_best_of_three_and_votes_persist_across_restarts() -> None:
    three = [*SUTS, "demo_always_sorry"]
    for seed in (1, 2):
        app = new_app(three)
        async with app.run_test(size=(120, 30)) as pilot:
            await blind_round(pilot, seed)
            await pilot.press("f9")
            labels = [str(o.prompt) for o in app.screen.query_one("OptionList").options]  # type: ignore[attr-defined]
            assert labels[:3] == ["a  A is best", "b  B is best", "c  C is best"]
            await pilot.press("c")
            await settle(pilot)
    votes = load_votes()
    assert [v.winner for v in votes] == [2, 2] and [v.seed for v in votes] == [1, 2]
    app = new_app(three)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LeaderboardScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert "2 votes" in str(app.screen.query_one("#board-summary", Static).render())


async def test_no_vote_before_every_column_ends_and_leaving_arena_reveals() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+g")
        assert [str(c.border_title) for c in columns(app)] == ["A", "B"]
        await pilot.press("f9")  # nothing sent yet
        assert not isinstance(app.screen, VoteScreen)
        await pilot.press("ctrl+g")
        assert [str(c.border_title) for c in columns(app)] == SUTS
        await pilot.press("f9")  # arena off: the key says how to start a blind round
        assert not isinstance(app.screen, VoteScreen)
        said = [n.message for n in app._notifications]
        assert "Voting is for blind rounds: ctrl+g starts arena mode." in said
    assert load_votes() == []


async def test_one_column_cannot_be_voted_on() -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await blind_round(pilot)
        await pilot.press("f9")
        assert not isinstance(app.screen, VoteScreen)
    assert load_votes() == []


async def test_narrow_tabs_follow_the_blind_order() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(70, 24)) as pilot:
        await blind_round(pilot, 7)
        labels = [str(t.label) for t in app.compare.query_one(Tabs).query("Tab")]
        assert labels == ["✓ A", "✓ B"]


# ----- diff ------------------------------------------------------------------------------------
async def test_diff_of_two_columns_and_the_chooser_for_more() -> None:
    app = new_app(["demo_echo", "demo_yes_no", "demo_always_sorry"])
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "one two three four")
        columns(app)[1].focus()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DiffChooser)
        await pilot.press("enter", "enter")  # the focused column, then the next
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        await settle(pilot)
        assert "7 only right" in str(app.screen.query_one("#diff-summary", Static).render())
        assert (app.screen.left.label, app.screen.right.label) == (
            "demo_yes_no",
            "demo_always_sorry",
        )
        await pilot.press("s")
        assert app.screen.left.label == "demo_always_sorry"
        await pilot.press("escape")
        assert app.screen is app.compare


async def test_diff_panes_scroll_together_and_stack_when_narrow() -> None:
    app = new_app(["demo_echo", "demo_echo"])
    async with app.run_test(size=(60, 24)) as pilot:
        words = " ".join(f"word{i}" for i in range(300))
        await send(pilot, words)
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen) and screen.has_class("-narrow")
        left, right = screen.panes
        assert left.region.y < right.region.y  # stacked
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: left.scroll_y > 0 and right.scroll_y > 0)


# ----- snapshots -------------------------------------------------------------------------------
def test_snapshot_blind_columns_before_the_vote(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        no_blink(pilot)
        await blind_round(pilot, 7, "Is the sky blue?")
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(new_app(SUTS), terminal_size=(100, 28), run_before=run_before)


def test_snapshot_diff_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await settle(pilot)
        await send(pilot, "The quick brown fox jumps over the lazy dog. [bold]Not markup[/bold]")
        other = "The quick red fox jumped over a lazy dog! [bold]Not markup[/bold]"
        columns(app)[1].answer.text = other
        columns(app)[0].focus()  # type: ignore[attr-defined]
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(
        new_app(["demo_echo", "demo_echo"]), terminal_size=(100, 20), run_before=run_before
    )


def test_snapshot_leaderboard(snap_compare: Any) -> None:
    save_votes(FIXED_VOTES)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+l")
        await settle(pilot)

    assert snap_compare(new_app(), terminal_size=(110, 16), run_before=run_before)


# ----- a column removed or added during a round ------------------------------------------------
async def test_removing_a_column_mid_round_voids_it_and_keeps_the_letters() -> None:
    three = [*SUTS, "demo_always_sorry"]
    app = new_app(three)
    async with app.run_test(size=(70, 30)) as pilot:
        await blind_round(pilot, 3)
        first, middle, last = columns(app)
        middle.focus()
        await pilot.press("delete")  # it holds an answer: asked first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert len(columns(app)) == 3
        middle.focus()
        await pilot.press("delete")
        await pilot.press("y")
        await settle(pilot)
        assert columns(app) == [first, last]
        assert [str(c.border_title) for c in columns(app)] == ["A", "C"]  # no letter shifts
        labels = [str(t.label) for t in app.compare.query_one(Tabs).query("Tab")]
        assert labels == ["✓ A", "✓ C"]
        assert "void" in str(app.compare.query_one("#arena-bar", Static).render())
        await pilot.press("f9")
        assert not isinstance(app.screen, VoteScreen)  # no vote on a void round
        app.compare.add_column("demo_echo", remember=False)  # never a letter in use
        await pilot.pause()
        assert [str(c.border_title) for c in columns(app)] == ["A", "C", "B"]
        await send(pilot, "four five")  # the next send is a fresh round over every column
        await settle(pilot)
        assert [str(c.border_title) for c in columns(app)] == ["A", "B", "C"]
        await pilot.press("f9")
        assert isinstance(app.screen, VoteScreen)
        assert str(app.screen.query_one(".dialog-title", Static).render()) == (
            "Which answer is best?"
        )
        await pilot.press("b")
        await settle(pilot)
        shown = columns(app)
        titles = [f"{x} · {c.uid}" for x, c in zip("ABC", shown, strict=True)]
        assert [str(c.border_title) for c in shown] == titles
    (saved,) = load_votes()
    assert saved.names == tuple(c.uid for c in shown) and saved.winner == 1


async def test_adding_a_column_mid_round_voids_it() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(120, 30)) as pilot:
        await blind_round(pilot)
        app.compare.add_column("demo_always_sorry", remember=False)
        await pilot.pause()
        assert [str(c.border_title) for c in columns(app)] == ["A", "B", "C"]
        await pilot.press("f9")
        assert not isinstance(app.screen, VoteScreen)
        assert "void" in str(app.compare.query_one("#arena-bar", Static).render())
    assert load_votes() == []


async def test_an_empty_column_goes_without_a_question() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        columns(app)[0].focus()
        await pilot.press("x")
        await pilot.pause()
        assert [c.uid for c in columns(app)] == SUTS[1:]


async def test_a_blind_round_goes_on_for_several_turns_until_the_vote() -> None:
    app = new_app(SUTS)
    async with app.run_test(size=(120, 30)) as pilot:
        await blind_round(pilot, prompt="one two")
        order = [c.uid for c in columns(app)]
        await send(pilot, "three four five")  # a follow-up: the same round, no reshuffle
        await settle(pilot)
        assert [c.uid for c in columns(app)] == order
        assert [str(c.border_title) for c in columns(app)] == ["A", "B"]
        assert all(c.answer.past_turns == 1 for c in columns(app))
        assert not any(name in screen_text(app) for name in SUTS)  # still hidden
        bar = str(app.compare.query_one("#arena-bar", Static).render())
        assert "(turn 2)" in bar and "press f9 to vote" in bar
        await pilot.press("f9")
        await pilot.press("a")
        await settle(pilot)
        await blind_round_next(pilot, "six")  # after the vote: a new round, a new conversation
        assert all(c.answer.past_turns == 0 for c in columns(app))
        talk = app.compare.threads.conversation
        assert talk is not None and [t.text for t in talk.turns] == ["six"]
    (vote,) = load_votes()
    assert vote.prompt == "one two" and vote.winner == 0


async def blind_round_next(pilot: Pilot[None], prompt: str) -> None:
    await send(pilot, prompt)
    await settle(pilot)


def test_snapshot_arena_after_two_turns(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await blind_round(pilot, prompt="Name a colour.")
        await send(pilot, "Another one?")
        await settle(pilot)
        pilot.app.clear_notifications()
        pilot.app.set_focus(None)
        await steady(pilot)

    assert snap_compare(new_app(SUTS), run_before=run_before, terminal_size=(100, 30))


async def test_leaving_arena_mode_puts_the_columns_back_in_the_users_order() -> None:
    three = [*SUTS, "demo_always_sorry"]
    app = new_app(three)
    async with app.run_test(size=(70, 30)) as pilot:
        await blind_round(pilot, 3)
        assert [c.uid for c in columns(app)] == shuffled(three, 3) != three
        app.compare.add_column("demo_echo", remember=False)  # joins at the end
        await pilot.pause()
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert [c.uid for c in columns(app)] == [*three, "demo_echo"]
        assert [str(c.border_title) for c in columns(app)] == [*three, "demo_echo"]
        labels = [str(t.label) for t in app.compare.query_one(Tabs).query("Tab")]
        assert [label.split(" ", 1)[1] for label in labels] == [*three, "demo_echo"]


async def test_the_leaderboard_names_suts_as_the_columns_do_with_the_uid_below() -> None:
    save_vote(Vote(("yes_no:demo", "always_sorry:demo"), "win", 0, "p",
                   names=("demo_yes_no", "demo_always_sorry")))  # fmt: skip
    save_vote(Vote(("echo:demo", "yes_no:demo"), "win", 0, "p"))  # no names: the catalog's
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        shown = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert shown == {"demo_yes_no", "demo_always_sorry", "demo_echo"}
        first = str(table.get_row_at(0)[1])
        detail = str(app.screen.query_one("#board-detail", Static).render())
        assert detail == f"{first}: votes kept under {CANONICAL[first]}"
        await pilot.press("down")
        second = str(table.get_row_at(1)[1])
        detail = str(app.screen.query_one("#board-detail", Static).render())
        assert detail == f"{second}: votes kept under {CANONICAL[second]}"
