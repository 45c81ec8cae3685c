"""Recording and correcting evidence.

Every write: the employee must be in the caller's scope, the evidence's
month is opened if new, the period row is locked and must be open, and
the change is audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import msgspec
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import entry, model_state, record
from appraisal.clock import ahead, current_month, happened, local, month_of, now
from appraisal.errors import Conflict, Forbidden, NotFound, Unprocessable
from appraisal.evidence import tallies
from appraisal.evidence.deadlines import finished
from appraisal.evidence.followup import facts_of
from appraisal.evidence.models import (
    LIVE_ACTION_STATES,
    SURVEY_QUESTIONS,
    ActionState,
    Commendation,
    Complaint,
    ComplaintStatus,
    ComplaintUpdate,
    CorrectiveAction,
    Inspection,
    InspectionItem,
    ItemResult,
    SurveyResponse,
)
from appraisal.evidence.placement import (
    Placement,
    employee_and_open_period,
    still_open,
    usual_placement,
)
from appraisal.evidence.rectify import action_state, automatic_actions, failed_rectify_codes
from appraisal.evidence.schemas import (
    CommendationIn,
    CommendationPatch,
    ComplaintIn,
    ComplaintPatch,
    InspectionIn,
    InspectionPatch,
    ItemIn,
    ItemPatch,
    SurveyIn,
    SurveyPatch,
)
from appraisal.inserts import (
    Computed,
    insert_returning_id,
    insert_together,
    new_row,
    statements_commit_alone,
)
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import (
    ensure_period,
    lock_open_period,
    rulebook_for_month,
    rulebook_of,
)
from appraisal.rulebook import RuleBook
from appraisal.staff.models import Employee
from appraisal.staff.scope import employee_in_scope, evidence_filter
from appraisal.staff.service import refuse_after_leaving

M = TypeVar("M", bound=Model)
V = TypeVar("V", Inspection, Complaint, SurveyResponse, Commendation)
CENT = Decimal("0.01")


class Checklist(NamedTuple):
    """Where an inspection took place, and the items that may be recorded there."""

    touchpoint: str  # as stored: the touchpoint's code, or free text (rulebooks without)
    items: tuple[str, ...]  # in rulebook order
    restricted: bool  # only these items (a rulebook with touchpoints)


def checklist(rulebook: RuleBook, given: str) -> Checklist:
    """The checklist of a touchpoint (SPEC §2.2). With a rulebook that has touchpoints the
    touchpoint must be one of its codes and only its items are checked there, so nothing
    that was not looked at (standing up, on the phone) is credited; without, any item."""
    text = given.strip()
    if not rulebook.touchpoints:
        return Checklist(text, rulebook.item_codes, False)
    wanted = text.casefold()
    for tp in rulebook.touchpoints:
        if tp.code.casefold() == wanted:
            allowed = set(tp.items)
            return Checklist(tp.code, tuple(c for c in rulebook.item_codes if c in allowed), True)
    raise Unprocessable.field(
        "touchpoint", "unknown touchpoint '%(touchpoint)s' (rulebook %(version)s has %(known)s)",
        code="unknown_touchpoint", touchpoint=text, version=rulebook.version,
        known=", ".join(tp.code for tp in rulebook.touchpoints))


def _not_at(where: str, code: str, at: Checklist) -> Unprocessable:
    return Unprocessable.field(
        where, "item %(item)s is not checked at touchpoint %(touchpoint)s (its items: %(known)s)",
        code="item_not_at_touchpoint", item=code, touchpoint=at.touchpoint,
        known=", ".join(at.items))


def _item_code(rulebook: RuleBook, where: str, given: str, seen: set[str],
               at: Checklist | None = None) -> str:
    """The rulebook code an item names (each at most once in a request, and on the
    touchpoint's checklist when there is one); 422 otherwise."""
    code = given.strip().upper()
    if not rulebook.has_item(code):
        raise Unprocessable.field(
            f"{where}.code", "unknown item code '%(item)s' (rulebook %(version)s has %(known)s)",
            code="unknown_item", item=given, version=rulebook.version,
            known=", ".join(rulebook.item_codes))
    if at is not None and at.restricted and code not in at.items:
        raise _not_at(f"{where}.code", code, at)
    if code in seen:
        raise Unprocessable.field(f"{where}.code", "item %(item)s is given twice",
                                  code="item_twice", item=code)
    seen.add(code)
    return code


def _item_row(rulebook: RuleBook, where: str, code: str, result: str | None,
              points: Decimal | None) -> dict[str, Any]:
    """One item's stored row: its result, and the points it earned (None for n.a.)."""
    rule = rulebook.item(code)
    if points is not None:
        if result is not None and result != ItemResult.points:
            raise Unprocessable.field(where, "item %(item)s: give either result or points, "
                                      "not both", code="item_result_and_points", item=code)
        if not points.is_finite() or points < 0 or points > rule.points:
            raise Unprocessable.field(
                f"{where}.points", "item %(item)s: points must be between 0 and %(max)s, "
                "got %(points)s", code="item_points_range", item=code, max=rule.points,
                points=points)
        if points != points.quantize(CENT):
            raise Unprocessable.field(
                f"{where}.points", "item %(item)s: at most 2 decimal places, got %(points)s",
                code="item_points_decimals", item=code, points=points)
        return {"code": code, "result": ItemResult.points, "points": points}
    if result is None:
        raise Unprocessable.field(where, "item %(item)s: give a result (pass, fail, na) or "
                                  "points", code="item_result_missing", item=code)
    return {"code": code, "result": ItemResult(result), "points": rule.earned(result)}


def _applicable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A checklist that can count: at least one item, and one that is not n.a. (SPEC §3:
    an inspection with nothing applicable is no inspection)."""
    if not rows:
        raise Unprocessable.field("items", "at least one checklist item is required",
                                  code="items_empty")
    if all(r["result"] == ItemResult.na for r in rows):
        raise Unprocessable.field(
            "items", "every item is n.a.: an inspection needs at least one item that applied "
            "(pass, fail or points)", code="items_all_na")
    return rows


def validate_items(rulebook: RuleBook, items: list[ItemIn],
                   at: Checklist | None = None) -> list[dict[str, Any]]:
    """Check a checklist against the rulebook (and the touchpoint's items); 422 naming
    the offending item."""
    seen: set[str] = set()
    return _applicable([
        _item_row(rulebook, f"items[{i}]",
                  _item_code(rulebook, f"items[{i}]", item.code, seen, at),
                  item.result, item.points)
        for i, item in enumerate(items)])


def merge_items(rulebook: RuleBook, current: list[dict[str, Any]],
                changes: list[ItemPatch], at: Checklist | None = None) -> list[dict[str, Any]]:
    """A correction of the checklist, merged by item code (SPEC §3.2): an item given
    replaces that code's result, `"result": null` removes it, the others stay as they
    were (checked again against `rulebook`, the one of the month the inspection is in
    after the correction). In rulebook order."""
    merged = {r["code"]: r for r in current}
    seen: set[str] = set()
    for i, item in enumerate(changes):
        where = f"items[{i}]"
        code = _item_code(rulebook, where, item.code, seen, at)
        if item.result is None and item.points is None:
            merged.pop(code, None)  # "result": null: the item is taken off
            continue
        result = None if item.result is msgspec.UNSET else item.result
        if result is None and item.points is None:
            raise Unprocessable.field(where, "item %(item)s: give a result (pass, fail, na) or "
                                      "points, or \"result\": null to remove it",
                                      code="item_result_missing", item=code)
        merged[code] = _item_row(rulebook, where, code, result, item.points)
    for code, row in merged.items():
        if not rulebook.has_item(code):
            raise Unprocessable.field("items", "item %(item)s is not in rulebook %(version)s: "
                                      "remove it (\"result\": null)", code="item_not_in_rulebook",
                                      item=code, version=rulebook.version)
        if at is not None and at.restricted and code not in at.items:
            raise _not_at("items", code, at)
        if code not in seen:  # kept as it was: still within the rulebook's points
            merged[code] = _item_row(rulebook, "items", code, str(row["result"]),
                                     row["points"] if row["result"] == ItemResult.points else None)
    return _applicable([merged[c] for c in rulebook.item_codes if c in merged])


async def _place(actor: Actor, employee_id: int, ts: datetime, field: str) -> tuple[int, Period]:
    """Scope-check the employee and find (or open) the period containing ts.

    Called inside the write's transaction: a request refused later (a NUL in a
    text, a closed month) leaves no period opened and no audit row behind.
    """
    refuse_after_leaving(await employee_in_scope(actor, employee_id, "employee_id"), ts)
    period = await ensure_period(actor, month_of(ts), field)
    return employee_id, period


def _check_order(received_at: datetime, later: dict[str, datetime | None]) -> None:
    for field, value in later.items():
        if value is not None and happened(value, field) < local(received_at):
            raise Unprocessable.field(field, "%(later)s cannot be before received_at",
                                      code="before_received", later=field)


def _check_return_visit(resolved_at: datetime | None, return_visit_at: datetime | None,
                        sent: Collection[str]) -> None:
    """A return visit is made once the complaint is resolved, never before (SPEC §3.4: it
    falls due after the resolution; the seeds: visit the customer again afterwards)."""
    if return_visit_at is None:
        return
    by_resolution = "resolved_at" in sent and "return_visit_at" not in sent
    if resolved_at is None:
        if by_resolution:
            raise Unprocessable.field(
                "resolved_at", "the return visit stays recorded: clear return_visit_at as "
                "well, or keep resolved_at", code="return_visit_needs_resolution")
        raise Unprocessable.field(
            "return_visit_at", "a return visit comes after the complaint is resolved: record "
            "when it was resolved first", code="return_visit_before_resolution")
    if local(return_visit_at) < local(resolved_at):
        raise Unprocessable.field("resolved_at" if by_resolution else "return_visit_at",
                                  "return_visit_at cannot be before resolved_at",
                                  code="return_visit_before_resolution")


async def get_in_scope(model: type[M], actor: Actor, obj_id: int) -> M:
    obj = await model.filter(id=obj_id, **evidence_filter(actor)).first()
    if obj is None:
        raise NotFound("%(entity)s %(id)s not found", code="evidence_not_found",
                       entity=model._meta.db_table.replace("_", " "), id=obj_id)
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
    rulebook: RuleBook  # the period's, looked up once a write


async def create_inspection(actor: Actor, data: InspectionIn) -> RecordedInspection:
    occurred_at = happened(data.occurred_at, "occurred_at")
    month = month_of(occurred_at)
    if statements_commit_alone():
        # The usual case in two round trips and no BEGIN or COMMIT: the placement read
        # without a lock, then everything in one statement that locks the period itself.
        placed = await usual_placement(actor, data.employee_id, month, "inspection")
        if placed is not None:
            try:
                return await _record_inspection(actor, data, occurred_at, placed,
                                                still_open(placed.period))
            except IntegrityError:
                pass  # the month closed or the employee went since: the locked way says so
    async with in_transaction():
        placed = await employee_and_open_period(
            actor, data.employee_id, month, "occurred_at", "inspection")
        return await _record_inspection(actor, data, occurred_at, placed)


async def _record_inspection(actor: Actor, data: InspectionIn, occurred_at: datetime,
                             placed: Placement, period_lock: Computed | None = None
                             ) -> RecordedInspection:
    """The inspection's rows in (one statement on PostgreSQL); `period_lock`: the period
    column as the statement locks and reads it, when no transaction holds the lock."""
    employee, period, new_id = placed
    refuse_after_leaving(employee, occurred_at)
    rulebook = rulebook_of(period)
    at = checklist(rulebook, data.touchpoint)
    rows = validate_items(rulebook, data.items, at)
    insp = Inspection(
        employee_id=data.employee_id, period_id=period.id, inspector_id=actor.id,
        occurred_at=occurred_at, touchpoint=at.touchpoint, method=data.method,
        notes=data.notes,
    )
    together = []
    if new_id is None:  # SQLite: the row's id is known once it is in
        await insert_returning_id(insp)
    else:
        insp.id = new_id
        row = new_row(insp)
        if period_lock is not None:
            row["period_id"] = period_lock
        together.append(("inspection", [row]))
        insp._saved_in_db = True
    actions = automatic_actions(rulebook, insp.id, data.employee_id,
                                failed_rectify_codes(rulebook, rows), actor.id, now())
    after = {**model_state(insp), "items": _items_state(rows)}
    if actions:
        after["actions_opened"] = [action_state(a) for a in actions]
    trail = entry(actor, "create", "inspection", insp.id, after=after)
    # The inspection, its items, the actions its failures open, what it adds to the
    # employee's tallies and its audit entry in one statement (PostgreSQL).
    await insert_together([*together, ("inspection_item", _item_rows(insp.id, rows)),
                           ("corrective_action", [new_row(a) for a in actions]),
                           *tallies.upserts(*tallies.inspection_rows(
                               period.id, data.employee_id, rows)),
                           ("audit_entry", [new_row(trail)])])
    return RecordedInspection(insp, employee, period, rows, rulebook)


def _items_state(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Item rows as the audit trail records them (the stored form: points to the cent)."""
    return [{"code": r["code"], "result": r["result"],
             "points": None if r["points"] is None else r["points"].quantize(CENT)} for r in rows]


def _item_rows(inspection_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = InspectionItem._meta.fields_map
    return [{"inspection_id": inspection_id, "code": row["code"],
             "result": fields["result"].to_db_value(row["result"], InspectionItem),
             "points": fields["points"].to_db_value(row["points"], InspectionItem)}
            for row in rows]


async def _insert_items(inspection_id: int, rows: list[dict[str, Any]]) -> None:
    """All of an inspection's items in one INSERT (one round trip, not one per item)."""
    await insert_together([("inspection_item", _item_rows(inspection_id, rows))])


async def _follow_failures(actor: Actor, rulebook: RuleBook, insp: Inspection,
                           rows: list[dict[str, Any]]) -> None:
    """After a correction of the checklist: a rectify item that fails now and has no
    action yet opens one; an action whose item no longer fails is cancelled."""
    failing = failed_rectify_codes(rulebook, rows)
    live = await CorrectiveAction.filter(inspection_id=insp.id, state__in=LIVE_ACTION_STATES)
    for action in live:
        if action.item_code not in failing:
            await _cancel(actor, action, "the failure was corrected")
    have = {a.item_code for a in live}
    for action in automatic_actions(rulebook, insp.id, insp.employee_id,
                                    [c for c in failing if c not in have], actor.id, now()):
        await action.save()
        await record(actor, "create", "corrective_action", action.id, after=action_state(action))


async def _cancel(actor: Actor, action: CorrectiveAction, why: str) -> None:
    before = action_state(action)
    action.state = ActionState.cancelled
    action.check_note = why
    await action.save(update_fields=["state", "check_note", "updated_at"])
    await record(actor, "cancel", "corrective_action", action.id, before=before,
                 after=action_state(action))


async def cancel_actions_of(actor: Actor, inspection_id: int, why: str) -> None:
    """A voided inspection's actions call for nothing more."""
    for action in await CorrectiveAction.filter(inspection_id=inspection_id,
                                                state__in=LIVE_ACTION_STATES):
        await _cancel(actor, action, why)


async def update_inspection(actor: Actor, insp: Inspection, data: InspectionPatch) -> Inspection:
    may_correct(actor, insp, "inspection")
    _not_void(insp, "inspection")
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    occurred_at = (happened(changes["occurred_at"], "occurred_at") if "occurred_at" in changes
                   else local(insp.occurred_at))
    employee_id = changes.get("employee_id", insp.employee_id)
    old_employee_id = insp.employee_id
    old_period = await Period.get(id=insp.period_id)
    async with in_transaction():
        _, new_period = await _place(actor, employee_id, occurred_at, "occurred_at")
        await lock_open_period(old_period.id)
        if new_period.id != old_period.id:
            await lock_open_period(new_period.id)
        before = await inspection_state(insp)
        rows = None
        rulebook = rulebook_of(new_period)
        at = checklist(rulebook, changes.get("touchpoint", insp.touchpoint))
        # Items given are merged by code; moved into a month of another rulebook, or to
        # another touchpoint, the items kept must hold there too.
        if ("items" in changes or "touchpoint" in changes
                or new_period.rulebook_version != old_period.rulebook_version):
            rows = merge_items(rulebook, before["items"], changes.get("items", []), at)
        insp.employee_id = employee_id
        insp.period_id = new_period.id
        insp.occurred_at = occurred_at
        insp.touchpoint = at.touchpoint
        for key in ("method", "notes"):
            if key in changes:
                setattr(insp, key, changes[key])
        await insp.save()
        if rows is not None:
            await InspectionItem.filter(inspection_id=insp.id).delete()
            await _insert_items(insp.id, rows)
            await _follow_failures(actor, rulebook, insp, rows)
        # Its old place and items taken off the tallies, its new ones added.
        old_items, old_counts = tallies.inspection_rows(
            old_period.id, old_employee_id, before["items"], -1)
        new_items, new_counts = tallies.inspection_rows(
            new_period.id, employee_id, before["items"] if rows is None else rows)
        await tallies.add(old_items + new_items, old_counts + new_counts)
        await record(
            actor, "update", "inspection", insp.id, before=before,
            after=await inspection_state(insp),
        )
    return insp


# A complaint's follow-up may be written by any supervisor of the team (the next
# shift calls the customer back); everything else is a correction.
FOLLOW_UP = frozenset({"first_response_at", "resolved_at", "customer_satisfied",
                       "return_visit_at", "status", "handler_id", "promised_reply_at"})


def may_correct(actor: Actor, evidence: Inspection | Complaint | SurveyResponse | Commendation,
                entity: str) -> None:
    """SPEC §3.2: HR corrects and voids any evidence, a supervisor only the records they made
    (403, saying whom to ask). The caller has already found it within the actor's scope."""
    if actor.is_hr:
        return
    recorder = (evidence.inspector_id if isinstance(evidence, Inspection)
                else evidence.recorded_by_id)
    if recorder != actor.id:
        raise Forbidden("%(audit_entity)s %(id)s was recorded by someone else; a supervisor "
                        "corrects or voids only their own records (HR can correct any)",
                        code="evidence_not_own", audit_entity=entity, id=evidence.id)


def _not_void(evidence: Inspection | Complaint | SurveyResponse | Commendation,
              entity: str) -> None:
    if evidence.voided_at is not None:
        raise Conflict("%(audit_entity)s %(id)s is void; void evidence is kept as it was "
                       "and cannot be corrected (record it again if it is needed)",
                       code="evidence_void", audit_entity=entity, id=evidence.id)


async def void_evidence(actor: Actor, evidence: V, entity: str, reason: str) -> V:
    """Void a piece of evidence (SPEC §3.2): the row stays, marked with who, when and why,
    audited, and counts for nothing from then on. Only while its period is open."""
    may_correct(actor, evidence, entity)
    reason = reason.strip()
    if not reason:
        raise Unprocessable.field("reason", "say why the evidence is voided",
                                  code="void_reason_missing")
    async with in_transaction():
        await lock_open_period(evidence.period_id)
        # Read again under the period's lock: two voids at once void once.
        await evidence.refresh_from_db(fields=["voided_at"])
        _not_void(evidence, entity)
        before = await _state(evidence)
        evidence.voided_at = now()
        evidence.voided_by_id = actor.id
        evidence.void_reason = reason
        await evidence.save(update_fields=["voided_at", "voided_by_id", "void_reason"])
        await record(actor, "void", entity, evidence.id, before=before,
                     after=await _state(evidence), reason=reason)
        if isinstance(evidence, Inspection):
            await cancel_actions_of(actor, evidence.id, "the inspection was voided")
            await tallies.add(*tallies.inspection_rows(
                evidence.period_id, evidence.employee_id, before["items"], -1))
        elif isinstance(evidence, SurveyResponse):
            await tallies.add([], [tallies.survey_row(
                evidence.period_id, evidence.employee_id, _answers(evidence), -1)])
    return evidence


async def _state(evidence: Model) -> dict[str, Any]:
    return (await inspection_state(evidence) if isinstance(evidence, Inspection)
            else model_state(evidence))


async def create_complaint(actor: Actor, data: ComplaintIn) -> Complaint:
    received_at = happened(data.received_at, "received_at")
    values = msgspec.structs.asdict(data)
    _check_order(received_at, {k: values[k] for k in
                               ("first_response_at", "resolved_at", "return_visit_at")})
    _check_return_visit(data.resolved_at, data.return_visit_at, ("return_visit_at",))
    if data.promised_reply_at is not None:
        values["promised_reply_at"] = _promise(received_at, data.promised_reply_at)
    async with in_transaction():
        employee_id, period = await _place(actor, data.employee_id, received_at, "received_at")
        if data.handler_id is not None:
            await employee_in_scope(actor, data.handler_id, "handler_id")
        await lock_open_period(period.id)
        values.update(employee_id=employee_id, period_id=period.id, received_at=received_at,
                      recorded_by_id=actor.id)
        complaint = await Complaint.create(**values)
        await record(actor, "create", "complaint", complaint.id, after=model_state(complaint))
    return complaint


def _promise(received_at: datetime, promised: datetime) -> datetime:
    """A promised reply time: ahead by nature (SPEC §3.1), never before the complaint."""
    promised = ahead(promised, "promised_reply_at")
    if promised < local(received_at):
        raise Unprocessable.field("promised_reply_at", "%(later)s cannot be before received_at",
                                  code="before_received", later="promised_reply_at")
    return promised


async def update_complaint(actor: Actor, complaint: Complaint, data: ComplaintPatch) -> Complaint:
    _not_void(complaint, "complaint")
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if not changes.keys() <= FOLLOW_UP:
        may_correct(actor, complaint, "complaint")
    merged = {k: changes.get(k, getattr(complaint, k)) for k in
              ("received_at", "first_response_at", "resolved_at", "return_visit_at")}
    received_at = (happened(changes["received_at"], "received_at") if "received_at" in changes
                   else local(complaint.received_at))
    _check_order(received_at, {k: v for k, v in merged.items() if k != "received_at"})
    _check_return_visit(merged["resolved_at"], merged["return_visit_at"], changes)
    if changes.get("promised_reply_at") is not None:
        changes["promised_reply_at"] = _promise(received_at, changes["promised_reply_at"])
    if changes.get("handler_id") is not None:
        await employee_in_scope(actor, changes["handler_id"], "handler_id")
    period = await Period.get(id=complaint.period_id)
    if changes.keys() <= FOLLOW_UP and period.status != PeriodStatus.open:
        return await _follow_up_later(actor, complaint, period, changes)
    if "status" in changes:
        complaint.counted_in_id = None  # decided while its own month is open: counted there
    return await _correct(actor, complaint, "complaint", changes, received_at)


def _still_followed(complaint: Complaint, period: Period, changes: dict[str, Any] | None,
                    update_times: list[datetime]) -> None:
    """After its month closed a complaint is followed up until it is finished (SPEC §3.4);
    then only an undo (a field cleared again) or an outcome still awaited may be written."""
    rules = rulebook_of(period).complaint_deadlines
    if not finished(facts_of(complaint, update_times), rules):
        return
    if changes is not None and (all(v is None for v in changes.values())
                                or (complaint.status == ComplaintStatus.pending
                                    and changes.keys() <= {"status", "customer_satisfied"})):
        return
    raise Conflict("complaint %(id)s is finished and its month %(month)s is %(period_status)s; "
                   "HR can reopen the month to change it", code="complaint_finished",
                   id=complaint.id, month=period.month, period_status=period.status.value)


async def carry_period(actor: Actor | None, month: str) -> Period:
    """Inside the write's transaction: the earliest open period after `month`, locked; when
    none is, the one evidence recorded now would open (SPEC §3.1's limits)."""
    later = await Period.filter(month__gt=month, status=PeriodStatus.open).order_by(
        "month").first()
    if later is None:
        later = await ensure_period(actor, current_month(), "status")
    return await lock_open_period(later.id)


async def _follow_up_later(actor: Actor, complaint: Complaint, period: Period,
                           changes: dict[str, Any]) -> Complaint:
    """Follow-up after the complaint's month closed: the closed month stays as it was; an
    outcome recorded now counts in the earliest open month after it."""
    async with in_transaction():
        await Complaint.filter(id=complaint.id).select_for_update().first()
        await complaint.refresh_from_db()
        times = await ComplaintUpdate.filter(complaint_id=complaint.id).values_list("at", flat=True)
        _still_followed(complaint, period, changes, list(times))
        before = model_state(complaint)
        if "status" in changes and changes["status"] != complaint.status.value:
            complaint.counted_in_id = (await carry_period(actor, period.month)).id
        for key, value in changes.items():
            setattr(complaint, key, value)
        await complaint.save()
        await record(actor, "update", "complaint", complaint.id, before=before,
                     after=model_state(complaint))
    return complaint


async def add_update(actor: Actor, complaint: Complaint, at: datetime, note: str = "",
                     customer_contacted: bool = False) -> ComplaintUpdate:
    """Record news given on a complaint's progress (SPEC §3.4), whatever month it came
    from, until it is finished; audited."""
    _not_void(complaint, "complaint")
    at = happened(at, "at")
    if at < local(complaint.received_at):
        raise Unprocessable.field("at", "%(later)s cannot be before received_at",
                                  code="before_received", later="at")
    period = await Period.get(id=complaint.period_id)
    async with in_transaction():
        await Complaint.filter(id=complaint.id).select_for_update().first()
        if period.status != PeriodStatus.open:
            times = await ComplaintUpdate.filter(complaint_id=complaint.id).values_list(
                "at", flat=True)
            _still_followed(complaint, period, None, list(times))
        update = await ComplaintUpdate.create(complaint_id=complaint.id, at=at, note=note,
                                              customer_contacted=customer_contacted,
                                              recorded_by_id=actor.id)
        await record(actor, "create", "complaint_update", update.id, after=model_state(update))
    return update


async def _correct(actor: Actor, evidence: V, entity: str, changes: dict[str, Any],
                   received_at: datetime) -> V:
    """Write a checked correction: the employee in scope, the evidence moved to the
    period of its (new) `received_at`, both periods open and locked, audited."""
    employee_id = changes.get("employee_id", evidence.employee_id)
    async with in_transaction():
        _, new_period = await _place(actor, employee_id, received_at, "received_at")
        await lock_open_period(evidence.period_id)
        if new_period.id != evidence.period_id:
            await lock_open_period(new_period.id)
        before = model_state(evidence)
        taken = (tallies.survey_row(evidence.period_id, evidence.employee_id,
                                    _answers(evidence), -1)
                 if isinstance(evidence, SurveyResponse) else None)
        for key, value in changes.items():
            setattr(evidence, key, value)
        evidence.received_at = received_at
        evidence.period_id = new_period.id
        await evidence.save()
        if taken is not None:
            await tallies.add([], [taken, tallies.survey_row(
                evidence.period_id, evidence.employee_id, _answers(evidence))])
        await record(actor, "update", entity, evidence.id, before=before,
                     after=model_state(evidence))
    return evidence


def _answers(survey: SurveyResponse) -> dict[str, int | None]:
    return {q: getattr(survey, q) for q in SURVEY_QUESTIONS}


def check_answers(rulebook: RuleBook, values: dict[str, Any]) -> None:
    """Every answer given lies on the rulebook's survey scale (1–5 in 2026.1)."""
    low, high = rulebook.survey_scale
    for q in SURVEY_QUESTIONS:
        answer = values.get(q)
        if answer is not None and not low <= answer <= high:
            raise Unprocessable.field(q, "must be a whole number from %(low)s to %(high)s, got "
                                      "%(answer)s", code="score_out_of_scale", low=low,
                                      high=high, answer=answer)


async def create_survey(actor: Actor, data: SurveyIn) -> SurveyResponse:
    values = msgspec.structs.asdict(data)
    check_answers(await rulebook_for_month(month_of(happened(data.received_at, "received_at"))),
                  values)
    if all(values[f] is None for f in SURVEY_QUESTIONS):
        raise Unprocessable.field(
            "attitude", "a survey needs at least one score (attitude, quality, efficiency, "
            "environment or overall)", code="survey_empty")
    if data.external_id and await SurveyResponse.filter(external_id=data.external_id).exists():
        raise Conflict("a survey with external_id '%(external_id)s' is already recorded",
                       code="survey_recorded", external_id=data.external_id)
    received_at = happened(data.received_at, "received_at")
    async with in_transaction():
        employee_id, period = await _place(actor, data.employee_id, received_at, "received_at")
        await lock_open_period(period.id)
        values.update(employee_id=employee_id, period_id=period.id, received_at=received_at,
                      recorded_by_id=actor.id)
        survey = await SurveyResponse.create(**values)
        await tallies.add([], [tallies.survey_row(period.id, employee_id, values)])
        await record(actor, "create", "survey", survey.id, after=model_state(survey))
    return survey


async def update_survey(actor: Actor, survey: SurveyResponse, data: SurveyPatch) -> SurveyResponse:
    """A survey response corrected: the answers given replace theirs (null clears one)."""
    may_correct(actor, survey, "survey")
    _not_void(survey, "survey")
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    received_at = (happened(changes["received_at"], "received_at") if "received_at" in changes
                   else local(survey.received_at))
    merged = {q: changes.get(q, getattr(survey, q)) for q in SURVEY_QUESTIONS}
    check_answers(await rulebook_for_month(month_of(received_at)), merged)
    if all(merged[q] is None for q in SURVEY_QUESTIONS):
        raise Unprocessable.field(
            next((q for q in SURVEY_QUESTIONS if q in changes), "attitude"),
            "a survey needs at least one score (attitude, quality, efficiency, environment or "
            "overall)", code="survey_empty")
    return await _correct(actor, survey, "survey", changes, received_at)


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


async def update_commendation(actor: Actor, commendation: Commendation,
                              data: CommendationPatch) -> Commendation:
    may_correct(actor, commendation, "commendation")
    _not_void(commendation, "commendation")
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    received_at = (happened(changes["received_at"], "received_at") if "received_at" in changes
                   else local(commendation.received_at))
    return await _correct(actor, commendation, "commendation", changes, received_at)
