"""How often report workers beat, when one is taken for dead, how often a part is tried."""

from __future__ import annotations

import pytest

from appraisal.reporting.queue import Timings, timings


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HEARTBEAT", "STALLED", "POLL"):
        monkeypatch.delenv(f"APPRAISAL_WORKER_{name}_SECONDS", raising=False)
    monkeypatch.delenv("APPRAISAL_REPORT_TRIES", raising=False)
    assert timings() == Timings(heartbeat=10, stalled=60, poll=5, tries=3)
    monkeypatch.setenv("APPRAISAL_WORKER_HEARTBEAT_SECONDS", "0.5")
    monkeypatch.setenv("APPRAISAL_WORKER_STALLED_SECONDS", "3")
    monkeypatch.setenv("APPRAISAL_REPORT_TRIES", "1")
    assert timings() == Timings(heartbeat=0.5, stalled=3, poll=5, tries=1)


@pytest.mark.parametrize(("name", "value"), [
    ("APPRAISAL_WORKER_STALLED_SECONDS", "20"),  # two missed heartbeats are not yet dead
    ("APPRAISAL_WORKER_HEARTBEAT_SECONDS", "0"),
    ("APPRAISAL_REPORT_TRIES", "0"),
])
def test_timings_that_would_take_live_workers_for_dead_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="make no sense"):
        timings()
