"""Corrective actions (整改, SPEC §3.5): who fixes a failed check, by when, and who
saw it fixed.

Failing a `rectify` item opens one by itself (`evidence.rectify`); supervisors and
HR open one by hand on any failed item. The assignee, or their supervisor, marks it
done with a note; a supervisor or HR other than the assignee and whoever marked it
done checks it: passed → verified, not passed → open again. An action not verified
by its due time costs the assignee (`scoring.queries.overdue_actions`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from appraisal.actor import Actor, Role
from appraisal.audit.service import record
from appraisal.clock import ahead, local, now
from appraisal.errors import Conflict, Forbidden, NotFound, Unprocessable
from appraisal.evidence.models import (
    LIVE_ACTION_STATES,
    ActionState,
    CorrectiveAction,
    Inspection,
    InspectionItem,
)
from appraisal.evidence.photos import fix_photos
from appraisal.evidence.rectify import action_state
from appraisal.evidence.schemas import ActionCheck, ActionIn, ActionOut, ActionPatch
from appraisal.evidence.service import get_in_scope
from appraisal.rulebook import get_rulebook
from appraisal.staff.scope import employee_filter, employee_in_scope

STATES = ("open", "done", "verified", "cancelled", "overdue")


def _scoped(actor: Actor) -> QuerySet[CorrectiveAction]:
    """The actions a caller reaches: those of the employees in their scope (an employee:
    their own), the same rule as the evidence's."""
    return CorrectiveAction.filter(**employee_filter(actor, "assignee__"))


def _with_people(qs: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    return qs.select_related("assignee", "inspection", "inspection__period", "opened_by",
                             "done_by", "checked_by")


def action_out(a: CorrectiveAction, shots: list[int] | None = None) -> ActionOut:
    rulebook = get_rulebook(a.inspection.period.rulebook_version)
    rule = next((i for i in rulebook.items if i.code == a.item_code), None)
    opt = lambda v: local(v) if v else None  # noqa: E731
    name = lambda u: u.username if u else None  # noqa: E731
    return ActionOut(
        id=a.id, inspection_id=a.inspection_id, item_code=a.item_code,
        standard_zh=rule.standard_zh if rule else None,
        standard_en=rule.standard_en if rule else None,
        touchpoint=a.inspection.touchpoint, assignee_id=a.assignee_id,
        assignee_no=a.assignee.employee_no, assignee_name=a.assignee.name,
        due_at=local(a.due_at), description=a.description, state=str(a.state),  # type: ignore[arg-type]
        overdue=is_overdue(a), automatic=a.automatic, opened_by=name(a.opened_by),
        created_at=local(a.created_at), done_at=opt(a.done_at), done_by=name(a.done_by),
        done_note=a.done_note, checked_at=opt(a.checked_at), checked_by=name(a.checked_by),
        check_note=a.check_note, verified_at=opt(a.verified_at), photos=shots or [],
    )


def is_overdue(a: CorrectiveAction) -> bool:
    return a.state in LIVE_ACTION_STATES and a.due_at < now()


async def one_action(action_id: int) -> ActionOut:
    shots = await fix_photos([action_id])
    return action_out(await _with_people(CorrectiveAction.filter(id=action_id)).get(),
                      shots.get(action_id))


async def get_action(actor: Actor, action_id: int) -> CorrectiveAction:
    action = await _scoped(actor).filter(id=action_id).first()
    if action is None:
        raise NotFound("%(entity)s %(id)s not found", code="evidence_not_found",
                       entity="corrective action", id=action_id)
    return action


async def list_actions(actor: Actor, state: str | None = None, employee_id: int | None = None,
                       inspection_id: int | None = None, limit: int = 500,
                       offset: int = 0) -> list[ActionOut]:
    """Overdue first (the oldest due first), then by due time."""
    qs = _scoped(actor)
    if employee_id is not None:
        qs = qs.filter(assignee_id=employee_id)
    if inspection_id is not None:
        qs = qs.filter(inspection_id=inspection_id)
    if state == "overdue":
        qs = qs.filter(state__in=LIVE_ACTION_STATES, due_at__lt=now())
    elif state is not None:
        qs = qs.filter(state=ActionState(state))
    rows = await _with_people(qs.order_by("due_at", "id").offset(offset).limit(limit))
    shots = await fix_photos(a.id for a in rows)
    out = [action_out(a, shots.get(a.id)) for a in rows]
    return sorted(out, key=lambda a: not a.overdue)  # stable: due order kept within each


async def _failed_item(inspection: Inspection, code: str) -> str:
    """The item must have lost points on that inspection: an action makes a failure good."""
    rulebook = get_rulebook((await inspection.period).rulebook_version)
    wanted = code.strip().upper()
    row = await InspectionItem.filter(inspection_id=inspection.id, code=wanted).first()
    rule = next((i for i in rulebook.items if i.code == wanted), None)
    if row is None or rule is None or not rule.lost(str(row.result), row.points):
        raise Unprocessable.field("item_code", "item %(item)s did not fail on inspection %(id)s",
                                  code="action_item_not_failed", item=code, id=inspection.id)
    return wanted


async def create_action(actor: Actor, data: ActionIn) -> CorrectiveAction:
    inspection = await get_in_scope(Inspection, actor, data.inspection_id)
    if inspection.voided_at is not None:
        raise Conflict("%(audit_entity)s %(id)s is void; void evidence is kept as it was "
                       "and cannot be corrected (record it again if it is needed)",
                       code="evidence_void", audit_entity="inspection", id=inspection.id)
    code = await _failed_item(inspection, data.item_code)
    await employee_in_scope(actor, data.assignee_id, "assignee_id")
    due = ahead(data.due_at, "due_at")
    async with in_transaction():
        if await CorrectiveAction.filter(inspection_id=inspection.id, item_code=code,
                                         state__in=LIVE_ACTION_STATES).exists():
            raise Conflict("item %(item)s of inspection %(id)s already has an action under way",
                           code="action_exists", item=code, id=inspection.id)
        action = await CorrectiveAction.create(
            inspection_id=inspection.id, item_code=code, assignee_id=data.assignee_id,
            due_at=due, description=data.description, opened_by_id=actor.id)
        await record(actor, "create", "corrective_action", action.id, after=action_state(action))
    return action


def _live(action: CorrectiveAction) -> None:
    if action.state not in LIVE_ACTION_STATES:
        raise Conflict("corrective action %(id)s is %(action_state)s and cannot be changed",
                       code="action_closed", id=action.id, action_state=str(action.state))


async def update_action(actor: Actor, action: CorrectiveAction, data: ActionPatch) -> None:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    edits = changes.keys() & {"due_at", "assignee_id", "description"}
    if actor.role == Role.employee and edits:
        raise Forbidden("the assignee marks an action done; its due time, assignee and "
                        "description are changed by a supervisor or HR",
                        code="action_assignee_only_done")
    if "note" in changes and changes.get("state") != "done":
        raise Unprocessable.field("note", "a note goes with \"state\": \"done\"",
                                  code="action_note_without_done")
    values: dict[str, Any] = {}
    if "due_at" in changes:
        values["due_at"] = ahead(changes["due_at"], "due_at")
    if "assignee_id" in changes:
        await employee_in_scope(actor, changes["assignee_id"], "assignee_id")
        values["assignee_id"] = changes["assignee_id"]
    if "description" in changes:
        values["description"] = changes["description"]
    if changes.get("state") == "done":
        note = str(changes.get("note", "")).strip()
        if not note:
            raise Unprocessable.field("note", "say what was done to put it right",
                                      code="action_note_missing")
        values.update(state=ActionState.done, done_at=now(), done_by_id=actor.id,
                      done_note=note)
    async with in_transaction():
        await action.refresh_from_db()  # read again: two phones, one action
        _live(action)
        if "state" in values and action.state != ActionState.open:
            raise Conflict("corrective action %(id)s is %(action_state)s and cannot be changed",
                           code="action_closed", id=action.id, action_state=str(action.state))
        before = action_state(action)
        for key, value in values.items():
            setattr(action, key, value)
        await action.save()
        await record(actor, "done" if "state" in values else "update", "corrective_action",
                     action.id, before=before, after={**action_state(action),
                                                      "done_note": action.done_note})


async def verify_action(actor: Actor, action: CorrectiveAction, data: ActionCheck) -> None:
    if actor.employee_id is not None and actor.employee_id == action.assignee_id:
        raise Forbidden("someone other than the assignee checks the work",
                        code="action_check_by_assignee")
    async with in_transaction():
        await action.refresh_from_db()
        if action.done_by_id == actor.id:
            raise Forbidden("someone other than whoever marked it done checks the work",
                            code="action_check_by_doer")
        if action.state != ActionState.done:
            raise Conflict("corrective action %(id)s is %(action_state)s: only work marked "
                           "done can be checked", code="action_not_done", id=action.id,
                           action_state=str(action.state))
        before = action_state(action)
        at = now()
        action.checked_at, action.checked_by_id, action.check_note = at, actor.id, data.note
        if data.passed:
            action.state, action.verified_at = ActionState.verified, at
        else:
            action.state, action.done_at = ActionState.open, None
        await action.save()
        await record(actor, "verify", "corrective_action", action.id, before=before,
                     after={**action_state(action), "passed": data.passed,
                            "check_note": data.note})
