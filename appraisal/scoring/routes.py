"""Score endpoints: the period's ranking and one employee's breakdown."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.guards import ANY_USER, STAFF
from appraisal.params import PathId
from appraisal.periods.service import require_period
from appraisal.scoring import service
from appraisal.scoring.schemas import (
    ScoreBreakdown,
    ScoreSummary,
    score_breakdown,
    score_summaries,
)


class ScoreController(Controller):
    path = "/api/v1/periods/{month:str}/scores"
    tags = ["scores"]

    @get("/", guards=[STAFF])
    async def period_scores(
        self,
        request: Request[Actor, str, object],
        month: str,
        status: Annotated[str | None, Parameter(
            pattern="^(graded|insufficient_evidence)$")] = None,
        team_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        limit: Annotated[int | None, Parameter(
            ge=1, le=1000, description="at most this many rows (a page of the ranking)")] = None,
        offset: Annotated[int, Parameter(
            ge=0, le=2**31 - 1, description="rows of the ranking skipped before the page")] = 0,
    ) -> list[ScoreSummary]:
        """Live scores while the period is open, the snapshot once closed; ranked. With
        `limit` and `offset`, one page of the ranking (a closed month's is read by rank)."""
        period = await require_period(month)
        return score_summaries(await service.period_scores(
            period, request.user, status=status, team_id=team_id, limit=limit, offset=offset))

    @get("/{employee_id:int}", guards=[ANY_USER])
    async def employee_score(
        self, request: Request[Actor, str, object], month: str, employee_id: PathId
    ) -> ScoreBreakdown:
        """One score with the full breakdown (employees: their own, once published)."""
        period = await require_period(month)
        return score_breakdown(await service.employee_score(period, request.user, employee_id))
