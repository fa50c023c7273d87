"""A real browser for the tests of what sutui makes for one: headless Chromium from Debian's
packages (scripts/test installs it), driven by Playwright (test extra; it never downloads a
browser of its own here). Every page records the requests that tried to leave for a host that
the test did not allow, and those requests are refused, so a test can say "nothing left"."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "chromium-headless-shell")


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "no Chromium found: install Debian's `chromium` package (scripts/test does it)"
    )


@dataclass
class BrowserPage:
    """A page and the requests it tried that went anywhere but a file or an allowed origin."""

    page: object  # playwright.async_api.Page (typed loosely: playwright is a test extra)
    allowed_origins: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)

    def allow(self, url: str) -> None:
        """Let the page reach this URL's origin (a loopback server the test started)."""
        parts = urlsplit(url)
        self.allowed_origins.add(f"{parts.scheme}://{parts.netloc}")


@pytest.fixture
async def browser_page() -> AsyncIterator[BrowserPage]:
    """A fresh Chromium (~0.5 s to start) with one 1280x900 page whose outgoing requests are
    refused unless allowed. Async, one browser per test: Playwright's sync API keeps an event
    loop running in the test's thread, which the suite's async fixtures cannot share."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox"]
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        held = BrowserPage(page)

        async def route(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme in ("file", "data", "blob", "about") or origin in held.allowed_origins:
                await route.continue_()  # type: ignore[attr-defined]
                return
            held.refused.append(url)
            await route.abort()  # type: ignore[attr-defined]

        await context.route("**/*", route)
        # WebSockets are not seen by route(): record them from the page's own events.
        page.on("websocket", lambda ws: _note_websocket(held, ws.url))
        try:
            yield held
        finally:
            await browser.close()


def _note_websocket(held: BrowserPage, url: str) -> None:
    parts = urlsplit(url)
    http_origin = f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
    if http_origin not in held.allowed_origins:
        held.refused.append(url)
