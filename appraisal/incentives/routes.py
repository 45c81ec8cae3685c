"""Incentive endpoints: allocate, read the latest allocation, export for payroll."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.downloads import content_disposition
from appraisal.guards import HR
from appraisal.incentives import service
from appraisal.incentives.schemas import AllocationIn, AllocationOut

TeamFilter = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]


class IncentiveController(Controller):
    path = "/api/v1/periods/{month:str}"
    tags = ["incentives"]
    guards = [HR]

    @post("/incentives")
    async def allocate(
        self, request: Request[Actor, str, object], month: str, data: AllocationIn
    ) -> AllocationOut:
        """Share the pool over graded employees (whole organisation or one team)."""
        allocation = await service.allocate(
            request.user, month, pool=data.pool, team_id=data.team_id, cap=data.cap,
            currency=data.currency,
        )
        return msgspec.convert(await service.allocation_out(allocation), AllocationOut)

    @get("/incentives")
    async def latest(self, month: str, team_id: TeamFilter = None) -> AllocationOut:
        """The latest allocation of the scope (`team_id`, else the whole organisation)."""
        return msgspec.convert(
            await service.allocation_out(await service.latest(month, team_id)), AllocationOut)

    @get("/incentives.csv", media_type="text/csv")
    async def export_csv(self, month: str, team_id: TeamFilter = None) -> Response[bytes]:
        out = await service.allocation_out(await service.latest(month, team_id))
        return Response(service.to_csv(out), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": content_disposition(f"incentives-{month}.csv")})

    @get("/incentives.xlsx",
         media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    async def export_xlsx(self, month: str, team_id: TeamFilter = None) -> Response[bytes]:
        out = await service.allocation_out(await service.latest(month, team_id))
        return Response(
            service.to_xlsx(out),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": content_disposition(f"incentives-{month}.xlsx")},
        )
