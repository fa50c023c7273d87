"""Column sets: the columns with their options come back at the next start (from app.toml, in
the test's own config dir); named sets are saved, opened (replacing the columns, or beside
them), replaced after a question and deleted from the palette; what no longer parses is shown,
never raised; a broken sets file is a warning; no credential is ever written. A snapshot of the
open-set dialog."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from test_app_support import columns, isolated, new_app, send, settle, steady, wait_until
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from drivers.redaction import register_secret
from sutui.app import SutuiApp
from sutui.column_set_store import SetsFile, ready, sets_path
from sutui.column_sets import ColumnSet, SetColumn, scrub
from sutui.screens.column_sets import OpenSetScreen, SaveSetScreen
from sutui.screens.dialogs import ConfirmScreen
from sutui.screens.options import OptionsScreen
from sutui.settings import DEFAULT_SUTS, Settings, settings_path

__all__ = ["isolated"]


def loaded() -> Settings:
    """The settings from the test's config dir, timings hidden (as new_app's default)."""
    settings = Settings.load()
    settings.show_timings = False
    return settings


def notes(app: SutuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def palette(pilot: Pilot[None], command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


def write_sets(text: str) -> Path:
    path = sets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


TWO_SETS = """
[sets.offline]
shared = { max_tokens = 2 }
[[sets.offline.column]]
uid = "demo_echo"
[[sets.offline.column]]
uid = "demo_always_sorry"
options = { temperature = 0.5 }
timeout_s = 30.0

[sets."yes or no"]
[[sets."yes or no".column]]
uid = "demo_yes_no"
"""


# ----- the columns of the last exit -----------------------------------------------------------
async def test_the_columns_and_their_options_come_back_at_the_next_start() -> None:
    app = new_app(settings=loaded())
    async with app.run_test(size=(120, 30)) as pilot:
        assert [c.uid for c in columns(app)] == list(DEFAULT_SUTS)
        app.compare.remove_column(columns(app)[0])
        app.compare.add_column("demo_always_angry")
        await pilot.pause()
        await pilot.press("ctrl+o")  # shared: max_tokens 2
        await pilot.pause()
        app.screen.query_one("#max_tokens", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        echo = columns(app)[0]
        echo.focus()
        await pilot.press("o")  # its own: max_tokens 3, timeout 30 s
        await pilot.pause()
        assert isinstance(app.screen, OptionsScreen)
        app.screen.query_one("#max_tokens", Input).value = "3"
        app.screen.query_one("#timeout_s", Input).value = "30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+q")
    written = tomllib.loads(settings_path().read_text(encoding="utf-8"))
    assert "start_suts" not in written
    assert written["start"] == {
        "shared": {"max_tokens": 2},
        "column": [
            {"uid": "demo_echo", "options": {"max_tokens": 3}, "timeout_s": 30.0},
            {"uid": "demo_always_sorry"},
            {"uid": "demo_always_angry"},
        ],
    }

    again = new_app(settings=loaded())
    async with again.run_test(size=(120, 30)) as pilot:
        assert [c.uid for c in columns(again)] == ["demo_echo", "demo_always_sorry",
                                                   "demo_always_angry"]  # fmt: skip
        echo = columns(again)[0]
        await wait_until(pilot, lambda: echo.own_options is not None)
        assert echo.own_options is not None and echo.own_options.max_tokens == 3
        assert echo.own_timeout == 30.0 and again.compare.shared.max_tokens == 2
        assert columns(again)[1].own_options is None
        assert "own options" in str(echo.query_one(".status", Static).render())
        assert not again._notifications
        await send(pilot, "a b c d e f")
        assert echo.text == "a b c"
        await pilot.press("ctrl+q")  # nothing changed: nothing written
    assert tomllib.loads(settings_path().read_text(encoding="utf-8")) == written


async def test_what_no_longer_parses_on_restore_is_shown_in_its_column() -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(
        """
[start]
timeout_s = -5
shared = { temperature = 0.5 }
[[start.column]]
uid = "x:dmeo"
[[start.column]]
uid = "demo_echo"
options = { max_tokens = 2, temperature = 9, sharpness = 1 }
[[start.column]]
options = { max_tokens = 1 }
[[start.column]]
uid = "m:openai;url=http://[REDACTED]@127.0.0.1:9/v1"
""",
        encoding="utf-8",
    )
    settings = loaded()
    assert settings.problem is not None and "column 3 has no uid" in settings.problem
    app = new_app(settings=settings)
    async with app.run_test(size=(120, 30)) as pilot:
        bad, echo, scrubbed = columns(app)
        assert [bad.uid, echo.uid] == ["x:dmeo", "demo_echo"]
        await wait_until(pilot, lambda: echo.own_options is not None)
        assert echo.own_options is not None
        assert echo.own_options.model_dump(exclude_none=True) == {"max_tokens": 2}
        assert app.compare.timeout_s is None and app.compare.shared.temperature == 0.5
        problem = str(echo.query_one(".problem", Static).render())
        assert "temperature=9 was left out: temperature must be between 0 and 2" in problem
        assert "sutui has no option 'sharpness'" in problem
        assert "held a credential" in str(scrubbed.query_one(".problem", Static).render())
        said = notes(app)
        assert "column 3 has no uid" in said and "the shared timeout of -5 s" in said
        await send(pilot, "a b c d")
        assert echo.text == "a b"
        assert bad.status == "error" and "dmeo" in bad.error.one_line()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "uids"),
    [
        ('[start]\ncolumn = "demo_echo"\n', list(DEFAULT_SUTS)),
        ("start = 3\n", list(DEFAULT_SUTS)),
        ('start_suts = ["demo_echo", "demo_yes_no"]\n', ["demo_echo", "demo_yes_no"]),
    ],
    ids=["column not a list", "start not a table", "an earlier release's start_suts"],
)
def test_a_start_table_that_cannot_be_used_is_said_and_the_defaults_used(
    text: str, uids: list[str]
) -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(text, encoding="utf-8")
    settings = Settings.load()
    assert settings.start_suts == uids
    if uids == list(DEFAULT_SUTS):
        assert settings.problem is not None and "using the default columns" in settings.problem
    else:
        assert settings.problem is None


# ----- named sets ------------------------------------------------------------------------------
async def test_save_open_replace_and_delete_a_set_from_the_palette() -> None:
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(120, 34)) as pilot:
        columns(app)[1].own_options = app.compare.shared.model_copy(update={"max_tokens": 5})
        await palette(pilot, "compare: save column set")
        assert isinstance(app.screen, SaveSetScreen)
        await pilot.press("enter")  # no name yet
        await pilot.pause()
        assert "Type a name" in str(app.screen.query_one("#problem", Static).render())
        await pilot.press(*"pair", "enter")
        await settle(pilot)
        assert app.screen is app.compare and "Saved 2 columns as set 'pair'" in notes(app)
        assert SetsFile.load().sets["pair"] == ColumnSet(
            (SetColumn("demo_echo"), SetColumn("demo_yes_no", {"max_tokens": 5}))
        )

        app.compare.remove_column(columns(app)[0])
        await palette(pilot, "compare: save column set")  # the same name: asked first
        await pilot.press("down", "enter", "enter")  # picks 'pair' from the list, then saves
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Set 'pair' exists" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert len(SetsFile.load().sets["pair"].columns) == 2  # kept

        await palette(pilot, "compare: open column set")
        assert isinstance(app.screen, OpenSetScreen)
        listed = app.screen.query_one("#sets", OptionList)
        assert listed.option_count == 1
        assert "demo_yes_no (max_tokens=5)" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("enter")  # no answer on screen: replaced without a question
        await settle(pilot)
        await wait_until(pilot, lambda: len(columns(app)) == 2)
        assert [c.uid for c in columns(app)] == ["demo_echo", "demo_yes_no"]
        own = columns(app)[1].own_options
        assert own is not None and own.max_tokens == 5

        await palette(pilot, "compare: open column set")
        await pilot.press("a")  # beside
        await settle(pilot)
        await wait_until(pilot, lambda: len(columns(app)) == 4)
        assert [c.uid for c in columns(app)] == ["demo_echo", "demo_yes_no"] * 2

        await palette(pilot, "compare: delete column set")
        assert isinstance(app.screen, OpenSetScreen) and app.screen.deleting
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, OpenSetScreen)
        assert app.screen.query_one("#sets", OptionList).option_count == 0
        assert "No column set saved yet" in str(app.screen.query_one("#notes", Static).render())
        assert SetsFile.load().sets == {}


async def test_opening_a_set_over_answers_asks_and_beside_keeps_the_shared_ones() -> None:
    write_sets(TWO_SETS)
    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 34)) as pilot:
        await send(pilot, "a b c d")
        echo = columns(app)[0]
        await palette(pilot, "compare: open column set")
        await pilot.press("enter")  # 'offline', over an answer: asked
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "its 2 columns replace the 1 of now" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert columns(app) == [echo] and echo.text == "a b c d"

        await palette(pilot, "compare: open column set")
        await pilot.press("a")  # beside: no question, the shared options stay
        await settle(pilot)
        await wait_until(pilot, lambda: len(columns(app)) == 3)
        _, joined, sorry = columns(app)
        assert app.compare.shared.max_tokens is None and echo.own_options is None
        assert joined.own_options is not None and joined.own_options.max_tokens == 2
        assert sorry.own_options is not None and sorry.own_options.temperature == 0.5
        assert sorry.own_timeout == 30.0
        assert echo.text == "a b c d"

        await palette(pilot, "compare: open column set")
        await pilot.press("enter", "y")  # replace, after the question
        await settle(pilot)
        await wait_until(pilot, lambda: len(columns(app)) == 2 and echo not in columns(app))
        assert [c.uid for c in columns(app)] == ["demo_echo", "demo_always_sorry"]
        assert app.compare.shared.max_tokens == 2 and columns(app)[0].own_options is None
        assert app.compare.threads.turns == 0  # a new conversation
        await send(pilot, "a b c d")
        assert columns(app)[0].text == "a b"


async def test_a_broken_sets_file_is_a_warning_and_never_written_over() -> None:
    path = write_sets("[sets.x\n")
    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 34)) as pilot:
        await palette(pilot, "compare: open column set")
        assert isinstance(app.screen, OpenSetScreen)
        said = str(app.screen.query_one("#notes", Static).render())
        assert str(path) in said and "fix it or move it away" in said
        await pilot.press("escape")
        await settle(pilot)
        await palette(pilot, "compare: save column set")
        assert app.screen is app.compare  # no dialog: the file must be mended first
        assert "no set can be opened or saved" in notes(app)
    assert path.read_text(encoding="utf-8") == "[sets.x\n"


async def test_a_set_with_a_bad_entry_lists_the_others_and_says_which() -> None:
    write_sets(TWO_SETS + '\n[sets.odd]\ncolumn = "demo_echo"\n')
    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 34)) as pilot:
        await palette(pilot, "compare: open column set")
        assert isinstance(app.screen, OpenSetScreen)
        assert app.screen.query_one("#sets", OptionList).option_count == 2
        assert "set 'odd'" in str(app.screen.query_one("#notes", Static).render())


def test_ready_leaves_out_what_no_longer_parses_and_says_why() -> None:
    found = ready(
        ColumnSet(
            (SetColumn("demo_echo", {"max_tokens": 20, "max_total_output_tokens": 10}, 0.0),),
            {"reasoning": "lots", "seed": 7},
            7200.0,
        )
    )
    assert found.shared.seed == 7 and found.shared.reasoning is None
    assert found.timeout_s is None
    (column,) = found.columns
    assert column.options is not None and column.options.max_tokens is None
    assert column.timeout_s is None
    said = found.all_problems()
    assert "option reasoning='lots' was left out: reasoning 'lots' is neither" in said[0]
    assert "the shared timeout of 7200 s was left out" in said[1]
    assert said[2].startswith("demo_echo: option max_tokens=20 was left out: ")
    assert "must be at least max_tokens" in said[2]
    assert "its timeout of 0 s was left out" in said[4]


# ----- no secret written -----------------------------------------------------------------------
def test_scrub_takes_every_credential_out_of_a_uid() -> None:
    register_secret("sk-known-4242424242")
    assert scrub("demo_echo") == "demo_echo"
    kept = "Qwen/Qwen2.5-7B:vllm:openai;url=http://127.0.0.1:8000/v1?a=b;vllm-max_tokens=5"
    assert scrub(kept) == kept
    assert scrub("m:openai;url=https://bob:hunter2hunter@h.example/v1") == (
        "m:openai;url=https://[REDACTED]@h.example/v1"
    )
    assert scrub("m:google;url=https://h/v1beta?key=AIzaSecret&alt=sse") == (
        "m:google;url=https://h/v1beta?key=[REDACTED]&alt=sse"
    )
    assert scrub("m:myplugin;api_key=abc123abc;token=xyz") == (
        "m:myplugin;api_key=[REDACTED];token=[REDACTED]"
    )
    assert "sk-known" not in scrub("m:openai;url=http://h/sk-known-4242424242/v1")


async def test_no_credential_reaches_the_sets_file_or_app_toml() -> None:
    register_secret("sk-known-4242424242")
    leaky = [
        "m:openai;url=https://bob:hunter2hunter@127.0.0.1:9/v1",
        "m:openai;url=http://127.0.0.1:9/sk-known-4242424242/v1",
    ]
    app = new_app(["demo_echo"], settings=loaded())
    async with app.run_test(size=(120, 34)) as pilot:
        for uid in leaky:
            app.compare.add_column(uid)  # remembered among the recent UIDs too
        await pilot.pause()
        await palette(pilot, "compare: save column set")
        await pilot.press(*"leaky", "enter")
        await settle(pilot)
        assert "a credential in the UID was not saved" in notes(app)
        await pilot.press("ctrl+q")
    for path in (sets_path(), settings_path()):
        text = path.read_text(encoding="utf-8")
        assert "hunter2hunter" not in text and "sk-known" not in text, path
    written = SetsFile.load().sets["leaky"]
    assert written.uids[1] == "m:openai;url=https://[REDACTED]@127.0.0.1:9/v1"
    assert Settings.load().recent == []  # not remembered at all
    found = ready(written)
    assert "held a credential" in found.columns[1].problems[0]


# ----- snapshot --------------------------------------------------------------------------------
def test_snapshot_open_column_set(snap_compare: Any) -> None:
    write_sets(TWO_SETS)

    async def run_before(pilot: Pilot[None]) -> None:
        from sutui.screens.column_sets import open_set

        app = pilot.app
        assert isinstance(app, SutuiApp)
        await pilot.pause()
        open_set(app.compare)
        await steady(pilot)

    assert snap_compare(new_app(), run_before=run_before, terminal_size=(100, 30))
