"""Score endpoints: the period's ranking and one employee's breakdown."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.guards import ANY_USER, STAFF
from appraisal.params import PathId
from appraisal.periods.service import require_period
from appraisal.scoring import service


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
    ) -> list[dict[str, Any]]:
        """Live scores while the period is open, the snapshot once closed; ranked."""
        period = await require_period(month)
        rows = await service.period_scores(period, request.user)
        if status is not None:
            rows = [r for r in rows if r["status"] == status]
        if team_id is not None:
            rows = [r for r in rows if r["team_id"] == team_id]
        return rows

    @get("/{employee_id:int}", guards=[ANY_USER])
    async def employee_score(
        self, request: Request[Actor, str, object], month: str, employee_id: PathId
    ) -> dict[str, Any]:
        """One score with the full breakdown (employees: their own, once published)."""
        period = await require_period(month)
        return await service.employee_score(period, request.user, employee_id)
