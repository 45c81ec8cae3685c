"""HR pages for the month: close, publish or reopen it (each confirmed first, saying what
it will do), read the ranking and each employee's breakdown, allocate the pool (or
discard one made on superseded scores) and build every PDF in one batch, with its
progress."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get, post

from appraisal.actor import Actor
from appraisal.clock import current_month, local, parse_month, shift_month
from appraisal.errors import NotFound, Unprocessable
from appraisal.evidence.photos import photos_of
from appraisal.guards import HR
from appraisal.idempotency import Idempotency
from appraisal.incentives import service as incentives
from appraisal.incentives.models import IncentiveAllocation
from appraisal.incentives.service import allocate
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import (
    create_period,
    ensure_period,
    newest_in_effect,
    require_period,
)
from appraisal.reporting import jobs
from appraisal.reporting.models import ReportJob
from appraisal.reporting.routes import job_answer
from appraisal.rulebook import available_rulebooks, get_rulebook
from appraisal.scoring import lifecycle
from appraisal.scoring.calibration import calibration
from appraisal.scoring.models import ScoreSnapshot
from appraisal.scoring.service import current_snapshot, employee_score, period_scores
from appraisal.staff.models import Team
from appraisal.web import attempt, page, see_other

CONFIRMED = ("close", "publish", "reopen")  # asked first: they change what everyone sees
# The confirm step each state of a month offers (the month page shows the same buttons).
OFFERED = {PeriodStatus.open: ("close",), PeriodStatus.closed: ("publish", "reopen"),
           PeriodStatus.published: ("reopen",)}


def _money(value: str, field: str) -> Decimal | None:
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise Unprocessable.field(field, "'%(value)s' is not an amount such as 10000.00",
                                  code="not_an_amount", value=value) from None


def _team_id(value: str) -> int | None:
    """A scope from a form: empty for the organisation, else a team's id."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 10:
        raise Unprocessable.field("team_id", "'%(value)s' is not a team", code="not_a_team",
                                  value=value)
    return int(value)


def _in_effect(month: str) -> str | None:
    """The version a month would pin by itself (None for what is not a month)."""
    try:
        return newest_in_effect(parse_month(month)).version
    except Unprocessable:
        return None


RANKING_PAGE = 100  # rows of the month's ranking a page
WAITING_NAMES = 30  # names of those with too few inspections listed before "and N more"


def _page_number(given: str | None) -> int:
    return int(given) if given and given.isdigit() and len(given) < 7 else 1


class MonthPages(Controller):
    path = "/months"
    guards = [HR]
    include_in_schema = False
    # Each form carries a fresh `idempotency_key`: a double tap closes or publishes once.
    middleware = [Idempotency()]

    @get("/")
    async def months(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._months(request)

    async def _months(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                      error: str | None = None, typed: dict[str, str] | None = None
                      ) -> Response[str]:
        await ensure_period(request.user, current_month())  # this month is always listed
        # Open again after a close: HR is correcting them.
        reopened = set(await ScoreSnapshot.filter(
            superseded_at__isnull=False, period__status=PeriodStatus.open).values_list(
            "period_id", flat=True))
        # A new month pins the rulebook in effect for it unless HR picks another version.
        books = sorted((get_rulebook(v) for v in available_rulebooks()),
                       key=lambda b: (b.effective_from, b.version), reverse=True)
        typed = typed or {}
        month = typed.get("month") or shift_month(current_month(), 1)
        return page(request, "months.html", status_code=status_code,
                    periods=await Period.all().order_by("-month"), reopened=reopened,
                    rulebooks=books, error=error, new_month=month,
                    new_version=typed.get("rulebook_version", ""),
                    in_effect=_in_effect(month))

    @post("/", status_code=303)
    async def create(self, request: Request[Actor, str, Any]) -> Response[Any]:
        """Open a month (HR opens an older month, or one ahead), pinned to the chosen
        rulebook version or to the one in effect for it."""
        form = {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}
        month = form.get("month", "")

        async def create() -> object:
            return await create_period(request.user, month,
                                       rulebook_version=form.get("rulebook_version") or None)

        failed = await attempt(create, partial(self._months, request, typed=form))
        if isinstance(failed, Response):
            return failed
        return see_other(f"/months/{parse_month(month)}")

    async def _month(self, request: Request[Actor, str, Any], month: str, *,
                     status_code: int = 200, error: str | None = None,
                     confirm: str | None = None, reason: str = "") -> Response[str]:
        period = await require_period(month)
        rows = await period_scores(period, request.user)
        # The ranking a page of RANKING_PAGE at a time (a month may have 50,000 people);
        # past the last page: the last one.
        pages = max(1, -(-len(rows) // RANKING_PAGE))
        at = min(max(_page_number(request.query_params.get("page")), 1), pages)
        first = (at - 1) * RANKING_PAGE
        shown = rows[first:first + RANKING_PAGE]
        snapshot = await current_snapshot(period)
        allocation = await IncentiveAllocation.filter(
            period_id=period.id, team_id=None).order_by("-id").first()
        # Each row's bonus: only what was shared on the scores shown.
        bonus = {eid: share["amount"] for (_, eid), share in (await incentives.employee_amounts(
            [period.id], [r["employee_id"] for r in shown], snapshot_ids=[snapshot.id])).items()
        } if snapshot else {}
        stale = await incentives.stale_allocations(period)
        teams = dict(await Team.all().values_list("id", "name"))
        job = await ReportJob.filter(period_id=period.id).order_by("-id").first()
        confirm = confirm or request.query_params.get("confirm")
        confirm = confirm if confirm in OFFERED[period.status] else None
        refusal = lifecycle.close_refusal(period) if period.status == PeriodStatus.open else None
        return page(
            request, "month.html", status_code=status_code, period=period, rows=rows,
            shown=shown, first=first, page_number=at, pages=pages,
            waiting_names=[r["name"] for r in rows
                           if r["status"] == "insufficient_evidence"][:WAITING_NAMES],
            snapshot=snapshot, allocation=allocation, bonus=bonus,
            allocation_stale=allocation is not None and incentives.is_stale(allocation, snapshot),
            stale=[{"allocation": a, "scope": teams.get(a.team_id) if a.team_id else None}
                   for a in stale],
            job=await job_answer(job, period) if job else None, error=error,
            waiting=sum(1 for r in rows if r["status"] == "insufficient_evidence"),
            close_refusal=refusal, closable_from=local(lifecycle.closable_from(period.month)),
            done=request.query_params.get("done"), confirm=confirm, reason=reason,
            pending=await lifecycle.pending_complaints(period) if confirm else [])

    @get("/{month:str}")
    async def month(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        return await self._month(request, month)

    @post("/{month:str}/{action:str}", status_code=303)
    async def act(self, request: Request[Actor, str, Any], month: str,
                  action: str) -> Response[Any]:
        """close | publish | reopen (with a reason): the forms of their confirm step (the
        month page asks first); incentives | discard (a stale allocation) | reports."""
        month = parse_month(month)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        async def act() -> object:
            if action == "close":
                return await lifecycle.close_period(request.user, month)
            if action == "publish":
                return await incentives.publish_period(request.user, month)
            if action == "reopen":
                return await lifecycle.reopen_period(request.user, month, form.get("reason", ""))
            if action == "discard":
                return await incentives.discard_stale(request.user, month,
                                                      _team_id(form.get("team_id", "")))
            if action == "incentives":
                pool = _money(form.get("pool", ""), "pool")
                if pool is None:
                    raise Unprocessable.field("pool", "say how much the pool holds",
                                              code="pool_missing")
                return await allocate(request.user, month, pool=pool, team_id=None,
                                      cap=_money(form.get("cap", ""), "cap"))
            if action == "reports":
                return await jobs.submit(request.user, month)
            raise NotFound("no action '%(action)s' on a month", code="no_such_action",
                           action=action)

        # A refused confirm step is shown again, with the problem and what was typed.
        again = partial(self._month, request, month,
                        confirm=action if action in CONFIRMED else None,
                        reason=form.get("reason", ""))
        failed = await attempt(act, again)
        if isinstance(failed, Response):
            return failed
        return see_other(f"/months/{month}?done={action}")

    @get("/{month:str}/employees/{employee_id:int}")
    async def breakdown(self, request: Request[Actor, str, Any], month: str,
                        employee_id: int) -> Response[str]:
        """One employee's score with everything behind it (the ranking links here)."""
        period = await require_period(month)
        b = await employee_score(period, request.user, employee_id)
        snapshot = await current_snapshot(period) if period.status != PeriodStatus.open else None
        share = (await incentives.employee_amounts(
            [period.id], [employee_id], snapshot_ids=[snapshot.id])).get(
            (period.id, employee_id)) if snapshot else None
        shots = await photos_of(sorted({row["inspection_id"] for row in b["lost_points"]}))
        return page(request, "month_employee.html", period=period, b=b, share=share,
                    shots={iid: [{"id": pid, "item_code": code} for pid, code in found]
                           for iid, found in shots.items()})

    @get("/{month:str}/calibration")
    async def calibration(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        """Do the supervisors judge alike; how do the teams compare."""
        return page(request, "calibration.html", c=await calibration(month, request.user))

    @get("/{month:str}/report-job")
    async def report_job(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        """The batch's progress, as the fragment the month page polls."""
        period = await require_period(month)
        job = await ReportJob.filter(period_id=period.id).order_by("-id").first()
        return page(request, "report_job.html",
                    job=await job_answer(job, period) if job else None, period=period)

