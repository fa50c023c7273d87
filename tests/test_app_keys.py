"""Keys and messages that say what happens: the column switch from any focus, esc in a maximized
column, f9 outside arena mode, a dialog's own footer, the empty prompt's placeholder."""

from __future__ import annotations

from typing import Any

from test_app_support import columns, isolated, new_app, prompt_ready, send, settle
from textual.widgets import Footer

from sutui.screens.dialogs import ConfirmScreen
from sutui.screens.vote import VoteScreen

__all__ = ["isolated"]


def footer_keys(app: Any) -> dict[str, str]:
    """What the footer of the screen on top shows: key shown -> description."""
    screen = app.screen
    (footer,) = screen.query(Footer)
    assert footer.is_attached
    shown: dict[str, str] = {}
    for active in screen.active_bindings.values():
        if active.binding.show and active.enabled:
            shown[app.get_key_display(active.binding)] = active.binding.description
    return shown


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_next_column_keys_work_from_the_prompt_and_brackets_are_typed_there() -> None:
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        prompt = await prompt_ready(pilot)
        assert app.focused is prompt
        await pilot.press("right_square_bracket")
        assert prompt.text == "]"  # typed, as a prompt takes it
        assert app.focused is prompt
        await pilot.press("alt+right")
        assert app.focused is columns(app)[0]
        await pilot.press("alt+right")
        assert app.focused is columns(app)[1]
        await pilot.press("right_square_bracket")  # a focused column's own key
        assert app.focused is columns(app)[2]
        await pilot.press("ctrl+pageup")  # not the scroller's page-left: the previous column
        assert app.focused is columns(app)[1]
        prompt.focus()
        await pilot.press("alt+left")
        assert app.focused is columns(app)[-1]


async def test_narrow_tabs_switch_from_the_prompt() -> None:
    app = new_app()
    async with app.run_test(size=(70, 24)) as pilot:
        await send(pilot, "hello")
        tabs = app.compare.tabs
        assert tabs is not None
        app.compare.editor.focus_prompt()
        await pilot.press("alt+right")
        await pilot.pause()
        assert tabs.active == f"tab-{columns(app)[1].key}"


async def test_a_maximized_column_footer_says_esc_restores() -> None:
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert footer_keys(app)["esc"] == "Cancel all"
        columns(app)[0].focus()
        await pilot.press("m")
        await pilot.pause()
        assert app.compare.maximized is columns(app)[0]
        assert footer_keys(app)["esc"] == "Restore column"
        await pilot.press("escape")
        await pilot.pause()
        assert app.compare.maximized is None
        assert footer_keys(app)["esc"] == "Cancel all"


async def test_f9_outside_arena_mode_says_how_to_start_it() -> None:
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "f9" not in footer_keys(app)
        await pilot.press("f9")
        await pilot.pause()
        assert not isinstance(app.screen, VoteScreen)
        assert "Voting is for blind rounds: ctrl+g starts arena mode." in notices(app)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert footer_keys(app)["f9"] == "Vote"


async def test_a_dialog_footer_shows_the_dialogs_keys() -> None:
    app = new_app(["demo_echo", "demo_yes_no"])
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "hello")
        columns(app)[0].focus()
        await pilot.press("x")  # it holds an answer: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        shown = footer_keys(app)
        assert shown["y"] == "Yes" and shown["esc"] == "No"
        assert not {"Retry", "Maximize", "Cancel all", "Send"} & set(shown.values())


async def test_the_empty_prompt_says_what_to_do() -> None:
    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        prompt = await prompt_ready(pilot)
        assert prompt.placeholder == "Type a prompt · ctrl+s sends to every column"
        assert "Type a prompt" in "\n".join(
            "".join(s.text for s in prompt.render_line(y)) for y in range(prompt.size.height)
        )


async def test_the_picker_says_which_suts_lack_a_key_and_when_nothing_matches() -> None:
    from textual.widgets import Input, OptionList, Static

    from sutui.screens.picker import PickerScreen

    app = new_app(["demo_yes_no"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        choices = picker.query_one(OptionList)

        def line(option_id: str) -> str:
            return str(choices.get_option(option_id).prompt)

        assert "✗ missing" in line("c:gpt-4o") and "openai" in line("c:gpt-4o")
        assert "missing" not in line("c:demo_echo")
        picker.query_one(Input).value = "zzzq"
        await pilot.pause()
        shown = [str(o.prompt) for o in choices.options]
        assert shown[0].startswith("no match for 'zzzq'")
        assert not any(not o.disabled for o in choices.options)
        picker.query_one(Input).value = "gpt:nodriver"
        await pilot.pause()
        verdict = str(picker.query_one("#verdict", Static).render())
        assert "The Drivers screen (f3) shows every driver" in verdict
        assert "sutui list-drivers" not in verdict


async def test_the_composers_options_hint_comes_from_the_chosen_driver() -> None:
    from textual.widgets import Input

    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        options = app.screen.query_one("#f-options", Input)
        assert "reas" not in options.placeholder
        app.screen.query_one("#uid", Input).value = "gpt-4o:openai"
        await pilot.pause()
        assert options.placeholder == "optional, e.g. url=http://127.0.0.1:8000/v1"
        app.screen.query_one("#uid", Input).value = "echo:demo"
        await pilot.pause()
        assert options.placeholder == "optional, e.g. delay=0.04"


def test_every_drivers_options_hint_is_one_it_takes() -> None:
    from drivers.registry import DYNAMIC_SUT_FACTORIES
    from drivers.uid import parse_uid
    from sutui.screens.composer import option_example

    for name in DYNAMIC_SUT_FACTORIES:
        factory = DYNAMIC_SUT_FACTORIES[name]
        for key, help_text in factory.ACCEPTED_OPTIONS.items():
            example = option_example(key, help_text)
            definition = parse_uid(f"model:provider:{name};{example}")
            assert all(factory.accepts_option(k) for k, _ in definition.options), example
            assert "…" not in example, example  # each has a real value to show


async def test_one_default_timeout_shown_the_same_everywhere() -> None:
    from textual.widgets import Input

    from drivers.prompt import make_prompt
    from sutui.cli.batch_cmd import batch as batch_cmd
    from sutui.cli.run_sut import run_sut
    from sutui.screens.batch import BatchOptions
    from sutui.timeouts import DEFAULT_TIMEOUT_S

    app = new_app(["demo_echo"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        placeholder = app.screen.query_one("#timeout_s", Input).placeholder
        assert placeholder.startswith("300 s (the default)") and "no limit" not in placeholder
        await pilot.press("escape")
        run = columns(app)[0].begin(make_prompt("hi", ""), app.compare.shared, None)
        assert run.timeout_s == DEFAULT_TIMEOUT_S  # what a send runs with, not "no limit"
        columns(app)[0].cancel_quietly()
        assert "timeout=300 s (the default)" in BatchOptions(app.compare.shared, None).describe()
    for command in (run_sut, batch_cmd):
        (timeout,) = [p for p in command.params if p.name == "timeout"]
        assert timeout.default == DEFAULT_TIMEOUT_S
