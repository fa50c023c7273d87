"""The browser harness itself: a page runs its script, and a request that tries to leave is
refused and recorded (the report and serve tests rely on both)."""

from __future__ import annotations

from pathlib import Path

from browser import BrowserPage


async def test_a_page_runs_its_script_and_nothing_leaves(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<html><body><p id=out>not run</p>"
        "<img src='https://example.invalid/pixel.png'>"
        "<script>document.getElementById('out').textContent = 'ran'</script>"
        "</body></html>",
        encoding="utf-8",
    )
    page = browser_page.page
    await page.goto(page_file.as_uri())  # type: ignore[attr-defined]
    assert await page.text_content("#out") == "ran"  # type: ignore[attr-defined]
    assert browser_page.refused == ["https://example.invalid/pixel.png"]
