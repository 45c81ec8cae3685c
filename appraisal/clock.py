"""The only source of "now", and the calendar months of the organisation.

Everything that needs the time asks this module, so that tests can freeze
one clock (time-machine) and the product behaves the same on any date:
month ends, year ends and the organisation's time zone included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from appraisal.config import get_settings
from appraisal.errors import Unprocessable

# A timestamp of something that happened may run ahead of the server's clock by
# this much (a phone's clock), no more; nothing the product judges lies before 2000.
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# fullmatch, never match: "2026-01\n" is not a month.
MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def now() -> datetime:
    """The current instant, timezone-aware, in UTC (for storage)."""
    return datetime.now(UTC)


def local(ts: datetime) -> datetime:
    """A timestamp in the organisation's time zone (naive input is taken as local)."""
    tz = get_settings().timezone
    if ts.tzinfo is None:
        return ts.replace(tzinfo=tz)
    return ts.astimezone(tz)


def local_now() -> datetime:
    """The current instant in the organisation's time zone (for people)."""
    return local(now())


def _since_2000(ts: datetime, field: str) -> datetime:
    """A time a person gave, in UTC (naive: the organisation's wall clock); a 422 naming
    `field` when it cannot be one or lies before 2000."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=get_settings().timezone)
    try:
        utc = ts.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise Unprocessable.field(field, "%(time)s is not a plausible time",
                                  code="implausible_time", time=ts.isoformat()) from None
    if utc < EARLIEST:
        raise Unprocessable.field(field, "%(time)s lies before 2000", code="before_2000",
                                  time=ts.isoformat())
    return utc


def happened(ts: datetime, field: str) -> datetime:
    """A timestamp of something that happened, in local time; a 422 naming `field`
    when it lies ahead of now by more than a phone's clock may, or before 2000."""
    utc = _since_2000(ts, field)
    if utc > now() + FUTURE_SLACK:
        raise Unprocessable.field(
            field, "%(time)s lies in the future (it is now %(now)s); check the date",
            code="in_the_future", time=f"{local(utc):%Y-%m-%d %H:%M}",
            now=f"{local_now():%Y-%m-%d %H:%M}")
    return local(utc)


# A time that lies ahead by nature (a due time, a promised reply) may be at most this far.
FURTHEST_AHEAD = timedelta(days=366)


def ahead(ts: datetime, field: str) -> datetime:
    """A time that may lie in the future by nature (SPEC §3.1: an action's `due_at`, a
    `promised_reply_at`), in local time; a 422 naming `field` before 2000 or more than a
    year ahead (a typo in the year)."""
    utc = _since_2000(ts, field)
    if utc > now() + FURTHEST_AHEAD:
        raise Unprocessable.field(field, "%(time)s lies more than a year ahead; check the date",
                                  code="too_far_ahead", time=f"{local(utc):%Y-%m-%d %H:%M}")
    return local(utc)


def today() -> date:
    """Today's date in the organisation's time zone."""
    return local_now().date()


def month_of(ts: datetime) -> str:
    """The period (calendar month in the organisation's time zone) containing ts."""
    return local(ts).strftime("%Y-%m")


def current_month() -> str:
    return month_of(now())


def shift_month(month: str, months: int) -> str:
    """The month `months` later (earlier when negative) than `month`."""
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month() -> str:
    return shift_month(current_month(), -1)


def month_start(month: str) -> datetime:
    """00:00 local on the first day of `month`."""
    year, mon = (int(part) for part in month.split("-"))
    return datetime(year, mon, 1, tzinfo=get_settings().timezone)


def month_has_ended(month: str) -> bool:
    """Whether the last day of `month` is over, in the organisation's time zone."""
    return now() >= month_start(shift_month(month, 1))


def parse_month(value: object, field: str = "month") -> str:
    """A month written YYYY-MM, or a 422 naming `field`."""
    if not isinstance(value, str) or not MONTH_RE.fullmatch(value):
        raise Unprocessable.field(field, "%(value)s is not a month in the form YYYY-MM",
                                  code="not_a_month", value=repr(value))
    return value
