"""Team and employee endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from appraisal.accounts.auth import HR, STAFF, Actor
from appraisal.accounts.scope import employee_in_scope, employees_in_scope
from appraisal.errors import Forbidden
from appraisal.params import PathId
from appraisal.staff import service
from appraisal.staff.models import Employee, Team

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
EmployeeNo = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class TeamIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    supervisor_ids: list[Id] = []


class TeamPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    supervisor_ids: list[Id] | None = None


class TeamOut(msgspec.Struct):
    id: int
    name: str
    supervisor_ids: list[int]
    employee_count: int


class EmployeeIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_no: EmployeeNo
    name: Name
    team_id: Id
    position: Annotated[str, msgspec.Meta(max_length=100)] = ""
    hired_on: date | None = None
    active: bool = True


class EmployeePatch(msgspec.Struct, forbid_unknown_fields=True):
    employee_no: EmployeeNo | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    team_id: Id | msgspec.UnsetType = msgspec.UNSET
    position: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    hired_on: date | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class EmployeeOut(msgspec.Struct):
    id: int
    employee_no: str
    name: str
    team_id: PathId
    team: str
    position: str
    hired_on: date | None
    active: bool


def employee_out(e: Employee, team_name: str) -> EmployeeOut:
    return EmployeeOut(
        id=e.id, employee_no=e.employee_no, name=e.name, team_id=e.team_id, team=team_name,
        position=e.position, hired_on=e.hired_on, active=e.active,
    )


async def teams_out(teams: list[Team]) -> list[TeamOut]:
    from tortoise.functions import Count

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


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["teams"]
    guards = [HR]

    @get("/")
    async def list_teams(self) -> list[TeamOut]:
        return await teams_out(await Team.all())

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: TeamIn) -> TeamOut:
        team = await service.create_team(request.user, data.name, data.supervisor_ids)
        return (await teams_out([team]))[0]

    @get("/{team_id:int}")
    async def get_one(self, team_id: PathId) -> TeamOut:
        return (await teams_out([await service.get_team(team_id)]))[0]

    @patch("/{team_id:int}")
    async def update(
        self, request: Request[Actor, str, object], team_id: PathId, data: TeamPatch
    ) -> TeamOut:
        team = await service.get_team(team_id)
        team = await service.update_team(request.user, team, data.name, data.supervisor_ids)
        return (await teams_out([team]))[0]


class EmployeeController(Controller):
    path = "/api/v1/employees"
    tags = ["employees"]
    guards = [STAFF]

    @get("/")
    async def list_employees(
        self,
        request: Request[Actor, str, object],
        team_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        active: bool | None = None,
    ) -> list[EmployeeOut]:
        qs = employees_in_scope(request.user)
        if team_id is not None:
            qs = qs.filter(team_id=team_id)
        if active is not None:
            qs = qs.filter(active=active)
        rows = await qs.select_related("team").order_by("employee_no")
        return [employee_out(e, e.team.name) for e in rows]

    @post("/", guards=[HR])
    async def create(self, request: Request[Actor, str, object], data: EmployeeIn) -> EmployeeOut:
        e = await service.create_employee(request.user, **msgspec.structs.asdict(data))
        await e.fetch_related("team")
        return employee_out(e, e.team.name)

    @get("/{employee_id:int}")
    async def get_one(self, request: Request[Actor, str, object], employee_id: PathId) -> EmployeeOut:
        e = await employee_in_scope(request.user, employee_id)
        await e.fetch_related("team")
        return employee_out(e, e.team.name)

    @patch("/{employee_id:int}")
    async def update(
        self, request: Request[Actor, str, object], employee_id: PathId, data: EmployeePatch
    ) -> EmployeeOut:
        e = await employee_in_scope(request.user, employee_id)
        if not request.user.is_hr:
            raise Forbidden("Only HR can change employee records.")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        e = await service.update_employee(request.user, e, changes)
        await e.fetch_related("team")
        return employee_out(e, e.team.name)
