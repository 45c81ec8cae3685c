"""Teams and employees: creation and corrections, audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.staff.models import Employee, Team


async def get_team(team_id: int, field: str | None = None) -> Team:
    team = await Team.filter(id=team_id).first()
    if team is None:
        raise (Unprocessable.field(field, "no team with id %(team_id)s", code="team_not_found",
                                   team_id=team_id) if field
               else NotFound("team %(team_id)s not found", code="team_not_found", team_id=team_id))
    return team


# Staff numbers travel into file names, download headers and ZIP entries: keep them
# to what every one of those can carry unchanged.
EMPLOYEE_NO = re.compile(r"[A-Za-z0-9_-]{1,32}")


def checked_employee_no(value: str, field: str = "employee_no") -> str:
    value = value.strip()
    if not EMPLOYEE_NO.fullmatch(value):
        raise Unprocessable.field(
            field, "%(value)s is not a staff number: use letters, digits, '-' and '_', "
            "at most 32 characters", code="not_a_staff_number", value=repr(value))
    return value


async def create_employee(
    actor: Actor,
    *,
    employee_no: str,
    name: str,
    team_id: int,
    position: str,
    hired_on: date | None,
    active: bool,
) -> Employee:
    employee_no, name = checked_employee_no(employee_no), name.strip()
    if not name:
        raise Unprocessable.field("name", "must not be blank", code="blank")
    if await Employee.filter(employee_no=employee_no).exists():
        raise Conflict("employee_no '%(employee_no)s' is already used",
                       code="employee_no_used", employee_no=employee_no)
    await get_team(team_id, "team_id")
    async with in_transaction():
        employee = await Employee.create(
            employee_no=employee_no, name=name, team_id=team_id, position=position.strip(),
            hired_on=hired_on, active=active,
        )
        await record(actor, "create", "employee", employee.id, after=model_state(employee))
    return employee


async def update_employee(actor: Actor, employee: Employee, changes: dict[str, Any]) -> Employee:
    before = model_state(employee)
    if "employee_no" in changes:
        changes["employee_no"] = checked_employee_no(changes["employee_no"])
        if await Employee.filter(employee_no=changes["employee_no"]).exclude(
            id=employee.id
        ).exists():
            raise Conflict("employee_no '%(employee_no)s' is already used",
                           code="employee_no_used", employee_no=changes["employee_no"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise Unprocessable.field("name", "must not be blank", code="blank")
    if "team_id" in changes:
        await get_team(changes["team_id"], "team_id")
    async with in_transaction():
        for key, value in changes.items():
            setattr(employee, key, value)
        await employee.save()
        await record(
            actor, "update", "employee", employee.id, before=before, after=model_state(employee)
        )
    return employee
