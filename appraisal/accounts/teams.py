"""Teams and who supervises them: a supervisor's teams are what they may reach.

Assigning supervisors grants access, so it lives with the logins (a team
without supervisors is plain staff data, kept in `appraisal.staff`).
"""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from appraisal.accounts.models import User
from appraisal.accounts.schemas import TeamOut
from appraisal.actor import Actor, Role
from appraisal.audit.service import model_state, record
from appraisal.errors import Conflict, Unprocessable
from appraisal.staff.models import Employee, Team


async def _check_supervisors(ids: list[int], field: str = "supervisor_ids") -> list[User]:
    users = {u.id: u for u in await User.filter(id__in=ids)}
    for i, uid in enumerate(ids):
        user = users.get(uid)
        if user is None:
            raise Unprocessable.field(f"{field}[{i}]", "no user with id %(user_id)s",
                                      code="user_not_found", user_id=uid)
        if user.role != Role.supervisor:
            raise Unprocessable.field(
                f"{field}[{i}]", "user %(user_id)s (%(username)s) has role %(role)s, "
                "not supervisor", code="not_a_supervisor", user_id=uid, username=user.username,
                role=user.role.value,
            )
    return [users[uid] for uid in dict.fromkeys(ids)]


async def team_state(team: Team) -> dict[str, Any]:
    state = model_state(team)
    state["supervisor_ids"] = sorted(await team.supervisors.all().values_list("id", flat=True))
    return state


async def create_team(actor: Actor, name: str, supervisor_ids: list[int]) -> Team:
    name = name.strip()
    if not name:
        raise Unprocessable.field("name", "must not be blank", code="blank")
    if await Team.filter(name=name).exists():
        raise Conflict("a team named '%(name)s' already exists", code="team_exists", name=name)
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
            raise Unprocessable.field("name", "must not be blank", code="blank")
        if await Team.filter(name=name).exclude(id=team.id).exists():
            raise Conflict("a team named '%(name)s' already exists", code="team_exists",
                           name=name)
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


async def team_summaries(teams: list[Team]) -> list[TeamOut]:
    ids = [t.id for t in teams]
    counts = dict(
        await Employee.filter(team_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("team_id")
        .values_list("team_id", "n")
    )
    through = await Team.filter(id__in=ids).values_list("id", "supervisors__id")
    sups: dict[int, list[int]] = {i: [] for i in ids}
    for team_id, user_id in through:
        if user_id is not None:
            sups[team_id].append(user_id)
    return [
        TeamOut(id=t.id, name=t.name, supervisor_ids=sorted(sups[t.id]),
                employee_count=counts.get(t.id, 0))
        for t in teams
    ]
