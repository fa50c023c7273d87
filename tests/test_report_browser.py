"""The report in headless Chromium, opened from file:// as a colleague opens a mailed file: the
matrix shows its cells, the filters and the sort change what is shown, the charts are drawn,
provider text stays text (no script in a prompt, an answer or a SUT's name runs), and no request
leaves the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser import BrowserPage
from playwright.async_api import expect
from report_data import HOSTILE, demo_batch, failed, record, write_results

from sutui.cli.main import run

EVIL_SUT = '<img src=x onerror="window.pwned = 4">'


async def opened(browser_page: BrowserPage, report: Path) -> Any:
    page: Any = browser_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(report.as_uri())
    await page.wait_for_selector("#grid tbody tr")
    page.dialogs, page.errors = dialogs, errors
    return page


async def rows(page: Any) -> list[str]:
    return await page.eval_on_selector_all("#grid tbody tr .pid", "e => e.map(x => x.textContent)")


async def test_the_matrix_filters_sort_and_charts(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    records = [record(f"q{i:02}", "fast", 0, total=0.5 + i / 100, tokens=5 + i) for i in range(60)]
    records += [record(f"q{i:02}", "slow", 1, total=3 + (i % 7), tokens=50) for i in range(60)]
    records[60 + 3] = failed("q03", "slow", 1)
    records[60 + 4] = record("q04", "slow", 1, reasoning="first I think", text="then I answer",
                             total=20.0)  # fmt: skip
    write_results(tmp_path / "b", records)
    assert run(["report", str(tmp_path / "b"), "--out", str(tmp_path / "r.html")]) == 0
    page = await opened(browser_page, tmp_path / "r.html")

    # The first page: 25 prompts, each with a cell per SUT.
    assert len(await rows(page)) == 25
    assert await page.text_content("#where") == "page 1 of 3 \u00b7 60 of 60 prompts"
    assert await page.locator("#grid td.cell").count() == 50
    headers = await page.eval_on_selector_all("#grid th", "e => e.map(x => x.textContent)")
    assert headers == ["prompt", "fast", "slow"]
    await page.click("text=next \u2192")
    assert (await rows(page))[0] == "q25"

    # A SUT hidden: its column goes.
    await page.uncheck("#f-suts input[data-col='1']")
    assert await page.eval_on_selector_all("#grid th", "e => e.length") == 2
    await page.check("#f-suts input[data-col='1']")

    # By status: only the failed answer's prompt, its error shown.
    await page.select_option("#f-status", "failed")
    assert await rows(page) == ["q03"]
    assert (
        await page.text_content("#grid .error")
        == "rate_limited: rate_limited <b>upstream</b> said no"
    )
    await page.select_option("#f-status", "")

    # By text: the answer that says so, its reasoning folded away.
    await page.fill("#f-text", "THEN I ANSWER")
    await expect(page.locator("#where")).to_contain_text(" 1 of 60 prompts")
    assert await rows(page) == ["q04"]
    reasoning = page.locator("#grid details.reasoning")
    assert await reasoning.get_attribute("open") is None
    assert not await page.locator("#grid details.reasoning .text").is_visible()
    await page.fill("#f-text", "")
    await expect(page.locator("#where")).to_contain_text("60 of 60 prompts")

    # Sorted by total time, slowest first: q04 took 20 s.
    await page.select_option("#f-sort", "T-")
    assert (await rows(page))[0] == "q04"
    await page.select_option("#f-by", "0")  # of the fast SUT alone: the last prompt is slowest
    assert (await rows(page))[0] == "q59"
    await page.select_option("#f-sort", "n+")
    assert (await rows(page))[0] == "q00"

    # The charts: an SVG per chart, with bars.
    assert await page.locator("#charts svg.chart").count() == 3
    assert await page.locator("#charts svg.chart rect.bar").count() > 10
    box = await page.locator("#charts svg.chart").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 50
    assert page.errors == [] and browser_page.refused == []


async def test_provider_text_stays_text(browser_page: BrowserPage, tmp_path: Path) -> None:
    out = demo_batch(tmp_path, HOSTILE)
    with (out / "results.jsonl").open("a") as f:
        f.write(record("q9", EVIL_SUT, 2, prompt="</script>", text=HOSTILE[1]).to_json() + "\n")
    assert run(["report", str(out), "--out", str(tmp_path / "r.html")]) == 0
    page = await opened(browser_page, tmp_path / "r.html")
    texts = await page.eval_on_selector_all("#grid .text", "e => e.map(x => x.textContent)")
    assert HOSTILE[0] in texts and HOSTILE[1] in texts and "</script>" in texts
    body = await page.text_content("body")
    assert EVIL_SUT in body  # the SUT's name, in the summary, a chart and the matrix, as text
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("img").count() == 0
    assert page.dialogs == [] and page.errors == []
    assert browser_page.refused == []
