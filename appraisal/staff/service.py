"""Teams and employees: creation and corrections, audited."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.clock import current_month, local
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.staff.models import Employee, Team, TeamMembership

# The month of the first membership row written for someone who had one team until
# they moved: earlier than anything the product judges.
SINCE_ALWAYS = "2000-01"


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
    left_on: date | None = None,
) -> Employee:
    employee_no, name = checked_employee_no(employee_no), name.strip()
    if not name:
        raise Unprocessable.field("name", "must not be blank", code="blank")
    _check_dates(hired_on, left_on)
    if await Employee.filter(employee_no=employee_no).exists():
        raise Conflict("employee_no '%(employee_no)s' is already used",
                       code="employee_no_used", employee_no=employee_no)
    await get_team(team_id, "team_id")
    async with in_transaction():
        employee = await Employee.create(
            employee_no=employee_no, name=name, team_id=team_id, position=position.strip(),
            hired_on=hired_on, active=active, left_on=left_on,
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
    _check_dates(changes.get("hired_on", employee.hired_on), changes.get("left_on", employee.left_on))
    if "position" in changes:
        changes["position"] = changes["position"].strip()
    old_team = employee.team_id
    async with in_transaction():
        for key, value in changes.items():
            setattr(employee, key, value)
        await employee.save()
        if employee.team_id != old_team:
            await moved(employee.id, old_team, employee.team_id, current_month())
        await record(
            actor, "update", "employee", employee.id, before=before, after=model_state(employee)
        )
    return employee


def _check_dates(hired_on: date | None, left_on: date | None) -> None:
    if hired_on is not None and left_on is not None and left_on < hired_on:
        raise Unprocessable.field("left_on", "%(left_on)s lies before hired_on %(hired_on)s",
                                  code="left_before_hired", left_on=left_on.isoformat(),
                                  hired_on=hired_on.isoformat())


async def moved(employee_id: int, old_team: int, new_team: int, month: str) -> None:
    """Inside the move's transaction: the employee is in `new_team` from `month` on; the
    months before keep the team they had."""
    if not await TeamMembership.filter(employee_id=employee_id).exists():
        await TeamMembership.create(employee_id=employee_id, team_id=old_team, since=SINCE_ALWAYS)
    row = await TeamMembership.filter(employee_id=employee_id, since=month).first()
    if row is None:
        await TeamMembership.create(employee_id=employee_id, team_id=new_team, since=month)
    else:
        row.team_id = new_team
        await row.save()


# Above this many employees, a query reads all rows and leaves the others out (a
# statement takes at most 32,767 parameters; one scan beats thousands of lookups).
MANY_IDS = 1000


async def teams_in_month(employee_ids: Iterable[int], month: str) -> dict[int, int]:
    """employee id -> the team they were in during `month`, for those who have moved
    (the others are in `Employee.team` all along)."""
    ids = list(employee_ids)
    out: dict[int, int] = {}
    if len(ids) > MANY_IDS:  # most of the staff: every move read once, the others left out
        wanted = set(ids)
        rows = await TeamMembership.filter(since__lte=month).order_by(
            "employee_id", "since").values_list("employee_id", "team_id")
        out.update(r for r in rows if r[0] in wanted)
        return out
    for start in range(0, len(ids), 1000):
        rows = await TeamMembership.filter(
            employee_id__in=ids[start:start + 1000], since__lte=month,
        ).order_by("employee_id", "since").values_list("employee_id", "team_id")
        out.update(rows)  # the latest row of each employee wins
    return out


def refuse_after_leaving(employee: Employee, ts: datetime) -> None:
    """Evidence dated after the employee's last day is a 422 naming `employee_id`."""
    if employee.has_left(local(ts).date()):
        raise Unprocessable.field(
            "employee_id", "%(employee_no)s left on %(left_on)s: no evidence after that day",
            code="employee_left", employee_no=employee.employee_no,
            left_on=employee.left_on.isoformat())
