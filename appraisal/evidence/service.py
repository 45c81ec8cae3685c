"""Recording and correcting evidence.

Every write: the employee must be in the caller's scope, the evidence's
month is opened if new, the period row is locked and must be open, and
the change is audited in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import msgspec
from tortoise import connections
from tortoise.models import Model
from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.clock import happened, local, month_of
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.evidence.models import (
    SURVEY_QUESTIONS,
    Commendation,
    Complaint,
    Inspection,
    InspectionItem,
    ItemResult,
    SurveyResponse,
)
from appraisal.evidence.schemas import (
    CommendationIn,
    ComplaintIn,
    ComplaintPatch,
    InspectionIn,
    InspectionPatch,
    ItemIn,
    SurveyIn,
)
from appraisal.periods.models import Period
from appraisal.periods.service import (
    ensure_period,
    lock_open_month,
    lock_open_period,
    rulebook_for_month,
    rulebook_of,
)
from appraisal.rulebook import RuleBook
from appraisal.staff.models import Employee
from appraisal.staff.scope import employee_in_scope, evidence_filter

M = TypeVar("M", bound=Model)
CENT = Decimal("0.01")


def validate_items(rulebook: RuleBook, items: list[ItemIn]) -> list[dict[str, Any]]:
    """Check a checklist against the rulebook; 422 naming the offending item."""
    if not items:
        raise Unprocessable.field("items", "at least one checklist item is required")
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    known = ", ".join(rulebook.item_codes)
    for i, item in enumerate(items):
        where = f"items[{i}]"
        code = item.code.strip().upper()
        try:
            rule = rulebook.item(code)
        except KeyError:
            raise Unprocessable.field(
                f"{where}.code",
                f"unknown item code '{item.code}' (rulebook {rulebook.version} has {known})",
            ) from None
        if code in seen:
            raise Unprocessable.field(f"{where}.code", f"item {code} is given twice")
        seen.add(code)
        if item.points is not None:
            if item.result is not None:
                raise Unprocessable.field(
                    where, f"item {code}: give either result or points, not both"
                )
            pts = item.points
            if not pts.is_finite() or pts < 0 or pts > rule.points:
                raise Unprocessable.field(
                    f"{where}.points",
                    f"item {code}: points must be between 0 and {rule.points}, got {pts}",
                )
            if pts != pts.quantize(CENT):
                raise Unprocessable.field(
                    f"{where}.points", f"item {code}: at most 2 decimal places, got {pts}"
                )
            rows.append({"code": code, "result": ItemResult.points, "points": pts})
        elif item.result is None:
            raise Unprocessable.field(
                where, f"item {code}: give a result (pass, fail, na) or points"
            )
        else:
            result = ItemResult(item.result)
            rows.append({"code": code, "result": result, "points": rule.earned(result)})
    return rows


async def _place(actor: Actor, employee_id: int, ts: datetime, field: str) -> tuple[int, Period]:
    """Scope-check the employee and find (or open) the period containing ts.

    Called inside the write's transaction: a request refused later (a NUL in a
    text, a closed month) leaves no period opened and no audit row behind.
    """
    await employee_in_scope(actor, employee_id, "employee_id")
    period = await ensure_period(actor, month_of(ts), field)
    return employee_id, period


def _check_order(received_at: datetime, later: dict[str, datetime | None]) -> None:
    for field, value in later.items():
        if value is not None and happened(value, field) < local(received_at):
            raise Unprocessable.field(field, f"{field} cannot be before received_at")


async def get_in_scope(model: type[M], actor: Actor, obj_id: int) -> M:
    obj = await model.filter(id=obj_id, **evidence_filter(actor)).first()
    if obj is None:
        raise NotFound(f"{model._meta.db_table.replace('_', ' ')} {obj_id} not found")
    return obj


async def inspection_state(insp: Inspection) -> dict[str, Any]:
    state = model_state(insp)
    state["items"] = [
        {"code": c, "result": r, "points": p}
        for c, r, p in await InspectionItem.filter(inspection_id=insp.id)
        .order_by("id")
        .values_list("code", "result", "points")
    ]
    return state


class RecordedInspection(NamedTuple):
    """An inspection just written, with what it was written with: the answer to the
    write is shaped from these, not read back from the database."""

    inspection: Inspection
    employee: Employee
    period: Period
    items: list[dict[str, Any]]


async def create_inspection(actor: Actor, data: InspectionIn) -> RecordedInspection:
    occurred_at = happened(data.occurred_at, "occurred_at")
    async with in_transaction():
        employee = await employee_in_scope(actor, data.employee_id, "employee_id")
        period = await lock_open_month(actor, month_of(occurred_at), "occurred_at")
        rows = validate_items(rulebook_of(period), data.items)
        insp = await Inspection.create(
            employee_id=data.employee_id, period_id=period.id, inspector_id=actor.id,
            occurred_at=occurred_at, touchpoint=data.touchpoint.strip(), method=data.method,
            notes=data.notes,
        )
        await _insert_items(insp.id, rows)
        await record(actor, "create", "inspection", insp.id,
                     after={**model_state(insp), "items": _items_state(rows)})
    return RecordedInspection(insp, employee, period, rows)


def _items_state(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Item rows as the audit trail records them (the stored form: points to the cent)."""
    return [{"code": r["code"], "result": r["result"],
             "points": None if r["points"] is None else r["points"].quantize(CENT)} for r in rows]


async def _insert_items(inspection_id: int, rows: list[dict[str, Any]]) -> None:
    """All of an inspection's items in one INSERT (one round trip, not one per item)."""
    if not rows:
        return
    conn = connections.get("default")  # the transaction's connection, inside one
    pg = conn.capabilities.dialect == "postgres"
    fields = InspectionItem._meta.fields_map
    values, params = [], []
    for row in rows:
        start = len(params)
        params += [inspection_id, row["code"],
                   fields["result"].to_db_value(row["result"], InspectionItem),
                   fields["points"].to_db_value(row["points"], InspectionItem)]
        marks = [f"${start + i + 1}" if pg else "?" for i in range(4)]
        values.append(f"({', '.join(marks)})")
    await conn.execute_query(
        'INSERT INTO "inspection_item" ("inspection_id", "code", "result", "points") VALUES '
        + ", ".join(values), params)


async def update_inspection(actor: Actor, insp: Inspection, data: InspectionPatch) -> Inspection:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    occurred_at = (happened(changes["occurred_at"], "occurred_at") if "occurred_at" in changes
                   else local(insp.occurred_at))
    employee_id = changes.get("employee_id", insp.employee_id)
    old_period = await Period.get(id=insp.period_id)
    rows = None
    if "items" in changes:
        rows = validate_items(await rulebook_for_month(month_of(occurred_at)), changes["items"])
    async with in_transaction():
        _, new_period = await _place(actor, employee_id, occurred_at, "occurred_at")
        await lock_open_period(old_period.id)
        if new_period.id != old_period.id:
            await lock_open_period(new_period.id)
        before = await inspection_state(insp)
        insp.employee_id = employee_id
        insp.period_id = new_period.id
        insp.occurred_at = occurred_at
        for key in ("touchpoint", "method", "notes"):
            if key in changes:
                setattr(insp, key, changes[key])
        await insp.save()
        if rows is not None:
            await InspectionItem.filter(inspection_id=insp.id).delete()
            await InspectionItem.bulk_create(
                [InspectionItem(inspection_id=insp.id, **row) for row in rows]
            )
        await record(
            actor, "update", "inspection", insp.id, before=before,
            after=await inspection_state(insp),
        )
    return insp


async def delete_inspection(actor: Actor, insp: Inspection) -> None:
    async with in_transaction():
        await lock_open_period(insp.period_id)
        before = await inspection_state(insp)
        await insp.delete()
        await record(actor, "delete", "inspection", insp.id, before=before)


async def create_complaint(actor: Actor, data: ComplaintIn) -> Complaint:
    received_at = happened(data.received_at, "received_at")
    values = msgspec.structs.asdict(data)
    _check_order(received_at, {k: values[k] for k in
                               ("first_response_at", "resolved_at", "return_visit_at")})
    async with in_transaction():
        employee_id, period = await _place(actor, data.employee_id, received_at, "received_at")
        await lock_open_period(period.id)
        values.update(employee_id=employee_id, period_id=period.id, received_at=received_at,
                      recorded_by_id=actor.id)
        complaint = await Complaint.create(**values)
        await record(actor, "create", "complaint", complaint.id, after=model_state(complaint))
    return complaint


async def update_complaint(actor: Actor, complaint: Complaint, data: ComplaintPatch) -> Complaint:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    merged = {k: changes.get(k, getattr(complaint, k)) for k in
              ("received_at", "first_response_at", "resolved_at", "return_visit_at")}
    received_at = (happened(changes["received_at"], "received_at") if "received_at" in changes
                   else local(complaint.received_at))
    _check_order(received_at, {k: v for k, v in merged.items() if k != "received_at"})
    employee_id = changes.get("employee_id", complaint.employee_id)
    async with in_transaction():
        _, new_period = await _place(actor, employee_id, received_at, "received_at")
        await lock_open_period(complaint.period_id)
        if new_period.id != complaint.period_id:
            await lock_open_period(new_period.id)
        before = model_state(complaint)
        for key, value in changes.items():
            setattr(complaint, key, value)
        complaint.received_at = received_at
        complaint.period_id = new_period.id
        await complaint.save()
        await record(
            actor, "update", "complaint", complaint.id, before=before,
            after=model_state(complaint),
        )
    return complaint


def check_answers(rulebook: RuleBook, values: dict[str, Any]) -> None:
    """Every answer given lies on the rulebook's survey scale (1–5 in 2026.1)."""
    low, high = rulebook.survey_scale
    for q in SURVEY_QUESTIONS:
        answer = values.get(q)
        if answer is not None and not low <= answer <= high:
            raise Unprocessable.field(q, f"must be a whole number from {low} to {high}, got {answer}")


async def create_survey(actor: Actor, data: SurveyIn) -> SurveyResponse:
    values = msgspec.structs.asdict(data)
    check_answers(await rulebook_for_month(month_of(happened(data.received_at, "received_at"))),
                  values)
    if all(values[f] is None for f in SURVEY_QUESTIONS):
        raise Unprocessable.field(
            "attitude", "a survey needs at least one score (attitude, quality, efficiency, "
            "environment or overall)"
        )
    if data.external_id and await SurveyResponse.filter(external_id=data.external_id).exists():
        raise Conflict(f"a survey with external_id '{data.external_id}' is already recorded")
    received_at = happened(data.received_at, "received_at")
    async with in_transaction():
        employee_id, period = await _place(actor, data.employee_id, received_at, "received_at")
        await lock_open_period(period.id)
        values.update(employee_id=employee_id, period_id=period.id, received_at=received_at,
                      recorded_by_id=actor.id)
        survey = await SurveyResponse.create(**values)
        await record(actor, "create", "survey", survey.id, after=model_state(survey))
    return survey


async def create_commendation(actor: Actor, data: CommendationIn) -> Commendation:
    received_at = happened(data.received_at, "received_at")
    async with in_transaction():
        employee_id, period = await _place(actor, data.employee_id, received_at, "received_at")
        await lock_open_period(period.id)
        values = msgspec.structs.asdict(data)
        values.update(employee_id=employee_id, period_id=period.id, received_at=received_at,
                      recorded_by_id=actor.id)
        commendation = await Commendation.create(**values)
        await record(
            actor, "create", "commendation", commendation.id, after=model_state(commendation)
        )
    return commendation
