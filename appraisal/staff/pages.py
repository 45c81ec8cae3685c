"""HR keeps the organisation in the pages: the staff list with its search and filters,
adding and correcting an employee, moving them to another team (kept by month) and
marking a leaver; teams and their supervisors; logins, their one-time passwords and
their deactivation; the bulk staff import. Supervisors read their own teams' staff.

Every form goes through the services the API uses, with the same checks and audit.
"""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from tortoise.expressions import Q
from tortoise.functions import Count

from appraisal.accounts import service as accounts
from appraisal.accounts import teams as team_service
from appraisal.accounts.models import User
from appraisal.accounts.passwords import MIN_LENGTH, one_time_password
from appraisal.accounts.routes import Username, may_manage
from appraisal.actor import Actor, Role
from appraisal.clock import today
from appraisal.downloads import content_disposition
from appraisal.errors import NotFound, Unprocessable
from appraisal.evidence import imports, staff_import
from appraisal.evidence.models import Commendation, Complaint, Inspection, SurveyResponse
from appraisal.guards import HR, STAFF
from appraisal.staff import service
from appraisal.staff.models import Employee, Team, TeamMembership
from appraisal.staff.routes import EmployeeIn, EmployeePatch
from appraisal.staff.scope import employee_in_scope, employees_in_scope
from appraisal.web import attempt, page, see_other

STATES = ("active", "left", "all")
LOGIN_ROLES = ("employee", "supervisor", "hr", "admin")
SHEET_COLUMNS = ("employee_no", "name", "username", "role", "password")


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _form_values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {n: str(form.get(n, "")).strip() for n in names}


def _employee_body(values: dict[str, str]) -> dict[str, Any]:
    """A form's fields as the API's body: empty dates are none, the team an id."""
    body: dict[str, Any] = {k: values[k] for k in ("employee_no", "name", "position")}
    body["team_id"] = _int(values["team_id"]) or 0
    for key in ("hired_on", "left_on"):
        body[key] = values[key] or None
    return body


def _state_filter(state: str) -> Q:
    """Active: no leaving day, or one not yet past; left: a leaving day before today."""
    if state == "left":
        return Q(left_on__lt=today())
    if state == "active":
        return Q(left_on__isnull=True) | Q(left_on__gte=today())
    return Q()


EMPLOYEE_FIELDS = ("employee_no", "name", "team_id", "position", "hired_on", "left_on")


class StaffPages(Controller):
    path = "/"
    guards = [STAFF]
    include_in_schema = False

    @get("/staff")
    async def staff(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Everyone in the caller's reach, found by name or number, narrowed by team,
        position and state (active or left)."""
        params = request.query_params
        q = params.get("q", "").strip()[:100]
        team_id = _int(params.get("team_id"))
        position = params.get("position", "").strip()[:100]
        state = params.get("state") if params.get("state") in STATES else "active"
        scope = employees_in_scope(request.user)
        qs = scope.filter(_state_filter(state))
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q))
        if team_id is not None:
            qs = qs.filter(team_id=team_id)
        if position:
            qs = qs.filter(position=position)
        rows = await qs.select_related("team").order_by("employee_no").limit(1000)
        positions = sorted({p for p in await scope.values_list("position", flat=True) if p})
        teams = await Team.filter(id__in=list(await scope.values_list("team_id", flat=True))) \
            if not request.user.is_hr else await Team.all()
        return page(request, "staff.html", rows=rows, q=q, team_id=team_id, position=position,
                    state=state, states=STATES, positions=positions, teams=teams,
                    today=today())

    async def _edit(self, request: Request[Actor, str, Any], employee: Employee | None, *,
                    status_code: int = 200, error: str | None = None,
                    values: dict[str, Any] | None = None) -> Response[str]:
        context: dict[str, Any] = {}
        if employee is not None:
            await employee.fetch_related("team")
            values = values or {k: getattr(employee, k) or "" for k in EMPLOYEE_FIELDS}
            context = await _history(employee)
        return page(request, "staff_edit.html", status_code=status_code, error=error,
                    employee=employee, values=values or {}, teams=await Team.all(),
                    saved=request.query_params.get("saved"), today=today(), **context)

    @get("/staff/new", guards=[HR])
    async def new(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._edit(request, None, values={"team_id": _int(
            request.query_params.get("team_id")) or ""})

    @post("/staff/new", guards=[HR], status_code=303)
    async def create(self, request: Request[Actor, str, Any]) -> Response[Any]:
        values = _form_values(await request.form(), EMPLOYEE_FIELDS)

        async def work() -> Employee:
            data = msgspec.convert(_employee_body(values), EmployeeIn, strict=False)
            return await service.create_employee(request.user, **msgspec.structs.asdict(data))

        done = await attempt(work, partial(self._edit, request, None, values=values))
        return done if isinstance(done, Response) else see_other(f"/staff/{done.id}?saved=1")

    @get("/staff/{employee_id:int}")
    async def one(self, request: Request[Actor, str, Any], employee_id: int) -> Response[str]:
        """An employee: their record (HR corrects it), their team month by month, their
        login and their evidence month by month, kept after they leave."""
        return await self._edit(request, await employee_in_scope(request.user, employee_id))

    @post("/staff/{employee_id:int}", guards=[HR], status_code=303)
    async def update(self, request: Request[Actor, str, Any], employee_id: int) -> Response[Any]:
        employee = await employee_in_scope(request.user, employee_id)
        values = _form_values(await request.form(), EMPLOYEE_FIELDS)

        async def work() -> Employee:
            data = msgspec.convert(_employee_body(values), EmployeePatch, strict=False)
            changes = {k: v for k, v in msgspec.structs.asdict(data).items()
                       if v is not msgspec.UNSET}
            return await service.update_employee(request.user, employee, changes)

        done = await attempt(work, partial(self._edit, request, employee, values=values))
        return done if isinstance(done, Response) else see_other(f"/staff/{employee_id}?saved=1")

    @post("/staff/{employee_id:int}/leave", guards=[HR], status_code=303)
    async def leave(self, request: Request[Actor, str, Any], employee_id: int) -> Response[Any]:
        """Mark a leaver: their last working day."""
        employee = await employee_in_scope(request.user, employee_id)
        left_on = str((await request.form()).get("left_on", "")).strip()

        async def work() -> Employee:
            data = msgspec.convert({"left_on": left_on or None}, EmployeePatch, strict=False)
            if data.left_on is None:
                raise Unprocessable.field("left_on", "is required", code="required")
            return await service.update_employee(request.user, employee,
                                                 {"left_on": data.left_on})

        done = await attempt(work, partial(self._edit, request, employee))
        return done if isinstance(done, Response) else see_other(f"/staff/{employee_id}?saved=1")


async def _history(employee: Employee) -> dict[str, Any]:
    """Their team by month, their login, and their evidence counted by month."""
    moves = await TeamMembership.filter(employee_id=employee.id).select_related("team").order_by(
        "-since")
    login = await User.filter(employee_id=employee.id).first()
    months: dict[str, dict[str, int]] = {}
    for kind, model in (("inspections", Inspection), ("complaints", Complaint),
                        ("surveys", SurveyResponse), ("commendations", Commendation)):
        for month, n in await model.filter(employee_id=employee.id, voided_at__isnull=True) \
                .annotate(n=Count("id")).group_by("period__month").values_list("period__month", "n"):
            months.setdefault(month, {})[kind] = n
    return {"moves": moves, "login": login,
            "evidence": sorted(months.items(), reverse=True)}


class TeamPages(Controller):
    path = "/"
    guards = [HR]
    include_in_schema = False

    async def _teams(self, request: Request[Actor, str, Any], team: Team | None = None, *,
                     status_code: int = 200, error: str | None = None,
                     values: dict[str, Any] | None = None) -> Response[str]:
        teams = await Team.all()
        summaries = {s.id: s for s in await team_service.team_summaries(teams)}
        supervisors = await User.filter(role=Role.supervisor).order_by("username")
        return page(request, "teams.html", status_code=status_code, error=error, team=team,
                    teams=teams, summaries=summaries, supervisors=supervisors,
                    names={u.id: u.username for u in supervisors}, values=values or {},
                    chosen=set(summaries[team.id].supervisor_ids) if team else set(),
                    saved=request.query_params.get("saved"))

    @get("/teams")
    async def teams(self, request: Request[Actor, str, Any]) -> Response[str]:
        """The teams, their head count and supervisors; a form for a new team."""
        return await self._teams(request)

    @post("/teams", status_code=303)
    async def create(self, request: Request[Actor, str, Any]) -> Response[Any]:
        form = await request.form()
        name = str(form.get("name", ""))[:200]
        ids = [i for i in (_int(v) for v in form.getall("supervisor_ids", [])) if i]

        async def work() -> Team:
            if len(name.strip()) > 100:
                raise Unprocessable.field("name", "at most %(max)s characters", code="too_long",
                                          max=100)
            return await team_service.create_team(request.user, name, ids)

        done = await attempt(work, partial(self._teams, request, values={"name": name}))
        return done if isinstance(done, Response) else see_other(f"/teams?saved={done.id}")

    @get("/teams/{team_id:int}")
    async def team(self, request: Request[Actor, str, Any], team_id: int) -> Response[str]:
        """One team: rename it, choose its supervisors."""
        return await self._teams(request, await service.get_team(team_id))

    @post("/teams/{team_id:int}", status_code=303)
    async def update(self, request: Request[Actor, str, Any], team_id: int) -> Response[Any]:
        team = await service.get_team(team_id)
        form = await request.form()
        name = str(form.get("name", ""))[:200]
        ids = [i for i in (_int(v) for v in form.getall("supervisor_ids", [])) if i]

        async def work() -> Team:
            if len(name.strip()) > 100:
                raise Unprocessable.field("name", "at most %(max)s characters", code="too_long",
                                          max=100)
            return await team_service.update_team(request.user, team, name, ids)

        done = await attempt(work, partial(self._teams, request, team, values={"name": name}))
        return done if isinstance(done, Response) else see_other(f"/teams?saved={team_id}")


class LoginPages(Controller):
    path = "/"
    guards = [HR]
    include_in_schema = False

    async def _logins(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                      error: str | None = None, values: dict[str, Any] | None = None,
                      created: dict[str, str] | None = None) -> Response[str]:
        users = await User.all().prefetch_related("supervised_teams").select_related("employee")
        taken = {u.employee_id for u in users if u.employee_id}
        free = [e for e in await Employee.filter(_state_filter("active")).order_by("employee_no")
                if e.id not in taken]
        roles = LOGIN_ROLES if request.user.role == Role.admin else LOGIN_ROLES[:2]
        return page(request, "logins.html", status_code=status_code, error=error, users=users,
                    employees=free, teams=await Team.all(), roles=roles, values=values or {},
                    created=created, min_length=MIN_LENGTH, today=today(),
                    chosen=request.query_params.get("employee_id", ""))

    @get("/logins")
    async def logins(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Every login, and a form that makes one with a one-time password."""
        return await self._logins(request)

    @post("/logins", status_code=200)
    async def create(self, request: Request[Actor, str, Any]) -> Response[str]:
        form = await request.form()
        values = _form_values(form, ("username", "role", "employee_id"))
        team_ids = [i for i in (_int(v) for v in form.getall("team_ids", [])) if i]
        password = one_time_password()

        async def work() -> User:
            role = values["role"] if values["role"] in LOGIN_ROLES else ""
            if not role:
                raise Unprocessable.field("role", "choose a role", code="required")
            username = msgspec.convert(values["username"], Username)
            return await accounts.create_user(
                request.user, username=username, password=password, role=Role(role),
                employee_id=_int(values["employee_id"]), team_ids=team_ids)

        done = await attempt(work, partial(self._logins, request, values=values))
        if isinstance(done, Response):
            return done
        return await self._logins(request, created={"username": done.username,
                                                    "password": password})

    @get("/logins/{user_id:int}")
    async def login(self, request: Request[Actor, str, Any], user_id: int) -> Response[str]:
        """One login: reset its password, deactivate it or turn it on again."""
        return await self._login(request, await _user(user_id))

    async def _login(self, request: Request[Actor, str, Any], user: User, *,
                     status_code: int = 200, error: str | None = None,
                     password: str | None = None) -> Response[str]:
        await user.fetch_related("employee", "supervised_teams")
        return page(request, "login_edit.html", status_code=status_code, error=error,
                    login=user, password=password, saved=request.query_params.get("saved"))

    @post("/logins/{user_id:int}/reset", status_code=200)
    async def reset(self, request: Request[Actor, str, Any], user_id: int) -> Response[str]:
        """A one-time password, shown this once; the user changes it at the next login."""
        user = await _user(user_id)

        async def work() -> str:
            _may_manage(request.user, user)
            return await accounts.reset_password(request.user, user)

        done = await attempt(work, partial(self._login, request, user))
        return done if isinstance(done, Response) else await self._login(
            request, user, password=done)

    @post("/logins/{user_id:int}/active", status_code=303)
    async def active(self, request: Request[Actor, str, Any], user_id: int) -> Response[Any]:
        """Deactivate a login (its sessions end) or turn it on again."""
        user = await _user(user_id)
        on = str((await request.form()).get("active", "")) == "1"

        async def work() -> User:
            _may_manage(request.user, user)
            return await accounts.update_user(request.user, user, {"active": on})

        done = await attempt(work, partial(self._login, request, user))
        return done if isinstance(done, Response) else see_other(f"/logins/{user_id}?saved=1")


async def _user(user_id: int) -> User:
    user = await User.filter(id=user_id).first()
    if user is None:
        raise NotFound("user %(user_id)s not found", code="user_not_found", user_id=user_id)
    return user


def _may_manage(actor: Actor, user: User) -> None:
    may_manage(actor, user, {})


def _download(data: bytes, filename: str, media_type: str) -> Response[bytes]:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"})


class StaffImportPages(Controller):
    path = "/"
    guards = [HR]
    include_in_schema = False

    async def _imports(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                       error: str | None = None, errors: list[dict[str, Any]] | None = None,
                       result: dict[str, Any] | None = None) -> Response[str]:
        return page(request, "imports.html", status_code=status_code, columns=imports.COLUMNS,
                    errors=[], staff_error=error, staff_errors=errors or [],
                    staff_result=result,
                    sheet=json.dumps([[x[c] for c in SHEET_COLUMNS]
                                      for x in (result or {}).get("logins", [])],
                                     ensure_ascii=False))

    @post("/imports/employees", status_code=200)
    async def import_staff(self, request: Request[Actor, str, Any]) -> Response[str]:
        """HR's bulk staff import; logins it makes are shown with their one-time
        passwords this once, with a sheet to download."""
        form = await request.form()
        upload = form.get("file")
        content = await attempt(lambda: imports.read_upload(upload), partial(self._imports, request))
        if isinstance(content, Response):
            return content
        create_teams = form.get("create_teams") == "true"
        result = await attempt(
            lambda: staff_import.import_employees(request.user, str(upload.filename), content,
                                                  create_teams),
            partial(self._imports, request), with_errors=True)
        if isinstance(result, Response):
            return result
        return await self._imports(request, result=result)

    @post(["/imports/employees/logins.csv", "/imports/employees/logins.xlsx"], status_code=200)
    async def sheet(self, request: Request[Actor, str, Any]) -> Response[bytes]:
        """The one-time passwords the import page shows, as a sheet: made from what the
        page sends back, never kept on the server."""
        kind = request.url.path.rsplit(".", 1)[1]
        try:
            rows = json.loads(str((await request.form()).get("sheet", "[]")))
            rows = [[str(c) for c in r][:len(SHEET_COLUMNS)] for r in rows][:10_000]
        except (ValueError, TypeError):
            raise Unprocessable.field("sheet", "is not a list of logins",
                                      code="not_a_sheet") from None
        if kind == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(SHEET_COLUMNS)
            writer.writerows(rows)
            return _download(("\ufeff" + out.getvalue()).encode(), "logins.csv",
                             "text/csv; charset=utf-8")
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("logins")
        ws.append(list(SHEET_COLUMNS))
        for r in rows:
            ws.append(r)
        data = io.BytesIO()
        wb.save(data)
        return _download(data.getvalue(), "logins.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


STAFF_PAGES = [StaffPages, TeamPages, LoginPages, StaffImportPages]
