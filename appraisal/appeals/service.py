"""Self-service on published appraisals, and HR's answers to appeals.

An employee sees each published month's appraisal (score, grade, bonus,
links to the breakdown and the PDF) and either acknowledges it or appeals
it, once: an acknowledged appraisal is not appealed afterwards, and an
appraisal under appeal is acknowledged only once HR has answered. HR
upholds an appeal (then reopens the month to correct it) or rejects it,
always with an answer the employee reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.actor import Actor
from appraisal.appeals.models import Acknowledgement, Appeal, AppealStatus
from appraisal.audit.service import model_state, record
from appraisal.clock import local, parse_month
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.figures import figure
from appraisal.incentives.service import employee_amounts
from appraisal.periods.models import PeriodStatus
from appraisal.scoring.lifecycle import lock_period
from appraisal.scoring.models import SnapshotScore
from appraisal.staff.scope import employee_filter

MAX_TEXT = 2000  # characters of a reason, comment or answer


def own_employee(actor: Actor) -> int:
    if actor.employee_id is None:
        raise NotFound("this login is not linked to an employee record")
    return actor.employee_id


def _text(value: str, field: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise Unprocessable.field(field, "must not be empty")
    if len(value) > MAX_TEXT:
        raise Unprocessable.field(field, f"at most {MAX_TEXT} characters ({len(value)} given)")
    return value


def _when(ts: datetime | None) -> str | None:
    return local(ts).isoformat() if ts is not None else None


def appeal_out(appeal: Appeal, *, month: str, employee: dict[str, Any] | None = None,
               current: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": appeal.id,
        "month": month,
        "employee_id": appeal.employee_id,
        "snapshot_id": appeal.snapshot_id,
        "current": current,  # False once the month was reopened and closed again
        "status": appeal.status.value,
        "reason": appeal.reason,
        "filed_at": _when(appeal.filed_at),
        "answer": appeal.answer,
        "answered_at": _when(appeal.answered_at),
    }
    if employee is not None:
        out |= employee
    return out


async def _published_rows(employee_id: int, month: str | None = None) -> list[SnapshotScore]:
    """The employee's scores in the current snapshot of each published month."""
    rows = SnapshotScore.filter(
        employee_id=employee_id, snapshot__superseded_at__isnull=True,
        snapshot__period__status=PeriodStatus.published,
    ).select_related("snapshot__period")
    if month is not None:
        rows = rows.filter(snapshot__period__month=month)
    return sorted(await rows, key=lambda r: r.snapshot.period.month, reverse=True)


async def _published_row(employee_id: int, month: str) -> SnapshotScore:
    """Inside a transaction: the month stays published until it ends."""
    try:
        await lock_period(parse_month(month))
    except NotFound:
        rows = []
    else:
        rows = await _published_rows(employee_id, month)
    if not rows:
        raise NotFound(f"no published appraisal of yours for {month}")
    return rows[0]


async def my_appraisals(actor: Actor) -> list[dict[str, Any]]:
    employee_id = own_employee(actor)
    rows = await _published_rows(employee_id)
    snapshot_ids = [r.snapshot_id for r in rows]
    acknowledged = {a.snapshot_id: a for a in await Acknowledgement.filter(
        employee_id=employee_id, snapshot_id__in=snapshot_ids)}
    appealed = {a.snapshot_id: a for a in await Appeal.filter(
        employee_id=employee_id, snapshot_id__in=snapshot_ids)}
    amounts = await employee_amounts([r.snapshot.period_id for r in rows], [employee_id])
    out = []
    for row in rows:
        period, snapshot = row.snapshot.period, row.snapshot
        share = amounts.get((period.id, employee_id))
        ack = acknowledged.get(snapshot.id)
        appeal = appealed.get(snapshot.id)
        out.append({
            "month": period.month,
            "published_at": _when(period.published_at),
            "final_score": figure(row.final_score),
            "grade": row.grade,
            "status": row.status,
            "veto": row.veto,
            "dimensions": row.dimensions,
            "incentive": None if share is None else {
                "amount": figure(share["amount"]), "currency": share["currency"],
                "service_star": share["service_star"]},
            "snapshot": {"sequence": snapshot.sequence, "content_hash": snapshot.content_hash},
            "rulebook_version": snapshot.rulebook_version,
            "score_url": f"/api/v1/periods/{period.month}/scores/{employee_id}",
            "pdf_url": f"/api/v1/periods/{period.month}/appraisals/{employee_id}.pdf",
            "acknowledged_at": _when(ack.acknowledged_at) if ack else None,
            "acknowledgement_comment": ack.comment if ack else None,
            "appeal": appeal_out(appeal, month=period.month) if appeal else None,
        })
    return out


async def acknowledge(actor: Actor, month: str, comment: str = "") -> dict[str, Any]:
    """Idempotent: acknowledging again returns the first acknowledgement."""
    employee_id = own_employee(actor)
    comment = _text(comment, "comment", required=False)
    async with in_transaction():
        row = await _published_row(employee_id, month)
        ack = await Acknowledgement.filter(
            snapshot_id=row.snapshot_id, employee_id=employee_id).first()
        if ack is None:
            appeal = await Appeal.filter(snapshot_id=row.snapshot_id, employee_id=employee_id,
                                         status=AppealStatus.open).first()
            if appeal is not None:
                raise Conflict(f"your appeal of {month} (#{appeal.id}) is still open: "
                               "HR answers it before the appraisal is acknowledged")
            ack = await Acknowledgement.create(
                snapshot_id=row.snapshot_id, employee_id=employee_id, comment=comment)
            await record(actor, "acknowledge", "appraisal", f"{month}/{employee_id}",
                         after=model_state(ack))
    return {"month": month, "employee_id": employee_id,
            "acknowledged_at": _when(ack.acknowledged_at), "comment": ack.comment}


async def file_appeal(actor: Actor, month: str, reason: str) -> dict[str, Any]:
    employee_id = own_employee(actor)
    reason = _text(reason, "reason", required=True)
    async with in_transaction():
        row = await _published_row(employee_id, month)
        ack = await Acknowledgement.filter(
            snapshot_id=row.snapshot_id, employee_id=employee_id).first()
        if ack is not None:
            raise Conflict(f"you acknowledged the appraisal of {month} on "
                           f"{local(ack.acknowledged_at):%Y-%m-%d}; talk to HR to reopen it")
        earlier = await Appeal.filter(snapshot_id=row.snapshot_id, employee_id=employee_id).first()
        if earlier is not None:
            raise Conflict(f"the appraisal of {month} was already appealed "
                           f"(#{earlier.id}, {earlier.status.value})")
        appeal = await Appeal.create(snapshot_id=row.snapshot_id, employee_id=employee_id,
                                     reason=reason)
        await record(actor, "appeal", "appeal", appeal.id, after=model_state(appeal))
    return appeal_out(appeal, month=month)


async def _appeal_rows(actor: Actor, **filters: Any) -> list[Appeal]:
    return await Appeal.filter(**filters, **employee_filter(actor, "employee__")).select_related(
        "snapshot__period", "employee__team").order_by("-filed_at", "-id")


def _staff_view(appeal: Appeal) -> dict[str, Any]:
    employee = appeal.employee
    return appeal_out(
        appeal, month=appeal.snapshot.period.month,
        current=appeal.snapshot.superseded_at is None,
        employee={"employee_no": employee.employee_no, "name": employee.name,
                  "team_id": employee.team_id, "team": employee.team.name})


async def list_appeals(actor: Actor, month: str | None, status: str | None,
                       employee_id: int | None) -> list[dict[str, Any]]:
    filters: dict[str, Any] = {}
    if month is not None:
        filters["snapshot__period__month"] = parse_month(month)
    if status is not None:
        filters["status"] = AppealStatus(status)
    if employee_id is not None:
        filters["employee_id"] = employee_id
    return [_staff_view(a) for a in await _appeal_rows(actor, **filters)]


async def get_appeal(actor: Actor, appeal_id: int) -> dict[str, Any]:
    rows = await _appeal_rows(actor, id=appeal_id)
    if not rows:
        raise NotFound(f"appeal {appeal_id} not found")
    return _staff_view(rows[0])


async def answer_appeal(actor: Actor, appeal_id: int, decision: str, answer: str) -> dict[str, Any]:
    answer = _text(answer, "answer", required=True)
    async with in_transaction():
        appeal = await Appeal.filter(id=appeal_id).select_for_update().first()
        if appeal is None:
            raise NotFound(f"appeal {appeal_id} not found")
        if appeal.status != AppealStatus.open:
            raise Conflict(f"appeal {appeal_id} was already answered ({appeal.status.value})")
        before = model_state(appeal)
        appeal.status = AppealStatus(decision)
        appeal.answer = answer
        appeal.answered_by_id = actor.id
        appeal.answered_at = clock.now()
        await appeal.save()
        await record(actor, "answer", "appeal", appeal.id, before=before,
                     after=model_state(appeal))
    return await get_appeal(actor, appeal_id)
