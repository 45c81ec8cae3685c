"""The complaints board (SPEC §3.4): every complaint in reach of any month, narrowed by
team, handler, state and month, open and overdue first, PAGE_SIZE cards a page; and the
daily feedback round's list of complaints nobody has given news on today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from appraisal.actor import Actor
from appraisal.clock import MONTH_RE, local, today
from appraisal.evidence import records
from appraisal.evidence.schemas import ComplaintOut
from appraisal.periods.models import Period
from appraisal.staff.models import Team
from appraisal.staff.scope import employees_in_scope

# current (the default): what is not finished, of any month, then the rest of the open
# months (a record just finished or voided stays in view, with its links); quiet: the
# unfinished ones nobody has given news on today, the longest silent first.
STATES = ("current", "open", "overdue", "quiet", "finished", "all")
# Cards a page: each carries two forms and a handler list, and a busy site has hundreds.
PAGE_SIZE = 20
# The longest silent named above the board; the rest are one link away (state quiet).
QUIET_SHOWN = 10
# The most complaints one board reads (newest first, the rest of them left out).
MOST = 5000


@dataclass(frozen=True, slots=True)
class BoardFilter:
    team_id: int | None = None
    handler_id: int | None = None
    state: str = "current"  # open: not finished yet; all: void ones too
    month: str | None = None
    page: int = 1

    def query(self) -> dict[str, str]:
        """As the filter form's inputs hold it (the page is not one of them)."""
        return {"team_id": str(self.team_id or ""), "handler_id": str(self.handler_id or ""),
                "state": self.state, "month": self.month or ""}

    def link(self, page: int | None = None, **extra: str | int) -> str:
        """The board's address with this filter, on `page` (this one by default); the
        filters left at their defaults are left out of it."""
        params = {k: v for k, v in self.query().items() if v and (k, v) != ("state", "current")}
        page = self.page if page is None else page
        if page > 1:
            params["page"] = str(page)
        params |= {k: str(v) for k, v in extra.items()}
        return "/complaints" + (f"?{urlencode(params)}" if params else "")


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def board_filter(params: Mapping[str, str]) -> BoardFilter:
    """The filter a board link asks for; what does not read as one is left out."""
    state = params.get("state", "current")
    month = params.get("month") or None
    return BoardFilter(team_id=_id(params.get("team_id")), handler_id=_id(params.get("handler_id")),
                       state=state if state in STATES else "current",
                       month=month if month and MONTH_RE.fullmatch(month) else None,
                       page=min(_id(params.get("page")) or 1, MOST // PAGE_SIZE + 1))


async def board(actor: Actor, f: BoardFilter, open_months: tuple[str, ...] = (),
                unfinished: list[ComplaintOut] | None = None) -> list[ComplaintOut]:
    """Every complaint the filter asks for, in the board's order (all its pages);
    `open_months`: the months the default view shows in full; `unfinished`: the board
    of state open with no other filter, when the caller has it already."""
    query = records.EvidenceQuery(period=f.month, team_id=f.team_id, handler_id=f.handler_id,
                                  limit=MOST)
    if f.state in ("finished", "all"):
        listed = await records.list_complaints(actor, query)
    elif unfinished is not None and all(v is None for v in (f.team_id, f.handler_id, f.month)):
        listed = list(unfinished)
    else:
        listed = await records.list_complaints(actor, query, unfinished=True)
    if f.state == "current":
        shown = {c.id for c in listed}
        for month in (m for m in open_months if f.month in (None, m)):
            listed += await records.list_complaints(actor, replace(query, period=month),
                                                    excluding=shown)
    if f.state == "overdue":
        listed = [c for c in listed if c.overdue]
    elif f.state == "quiet":
        listed = quiet_today(listed, today())
    elif f.state == "finished":
        listed = [c for c in listed if c.finished and c.void is None]
    return listed


@dataclass(frozen=True, slots=True)
class BoardPage:
    """One page of the board's cards, and where it lies among them."""

    complaints: list[ComplaintOut]
    page: int
    pages: int
    total: int
    first: int  # the first card's place in the whole list, from 1 (0: none)

    @property
    def last(self) -> int:
        return self.first + len(self.complaints) - 1 if self.complaints else 0


def page_of(listed: list[ComplaintOut], page: int) -> BoardPage:
    """The `page`th PAGE_SIZE cards (past the last page: the last one)."""
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    shown = listed[start:start + PAGE_SIZE]
    return BoardPage(complaints=shown, page=page, pages=pages, total=len(listed),
                     first=start + 1 if shown else 0)


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
