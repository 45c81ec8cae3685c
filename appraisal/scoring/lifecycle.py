"""open → closed → published, and reopen with a reason.

Closing scores everyone with the period's pinned rulebook and stores an
immutable snapshot; a reopen supersedes the snapshot (it is kept) and the
next close stores a new one. A month closes only once its last day is over.
Publishing is the incentives' to call (appraisal.incentives.service.publish_period):
it is refused while an allocation was made on superseded scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.clock import local, month_start, parse_month, shift_month
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.evidence.models import Complaint, ComplaintStatus
from appraisal.evidence.records import complaint_out, complaints_with
from appraisal.periods.models import Period, PeriodStatus
from appraisal.scoring import service as scoring
from appraisal.scoring.models import ScoreSnapshot

# Employees explained and stored at a time when a month closes.
CLOSE_CHUNK = 1000


@dataclass(slots=True)
class CloseResult:
    period: Period
    snapshot: ScoreSnapshot
    employees: int
    graded: int
    insufficient: list[dict[str, Any]]
    pending_complaints: list[dict[str, Any]]


async def lock_period(month: str) -> Period:
    """The period's row, locked until the transaction ends (writes that depend on
    its status take the same lock)."""
    period = await Period.filter(month=parse_month(month)).select_for_update().first()
    if period is None:
        raise NotFound("period %(month)s does not exist", code="period_not_found", month=month)
    return period


def closable_from(month: str) -> datetime:
    """The first moment `month` may be closed: 00:00 local after its last day."""
    return month_start(shift_month(month, 1))


def close_refusal(period: Period) -> Conflict | None:
    """Why the period cannot be closed now, or None: it is closed already, or its last
    day is not over yet (evidence of the month may still happen)."""
    if period.status != PeriodStatus.open:
        return Conflict("period %(month)s is already %(period_status)s", code="period_not_open",
                        month=period.month, period_status=period.status.value)
    if not clock.month_has_ended(period.month):
        start = local(closable_from(period.month))
        return Conflict(
            "%(month)s cannot be closed yet: its last day is not over. It can be closed "
            "from %(when)s (%(zone)s) on", code="month_not_over", month=period.month,
            when=f"{start:%Y-%m-%d %H:%M}", zone=str(start.tzinfo))
    return None


async def pending_complaints(period: Period) -> list[dict[str, Any]]:
    """The month's complaints still waiting for an outcome, with who handles them and their
    deadlines: they deduct nothing when it closes (SPEC §4), so HR sees them first."""
    rows = await complaints_with(Complaint.filter(
        period_id=period.id, status=ComplaintStatus.pending, voided_at__isnull=True,
    )).order_by("received_at", "id")
    return [{"id": c.id, "employee_id": c.employee_id, "employee_no": c.employee_no,
             "name": c.employee_name, "received_at": c.received_at.isoformat(),
             "severity": c.severity, "handler_id": c.handler_id, "handler_name": c.handler_name,
             "overdue": c.overdue, "finished": c.finished,
             "deadlines": [msgspec.to_builtins(d) for d in c.deadlines]}
            for c in map(complaint_out, rows)]


async def close_period(actor: Actor | None, month: str) -> CloseResult:
    async with in_transaction():
        # The same row lock evidence writes take: nothing slips in while closing.
        period = await lock_period(month)
        if (refusal := close_refusal(period)) is not None:
            raise refusal
        before = model_state(period)
        rulebook, scores = await scoring.compute(period)
        directory = await scoring.employee_directory((s.employee_id for s in scores), month)
        places = scoring.ranks(scores, directory)
        last = await ScoreSnapshot.filter(period_id=period.id).order_by("-sequence").first()
        snapshot = await ScoreSnapshot.create(
            period_id=period.id, sequence=(last.sequence if last else 0) + 1,
            rulebook_version=rulebook.version, rulebook_hash=rulebook.content_hash,
            content_hash="", created_by_id=actor.id if actor else None,
        )
        digest = scoring.SnapshotDigest(month, rulebook)
        insufficient = []
        # A chunk of employees at a time: their evidence, explained, stored and hashed,
        # so that memory holds one chunk's lost points, not the month's.
        chunks = [scores[start:start + CLOSE_CHUNK]
                  for start in range(0, len(scores), CLOSE_CHUNK)]
        lost = scoring.lost_points_in_chunks(period, rulebook,
                                             [[s.employee_id for s in c] for c in chunks])
        for chunk in chunks:
            rows = await scoring.breakdowns(period, rulebook, chunk, directory,
                                            await anext(lost))
            await scoring.store_rows(snapshot, chunk, rows, places, digest)
            insufficient += [
                {k: row[k] for k in ("employee_id", "employee_no", "name", "team", "inspections")}
                for row in rows if row["status"] == "insufficient_evidence"
            ]
        snapshot.content_hash = digest.hexdigest()
        await snapshot.save(update_fields=["content_hash"])
        period.status = PeriodStatus.closed
        period.closed_at = clock.now()
        period.rulebook_hash = rulebook.content_hash
        await period.save()
        await record(actor, "close", "period", month, before=before, after={
            **model_state(period), "snapshot_id": snapshot.id, "snapshot_sequence":
            snapshot.sequence, "content_hash": snapshot.content_hash,
        })
    graded = sum(1 for s in scores if s.status == "graded")
    return CloseResult(period, snapshot, len(scores), graded, insufficient,
                       await pending_complaints(period))


def publish_refusal(period: Period) -> Conflict | None:
    if period.status != PeriodStatus.closed:
        return Conflict("period %(month)s is %(period_status)s; only a closed period can be "
                        "published", code="period_not_closed", month=period.month,
                        period_status=period.status.value)
    return None


async def mark_published(actor: Actor | None, period: Period) -> Period:
    """Inside the caller's transaction, the period locked (lock_period) and the caller's
    own checks made: the current snapshot becomes what employees see."""
    if (refusal := publish_refusal(period)) is not None:
        raise refusal
    before = model_state(period)
    now = clock.now()
    period.status = PeriodStatus.published
    period.published_at = now
    await period.save()
    await ScoreSnapshot.filter(period_id=period.id, superseded_at__isnull=True).update(
        published_at=now)
    await record(actor, "publish", "period", period.month, before=before,
                 after=model_state(period))
    return period


def reopen_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Unprocessable.field("reason", "a reopen needs a reason (it is audited)",
                                  code="reason_required")
    return reason


async def reopen_locked(actor: Actor | None, period: Period, reason: str) -> ScoreSnapshot | None:
    """Inside the caller's transaction, the period locked: back to open, its current
    snapshot superseded with the reason (kept, never deleted). The snapshot superseded."""
    reason = reopen_reason(reason)
    if period.status == PeriodStatus.open:
        raise Conflict("period %(month)s is already open", code="period_open",
                       month=period.month)
    before = model_state(period)
    current = await scoring.current_snapshot(period)
    await ScoreSnapshot.filter(period_id=period.id, superseded_at__isnull=True).update(
        superseded_at=clock.now(), superseded_reason=reason
    )
    period.status = PeriodStatus.open
    period.closed_at = None
    period.published_at = None
    await period.save()
    await record(actor, "reopen", "period", period.month, before=before,
                 after=model_state(period), reason=reason)
    return current


MAX_REASON = 2000  # characters HR writes for a reopen (employees read them)


async def reopen_period(actor: Actor | None, month: str, reason: str) -> Period:
    reason = reopen_reason(reason)
    if len(reason) > MAX_REASON:
        raise Unprocessable.field("reason", "at most %(max)s characters (%(given)s given)",
                                  code="too_long", max=MAX_REASON, given=len(reason))
    async with in_transaction():
        period = await lock_period(month)
        await reopen_locked(actor, period, reason)
    return period
