"""`sutui serve` in headless Chromium: the compare screen renders, and a prompt typed in the
page reaches the demo SUTs, whose answers show; nothing the page loads leaves the server.

Reading the screen: textual.js draws the terminal with xterm.js's WebGL (or canvas) renderer,
so the page holds no text in its DOM, and it keeps its xterm Terminal in a closure. An init
script catches that Terminal as textual.js stores it (`this.terminal = new Terminal(...)`
meets a setter on Object.prototype), and the test reads xterm's public buffer API: the very
cells xterm draws, without OCR or a renderer of the test's own."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser import BrowserPage
from serve_support import serving

CATCH_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true});
    if (value && value.buffer && value.write) window.__terminals.push(value);
  },
});
"""

SCREEN_TEXT = """() => {
  const terminal = window.__terminals[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let y = 0; y < buffer.length; y++) rows.push(buffer.getLine(y).translateToString(true));
  return rows.join("\\n");
}"""


async def screen_when(page: Any, ready: Callable[[str], bool], timeout: float = 30) -> str:
    """The terminal's text once `ready` holds for it (the last text seen, if never)."""
    text = ""
    for _ in range(int(timeout / 0.2)):
        text = await page.evaluate(SCREEN_TEXT)
        if ready(text):
            return text
        await asyncio.sleep(0.2)
    raise AssertionError(f"the served screen never got there; it shows:\n{text}")


async def test_the_served_app_compares_in_a_browser(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    with serving("--port", "0", tmp_path=tmp_path) as served:
        browser_page.allow(served.url)
        page: Any = browser_page.page
        await page.add_init_script(CATCH_TERMINAL)
        await page.goto(served.url)
        screen = await screen_when(page, lambda t: "ctrl+s sends" in t)
        for column in ("demo_yes_no", "demo_echo", "demo_always_sorry"):
            assert f"─ {column} ─" in screen
        assert "sutui — compare" in screen and screen.count("· idle") == 3

        await page.focus(".xterm-helper-textarea")  # the page has the keyboard, as on a click
        await page.keyboard.type("hello from a browser")
        await page.keyboard.press("Control+s")
        screen = await screen_when(page, lambda t: t.count("✓ done") == 3)
        assert (
            screen.count("\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} hello from a browser") == 3
        )  # the prompt, in each column
        assert "│ hello from a browser " in screen  # demo_echo's answer
        assert re.search(r"^│ (Yes|No) ", screen, re.MULTILINE)  # demo_yes_no's
        assert "│ Sorry, I can't help with that. " in screen
        await page.screenshot(path=str(tmp_path / "served.png"))  # for a look when it fails
    assert browser_page.refused == []  # no font, script or socket from anywhere else
