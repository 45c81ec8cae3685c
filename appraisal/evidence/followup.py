"""A stored complaint's deadlines: its facts handed to the pure `deadlines` module with
the rulebook of its month, the organisation's calendar and the clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from appraisal.clock import now
from appraisal.config import get_settings
from appraisal.evidence.deadlines import Calendar, Deadline, Facts, deadlines
from appraisal.rulebook.model import ComplaintDeadlines


def calendar() -> Calendar:
    return Calendar(get_settings().days_off)


def facts_of(c: Any, update_times: Iterable[datetime] = ()) -> Facts:
    """The facts of a complaint (a model, or a row with the same keys)."""
    get = c.get if isinstance(c, dict) else lambda k: getattr(c, k)
    return Facts(received_at=get("received_at"), first_response_at=get("first_response_at"),
                 promised_reply_at=get("promised_reply_at"), resolved_at=get("resolved_at"),
                 return_visit_at=get("return_visit_at"), updates=tuple(update_times))


def deadlines_now(facts: Facts, rules: ComplaintDeadlines | None,
                  at: datetime | None = None) -> list[Deadline]:
    """The deadlines as they stand now (none for a rulebook without them)."""
    if rules is None:
        return []
    return deadlines(facts, rules, calendar(), get_settings().timezone, at or now())
