"""Teams and employees: creation and corrections, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.accounts.auth import Actor
from appraisal.accounts.models import Role, User
from appraisal.audit.service import model_state, record
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.staff.models import Employee, Team


async def _check_supervisors(ids: list[int], field: str = "supervisor_ids") -> list[User]:
    users = {u.id: u for u in await User.filter(id__in=ids)}
    for i, uid in enumerate(ids):
        user = users.get(uid)
        if user is None:
            raise Unprocessable.field(f"{field}[{i}]", f"no user with id {uid}")
        if user.role != Role.supervisor:
            raise Unprocessable.field(
                f"{field}[{i}]", f"user {uid} ({user.username}) has role {user.role.value}, "
                "not supervisor",
            )
    return [users[uid] for uid in dict.fromkeys(ids)]


async def team_state(team: Team) -> dict[str, Any]:
    state = model_state(team)
    state["supervisor_ids"] = sorted(await team.supervisors.all().values_list("id", flat=True))
    return state


async def create_team(actor: Actor, name: str, supervisor_ids: list[int]) -> Team:
    name = name.strip()
    if not name:
        raise Unprocessable.field("name", "must not be blank")
    if await Team.filter(name=name).exists():
        raise Conflict(f"a team named '{name}' already exists")
    supervisors = await _check_supervisors(supervisor_ids)
    async with in_transaction():
        team = await Team.create(name=name)
        if supervisors:
            await team.supervisors.add(*supervisors)
        await record(actor, "create", "team", team.id, after=await team_state(team))
    return team


async def update_team(
    actor: Actor, team: Team, name: str | None, supervisor_ids: list[int] | None
) -> Team:
    before = await team_state(team)
    if name is not None:
        name = name.strip()
        if not name:
            raise Unprocessable.field("name", "must not be blank")
        if await Team.filter(name=name).exclude(id=team.id).exists():
            raise Conflict(f"a team named '{name}' already exists")
    supervisors = await _check_supervisors(supervisor_ids) if supervisor_ids is not None else None
    async with in_transaction():
        if name is not None:
            team.name = name
            await team.save()
        if supervisors is not None:
            await team.supervisors.clear()
            if supervisors:
                await team.supervisors.add(*supervisors)
        await record(actor, "update", "team", team.id, before=before, after=await team_state(team))
    return team


async def get_team(team_id: int, field: str | None = None) -> Team:
    team = await Team.filter(id=team_id).first()
    if team is None:
        raise (Unprocessable.field(field, f"no team with id {team_id}") if field
               else NotFound(f"team {team_id} not found"))
    return team


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
    employee_no, name = employee_no.strip(), name.strip()
    if not employee_no:
        raise Unprocessable.field("employee_no", "must not be blank")
    if not name:
        raise Unprocessable.field("name", "must not be blank")
    if await Employee.filter(employee_no=employee_no).exists():
        raise Conflict(f"employee_no '{employee_no}' is already used")
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
        changes["employee_no"] = changes["employee_no"].strip()
        if not changes["employee_no"]:
            raise Unprocessable.field("employee_no", "must not be blank")
        if await Employee.filter(employee_no=changes["employee_no"]).exclude(
            id=employee.id
        ).exists():
            raise Conflict(f"employee_no '{changes['employee_no']}' is already used")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise Unprocessable.field("name", "must not be blank")
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
