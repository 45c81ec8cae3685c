"""Team and employee endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.errors import Forbidden
from appraisal.guards import HR, STAFF
from appraisal.params import PathId
from appraisal.staff import service
from appraisal.staff.models import Employee
from appraisal.staff.scope import employee_in_scope, employees_in_scope

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
EmployeeNo = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class EmployeeIn(msgspec.Struct, forbid_unknown_fields=True):
    employee_no: EmployeeNo
    name: Name
    team_id: Id
    position: Annotated[str, msgspec.Meta(max_length=100)] = ""
    hired_on: date | None = None
    active: bool = True
    left_on: date | None = None


class EmployeePatch(msgspec.Struct, forbid_unknown_fields=True):
    employee_no: EmployeeNo | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    team_id: Id | msgspec.UnsetType = msgspec.UNSET
    position: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    hired_on: date | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    left_on: date | msgspec.UnsetType | None = msgspec.UNSET


class EmployeeOut(msgspec.Struct):
    id: int
    employee_no: str
    name: str
    team_id: PathId
    team: str
    position: str
    hired_on: date | None
    active: bool
    left_on: date | None = None


def employee_out(e: Employee, team_name: str) -> EmployeeOut:
    return EmployeeOut(
        id=e.id, employee_no=e.employee_no, name=e.name, team_id=e.team_id, team=team_name,
        position=e.position, hired_on=e.hired_on, active=e.active, left_on=e.left_on,
    )


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
            raise Forbidden("Only HR can change employee records.", code="hr_only")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        e = await service.update_employee(request.user, e, changes)
        await e.fetch_related("team")
        return employee_out(e, e.team.name)
