"""A batch's rate per SUT: the same figure while it runs and at the end (demo SUTs, the batch
runner in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_batch_limits import config

from sutui.batch import results
from sutui.batch.progress import SUTProgress
from sutui.batch.scheduler import BatchRunner


async def test_a_fast_suts_rate_stops_at_its_own_end_not_the_slowest_suts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUTUI_DEMO_DELAY", raising=False)  # the UIDs' own delays
    fast, slow = "echo:demo;delay=0", "echo:demo;delay=0.3"  # "q i": 0.6 s a prompt
    runner = BatchRunner(config(tmp_path, [fast, slow], 4), results.Previous())
    outcome = await runner.run()
    assert outcome.written == 8
    quick, late = runner.stats[fast], runner.stats[slow]
    assert quick.finished is not None and late.finished is not None
    assert quick.finished - quick.started < 0.3 < late.finished - late.started
    assert quick.rate() > 4 / 0.3  # its 4 answers over its own time, not the whole run's
    assert quick.rate() == quick.rate(now=late.finished + 60)  # it no longer decays


def test_the_rate_is_shown_at_the_end_even_for_a_short_run() -> None:
    p = SUTProgress("s", "demo", total=2, done=2, started=10.0, finished=10.2)
    assert p.rate() == pytest.approx(10.0) and p.rate_text() == "10.0"
    running = SUTProgress("s", "demo", total=4, done=2, started=10.0)
    assert running.rate(now=10.2) == 0.0  # too early to mean anything
