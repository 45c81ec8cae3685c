"""HR pages for the month: close, publish or reopen it, read the ranking, allocate the
pool and build every PDF in one batch, with its progress."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get, post

from appraisal.actor import Actor
from appraisal.clock import current_month, parse_month
from appraisal.errors import NotFound, Unprocessable
from appraisal.guards import HR
from appraisal.incentives.models import IncentiveAllocation
from appraisal.incentives.service import allocate
from appraisal.periods.models import Period
from appraisal.periods.service import ensure_period, require_period
from appraisal.reporting import jobs
from appraisal.reporting.models import ReportJob
from appraisal.reporting.routes import job_out
from appraisal.scoring import lifecycle
from appraisal.scoring.calibration import calibration
from appraisal.scoring.service import current_snapshot, period_scores
from appraisal.web import attempt, page, see_other


def _money(value: str, field: str) -> Decimal | None:
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise Unprocessable.field(field, f"'{value}' is not an amount such as 10000.00") from None


class MonthPages(Controller):
    path = "/months"
    guards = [HR]
    include_in_schema = False

    @get("/")
    async def months(self, request: Request[Actor, str, Any]) -> Response[str]:
        await ensure_period(request.user, current_month())  # this month is always listed
        return page(request, "months.html", periods=await Period.all().order_by("-month"))

    async def _month(self, request: Request[Actor, str, Any], month: str, *,
                     status_code: int = 200, error: str | None = None) -> Response[str]:
        period = await require_period(month)
        rows = await period_scores(period, request.user)
        allocation = await IncentiveAllocation.filter(
            period_id=period.id, team_id=None).order_by("-id").first()
        job = await ReportJob.filter(period_id=period.id).order_by("-id").first()
        return page(request, "month.html", status_code=status_code, period=period, rows=rows,
                    snapshot=await current_snapshot(period), allocation=allocation,
                    job=job_out(job, month) if job else None, error=error,
                    waiting=sum(1 for r in rows if r["status"] == "insufficient_evidence"),
                    done=request.query_params.get("done"))

    @get("/{month:str}")
    async def month(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        return await self._month(request, month)

    @post("/{month:str}/{action:str}", status_code=303)
    async def act(self, request: Request[Actor, str, Any], month: str,
                  action: str) -> Response[Any]:
        """close | publish | reopen (with a reason) | incentives | reports."""
        month = parse_month(month)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        async def act() -> object:
            if action == "close":
                return await lifecycle.close_period(request.user, month)
            if action == "publish":
                return await lifecycle.publish_period(request.user, month)
            if action == "reopen":
                return await lifecycle.reopen_period(request.user, month, form.get("reason", ""))
            if action == "incentives":
                pool = _money(form.get("pool", ""), "pool")
                if pool is None:
                    raise Unprocessable.field("pool", "say how much the pool holds")
                return await allocate(request.user, month, pool=pool, team_id=None,
                                      cap=_money(form.get("cap", ""), "cap"))
            if action == "reports":
                return await jobs.submit(request.user, month)
            raise NotFound(f"no action '{action}' on a month")

        failed = await attempt(act, partial(self._month, request, month))
        if isinstance(failed, Response):
            return failed
        return see_other(f"/months/{month}?done={action}")

    @get("/{month:str}/calibration")
    async def calibration(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        """Do the supervisors judge alike; how do the teams compare."""
        return page(request, "calibration.html", c=await calibration(month, request.user))

    @get("/{month:str}/report-job")
    async def report_job(self, request: Request[Actor, str, Any], month: str) -> Response[str]:
        """The batch's progress, as the fragment the month page polls."""
        period = await require_period(month)
        job = await ReportJob.filter(period_id=period.id).order_by("-id").first()
        return page(request, "report_job.html", job=job_out(job, month) if job else None,
                    period=period)

