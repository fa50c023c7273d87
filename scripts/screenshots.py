"""Regenerate screenshots/*.svg (shown in the README): `.venv/bin/python scripts/screenshots.py`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.widgets import TextArea

from drivers.secret_store import SecretStore
from sutui.app import SutuiApp

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def compare() -> None:
    app = SutuiApp(store=SecretStore(environ={}, search_file=False))
    async with app.run_test(size=(110, 26)) as pilot:
        app.query_one("#prompt", TextArea).text = "Why did the chicken cross the road?"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot(str(OUT / "compare.svg"))


if __name__ == "__main__":
    os.environ["SUTUI_DEMO_DELAY"] = "0"
    OUT.mkdir(exist_ok=True)
    asyncio.run(compare())
    print(f"wrote {OUT / 'compare.svg'}")
