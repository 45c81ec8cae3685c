"""Period endpoints (create and list; the lifecycle lives with scoring)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post

from appraisal.accounts.auth import HR, Actor
from appraisal.periods.models import Period
from appraisal.periods.service import create_period, local, require_period


class PeriodIn(msgspec.Struct, forbid_unknown_fields=True):
    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


class PeriodOut(msgspec.Struct):
    id: int
    month: str
    status: str
    rulebook_version: str
    rulebook_hash: str
    opened_at: datetime
    closed_at: datetime | None
    published_at: datetime | None


def period_out(p: Period) -> PeriodOut:
    return PeriodOut(
        id=p.id,
        month=p.month,
        status=p.status.value,
        rulebook_version=p.rulebook_version,
        rulebook_hash=p.rulebook_hash,
        opened_at=local(p.opened_at),
        closed_at=local(p.closed_at) if p.closed_at else None,
        published_at=local(p.published_at) if p.published_at else None,
    )


class PeriodController(Controller):
    path = "/api/v1/periods"
    tags = ["periods"]
    guards = [HR]

    @get("/")
    async def list_periods(self) -> list[PeriodOut]:
        return [period_out(p) for p in await Period.all().order_by("-month")]

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: PeriodIn) -> PeriodOut:
        return period_out(await create_period(request.user, data.month))

    @get("/{month:str}")
    async def get_one(self, month: str) -> PeriodOut:
        return period_out(await require_period(month))
