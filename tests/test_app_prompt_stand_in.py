"""The prompt box of the first frame is a stand-in (sutui/widgets/prompt_editor.py): what is
typed, pasted or sent before the TextArea takes its place is not lost. Each test holds the
TextArea back until it has pressed its keys, so the keys surely reach the stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from test_app_support import columns, new_app, prompt_ready, wait_until
from textual import events
from textual.pilot import Pilot

from sutui.widgets.prompt_editor import PLACEHOLDER, PromptEditor, PromptStandIn

MAKE = PromptEditor._make_prompt
"""The editor's own way of putting the TextArea in place (the fixture holds it back)."""


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.Event]:
    """The TextArea comes only once the returned event is set."""
    release = asyncio.Event()

    def held_back(editor: PromptEditor) -> None:
        async def later() -> None:  # in a worker: the editor's own messages keep flowing
            await release.wait()
            await MAKE(editor)

        editor.run_worker(later())

    monkeypatch.setattr(PromptEditor, "_make_prompt", held_back)
    yield release
    release.set()


def stand_in(pilot: Pilot[None]) -> PromptStandIn:
    return pilot.app.screen.query_one(PromptStandIn)


def shown(widget: PromptStandIn) -> str:
    return "\n".join(
        "".join(s.text for s in widget.render_line(y)).rstrip() for y in range(widget.size.height)
    ).strip()


async def test_keys_typed_before_the_editor_comes_are_in_it(held: asyncio.Event) -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        box = stand_in(pilot)
        assert app.focused is box and PLACEHOLDER in shown(box)
        await pilot.press("h", "i", "enter", "x", "backspace")
        app.post_message(events.Paste("yo ü"))
        await pilot.pause()
        assert box.text == "hi\nyo ü" and app.compare.editor.text == "hi\nyo ü"
        assert shown(box).splitlines()[:2] == ["hi", "yo ü"]

        held.set()
        prompt = await prompt_ready(pilot)
        assert prompt.text == "hi\nyo ü" and app.focused is prompt
        assert prompt.cursor_location == prompt.document.end  # typing goes on at the end
        assert not app.screen.query(PromptStandIn)
        await pilot.press("!")
        assert prompt.text == "hi\nyo ü!"


async def test_a_send_before_the_editor_comes_sends_what_was_typed(held: asyncio.Event) -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hello", "ctrl+s")  # (no settle: it waits for the held worker too)
        await wait_until(pilot, lambda: columns(app)[0].text == "hello", tries=1000)
        assert app.compare.editor.text == ""  # emptied for the next turn, as the TextArea is
        held.set()
        prompt = await prompt_ready(pilot)
        assert prompt.text == "" and app.focused is prompt


async def test_the_stand_in_is_drawn_as_the_empty_editor_is(held: asyncio.Event) -> None:
    """Same box, title, subtitle and placeholder: the swap changes nothing a user sees."""
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        box = stand_in(pilot)
        before = (box.region, str(box.border_title), str(box.border_subtitle), shown(box))
        held.set()
        prompt = await prompt_ready(pilot)
        await pilot.pause()
        drawn = "\n".join(
            "".join(s.text for s in prompt.render_line(y)).rstrip()
            for y in range(prompt.size.height)
        ).strip()
        after = (prompt.region, str(prompt.border_title), str(prompt.border_subtitle), drawn)
        assert before == after


async def test_keys_sent_to_the_stand_in_during_the_hand_over_go_on_to_the_editor(
    held: asyncio.Event,
) -> None:
    """The app forwards a key to the widget focused when it handles the key: one typed while
    the TextArea takes over is queued on the stand-in, behind the hand-over, and must still
    land, in order."""
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "b")
        box = stand_in(pilot)
        await MAKE(app.compare.editor)  # the TextArea mounted; the hand-over queued on the box
        for key in "xy":
            box.post_message(events.Key(key, key))
        prompt = await prompt_ready(pilot)
        await pilot.pause()
        await pilot.press("z")
        assert prompt.text == "abxyz" and app.focused is prompt
        await wait_until(pilot, lambda: not box.is_attached)


async def test_a_control_character_pasted_into_the_stand_in_is_not_drawn_raw(
    held: asyncio.Event,
) -> None:
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(events.Paste("a\x1b[2Jb"))
        await pilot.pause()
        box = stand_in(pilot)
        assert box.text == "a\x1b[2Jb"  # kept as pasted, for the TextArea
        assert "\x1b" not in shown(box) and "b" in shown(box)
