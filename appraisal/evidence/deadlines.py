"""A complaint's follow-up deadlines (SPEC §3.4) as pure functions of its facts and "now".

No database, no clock: the caller hands in the complaint's times, the rulebook's
`[complaints]` numbers, the organisation's working-day calendar and the instant
the deadlines are judged at. Every deadline is `met` (done by its due time, the due
time itself included), `missed` (done late, or not done and past due) or `pending`.

Working days follow the mainland Chinese calendar with its make-up working days
(调休), as the `chinese_calendar` library knows them, less the organisation's own
days off. For a year the library has no data for yet, Monday to Friday less those
days off is assumed, and each deadline reached through such a day says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import chinese_calendar

from appraisal.rulebook.model import ComplaintDeadlines

MET, MISSED, PENDING = "met", "missed", "pending"
# In the order they come up in a complaint's life.
KINDS = ("first_response", "promise", "update", "resolution", "return_visit")


@dataclass(frozen=True, slots=True)
class Calendar:
    """Which days are worked: the mainland calendar, less the organisation's days off."""

    days_off: frozenset[date] = frozenset()

    def working(self, day: date) -> tuple[bool, bool]:
        """(whether `day` is a working day, whether that was assumed: a year the
        library does not know, taken as Monday–Friday)."""
        if day in self.days_off:
            return False, False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            return day.weekday() < 5, True


@dataclass(frozen=True, slots=True)
class Facts:
    """What happened to a complaint, as stored (aware datetimes)."""

    received_at: datetime
    first_response_at: datetime | None = None
    promised_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    return_visit_at: datetime | None = None
    updates: Sequence[datetime] = ()  # the progress updates' times, any order


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    due_at: datetime
    met_at: datetime | None
    state: str  # met | missed | pending
    calendar_assumed: bool = False


def judge(due_at: datetime, met_at: datetime | None, now: datetime) -> str:
    """Met when done by the due time (that instant included); missed when done later, or
    not done once the due time has passed; pending until then."""
    if met_at is not None:
        return MET if met_at <= due_at else MISSED
    return MISSED if now > due_at else PENDING


def resolution_due(received_at: datetime, working_days: int, calendar: Calendar,
                   zone: tzinfo) -> tuple[datetime, bool]:
    """The end (24:00 local) of the `working_days`-th working day after the day received,
    and whether a day on the way was assumed (received Friday → Tuesday 24:00 when Monday
    and Tuesday are worked)."""
    day = received_at.astimezone(zone).date()
    counted, assumed = 0, False
    while counted < working_days:
        day += timedelta(days=1)
        worked, guess = calendar.working(day)
        assumed = assumed or guess
        counted += worked
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone), assumed


def _first_at_or_after(times: Iterable[datetime], start: datetime) -> datetime | None:
    return min((t for t in times if t >= start), default=None)


def _update(facts: Facts, hours: int, now: datetime) -> Deadline:
    """News at least every `hours` until resolved: received, the first response, each
    update and the resolution are news. Missed once (the first silence longer than
    `hours`), whatever follows; met when resolved without such a silence."""
    gap = timedelta(hours=hours)
    end = facts.resolved_at
    news = sorted(t for t in {facts.first_response_at, end, *facts.updates}
                  if t is not None and t >= facts.received_at and (end is None or t <= end))
    last = previous = facts.received_at
    for at in news:
        if at - last > gap:
            return Deadline("update", last + gap, at, MISSED)
        previous, last = last, at
    if end is not None:
        return Deadline("update", previous + gap, end, MET)
    due = last + gap
    return Deadline("update", due, None, judge(due, None, now))


def deadlines(facts: Facts, rules: ComplaintDeadlines, calendar: Calendar, zone: tzinfo,
              now: datetime) -> list[Deadline]:
    """Every deadline of a complaint, in the order of KINDS; `promise` only when a reply
    time was promised, `return_visit` only once resolved."""
    out = []
    due = facts.received_at + timedelta(hours=rules.first_response_hours)
    out.append(Deadline("first_response", due, facts.first_response_at,
                        judge(due, facts.first_response_at, now)))
    if facts.promised_reply_at is not None:
        # Kept by news after the promise was made (at the first response): an update or
        # the resolution, whichever came first.
        since = facts.first_response_at or facts.received_at
        kept = _first_at_or_after([*facts.updates, *([facts.resolved_at] if facts.resolved_at
                                                     else [])], since)
        out.append(Deadline("promise", facts.promised_reply_at, kept,
                            judge(facts.promised_reply_at, kept, now)))
    out.append(_update(facts, rules.update_every_hours, now))
    due, assumed = resolution_due(facts.received_at, rules.resolve_working_days, calendar, zone)
    out.append(Deadline("resolution", due, facts.resolved_at,
                        judge(due, facts.resolved_at, now), assumed))
    if facts.resolved_at is not None:
        due = facts.resolved_at + timedelta(days=rules.return_visit_days)
        out.append(Deadline("return_visit", due, facts.return_visit_at,
                            judge(due, facts.return_visit_at, now)))
    return out


def finished(facts: Facts, rules: ComplaintDeadlines | None) -> bool:
    """Nothing more to do: resolved and, when the rulebook asks for one, visited again."""
    if facts.resolved_at is None:
        return False
    return rules is None or facts.return_visit_at is not None


def overdue(found: Iterable[Deadline]) -> bool:
    """A deadline has passed with its work still not done."""
    return any(d.state == MISSED and d.met_at is None for d in found)
