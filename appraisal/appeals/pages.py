"""The employee's own page: published appraisals to acknowledge or appeal, with the
history of each month's corrections, and every piece of evidence with its coaching as
soon as it is recorded."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get, post

from appraisal.actor import Actor
from appraisal.appeals import service
from appraisal.clock import MONTH_RE
from appraisal.errors import Unprocessable
from appraisal.evidence.actions import list_actions
from appraisal.evidence.feedback import own_feedback
from appraisal.guards import EMPLOYEE, HR, STAFF
from appraisal.idempotency import Idempotency
from appraisal.incentives.models import IncentiveAllocation
from appraisal.periods.models import PeriodStatus
from appraisal.periods.service import require_period
from appraisal.reporting.charts import radar_svg, trend_svg
from appraisal.reporting.documents import svg_uri
from appraisal.rulebook import get_rulebook
from appraisal.scoring.display import inspection_losses, published_explanations
from appraisal.scoring.models import SnapshotScore
from appraisal.scoring.service import current_snapshot
from appraisal.web import attempt, language, page, see_other, translations

RECENT = 20  # inspections shown; older ones are in the API and the PDFs
TREND_MONTHS = 6  # as on the printed appraisal


def charts(appraisals: list[dict[str, Any]], lang: str) -> dict[str, str] | None:
    """The latest month's five dimensions and the trend of the last six published
    months, drawn as on the PDF (SVG images, nothing employee-written in them)."""
    if not appraisals:
        return None
    latest = appraisals[0]
    rulebook = get_rulebook(latest["rulebook_version"])
    names = [d.name_zh if lang == "zh" else d.name_en for d in rulebook.dimensions]
    values = [Decimal(latest["dimensions"][d.code]) if d.code in latest["dimensions"] else None
              for d in rulebook.dimensions]
    recent = appraisals[:TREND_MONTHS][::-1]
    return {"radar": svg_uri(radar_svg(names, values, translations(lang).gettext("No data"))),
            "trend": svg_uri(trend_svg([a["month"] for a in recent],
                                       [Decimal(a["final_score"]) if a["final_score"] else None
                                        for a in recent], lang))}


def by_month(versions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                      list[tuple[str, list[dict[str, Any]]]]]:
    """The version of each month that counts (current, or being corrected), and each
    month's earlier versions, newest month first (the order my_appraisals gives)."""
    latest = [v for v in versions if v["state"] != "superseded"]
    earlier: dict[str, list[dict[str, Any]]] = {}
    for v in versions:
        if v["state"] == "superseded":
            earlier.setdefault(v["month"], []).append(v)
    return latest, list(earlier.items())


async def score_explained(actor: Actor, appraisals: list[dict[str, Any]],
                          inspections: list[Any]) -> dict[str, Any]:
    """The page's "how this score was made" block: each current published month's
    breakdown explained, and the points each inspection shown lost (its label)."""
    current = [a["month"] for a in appraisals if a.get("state", "current") == "current"]
    return {"explained": await published_explanations(actor, current),
            "inspection_lost": inspection_losses(inspections)}


class MyPage(Controller):
    path = "/me"
    guards = [EMPLOYEE]
    include_in_schema = False
    middleware = [Idempotency()]  # an acknowledgement or appeal sent twice is made once

    async def _render(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                      error: str | None = None, month: str | None = None) -> Response[str]:
        feedback = await own_feedback(request.user)
        appraisals, history = by_month(await service.my_appraisals(request.user))
        return page(request, "me.html", status_code=status_code, me=feedback,
                    appraisals=appraisals, history=history,
                    charts=charts(appraisals, language(request)),
                    inspections=feedback.inspections[:RECENT], error=error, error_month=month,
                    done=request.query_params.get("done"),
                    my_actions=[a for a in await list_actions(request.user)
                                if a.state in ("open", "done")],
                    **await score_explained(request.user, appraisals,
                                            feedback.inspections[:RECENT]))

    @get("/")
    async def mine(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._render(request)

    @post("/appraisals/{month:str}/acknowledge", status_code=303)
    async def acknowledge(self, request: Request[Actor, str, Any], month: str) -> Response[Any]:
        form = await request.form()
        comment = form.get("comment", "")
        failed = await attempt(
            lambda: service.acknowledge(request.user, month,
                                        comment if isinstance(comment, str) else ""),
            partial(self._render, request, month=month))
        return failed if isinstance(failed, Response) else see_other("/me?done=acknowledged")

    @post("/appraisals/{month:str}/appeal", status_code=303)
    async def appeal(self, request: Request[Actor, str, Any], month: str) -> Response[Any]:
        form = await request.form()
        reason = form.get("reason", "")
        failed = await attempt(
            lambda: service.file_appeal(request.user, month,
                                        reason if isinstance(reason, str) else ""),
            partial(self._render, request, month=month))
        return failed if isinstance(failed, Response) else see_other("/me?done=appealed")


class AppealPages(Controller):
    """Appeals to answer (HR) or to read (a supervisor, their teams')."""

    path = "/appeals"
    guards = [STAFF]
    include_in_schema = False
    middleware = [Idempotency()]  # an answer sent twice is given once

    async def _render(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                      error: str | None = None,
                      confirm: dict[str, Any] | None = None) -> Response[str]:
        status = request.query_params.get("status", "open")
        status = status if status in ("open", "upheld", "rejected") else None
        reopened = request.query_params.get("reopened", "")
        return page(request, "appeals.html", status_code=status_code, status=status,
                    appeals=await service.list_appeals(request.user, None, status, None),
                    error=error, done=request.query_params.get("done"),
                    reopened=reopened if MONTH_RE.fullmatch(reopened) else None,
                    confirm=confirm)

    async def _uphold_confirm(self, request: Request[Actor, str, Any], appeal_id: int,
                              answer: str) -> Response[str]:
        """Upholding reopens the month for everyone: first say what it will do (the
        month, its employees, the pool that then no longer counts), as the month page
        asks before a reopen."""
        appeal = await service.get_appeal(request.user, appeal_id)
        period = await require_period(appeal["month"])
        snapshot = await current_snapshot(period)
        return await self._render(request, confirm={
            "appeal": appeal, "answer": answer,
            "reopens": period.status != PeriodStatus.open,  # as answer_appeal decides
            "employees": await SnapshotScore.filter(snapshot_id=snapshot.id).count()
            if snapshot else 0,
            "allocated": await IncentiveAllocation.filter(period_id=period.id).exists()})

    @get("/")
    async def appeals(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._render(request)

    @post("/{appeal_id:int}/answer", guards=[HR], status_code=303)
    async def answer(self, request: Request[Actor, str, Any], appeal_id: int) -> Response[Any]:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        decision = form.get("decision", "")

        async def answer() -> dict[str, Any]:
            if decision not in ("upheld", "rejected"):
                raise Unprocessable.field("decision", "choose upheld or rejected",
                                          code="decision_missing")
            return await service.answer_appeal(request.user, appeal_id, decision,
                                               form.get("answer", ""))

        # An uphold with an answer is asked first; its confirm panel sends `confirmed`.
        if (decision == "upheld" and form.get("confirmed") != "yes"
                and form.get("answer", "").strip()):
            return await attempt(partial(self._uphold_confirm, request, appeal_id,
                                         form.get("answer", "")),
                                 partial(self._render, request))
        answered = await attempt(answer, partial(self._render, request))
        if isinstance(answered, Response):
            return answered
        if answered["reopened_month"]:  # upholding it reopened the month: say so, link it
            return see_other(f"/appeals?done=answered&reopened={answered['month']}")
        return see_other("/appeals?done=answered")
