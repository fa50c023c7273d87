"""Served in a browser (`sutui serve`), the app starts blurred until the page has focus: the
prompt must still take typing once it has."""

from __future__ import annotations

from test_app_support import new_app
from textual import events


async def test_the_prompt_takes_typing_after_starting_blurred() -> None:
    app = new_app()
    # As Textual's web driver starts: blurred, before the first screen is composed.
    app.set_reactive(type(app).app_focus, False)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.screen.focused is None
        app.post_message(events.AppFocus())  # the page got focus
        await pilot.pause()
        await pilot.press("h", "i")
        assert app.compare.editor.text == "hi"
