"""open → closed → published, and reopen with a reason.

Closing scores everyone with the period's pinned rulebook and stores an
immutable snapshot; a reopen supersedes the snapshot (it is kept) and the
next close stores a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.clock import parse_month
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.periods.models import Period, PeriodStatus
from appraisal.scoring import service as scoring
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore


@dataclass(slots=True)
class CloseResult:
    period: Period
    snapshot: ScoreSnapshot
    employees: int
    graded: int
    insufficient: list[dict[str, Any]]


async def lock_period(month: str) -> Period:
    """The period's row, locked until the transaction ends (writes that depend on
    its status take the same lock)."""
    period = await Period.filter(month=parse_month(month)).select_for_update().first()
    if period is None:
        raise NotFound(f"period {month} does not exist")
    return period


async def close_period(actor: Actor | None, month: str) -> CloseResult:
    async with in_transaction():
        # The same row lock evidence writes take: nothing slips in while closing.
        period = await lock_period(month)
        if period.status != PeriodStatus.open:
            raise Conflict(f"period {month} is already {period.status.value}")
        before = model_state(period)
        rulebook, scores = await scoring.compute(period)
        directory = await scoring.employee_directory(s.employee_id for s in scores)
        rows = await scoring.breakdowns(period, rulebook, scores, directory)
        last = await ScoreSnapshot.filter(period_id=period.id).order_by("-sequence").first()
        snapshot = await ScoreSnapshot.create(
            period_id=period.id, sequence=(last.sequence if last else 0) + 1,
            rulebook_version=rulebook.version, rulebook_hash=rulebook.content_hash,
            content_hash=scoring.content_hash(month, rulebook, rows),
            created_by_id=actor.id if actor else None,
        )
        await SnapshotScore.bulk_create(
            [
                SnapshotScore(
                    snapshot_id=snapshot.id, employee_id=s.employee_id,
                    final_score=s.final_score, grade=s.grade, status=s.status, veto=s.veto,
                    dimensions=row["dimensions"], breakdown=row,
                )
                for s, row in zip(scores, rows, strict=True)
            ],
            batch_size=500,
        )
        period.status = PeriodStatus.closed
        period.closed_at = clock.now()
        period.rulebook_hash = rulebook.content_hash
        await period.save()
        await record(actor, "close", "period", month, before=before, after={
            **model_state(period), "snapshot_id": snapshot.id, "snapshot_sequence":
            snapshot.sequence, "content_hash": snapshot.content_hash,
        })
    insufficient = [
        {k: row[k] for k in ("employee_id", "employee_no", "name", "team", "inspections")}
        for row in rows if row["status"] == "insufficient_evidence"
    ]
    graded = sum(1 for s in scores if s.status == "graded")
    return CloseResult(period, snapshot, len(scores), graded, insufficient)


async def publish_period(actor: Actor | None, month: str) -> Period:
    async with in_transaction():
        period = await lock_period(month)
        if period.status != PeriodStatus.closed:
            raise Conflict(
                f"period {month} is {period.status.value}; only a closed period can be published"
            )
        before = model_state(period)
        period.status = PeriodStatus.published
        period.published_at = clock.now()
        await period.save()
        await record(actor, "publish", "period", month, before=before, after=model_state(period))
    return period


async def reopen_period(actor: Actor | None, month: str, reason: str) -> Period:
    reason = reason.strip()
    if not reason:
        raise Unprocessable.field("reason", "a reopen needs a reason (it is audited)")
    async with in_transaction():
        period = await lock_period(month)
        if period.status == PeriodStatus.open:
            raise Conflict(f"period {month} is already open")
        before = model_state(period)
        now = clock.now()
        await ScoreSnapshot.filter(period_id=period.id, superseded_at__isnull=True).update(
            superseded_at=now, superseded_reason=reason
        )
        period.status = PeriodStatus.open
        period.closed_at = None
        period.published_at = None
        await period.save()
        await record(actor, "reopen", "period", month, before=before, after=model_state(period),
                     reason=reason)
    return period
