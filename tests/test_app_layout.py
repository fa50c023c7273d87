"""Layout at the sizes users run sutui at (issue 17): nothing cut mid-word or mid-key, no stray
border characters, no extra blank lines. Pilot assertions on what is drawn."""

from __future__ import annotations

from typing import Any

from test_app_support import isolated, new_app, settle, steady, wait_until
from textual import events
from textual.app import App, ComposeResult
from textual.widget import Widget

from sutui.widgets.answer_view import BLOCK_CHARS, AnswerView

__all__ = ["isolated"]


def drawn_lines(widget: Widget) -> list[str]:
    """The widget's lines as the terminal gets them (its own region, not clipped)."""
    lines = widget.render_lines(widget.region.reset_offset)
    return ["".join(segment.text for segment in strip).rstrip() for strip in lines]


def answer_lines(view: AnswerView) -> list[str]:
    """The answer as drawn: the frozen blocks, then the tail, top to bottom."""
    widgets = [*view.query(".answer-block"), view.query_one(".answer")]
    return [line for widget in widgets for line in drawn_lines(widget)]


class AnswerHarness(App[None]):
    def compose(self) -> ComposeResult:
        yield AnswerView()


async def drawn_answer(answer: str) -> tuple[list[str], AnswerView]:
    """`answer` streamed into an AnswerView and drawn: its lines (it must have been cut into
    blocks) and the view."""
    app = AnswerHarness()
    async with app.run_test(size=(80, 60)) as pilot:
        view = app.query_one(AnswerView)
        view.start()
        view.push(answer)
        view.stop()
        await pilot.pause()
        assert view.query(".answer-block"), "the answer was cut into blocks"
        return answer_lines(view), view


async def test_a_paragraph_break_is_one_blank_line_where_a_block_is_cut() -> None:
    """A long answer is drawn in blocks cut at a line break: the break ended the block's text
    and drew a blank line of its own, so "\\n\\n" showed as two blank lines."""
    first = " ".join(["alpha"] * (BLOCK_CHARS // 6 - 10))  # a block is cut after it
    second = "second paragraph " + " ".join(["omega"] * 8)  # ends past BLOCK_CHARS
    answer = f"{first}\n\n{second}\nthird line"
    lines, view = await drawn_answer(answer)
    start = lines.index(second)
    assert lines[start - 1] == "" and lines[start - 2].startswith("alpha"), lines
    assert lines[start + 1] == "third line"
    assert view.text == answer


async def test_a_line_break_at_a_block_cut_adds_no_blank_line() -> None:
    first = " ".join(["beta"] * (BLOCK_CHARS // 5 - 10))
    answer = f"{first}\nnext line " + " ".join(["gamma"] * 40)
    lines, _ = await drawn_answer(answer)
    start = next(i for i, line in enumerate(lines) if line.startswith("next line"))
    assert lines[start - 1].startswith("beta"), lines


def footer_keys_fit(app: Any) -> list[str]:
    """The footer's keys as drawn, after checking each is drawn whole where the footer says,
    left of the command palette's key (which ends the line)."""
    from sutui.widgets.footer import EDGE, Footer

    footer = app.screen.query_one(Footer)
    [line] = drawn_lines(footer)
    placed = footer.shown()
    edge = line.find(EDGE)
    shown = []
    for x, item in placed:
        if item.palette:
            assert x == edge and line[x + 1 : x + 1 + len(item.text)] == item.text
            continue
        assert line[x : x + len(item.text)] == item.text, f"{item.text} is not drawn whole"
        assert edge < 0 or x + len(item.text) <= edge, f"{item.text} runs under the palette key"
        shown.append(item.text)
    return shown


async def test_the_footer_shows_whole_keys_at_70_columns() -> None:
    """At 70 columns the keys ran under the palette key: "f▏^p palette"."""
    app = new_app()
    async with app.run_test(size=(70, 30)) as pilot:
        await steady(pilot)
        shown = footer_keys_fit(app)
        assert shown[:2] == ["^s Send", "esc Cancel all"]
        await pilot.press("tab")  # a column's keys
        await steady(pilot)
        assert footer_keys_fit(app)[0] == "r Retry"
        await pilot.press("f3")
        await settle(pilot)
        assert footer_keys_fit(app)[0] == "esc Back"


async def test_the_footer_fits_its_keys_again_when_the_terminal_narrows() -> None:
    app = new_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await steady(pilot)
        wide = footer_keys_fit(app)
        await pilot.resize_terminal(70, 30)
        await steady(pilot)
        narrow = footer_keys_fit(app)
        assert narrow == wide[: len(narrow)] and len(narrow) < len(wide)
        await pilot.resize_terminal(160, 30)
        await steady(pilot)
        assert footer_keys_fit(app) == wide


async def test_the_footer_is_one_widget_with_its_keys_from_the_first_frame() -> None:
    """Textual's footer composed a widget per key, none until the screen's bindings first
    changed, then all again at each change: ~20 ms of the first frame, the keys ~90 ms after
    it (issue 16). Here: one widget, its keys known when it mounts, drawn again only when the
    keys shown change."""
    from sutui.widgets.footer import Footer

    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        footer = app.screen.query_one(Footer)
        assert not footer.children
        assert [item.text for _, item in footer.shown()][:2] == ["^s Send", "esc Cancel all"]
        await steady(pilot)
        assert footer_keys_fit(app)[:2] == ["^s Send", "esc Cancel all"]
        await pilot.press("tab")  # a column: its own keys
        await steady(pilot)
        assert footer_keys_fit(app)[0] == "r Retry"
        drawn = footer._items
        await pilot.press("tab")  # the next column: the same keys, nothing drawn again
        await steady(pilot)
        assert footer._items is drawn


async def test_a_footer_key_clicked_is_pressed_and_a_disabled_one_only_beeps() -> None:
    from sutui.widgets.footer import Footer

    app = new_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await steady(pilot)
        footer = app.screen.query_one(Footer)
        [(x, _)] = [(x, i) for x, i in footer.shown() if i.description == "Help"]
        await pilot.click(Footer, offset=(x + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"


EIGHT = ["demo_echo", "demo_yes_no", "demo_always_sorry", "demo_echo", "demo_yes_no", "demo_echo"]
"""Six columns; two that lack a key are added to make eight."""


async def test_a_narrow_column_says_what_it_needs_in_short() -> None:
    """8 columns at 160 wide: the status line was cut to "· idle · needs"."""
    app = new_app(EIGHT, environ={})
    async with app.run_test(size=(160, 45)) as pilot:
        await steady(pilot)
        openai = app.compare.add_column("gpt-4o")
        app.compare.add_column("llama-3.1-8b-hfrelay")
        await settle(pilot)
        await wait_until(pilot, lambda: bool(openai.missing))
        await steady(pilot)
        status = openai.query_one(".status")
        (line,) = drawn_lines(status)
        assert line == "· idle · needs key: s"
        assert status.tooltip == "· idle · needs openai/api_key: s sets it up"
        idle = app.compare.columns[0].query_one(".status")
        assert drawn_lines(idle) == ["· idle"] and idle.tooltip is None


async def test_a_wide_column_says_the_whole_status_line() -> None:
    app = new_app(["demo_echo"], environ={})
    async with app.run_test(size=(160, 45)) as pilot:
        await steady(pilot)
        column = app.compare.add_column("gpt-4o")
        await settle(pilot)
        await wait_until(pilot, lambda: bool(column.missing))
        await steady(pilot)
        (line,) = drawn_lines(column.query_one(".status"))
        assert line == "· idle · needs openai/api_key: s sets it up"


def partly_shown(app: Any) -> list[str]:
    """Columns drawn in part at an edge of the row (each is either whole or not drawn)."""
    scroller = app.compare.query_one("#columns")
    cut = []
    for column in app.compare.columns:
        seen = column.region.intersection(scroller.region)
        if seen.area and seen != column.region:
            cut.append(f"{column.uid} {seen.width}/{column.region.width}")
    return cut


async def test_columns_scroll_sideways_a_whole_column_at_a_time() -> None:
    """Scrolling 8 columns at 160 wide left a partly drawn column at the left edge (its
    border's corners alone), and at the right edge before any scroll."""
    app = new_app([*EIGHT, "demo_yes_no", "demo_always_sorry"])
    async with app.run_test(size=(160, 45)) as pilot:
        await steady(pilot)
        scroller = app.compare.query_one("#columns")
        assert partly_shown(app) == [] and scroller.scroll_x == 0
        await pilot.press("tab")
        for _ in range(7):  # focus to the last column: scrolled to it
            await pilot.press("right_square_bracket")
            await steady(pilot)
            assert partly_shown(app) == []
        assert scroller.scroll_x == scroller.max_scroll_x > 0
        scroller.scroll_to(x=45, animate=False)  # the scrollbar dragged anywhere
        await steady(pilot)
        assert partly_shown(app) == [] and 0 < scroller.scroll_x < scroller.max_scroll_x
        here = scroller.scroll_x
        wheel = events.MouseScrollDown(scroller, 5, 5, 0, 0, 0, True, False, False)  # shift
        scroller.post_message(wheel)
        await steady(pilot)
        assert partly_shown(app) == [] and scroller.scroll_x > here, "a column on"


async def test_columns_fill_the_width_at_every_size() -> None:
    app = new_app([*EIGHT, "demo_yes_no", "demo_always_sorry"])
    async with app.run_test(size=(200, 50)) as pilot:
        for width in (200, 179, 120, 97):
            await pilot.resize_terminal(width, 40)
            await steady(pilot)
            scroller = app.compare.query_one("#columns")
            scroller.scroll_end(animate=False)
            await steady(pilot)
            assert partly_shown(app) == [], width
            shown = [c for c in app.compare.columns if c.region.overlaps(scroller.region)]
            assert width - sum(c.region.width for c in shown) < len(shown), "a few cells spare"


async def test_the_first_columns_have_their_widths_in_the_first_layout(monkeypatch: Any) -> None:
    """Fitted after the first frame, the columns were laid out and drawn a second time ~50 ms
    after the first paint (issue 16): at start no later fit changes a width."""
    from sutui.screens.compare import CompareScreen

    changed: list[list[object]] = []
    fit = CompareScreen.fit_columns

    def watched(screen: CompareScreen) -> None:
        before = [c.styles.width for c in screen.columns]
        fit(screen)
        if [c.styles.width for c in screen.columns] != before:
            changed.append(before)

    monkeypatch.setattr(CompareScreen, "fit_columns", watched)
    app = new_app([*EIGHT])
    async with app.run_test(size=(120, 40)) as pilot:
        await steady(pilot)
        assert app.compare.columns[0].styles.width is not None
        assert changed == []
        await pilot.resize_terminal(200, 40)  # a new width is fitted, as before
        await steady(pilot)
        assert len(changed) == 1


LONG_UID = "llama3.1:8b:ollama;url=http://gpu-box.internal.example:11434"


async def test_a_long_tab_label_leaves_room_for_the_other_tabs() -> None:
    """A narrow terminal shows the columns as tabs: a `;url=` UID's tab pushed the others off
    the strip."""
    from textual.widgets import Tab, Tabs

    app = new_app([LONG_UID, "demo_echo", "demo_yes_no"])
    async with app.run_test(size=(70, 30)) as pilot:
        await steady(pilot)
        strip = app.compare.query_one(Tabs)
        tabs = list(strip.query(Tab))
        assert [t.region.right <= strip.region.right for t in tabs] == [True] * 3
        first = tabs[0]
        assert first.region.width <= 24 and drawn_lines(first)[0].endswith("…")
        assert first.tooltip == f"· {LONG_UID}"
        app.compare.add_column("demo_always_sorry", remember=False, reveal=False)
        await steady(pilot)
        assert list(strip.query(Tab))[-1].tooltip == "· demo_always_sorry"


async def test_narrow_drivers_screen_breaks_example_uids_at_a_colon() -> None:
    """f3 at 70 columns: "google/gemma-3-27b-it:nebius:hfr" / "elay"."""
    from textual.widgets import OptionList

    app = new_app()
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        names = app.screen.query_one("#names", OptionList)
        names.highlighted = list(app.screen.infos).index("hfrelay")
        await steady(pilot)
        lines = drawn_lines(app.screen.query_one("#detail"))
        examples = lines[lines.index("Example UIDs") + 1 :]
        assert examples[:2] == ["  google/gemma-3-27b-it:nebius", "    :hfrelay"], lines
        names.highlighted = list(app.screen.infos).index("openai")
        await steady(pilot)
        lines = drawn_lines(app.screen.query_one("#detail"))
        assert "    :openai;url=http://127.0.0.1" in lines, "not at a URL's ://"
        await pilot.resize_terminal(120, 30)  # wide: one line each
        await steady(pilot)
        lines = drawn_lines(app.screen.query_one("#detail"))
        assert "  Qwen/Qwen2.5-7B-Instruct:vllm:openai;url=http://127.0.0.1:8000/v1" in lines


def test_uid_lines_break_before_a_colon_or_semicolon() -> None:
    from sutui.screens.drivers import uid_lines

    assert uid_lines("a:b;c=http://h:1", 0) == ["a:b;c=http://h:1"]
    assert uid_lines("model:prov:driver;url=http://h:1", 12) == [
        "model:prov",
        ":driver",
        ";url=http://h",
        ":1",
    ]
    assert uid_lines("averyveryverylongmodel:x", 5) == ["averyveryverylongmodel", ":x"]


async def test_the_answer_widget_comes_with_the_first_text_and_above_a_problem() -> None:
    """An idle column has no answer Static (the first frame does without three); the first
    text mounts it, above a problem shown before it, so the problem stays last."""
    from rich.text import Text
    from textual.widgets import Static

    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = app.compare.columns[0].answer
        assert not view.query(".answer")
        view.show_problem(Text("it failed"))
        view.push("hello")
        view.flush()
        await steady(pilot)
        order = [w for w in view.children if w.has_class("answer") or w.has_class("problem")]
        assert [w.classes for w in order] == [frozenset({"answer"}), frozenset({"problem"})]
        assert str(view.query_one(".answer", Static).render()) == "hello"
        view.clear()
        await steady(pilot)
        assert str(view.query_one(".answer", Static).render()) == ""
