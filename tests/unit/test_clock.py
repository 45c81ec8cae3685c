"""The clock: months in the organisation's time zone, at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appraisal import clock as app_clock
from appraisal.errors import Unprocessable

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("ts", "month"), [
    (datetime(2026, 11, 30, 23, 59, 59, tzinfo=SH), "2026-11"),  # last second of the month
    (datetime(2026, 12, 1, 0, 0, 0, tzinfo=SH), "2026-12"),  # first second of the next
    (datetime(2026, 11, 30, 16, 0, 0, tzinfo=UTC), "2026-12"),  # UTC still November
    (datetime(2026, 12, 31, 23, 59, 59, tzinfo=SH), "2026-12"),
    (datetime(2027, 1, 1, 0, 0, 0, tzinfo=SH), "2027-01"),  # December into January
    (datetime(2026, 12, 31, 16, 30, 0, tzinfo=UTC), "2027-01"),
    (datetime(2026, 12, 1, 0, 0, 0), "2026-12"),  # naive: taken as local
])
def test_month_of_boundaries(ts: datetime, month: str) -> None:
    assert app_clock.month_of(ts) == month


def test_current_and_previous_month_follow_the_frozen_clock(
        clock: time_machine.TimeMachineFixture) -> None:
    clock.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False)  # 00:30 on 1 Jan
    assert app_clock.current_month() == "2027-01"
    assert app_clock.previous_month() == "2026-12"
    assert app_clock.today().isoformat() == "2027-01-01"
    assert app_clock.local_now().utcoffset().total_seconds() == 8 * 3600
    clock.move_to(datetime(2027, 3, 1, 15, 59, 30, tzinfo=UTC), tick=False)  # 23:59:30 local
    assert (app_clock.current_month(), app_clock.previous_month()) == ("2027-03", "2027-02")


def test_month_has_ended_only_after_its_last_local_second(
        clock: time_machine.TimeMachineFixture) -> None:
    clock.move_to(datetime(2026, 11, 30, 23, 59, 59, tzinfo=SH), tick=False)
    assert not app_clock.month_has_ended("2026-11")
    clock.move_to(datetime(2026, 12, 1, 0, 0, 0, tzinfo=SH), tick=False)
    assert app_clock.month_has_ended("2026-11")
    assert not app_clock.month_has_ended("2026-12")


@pytest.mark.parametrize(("month", "delta", "expected"), [
    ("2026-12", 1, "2027-01"), ("2027-01", -1, "2026-12"), ("2026-11", -23, "2024-12"),
    ("2026-11", 0, "2026-11"),
])
def test_shift_month(month: str, delta: int, expected: str) -> None:
    assert app_clock.shift_month(month, delta) == expected


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "2026-01\n", "\n2026-01",
                                 " 2026-01", "2026-01-01", "", 202601, None])
def test_parse_month_refuses_anything_but_yyyy_mm(bad: object) -> None:
    with pytest.raises(Unprocessable) as err:
        app_clock.parse_month(bad, "period")
    assert err.value.errors and err.value.errors[0]["field"] == "period"


def test_only_the_clock_module_reads_the_real_clock() -> None:
    from pathlib import Path

    package = Path(app_clock.__file__).parent
    readers = [str(p.relative_to(package)) for p in package.rglob("*.py")
               if p.name != "clock.py" and any(
                   call in p.read_text(encoding="utf-8")
                   for call in ("datetime.now(", "date.today(", "datetime.utcnow(", "time.time("))]
    assert readers == []
