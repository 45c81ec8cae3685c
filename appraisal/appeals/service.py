"""Self-service on published appraisals, and HR's answers to appeals.

An employee sees each published month's appraisal (score, grade, bonus,
links to the breakdown and the PDF) and either acknowledges it or appeals
it, once: an acknowledged appraisal is not appealed afterwards, and an
appraisal under appeal is acknowledged only once HR has answered. HR
upholds an appeal, which reopens the month to correct it in the same
transaction, or rejects it, always with an answer the employee reads.

Employees keep their history: every version of a month they were published
in stays listed, with what changed from the one before and why, and what
they said of each. While HR corrects a published month, its last published
version is shown as being corrected, and only a current version is
acknowledged or appealed.
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
from appraisal.periods.models import Period, PeriodStatus
from appraisal.scoring import lifecycle
from appraisal.scoring.lifecycle import lock_period
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore
from appraisal.staff.scope import employee_filter

MAX_TEXT = 2000  # characters of a reason, comment or answer


def own_employee(actor: Actor) -> int:
    if actor.employee_id is None:
        raise NotFound("this login is not linked to an employee record", code="no_employee_record")
    return actor.employee_id


def _text(value: str, field: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise Unprocessable.field(field, "must not be empty", code="empty")
    if len(value) > MAX_TEXT:
        raise Unprocessable.field(field, "at most %(max)s characters (%(given)s given)",
                                  code="too_long", max=MAX_TEXT, given=len(value))
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
        "reopened_month": appeal.superseded_snapshot_id is not None,
    }
    if employee is not None:
        out |= employee
    return out


def acknowledge_refusal(month: str, appeal: Appeal | None) -> Conflict | None:
    """Why a current appraisal cannot be acknowledged (a second acknowledgement is no
    refusal: it returns the first), or None."""
    if appeal is not None and appeal.status == AppealStatus.open:
        return Conflict("your appeal of %(month)s (#%(appeal_id)s) is still open: "
                        "HR answers it before the appraisal is acknowledged",
                        code="appeal_open", month=month, appeal_id=appeal.id)
    if appeal is not None and appeal.status == AppealStatus.upheld:
        return Conflict("your appeal of %(month)s (#%(appeal_id)s) was upheld: the corrected "
                        "result is acknowledged once HR publishes it", code="appeal_upheld",
                        month=month, appeal_id=appeal.id)
    return None


def appeal_refusal(month: str, ack: Acknowledgement | None,
                   appeal: Appeal | None) -> Conflict | None:
    """Why a current appraisal cannot be appealed, or None: once is all."""
    if ack is not None:
        return Conflict("you acknowledged the appraisal of %(month)s on %(date)s; talk to "
                        "HR to reopen it", code="already_acknowledged", month=month,
                        date=f"{local(ack.acknowledged_at):%Y-%m-%d}")
    if appeal is not None:
        return Conflict("the appraisal of %(month)s was already appealed "
                        "(#%(appeal_id)s, %(appeal_status)s)", code="already_appealed",
                        month=month, appeal_id=appeal.id, appeal_status=appeal.status.value)
    return None


async def _published_row(employee_id: int, month: str) -> SnapshotScore:
    """Inside a transaction, the month locked until it ends (it stays as it is): the
    employee's row of the month's current published snapshot. 409 while HR corrects
    a month it had published, 404 when nothing of theirs was published."""
    try:
        period: Period | None = await lock_period(parse_month(month))
    except NotFound:
        period = None
    rows = [] if period is None else await SnapshotScore.filter(
        employee_id=employee_id, snapshot__period_id=period.id,
        snapshot__published_at__isnull=False).select_related("snapshot").order_by(
        "-snapshot__sequence")
    if period is None or not rows:
        raise NotFound("no published appraisal of yours for %(month)s",
                       code="appraisal_not_published", month=month)
    latest = rows[0]
    if period.status != PeriodStatus.published or latest.snapshot.superseded_at is not None:
        raise Conflict(
            "your appraisal of %(month)s is being corrected: HR reopened the month on "
            "%(date)s. The corrected result is acknowledged or appealed once HR publishes it",
            code="appraisal_being_corrected", month=month,
            date=f"{local(latest.snapshot.superseded_at or clock.now()):%Y-%m-%d}")
    return latest


def _reason(snapshot: ScoreSnapshot, appeal: Appeal | None, employee_id: int) -> dict[str, Any]:
    """Why `snapshot` was superseded, as its employee may read it: HR's reopen reason,
    their own upheld appeal with HR's answer, or, for someone else's appeal, only that
    an appeal was upheld (whose, and why, stay theirs)."""
    if appeal is None:
        kind, text, appeal_id = "reopen", snapshot.superseded_reason, None
    elif appeal.employee_id == employee_id:
        kind, text, appeal_id = "your_appeal", appeal.answer, appeal.id
    else:
        kind, text, appeal_id = "appeal", "", None
    return {"kind": kind, "reopened_at": _when(snapshot.superseded_at), "reason": text,
            "appeal_id": appeal_id}


def _state(row: SnapshotScore, newest: bool) -> str:
    snapshot, period = row.snapshot, row.snapshot.period
    if snapshot.superseded_at is None and period.status == PeriodStatus.published:
        return "current"
    # The last version the employee saw, while HR corrects the month.
    if newest and period.status != PeriodStatus.published:
        return "being_corrected"
    return "superseded"


def _correction(row: SnapshotScore, previous: SnapshotScore, snapshots: list[ScoreSnapshot],
                reopened_by: dict[int, Appeal]) -> dict[str, Any]:
    """From the version published before to this one: every reopen in between, told."""
    between = [s for s in snapshots
               if previous.snapshot.sequence <= s.sequence < row.snapshot.sequence
               and s.superseded_at is not None]
    return {
        "previous_final_score": figure(previous.final_score),
        "previous_grade": previous.grade,
        "previous_sequence": previous.snapshot.sequence,
        "previous_published_at": _when(previous.snapshot.published_at),
        "corrected_at": _when(row.snapshot.published_at),
        "reasons": [_reason(s, reopened_by.get(s.id), row.employee_id) for s in between],
    }


async def my_appraisals(actor: Actor) -> list[dict[str, Any]]:
    """Every published version of the employee's months, newest month first and, within
    a month, the version that counts first; each with the change from the version
    published before it and why, and what the employee said of it."""
    employee_id = own_employee(actor)
    rows = await SnapshotScore.filter(
        employee_id=employee_id, snapshot__published_at__isnull=False,
    ).select_related("snapshot__period")
    rows.sort(key=lambda r: (r.snapshot.period.month, r.snapshot.sequence), reverse=True)
    period_ids = list({r.snapshot.period_id for r in rows})
    # Every snapshot of those months, published or not: a correction may take several
    # reopens before HR publishes again, and each one's reason is told.
    snapshots: dict[int, list[ScoreSnapshot]] = {}
    for snap in await ScoreSnapshot.filter(period_id__in=period_ids).order_by("sequence"):
        snapshots.setdefault(snap.period_id, []).append(snap)
    reopened_by = {a.superseded_snapshot_id: a for a in await Appeal.filter(
        superseded_snapshot__period_id__in=period_ids)}
    snapshot_ids = [r.snapshot_id for r in rows]
    acknowledged = {a.snapshot_id: a for a in await Acknowledgement.filter(
        employee_id=employee_id, snapshot_id__in=snapshot_ids)}
    appealed = {a.snapshot_id: a for a in await Appeal.filter(
        employee_id=employee_id, snapshot_id__in=snapshot_ids)}
    shares = {}
    for row in rows:  # what was shared on each version's own scores (few versions a month)
        key = (row.snapshot.period_id, employee_id)
        shares[row.snapshot_id] = (await employee_amounts(
            [row.snapshot.period_id], [employee_id], snapshot_ids=[row.snapshot_id])).get(key)

    out = []
    for i, row in enumerate(rows):
        period, snapshot = row.snapshot.period, row.snapshot
        same_month = [r for r in (rows[i - 1] if i else None,
                                  rows[i + 1] if i + 1 < len(rows) else None)
                      if r is not None and r.snapshot.period_id == period.id]
        newest = not any(r.snapshot.sequence > snapshot.sequence for r in same_month)
        previous = next((r for r in same_month if r.snapshot.sequence < snapshot.sequence), None)
        state = _state(row, newest)
        current = state == "current"
        share, ack, appeal = (shares.get(snapshot.id), acknowledged.get(snapshot.id),
                              appealed.get(snapshot.id))
        out.append({
            "month": period.month,
            "state": state,
            "published_at": _when(snapshot.published_at),
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
            # The breakdown and the PDF are of the current snapshot only.
            "score_url": f"/api/v1/periods/{period.month}/scores/{employee_id}"
            if current else None,
            "pdf_url": f"/api/v1/periods/{period.month}/appraisals/{employee_id}.pdf"
            if current else None,
            "acknowledged_at": _when(ack.acknowledged_at) if ack else None,
            "acknowledgement_comment": ack.comment if ack else None,
            "appeal": appeal_out(appeal, month=period.month, current=current)
            if appeal else None,
            "can_acknowledge": current and ack is None
            and acknowledge_refusal(period.month, appeal) is None,
            "can_appeal": current and appeal_refusal(period.month, ack, appeal) is None,
            "correction": None if previous is None
            else _correction(row, previous, snapshots[period.id], reopened_by),
            "reopened": None if snapshot.superseded_at is None
            else _reason(snapshot, reopened_by.get(snapshot.id), employee_id),
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
            appeal = await Appeal.filter(snapshot_id=row.snapshot_id,
                                         employee_id=employee_id).first()
            if (refusal := acknowledge_refusal(month, appeal)) is not None:
                raise refusal
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
        earlier = await Appeal.filter(snapshot_id=row.snapshot_id, employee_id=employee_id).first()
        if (refusal := appeal_refusal(month, ack, earlier)) is not None:
            raise refusal
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
        raise NotFound("appeal %(appeal_id)s not found", code="appeal_not_found",
                       appeal_id=appeal_id)
    return _staff_view(rows[0])


async def answer_appeal(actor: Actor, appeal_id: int, decision: str, answer: str) -> dict[str, Any]:
    """Reject, or uphold: then the appeal's month, if closed or published, is reopened in
    the same transaction with the appeal as the reason (SPEC §5)."""
    answer = _text(answer, "answer", required=True)
    async with in_transaction():
        found = await Appeal.filter(id=appeal_id).select_related("snapshot__period").first()
        if found is None:
            raise NotFound("appeal %(appeal_id)s not found", code="appeal_not_found",
                           appeal_id=appeal_id)
        # The month first, as every writer of the month locks it, then the appeal.
        period = await lock_period(found.snapshot.period.month)
        appeal = await Appeal.filter(id=appeal_id).select_for_update().get()
        if appeal.status != AppealStatus.open:
            raise Conflict("appeal %(appeal_id)s was already answered (%(appeal_status)s)",
                           code="already_answered", appeal_id=appeal_id,
                           appeal_status=appeal.status.value)
        before = model_state(appeal)
        appeal.status = AppealStatus(decision)
        appeal.answer = answer
        appeal.answered_by_id = actor.id
        appeal.answered_at = clock.now()
        if appeal.status == AppealStatus.upheld and period.status != PeriodStatus.open:
            superseded = await lifecycle.reopen_locked(
                actor, period, f"appeal #{appeal.id} upheld: {answer}")
            appeal.superseded_snapshot_id = superseded.id if superseded else None
        await appeal.save()
        await record(actor, "answer", "appeal", appeal.id, before=before,
                     after=model_state(appeal))
    return await get_appeal(actor, appeal_id)
