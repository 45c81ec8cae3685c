"""The complaints board (SPEC §3.4): every complaint in reach of any month, narrowed by
team, handler, state and month, open and overdue first; and the daily feedback round's
list of complaints nobody has given news on today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from appraisal.actor import Actor
from appraisal.clock import MONTH_RE, local
from appraisal.evidence import records
from appraisal.evidence.schemas import ComplaintOut
from appraisal.periods.models import Period
from appraisal.staff.models import Team
from appraisal.staff.scope import employees_in_scope

# current (the default): what is not finished, of any month, then the rest of the open
# months (a record just finished or voided stays in view, with its links).
STATES = ("current", "open", "overdue", "finished", "all")


@dataclass(frozen=True, slots=True)
class BoardFilter:
    team_id: int | None = None
    handler_id: int | None = None
    state: str = "current"  # open: not finished yet; all: void ones too
    month: str | None = None

    def query(self) -> dict[str, str]:
        """As the filter form's inputs hold it."""
        return {"team_id": str(self.team_id or ""), "handler_id": str(self.handler_id or ""),
                "state": self.state, "month": self.month or ""}


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def board_filter(params: Mapping[str, str]) -> BoardFilter:
    """The filter a board link asks for; what does not read as one is left out."""
    state = params.get("state", "current")
    month = params.get("month") or None
    return BoardFilter(team_id=_id(params.get("team_id")), handler_id=_id(params.get("handler_id")),
                       state=state if state in STATES else "current",
                       month=month if month and MONTH_RE.fullmatch(month) else None)


async def board(actor: Actor, f: BoardFilter, open_months: tuple[str, ...] = ()
                ) -> list[ComplaintOut]:
    """The complaints the filter asks for; `open_months`: the months the default view
    shows in full."""
    unfinished = f.state in ("current", "open", "overdue")
    query = records.EvidenceQuery(period=f.month, team_id=f.team_id, limit=1000)
    listed = await records.list_complaints(actor, query, unfinished=unfinished)
    if f.state == "current":
        shown = {c.id for c in listed}
        listed += [c for c in await records.list_complaints(actor, query)
                   if c.id not in shown and c.period in open_months]
    if f.handler_id is not None:
        listed = [c for c in listed if c.handler_id == f.handler_id]
    if f.state == "overdue":
        listed = [c for c in listed if c.overdue]
    elif f.state == "finished":
        listed = [c for c in listed if c.finished and c.void is None]
    return listed


def last_news(c: ComplaintOut) -> datetime:
    """When the customer last heard something: received, first response or an update."""
    return max([c.received_at, *([c.first_response_at] if c.first_response_at else []),
                *(u.at for u in c.updates)])


def quiet_today(unfinished: list[ComplaintOut], today: date) -> list[ComplaintOut]:
    """Unfinished complaints without news today, the longest silent first (seed 002: two or
    three days without news is a stone sunk in the sea)."""
    quiet = [c for c in unfinished if c.void is None and c.resolved_at is None
             and local(last_news(c)).date() < today]
    return sorted(quiet, key=lambda c: (last_news(c), c.id))


async def choices(actor: Actor) -> dict[str, Any]:
    """The filter form's choices: the teams and handlers in reach, the months there are."""
    people = await employees_in_scope(actor).select_related("team").order_by(
        "team__name", "employee_no")
    team_ids = {e.team_id for e in people}
    teams = await Team.filter(id__in=list(team_ids)).order_by("name").values("id", "name")
    months = await Period.all().order_by("-month").values_list("month", flat=True)
    return {"teams": teams, "handlers": [{"id": e.id, "name": e.name, "employee_no": e.employee_no,
                                          "team": e.team.name} for e in people],
            "months": list(months), "states": STATES}


def undo_field(c: ComplaintOut) -> str | None:
    """The last follow-up tap that can be taken back (cleared again), latest step first."""
    return next((f for f in ("return_visit_at", "resolved_at", "promised_reply_at",
                             "first_response_at") if getattr(c, f) is not None), None)
