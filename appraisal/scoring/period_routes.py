"""Period endpoints: create, list, and the close / reopen lifecycle (scoring work: closing
scores everyone and stores the snapshot). Publishing is in appraisal.incentives.routes:
it is refused while the month's pool was shared on superseded scores."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post

from appraisal.actor import Actor
from appraisal.clock import local
from appraisal.evidence.schemas import DeadlineOut
from appraisal.guards import HR
from appraisal.params import Timestamp
from appraisal.periods.models import Period
from appraisal.periods.service import create_period, require_period
from appraisal.scoring import lifecycle
from appraisal.scoring.schemas import SnapshotInfo
from appraisal.scoring.service import current_snapshot, snapshot_info


class PeriodIn(msgspec.Struct, forbid_unknown_fields=True):
    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
    # Any known version (GET /api/v1/rulebooks); without it, the newest in effect for the month.
    rulebook_version: Annotated[str, msgspec.Meta(min_length=1, max_length=32,
                                                  examples=["2026.1"])] | None = None


class ReopenIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class InsufficientOut(msgspec.Struct):
    employee_id: int
    employee_no: str
    name: str
    team: str
    inspections: int


class PendingComplaintOut(msgspec.Struct):
    """A complaint of the month still without an outcome: it deducts nothing when closed."""

    id: int
    employee_id: int
    employee_no: str
    name: str
    received_at: Timestamp
    severity: Literal["minor", "major", "critical"]
    handler_id: int
    handler_name: str
    overdue: bool
    finished: bool
    # Its follow-up deadlines (rulebooks from 2026.2 on), as they stand at the close.
    deadlines: list[DeadlineOut]


class PeriodOut(msgspec.Struct):
    id: int
    month: str
    status: str
    rulebook_version: str
    rulebook_hash: str
    opened_at: datetime
    closed_at: datetime | None
    published_at: datetime | None


class CloseOut(msgspec.Struct):
    period: PeriodOut
    snapshot: SnapshotInfo
    employees: int
    graded: int
    insufficient_evidence: list[InsufficientOut]
    pending_complaints: list[PendingComplaintOut]


class PeriodDetailOut(PeriodOut):
    snapshot: SnapshotInfo | None = None


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
        """Open a month, pinned to `rulebook_version` (any known one; 422 naming it
        otherwise) or to the newest rulebook in effect for the month."""
        return period_out(await create_period(request.user, data.month,
                                              rulebook_version=data.rulebook_version))

    @get("/{month:str}")
    async def get_one(self, month: str) -> PeriodDetailOut:
        period = await require_period(month)
        snapshot = await current_snapshot(period)
        return PeriodDetailOut(
            **msgspec.structs.asdict(period_out(period)),
            snapshot=msgspec.convert(snapshot_info(snapshot), SnapshotInfo) if snapshot else None,
        )

    @post("/{month:str}/close", status_code=200)
    async def close(self, request: Request[Actor, str, object], month: str) -> CloseOut:
        """Score everyone and store an immutable snapshot (409 until the month's last day
        is over); with who has too few inspections and the complaints still pending."""
        result = await lifecycle.close_period(request.user, month)
        return CloseOut(
            period=period_out(result.period),
            snapshot=msgspec.convert(snapshot_info(result.snapshot), SnapshotInfo),
            employees=result.employees, graded=result.graded,
            insufficient_evidence=[InsufficientOut(**row) for row in result.insufficient],
            pending_complaints=msgspec.convert(result.pending_complaints,
                                               list[PendingComplaintOut]),
        )

    @post("/{month:str}/reopen", status_code=200)
    async def reopen(
        self, request: Request[Actor, str, object], month: str, data: ReopenIn
    ) -> PeriodOut:
        """Back to open (audited with the reason); the snapshot is superseded, not deleted."""
        return period_out(await lifecycle.reopen_period(request.user, month, data.reason))
