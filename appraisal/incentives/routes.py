"""Incentive endpoints: allocate, read the latest allocation, discard a stale one, export
for payroll; and publishing the month, which a stale allocation refuses."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.downloads import content_disposition
from appraisal.guards import HR
from appraisal.incentives import service
from appraisal.incentives.schemas import AllocationIn, AllocationOut, PublishIn
from appraisal.scoring.period_routes import PeriodOut, period_out

TeamFilter = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]


class IncentiveController(Controller):
    path = "/api/v1/periods/{month:str}"
    tags = ["incentives"]
    guards = [HR]

    @post("/incentives")
    async def allocate(
        self, request: Request[Actor, str, object], month: str, data: AllocationIn
    ) -> AllocationOut:
        """Share the pool over graded employees (whole organisation or one team) of a
        closed month; 409 on an open or published one (reopen and close it first)."""
        allocation = await service.allocate(
            request.user, month, pool=data.pool, team_id=data.team_id, cap=data.cap,
            currency=data.currency,
        )
        return msgspec.convert(await service.allocation_out(allocation), AllocationOut)

    @delete("/incentives", status_code=204)
    async def discard(self, request: Request[Actor, str, object], month: str,
                      team_id: TeamFilter = None) -> None:
        """Discard the scope's allocation made on superseded scores (audited); 409 when
        it was made on the current scores."""
        await service.discard_stale(request.user, month, team_id)

    @post("/publish", status_code=200, tags=["periods"])
    async def publish(self, request: Request[Actor, str, object], month: str,
                      data: PublishIn | None = None) -> PeriodOut:
        """Make the snapshot visible to employees. 409 while the pool of a scope was shared
        on superseded scores, unless `discard_stale_incentives` (those are removed)."""
        return period_out(await service.publish_period(
            request.user, month,
            discard_stale_incentives=data.discard_stale_incentives if data else False))

    @get("/incentives")
    async def latest(self, month: str, team_id: TeamFilter = None) -> AllocationOut:
        """The latest allocation of the scope (`team_id`, else the whole organisation)."""
        return msgspec.convert(
            await service.allocation_out(await service.latest(month, team_id)), AllocationOut)

    @get("/incentives.csv", media_type="text/csv")
    async def export_csv(self, month: str, team_id: TeamFilter = None) -> Response[bytes]:
        out = await service.payroll(month, team_id)
        # Litestar adds "; charset=utf-8" to a text/ media type itself.
        return Response(service.to_csv(out), media_type="text/csv", headers={
            "Content-Disposition": content_disposition(f"incentives-{month}.csv")})

    @get("/incentives.xlsx",
         media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    async def export_xlsx(self, month: str, team_id: TeamFilter = None) -> Response[bytes]:
        out = await service.payroll(month, team_id)
        return Response(
            service.to_xlsx(out),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": content_disposition(f"incentives-{month}.xlsx")},
        )
