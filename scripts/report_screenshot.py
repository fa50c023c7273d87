"""Regenerate screenshots/report.png (shown in the README): `.venv/bin/python
scripts/report_screenshot.py`.

A small batch of the offline demo SUTs (no secrets, a data dir of its own, so no votes of this
machine), made into a report with `sutui report`, opened from file:// in Debian's headless
Chromium (through Playwright, as tests/browser.py drives it) and photographed whole.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "screenshots" / "report.png"
SUTS = ("demo_echo", "demo_yes_no", "demo_thinker", "demo_always_sorry")
PROMPTS = (
    "Is the sky blue?",
    "Can a penguin fly? Answer yes or no.",
    "Summarise the water cycle in one sentence.",
    "Is <script>alert(1)</script> shown as text here?",
    "Should I store my API key in the prompt?",
    "Is 17 a prime number?",
)
DELAY = "0.01"
"""A little delay, so the times in the picture look like real ones."""


def sutui(env: dict[str, str], cwd: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "sutui", *args], env=env, cwd=cwd, check=True)


async def photograph(report: Path) -> None:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await page.goto(report.as_uri())
        await page.wait_for_selector("#grid tbody tr")
        await page.locator("#grid details.reasoning").first.click()  # one reasoning opened
        await page.screenshot(path=str(OUT), full_page=True)
        await browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sutui-report-shot-") as tmp:
        root = Path(tmp)
        keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "HOME")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env |= {"SUTUI_DATA_DIR": str(root / "data"), "SUTUI_CONFIG_DIR": str(root / "cfg"),
                "SUTUI_CACHE_DIR": str(root / "cache"), "SUTUI_KEYRING": "off",
                "SUTUI_DEMO_DELAY": DELAY}  # fmt: skip
        prompts = root / "prompts.jsonl"
        prompts.write_text(
            "".join(
                json.dumps({"id": f"q{i + 1}", "prompt": p}) + "\n" for i, p in enumerate(PROMPTS)
            )
        )
        suts = [a for s in SUTS for a in ("--sut", s)]
        sutui(
            env, root, "batch", *suts, "--prompts", "prompts.jsonl", "--out", "results", "--quiet"
        )
        sutui(env, root, "report", "results", "--out", "report.html")
        asyncio.run(photograph(root / "report.html"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
