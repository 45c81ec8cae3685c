"""The follow-up deadlines of SPEC §3.4, hand-computed at their boundaries, on the real
mainland calendar of 2026 (国庆 1–7 October with Saturday 10 October worked; 春节 15–23
February with Saturdays 14 and 28 February worked) and on a year it does not know."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal.evidence.deadlines import (
    Calendar,
    Facts,
    deadlines,
    finished,
    overdue,
    resolution_due,
)
from appraisal.rulebook.model import ComplaintDeadlines

SH = ZoneInfo("Asia/Shanghai")
RULES = ComplaintDeadlines(first_response_hours=24, resolve_working_days=2,
                           update_every_hours=24, return_visit_days=3,
                           missed_deadline_points=Decimal(1))
CAL = Calendar()
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def by_kind(facts: Facts, now: datetime, calendar: Calendar = CAL) -> dict[str, object]:
    return {d.kind: d for d in deadlines(facts, RULES, calendar, SH, now)}


def test_received_friday_is_due_tuesday_at_midnight():
    due, assumed = resolution_due(at(2026, 11, 20, 15), 2, CAL, SH)
    assert due == at(2026, 11, 25)  # Tuesday 24 November, 24:00
    assert not assumed
    facts = Facts(at(2026, 11, 20, 15), resolved_at=at(2026, 11, 24, 23, 59))
    r = by_kind(facts, at(2026, 11, 30))["resolution"]
    assert (r.state, r.met_at, r.calendar_assumed) == ("met", facts.resolved_at, False)
    late = Facts(at(2026, 11, 20, 15), resolved_at=at(2026, 11, 25, 0, 1))
    assert by_kind(late, at(2026, 11, 30))["resolution"].state == "missed"
    # Not resolved: pending until Tuesday 24:00, missed after it.
    open_ = Facts(at(2026, 11, 20, 15))
    assert by_kind(open_, at(2026, 11, 25))["resolution"].state == "pending"
    assert by_kind(open_, at(2026, 11, 25, 0, 1))["resolution"].state == "missed"


def test_received_the_day_before_a_public_holiday():
    # Wednesday 30 September: 1–7 October are off, Thursday 8 and Friday 9 are worked.
    assert resolution_due(at(2026, 9, 30, 18), 2, CAL, SH) == (at(2026, 10, 10), False)
    # Thursday 24 September: Mid-autumn 25–27 September off → Monday 28, Tuesday 29.
    assert resolution_due(at(2026, 9, 24, 9), 2, CAL, SH) == (at(2026, 9, 30), False)


def test_a_made_up_working_saturday_counts_and_one_received_on_it():
    # Friday 9 October: Saturday 10 October is worked (调休), Sunday not → Monday 12, 24:00.
    assert resolution_due(at(2026, 10, 9, 10), 2, CAL, SH) == (at(2026, 10, 13), False)
    # Received on that Saturday: Monday 12 and Tuesday 13.
    assert resolution_due(at(2026, 10, 10, 10), 2, CAL, SH) == (at(2026, 10, 14), False)
    # Friday 13 February: Saturday 14 worked, 15–23 off (春节) → Tuesday 24 February.
    assert resolution_due(at(2026, 2, 13, 10), 2, CAL, SH) == (at(2026, 2, 25), False)


def test_the_organisations_days_off_are_not_worked():
    cal = Calendar(frozenset({date(2026, 11, 23)}))
    assert resolution_due(at(2026, 11, 20, 15), 2, cal, SH) == (at(2026, 11, 26), False)


def test_a_year_the_library_does_not_know_is_assumed_monday_to_friday():
    # Friday 8 January 2027 → Monday 11, Tuesday 12 (assumed).
    due, assumed = resolution_due(at(2027, 1, 8, 10), 2, CAL, SH)
    assert (due, assumed) == (at(2027, 1, 13), True)
    r = by_kind(Facts(at(2027, 1, 8, 10)), at(2027, 1, 8, 11))["resolution"]
    assert r.calendar_assumed and r.state == "pending"
    # Thursday 31 December 2026: Friday 1 January 2027 is assumed worked unless configured.
    assert resolution_due(at(2026, 12, 31, 10), 2, CAL, SH) == (at(2027, 1, 5), True)
    off = Calendar(frozenset({date(2027, 1, 1)}))
    assert resolution_due(at(2026, 12, 31, 10), 2, off, SH) == (at(2027, 1, 6), True)
    # Only the hour deadlines: never assumed.
    assert not by_kind(Facts(at(2027, 1, 8, 10)), at(2027, 1, 8, 11))[
        "first_response"].calendar_assumed


def test_first_response_at_24_hours_exactly_is_met():
    r = at(2026, 11, 20, 15)
    assert by_kind(Facts(r, first_response_at=r + 24 * H), r + 30 * H)[
        "first_response"].state == "met"
    assert by_kind(Facts(r, first_response_at=r + 24 * H + MIN), r + 30 * H)[
        "first_response"].state == "missed"
    assert by_kind(Facts(r), r + 24 * H)["first_response"].state == "pending"
    assert by_kind(Facts(r), r + 24 * H + MIN)["first_response"].state == "missed"


def test_a_promise_kept_one_minute_late_is_missed():
    r = at(2026, 11, 20, 15)
    promised = at(2026, 11, 21, 12)
    kept = Facts(r, first_response_at=r + H, promised_reply_at=promised, updates=(promised,))
    assert by_kind(kept, promised + 2 * H)["promise"].state == "met"
    late = Facts(r, first_response_at=r + H, promised_reply_at=promised,
                 updates=(promised + MIN,))
    p = by_kind(late, promised + 2 * H)["promise"]
    assert (p.state, p.due_at, p.met_at) == ("missed", promised, promised + MIN)
    # The resolution keeps it too; no promise, no such deadline.
    solved = Facts(r, first_response_at=r + H, promised_reply_at=promised,
                   resolved_at=promised - MIN)
    assert by_kind(solved, promised + H)["promise"].state == "met"
    assert "promise" not in by_kind(Facts(r), r + H)


def test_an_update_gap_of_24_hours_exactly_versus_one_minute_more():
    r = at(2026, 11, 20, 15)
    fr = r + H
    on_time = Facts(r, first_response_at=fr, updates=(fr + 24 * H, fr + 48 * H))
    u = by_kind(on_time, fr + 60 * H)["update"]
    assert (u.state, u.due_at) == ("pending", fr + 72 * H)
    late = Facts(r, first_response_at=fr, updates=(fr + 24 * H, fr + 48 * H + MIN))
    u = by_kind(late, fr + 60 * H)["update"]
    assert (u.state, u.due_at, u.met_at) == ("missed", fr + 48 * H, fr + 48 * H + MIN)
    # No news at all: missed once past the gap, pending until then.
    assert by_kind(Facts(r), r + 24 * H)["update"].state == "pending"
    assert by_kind(Facts(r), r + 24 * H + MIN)["update"].state == "missed"
    # Resolved with news in time: met at the resolution.
    done = Facts(r, first_response_at=fr, updates=(fr + 20 * H,), resolved_at=fr + 40 * H)
    u = by_kind(done, fr + 90 * H)["update"]
    assert (u.state, u.met_at, u.due_at) == ("met", fr + 40 * H, fr + 44 * H)


def test_return_visit_after_the_resolution():
    r = at(2026, 11, 20, 15)
    solved = r + 5 * H
    assert "return_visit" not in by_kind(Facts(r), r + H)
    v = by_kind(Facts(r, resolved_at=solved, return_visit_at=solved + 72 * H), r + 100 * H)[
        "return_visit"]
    assert (v.state, v.due_at) == ("met", solved + 72 * H)
    assert by_kind(Facts(r, resolved_at=solved, return_visit_at=solved + 72 * H + MIN),
                   r + 100 * H)["return_visit"].state == "missed"
    assert by_kind(Facts(r, resolved_at=solved), solved + 72 * H + MIN)[
        "return_visit"].state == "missed"


def test_finished_and_overdue():
    r = at(2026, 11, 20, 15)
    assert not finished(Facts(r), RULES)
    assert not finished(Facts(r, resolved_at=r + H), RULES)
    assert finished(Facts(r, resolved_at=r + H, return_visit_at=r + 2 * H), RULES)
    assert finished(Facts(r, resolved_at=r + H), None)  # 2026.1 asks for no return visit
    assert overdue(deadlines(Facts(r), RULES, CAL, SH, r + 25 * H))
    assert not overdue(deadlines(Facts(r, first_response_at=r + 25 * H, updates=(r + 26 * H,)),
                                 RULES, CAL, SH, r + 27 * H))


START = at(2026, 11, 2, 8)
minutes = st.integers(min_value=0, max_value=8 * 24 * 60)


@settings(max_examples=300, deadline=None)
@given(first=st.none() | minutes, promise=st.none() | minutes, resolved=st.none() | minutes,
       visit=st.none() | minutes, updates=st.lists(minutes, max_size=6), extra=minutes,
       now=minutes)
def test_adding_an_update_never_adds_a_missed_deadline(first, promise, resolved, visit, updates,
                                                       extra, now):
    t = lambda m: None if m is None else START + m * MIN  # noqa: E731
    base = dict(first_response_at=t(first), promised_reply_at=t(promise), resolved_at=t(resolved),
                return_visit_at=t(visit) if resolved is not None else None)
    now_at = START + now * MIN + timedelta(days=10)
    # Every update happened by now (it is a time that happened).
    before = Facts(START, **base, updates=tuple(t(u) for u in updates))
    after = Facts(START, **base, updates=(*before.updates, t(extra)))
    missed = lambda f: sum(d.state == "missed" for d in deadlines(f, RULES, CAL, SH, now_at))  # noqa: E731
    assert missed(after) <= missed(before)


def test_the_organisations_days_off_come_from_the_setting(monkeypatch) -> None:
    import pytest

    from appraisal.config import get_settings
    from appraisal.evidence.followup import calendar

    monkeypatch.setenv("APPRAISAL_DAYS_OFF", "2026-11-23, 2026-12-31")
    get_settings.cache_clear()
    try:
        assert calendar().days_off == frozenset({date(2026, 11, 23), date(2026, 12, 31)})
        # Monday 23 November off: received Friday → Tuesday, Wednesday.
        assert resolution_due(at(2026, 11, 20, 15), 2, calendar(), SH) == (at(2026, 11, 26), False)
        monkeypatch.setenv("APPRAISAL_DAYS_OFF", "2026-13-01")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="APPRAISAL_DAYS_OFF"):
            get_settings()
    finally:
        monkeypatch.delenv("APPRAISAL_DAYS_OFF")
        get_settings.cache_clear()
