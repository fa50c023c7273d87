"""Charts in the app: the batch results' (g), the leaderboard's (g), and the compare screen's
timing bars (ctrl+r). Fixed records and votes: the same picture on every run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_app_support import (
    FIXED_VOTES,
    columns,
    isolated,
    new_app,
    no_blink,
    save_votes,
    send,
    settle,
    steady,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sutui.batch.chart_data import latencies, percentile, progress
from sutui.screens.batch_results import ResultsScreen
from sutui.screens.leaderboard import LeaderboardScreen
from sutui.widgets.timing_bar import TimingBar, timing_text

__all__ = ["isolated"]

SUTS = ("demo_echo", "demo_yes_no", "a-much-longer-sut-name")
TIMING_SUTS = ["demo_echo", "demo_yes_no", "demo_always_sorry"]
TOTALS = {"demo_echo": [0.4, 0.5, 0.6, 0.7, 2.0], "demo_yes_no": [1.0, 1.2, 1.1, 3.0, 1.3]}


def fixed_records() -> list[dict[str, Any]]:
    """Five prompts on three SUTs, with fixed start times and total times (the third SUT
    failed every prompt: it has no latency, but counts in the progress)."""
    records = []
    for i in range(5):
        for sut in SUTS:
            total = TOTALS.get(sut, [0.2] * 5)[i]
            failed = sut not in TOTALS
            records.append(
                {
                    "prompt_id": f"q{i + 1}",
                    "sut": sut,
                    "index": SUTS.index(sut),
                    "prompt": f"prompt {i + 1}",
                    "status": "error" if failed else "done",
                    "text": "" if failed else f"answer {i + 1}",
                    "error": {"kind": "timeout", "message": "no answer"} if failed else None,
                    "timings": {"first_token_s": None, "total_s": total},
                    "started_at": f"2026-01-01T00:00:{i * 2:02d}.000Z",
                }
            )
    return records


def write_results(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r) + "\n" for r in fixed_records())
    (out / "results.jsonl").write_text(lines, encoding="utf-8")
    return out


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([3.0], 90) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile([1.0, 2.0], 90) == pytest.approx(1.9)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_and_progress_are_read_from_the_records_alone() -> None:
    records = fixed_records()
    rows = latencies(records)
    assert [r.sut for r in rows] == ["demo_echo", "demo_yes_no"]  # no done answer: left out
    assert (rows[0].answers, rows[0].p50_s) == (5, 0.6)
    assert rows[1].p90_s == pytest.approx(2.32)
    curves = {p.sut: p for p in progress(records)}
    assert list(curves) == list(SUTS)
    assert curves["demo_echo"].answers == [0, 1, 2, 3, 4, 5]
    assert curves["demo_echo"].seconds == pytest.approx([0, 0.4, 2.5, 4.6, 6.7, 10.0])
    assert progress([{"sut": "x", "timings": {"total_s": 1}}]) == []  # no start time


async def open_results(pilot: Pilot[None], out: Path) -> ResultsScreen:
    screen = ResultsScreen(out)
    await pilot.app.push_screen(screen)
    await wait_until(pilot, lambda: screen.loaded)
    screen.query_one("#results-note", Static).update("15 records")  # no temporary path
    return screen


async def test_g_shows_the_batch_charts_and_the_table_again(tmp_path: Path) -> None:
    out = write_results(tmp_path / "out")
    app = new_app(["demo_echo"])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_results(pilot, out)
        table = screen.query_one(DataTable)
        assert table.display and table.has_focus
        await pilot.press("g")
        await pilot.pause()
        assert not table.display
        charts = screen.query_one("#results-charts")
        assert charts.display
        assert [c.id for c in charts.children] == ["latency-chart", "progress-chart"]
        await pilot.press("g")
        await pilot.pause()
        assert table.display and table.has_focus and not charts.display


def test_snapshot_batch_charts(snap_compare: Any, tmp_path: Path) -> None:
    out = write_results(tmp_path / "out")

    async def run_before(pilot: Pilot[None]) -> None:
        await open_results(pilot, out)
        await pilot.press("g")
        await steady(pilot)

    assert snap_compare(new_app(["demo_echo"]), run_before=run_before, terminal_size=(100, 36))


def save_fixed_votes() -> None:
    """The leaderboard snapshot's votes and two more: five votes each, so every SUT has an
    interval (sutui.arena.ratings.MIN_CI_VOTES)."""
    save_votes(
        [
            *FIXED_VOTES,
            (("echo:demo", "yes_no:demo"), "win", 0),
            (("always_sorry:demo", "echo:demo"), "win", 1),
        ]
    )


async def test_g_shows_the_leaderboard_chart_and_the_table_again() -> None:
    save_fixed_votes()
    async with new_app().run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, LeaderboardScreen)
        table = screen.query_one(DataTable)
        await pilot.press("g")
        await pilot.pause()
        assert not table.display and screen.query_one("#score-chart").display
        await pilot.press("r")  # reloaded: the chart is drawn again
        await settle(pilot)
        assert screen.query_one("#score-chart").display
        await pilot.press("g")
        await pilot.pause()
        assert table.display and table.has_focus


def test_snapshot_leaderboard_chart(snap_compare: Any) -> None:
    save_fixed_votes()

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("g")
        await steady(pilot)

    assert snap_compare(new_app(), terminal_size=(100, 24), run_before=run_before)


# ----- the compare screen's timing bars ------------------------------------------------------
FIXED_TIMINGS = ((0.12, 0.9), (0.45, 2.1), (None, 1.5))


async def fixed_timing_bars(pilot: Pilot[None]) -> None:
    """Every column answered, then given fixed timings (a demo SUT's vary from run to run)."""
    from drivers.runner import Timings

    await settle(pilot)
    await send(pilot, "one two three")
    for column, (first, total) in zip(columns(pilot.app), FIXED_TIMINGS, strict=True):  # type: ignore[arg-type]
        column.timings = Timings(first, total)
    await pilot.press("ctrl+r")
    await steady(pilot)


def bars(app: Any) -> list[TimingBar | None]:
    return [next(c.query(TimingBar).results(TimingBar), None) for c in columns(app)]


async def test_ctrl_r_shows_and_hides_the_timing_bars() -> None:
    async with new_app(TIMING_SUTS).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")  # nothing answered yet: said, nothing drawn
        await pilot.pause()
        assert pilot.app.compare.timing.shown  # type: ignore[attr-defined]
        assert bars(pilot.app) == [None, None, None]
        await send(pilot, "one two three")  # drawn as the columns end
        shown = bars(pilot.app)
        assert all(bar is not None and bar.display for bar in shown)
        assert sum(bar.figures[3] for bar in shown if bar is not None) == 1  # one fastest
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not any(bar is not None and bar.display for bar in bars(pilot.app))
        await pilot.press("ctrl+r")
        await pilot.pause()
        columns(pilot.app)[0].add_class("-blind")  # a blind column shows no times
        await pilot.pause()
        assert [bar is not None and bar.display for bar in bars(pilot.app)] == [
            False,
            True,
            True,
        ]


def test_snapshot_compare_timing_bars(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await fixed_timing_bars(pilot)
        no_blink(pilot)

    assert snap_compare(new_app(TIMING_SUTS), run_before=run_before, terminal_size=(110, 24))


def test_the_bar_text_scales_to_the_slowest_column() -> None:
    text = timing_text(0.5, 1.0, 2.0, 26, fastest=True).plain.splitlines()
    assert text == ["TTFT  ██▌         0.50 s", "total █████       1.00 s ★"]
    assert timing_text(None, 2.0, 2.0, 26, fastest=False).plain.splitlines() == [
        "TTFT                 n/a",
        "total ██████████  2.00 s",
    ]
