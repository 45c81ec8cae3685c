"""Per-object scoping: which employees a caller may reach.

Deny by default: hr/admin reach everyone, a supervisor the employees of
the teams they supervise, an employee only themself. Anything outside
answers 404 so that its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tortoise.queryset import QuerySet

from appraisal.actor import Actor, Role
from appraisal.errors import Message, NotFound, field_message
from appraisal.staff.models import Employee


def reach(actor: Actor) -> tuple[str, tuple[int, ...]] | None:
    """The rule itself: None (everyone), or the employee column and the values it may have.

    `employee_filter` (the ORM's form) and `reach_sql` (hand-written SQL's) are both
    read from here, so that they cannot disagree.
    """
    if actor.is_hr:
        return None
    if actor.role == Role.supervisor:
        return "team_id", tuple(sorted(actor.team_ids))
    if actor.role == Role.employee and actor.employee_id is not None:
        return "id", (actor.employee_id,)
    return "id", ()  # nobody


def employee_filter(actor: Actor, prefix: str = "") -> dict[str, Any]:
    """Filter kwargs restricting rows (with `prefix` leading to an Employee) to the scope."""
    rule = reach(actor)
    if rule is None:
        return {}
    column, values = rule
    if column == "id":
        return {f"{prefix}id": values[0] if values else -1}  # -1: nobody
    return {f"{prefix}{column}__in": list(values)}


def reach_sql(actor: Actor, alias: str, marks: Iterator[str]) -> tuple[str, list[int]]:
    """The scope as a SQL condition on the employee table named `alias`, with its
    parameters; `marks` yields the next placeholders ($n or ?)."""
    rule = reach(actor)
    if rule is None:
        return "1 = 1", []
    column, values = rule
    if not values:
        return "1 = 0", []
    return (f'{alias}."{column}" IN ({", ".join(next(marks) for _ in values)})', list(values))


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
