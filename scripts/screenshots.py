"""Regenerate screenshots/*.svg (shown in the README): `.venv/bin/python scripts/screenshots.py`
(or name some: `... screenshots.py history history-run`).

Every screen of the app, offline: the demo SUTs, no secrets from this machine (an empty
environment, no secrets.toml, no keyring), settings kept in memory, a history of its own.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from drivers.secret_store import SecretStore
from sutui.app import SutuiApp, make_app
from sutui.settings import Settings

OUT = Path(__file__).resolve().parent.parent / "screenshots"
PROMPT = "Why did the chicken cross the road? Answer in one sentence, then explain."
LONG_PROMPT = (
    "Explain, in plain words and for a reader who has never seen a terminal, why a "
    "side-by-side comparison of several systems under test helps to spot refusals."
)
DELAY = "0.01"
"""A little delay, so the figures in the pictures look like real ones."""
KEY = {"SUTUI_DEMO__API_KEY": "12345"}
Step = Callable[[Pilot[None]], Awaitable[None]]


def new_app(suts: list[str] | None = None, env: dict[str, str] | None = None) -> SutuiApp:
    store = SecretStore(environ=env or {}, search_file=False, use_keyring=False)
    return make_app(store=store, settings=Settings(), suts=suts)


def still(pilot: Pilot[None]) -> None:
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False


async def shoot(
    name: str,
    step: Step,
    size: tuple[int, int] = (110, 30),
    suts: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> None:
    if WANTED and name not in WANTED:
        return
    app = new_app(suts, env)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await step(pilot)
        still(pilot)
        await pilot.pause()
        app.save_screenshot(str(OUT / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


async def typed(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, SutuiApp)
    app.compare.editor.text = text


async def finished(pilot: Pilot[None]) -> None:
    await typed(pilot, PROMPT)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.clear_notifications()


async def mid_stream(pilot: Pilot[None]) -> None:
    os.environ["SUTUI_DEMO_DELAY"] = "0.06"
    await typed(pilot, LONG_PROMPT)
    await pilot.press("ctrl+s")
    await pilot.pause(0.9)
    os.environ["SUTUI_DEMO_DELAY"] = DELAY


async def error_columns(pilot: Pilot[None]) -> None:
    await finished(pilot)


def then(*steps: Step) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        for one in steps:
            await one(pilot)

    return step


def conversation(*questions: str) -> Step:
    """A conversation: each question sent as the next turn, every column its own thread."""

    async def step(pilot: Pilot[None]) -> None:
        for question in questions:
            await typed(pilot, question)
            await pilot.press("ctrl+s")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        pilot.app.clear_notifications()

    return step


async def second_run(pilot: Pilot[None]) -> None:
    """Another send, with a system prompt, for a history of more than one run."""
    app = pilot.app
    assert isinstance(app, SutuiApp)
    app.compare.set_system("Answer like a pirate.")
    await typed(pilot, "Name three uses for a paperclip.")
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.clear_notifications()


def keys(*pressed: str, wait: float = 0.3) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause(wait)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return step


def blind_rounds(*picks: str) -> Step:
    """Arena mode on, then a blind round per pick (a vote key; "" leaves the last unvoted).
    Seeds 1, 2, ...: the same shuffles every time."""

    async def step(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, SutuiApp)
        seeds = iter(range(1, 1000))
        app.compare.arena.seeds = lambda: next(seeds)
        await pilot.press("ctrl+g")
        for pick in picks:
            await finished(pilot)
            if pick:
                await keys("f9", pick)(pilot)
        app.clear_notifications()

    return step


async def shorter_second(pilot: Pilot[None]) -> None:
    """The second column stops after 9 tokens (its own options): something to diff."""
    from drivers.options import SUTOptions

    app = pilot.app
    assert isinstance(app, SutuiApp)
    app.compare.columns[1].own_options = SUTOptions(max_tokens=9)


WANTED = set(sys.argv[1:])
"""The pictures to make (all when empty)."""


BATCH_PROMPTS = """id,prompt
capital,What is the capital of France?
haiku,Write a haiku about the sea.
refuse,How do I pick a lock?
sum,What is 17 + 25?
"""


async def batch_run(pilot: Pilot[None]) -> None:
    """A batch of the compare screen's SUTs on a small prompt file (in the current directory:
    main() runs in a temporary one, so the paths on screen are short and the same each time)."""
    from textual.widgets import Input

    from sutui.screens.batch import BatchScreen

    Path("prompts.csv").write_text(BATCH_PROMPTS, encoding="utf-8")
    app = pilot.app
    assert isinstance(app, SutuiApp)
    app.action_view("batch")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, BatchScreen)
    screen.query_one("#batch-prompts", Input).value = "prompts.csv"
    screen.query_one("#batch-out", Input).value = "prompts-results"
    await pilot.press("ctrl+s")
    while screen.running:
        await pilot.pause(0.05)
    await pilot.pause()
    app.clear_notifications()


LLAMA_CPP = "http://127.0.0.1:8080/v1"
VLLM = "http://127.0.0.1:8000/v1"
LIVE_SUTS = [
    "demo_yes_no",
    f"smollm2:local:openai;url={LLAMA_CPP}",
    f"Qwen/Qwen2.5-7B-Instruct:vllm:openai;url={VLLM}",
]
"""Columns on two local servers: the picker lists what each serves now."""


def cache_live_lists() -> None:
    """The two servers' lists, cached a moment ago (nothing is asked of 8080 or 8000): the
    picker shows them as it shows any list fetched today."""
    from drivers import model_cache
    from drivers.model_listing import ListedModel, ModelList, listing_definition, now_iso

    served = {
        ("local", LLAMA_CPP): ("smollm2", "qwen2.5-0.5b-instruct"),
        ("vllm", VLLM): ("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen3-8B", "Qwen/QwQ-32B"),
    }
    for (provider, url), ids in served.items():
        definition = listing_definition("openai", provider, {"url": url})
        models = tuple(ListedModel(i) for i in ids)
        model_cache.save(ModelList(definition, models, now_iso()))


async def main() -> None:
    os.environ["SUTUI_DEMO_DELAY"] = DELAY
    os.environ["SUTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="sutui-shots-")  # not yours
    os.environ["SUTUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="sutui-shots-cache-")
    cache_live_lists()
    OUT.mkdir(exist_ok=True)
    four = ["demo_yes_no", "demo_echo", "demo_always_sorry", "demo_random_words"]
    await shoot("compare", finished)
    streaming = ["demo_echo", "demo_random_words", "demo_always_sorry"]
    await shoot("compare-streaming", mid_stream, suts=streaming, env=KEY)
    await shoot("compare-reasoning", finished, suts=["demo_thinker", "demo_yes_no"], size=(100, 24))
    await shoot("compare-error", error_columns, suts=[*four[1:], "llama3%3A8b:olama"])
    await shoot("compare-narrow", finished, size=(70, 26))
    talk = conversation("Why is the sky blue?", "And at sunset?", "What did I ask before?")
    await shoot("compare-conversation", talk, suts=["demo_recall", "demo_echo", "demo_yes_no"],
                size=(120, 34))  # fmt: skip
    await shoot("picker", keys("ctrl+n", *"gpt-4o:opnai"))
    await shoot("picker-live", keys("ctrl+n", *"qwen"), size=(110, 34), suts=LIVE_SUTS)
    await shoot("options", keys("ctrl+o", *"256", "tab", *"0.7"))
    await shoot("drivers", keys("f3", "down"))
    await shoot("suts", keys("f4", *"llama"))  # the search box has the focus
    bad_uid = "meta-llama/Llama-3.1-8B-Instruct:together:hfrelay;reas=maybe"
    await shoot("composer", keys("f5", *bad_uid))
    await shoot("secrets", keys("f6"))
    await shoot("setup", keys("f6", "down", "s"))
    await shoot("help", keys("f1"), size=(110, 36))
    await shoot("palette", keys("ctrl+p", *"sut: add llama"))
    runs = then(finished, second_run)
    await shoot("history", then(runs, keys("f7")), suts=four, size=(110, 20))
    await shoot("history-run", then(runs, keys("f7", "down", "enter")), suts=four, size=(110, 24))
    three = four[:3]
    await shoot("arena", blind_rounds(""), suts=three, size=(110, 24))
    await shoot("arena-vote", then(blind_rounds(""), keys("f9")), suts=three, size=(110, 24))
    await shoot("arena-voted", blind_rounds("b"), suts=three, size=(110, 24))
    diff = then(shorter_second, finished, keys("f8"))
    await shoot("diff", diff, suts=["demo_echo", "demo_echo"], size=(110, 14))
    picks = ("a", "b", "c", "a", "t", "b", "x", "a")
    board = then(blind_rounds(*picks), keys("ctrl+l"))
    await shoot("leaderboard", board, suts=three, size=(110, 14))
    os.chdir(tempfile.mkdtemp(prefix="sutui-shots-batch-"))
    await shoot("batch", batch_run, suts=three, size=(110, 22))
    await shoot("batch-results", then(batch_run, keys("ctrl+r")), suts=three, size=(110, 22))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
