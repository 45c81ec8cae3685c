"""Per-object scoping: which employees a caller may reach.

Deny by default: hr/admin reach everyone, a supervisor the employees of
the teams they supervise, an employee only themself. Anything outside
answers 404 so that its existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from tortoise.queryset import QuerySet

from appraisal.actor import Actor, Role
from appraisal.errors import Message, NotFound, field_message
from appraisal.staff.models import Employee


def employee_filter(actor: Actor, prefix: str = "") -> dict[str, Any]:
    """Filter kwargs restricting rows (with `prefix` leading to an Employee) to the scope."""
    if actor.is_hr:
        return {}
    if actor.role == Role.supervisor:
        return {f"{prefix}team_id__in": list(actor.team_ids)}
    if actor.role == Role.employee and actor.employee_id is not None:
        return {f"{prefix}id": actor.employee_id}
    return {f"{prefix}id": -1}  # nobody


def evidence_filter(actor: Actor) -> dict[str, Any]:
    return employee_filter(actor, "employee__")


def employees_in_scope(actor: Actor) -> QuerySet[Employee]:
    return Employee.filter(**employee_filter(actor))


async def employee_in_scope(actor: Actor, employee_id: int, field: str | None = None) -> Employee:
    employee = await employees_in_scope(actor).filter(id=employee_id).first()
    if employee is None:
        missing = Message("employee_not_found", "employee %(employee_id)s not found",
                          employee_id=employee_id)
        raise NotFound(field_message(field, missing) if field else missing)
    return employee
