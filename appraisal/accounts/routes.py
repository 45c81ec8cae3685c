"""Login, logout, the caller's identity, and user management."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from appraisal.accounts import service, teams
from appraisal.accounts.auth import logged_out_cookies, session_cookie
from appraisal.accounts.models import User
from appraisal.accounts.schemas import TeamIn, TeamOut, TeamPatch
from appraisal.actor import Actor, Role
from appraisal.errors import Forbidden, NotFound
from appraisal.guards import HR, require_roles
from appraisal.params import PathId
from appraisal.proxies import client_address
from appraisal.staff import service as staff_service
from appraisal.staff.models import Team

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]  # policy: passwords.py
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class LoginIn(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(max_length=64)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class UserOut(msgspec.Struct):
    id: int
    username: str
    role: str
    employee_id: int | None


class UserDetailOut(UserOut):
    active: bool = True
    team_ids: list[int] = []
    must_change_password: bool = False


class LoginOut(msgspec.Struct):
    token: str
    user: UserOut
    # True for a login HR made or reset: every other request is refused (403
    # `password_change_required`) until POST /api/v1/auth/password.
    must_change_password: bool = False


class PasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    current: Annotated[str, msgspec.Meta(max_length=256)]
    new: Annotated[str, msgspec.Meta(max_length=256)]


class PasswordResetOut(msgspec.Struct):
    """A one-time password, shown this once: the user changes it at their next login."""

    user: UserDetailOut
    password: str


class UserIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    employee_id: Id | None = None
    team_ids: list[Id] = []


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    password: Password | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    employee_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    team_ids: list[Id] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


def user_out(u: User) -> UserOut:
    return UserOut(id=u.id, username=u.username, role=u.role.value, employee_id=u.employee_id)


async def user_detail(u: User) -> UserDetailOut:
    teams = sorted(await u.supervised_teams.all().values_list("id", flat=True))
    return UserDetailOut(
        id=u.id, username=u.username, role=u.role.value, employee_id=u.employee_id,
        active=u.active, team_ids=teams, must_change_password=u.must_change_password,
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", exclude_from_auth=True, status_code=HTTP_200_OK, security=[])
    async def login(self, request: Request[object, object, object], data: LoginIn) -> Response[LoginOut]:
        token, user = await service.login(data.username, data.password, client_address(request))
        return Response(LoginOut(token=token, user=user_out(user),
                                 must_change_password=user.must_change_password),
                        cookies=[session_cookie(request, token)])

    @post("/password", status_code=HTTP_204_NO_CONTENT)
    async def change_password(self, request: Request[Actor, str, object], data: PasswordIn) -> None:
        """Change the caller's own password (at least 10 characters, not the username, not
        a common password); the caller's other sessions end."""
        await service.change_own_password(request.user, request.auth, data.current, data.new)

    @post("/logout", status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Actor, str, object]) -> Response[None]:
        await service.logout(request.auth)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=logged_out_cookies(request))

    @get("/me")
    async def me(self, request: Request[Actor, str, object]) -> UserDetailOut:
        actor = request.user
        return UserDetailOut(
            id=actor.id, username=actor.username, role=actor.role.value,
            employee_id=actor.employee_id, active=True, team_ids=sorted(actor.team_ids),
            must_change_password=actor.must_change_password,
        )


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [HR]

    @get("/")
    async def list_users(self, role: Role | None = None) -> list[UserDetailOut]:
        qs = User.all().prefetch_related("supervised_teams")
        if role is not None:
            qs = qs.filter(role=role)
        return [
            UserDetailOut(
                id=u.id, username=u.username, role=u.role.value, employee_id=u.employee_id,
                active=u.active, team_ids=sorted(t.id for t in u.supervised_teams),
                must_change_password=u.must_change_password,
            )
            for u in await qs
        ]

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: UserIn) -> UserDetailOut:
        user = await service.create_user(request.user, **msgspec.structs.asdict(data))
        return await user_detail(user)

    @get("/{user_id:int}")
    async def get_one(self, user_id: PathId) -> UserDetailOut:
        user = await User.filter(id=user_id).first()
        if user is None:
            raise NotFound("user %(user_id)s not found", code="user_not_found", user_id=user_id)
        return await user_detail(user)

    @patch("/{user_id:int}", guards=[require_roles(Role.admin, Role.hr)])
    async def update(
        self, request: Request[Actor, str, object], user_id: PathId, data: UserPatch
    ) -> UserDetailOut:
        user = await User.filter(id=user_id).first()
        if user is None:
            raise NotFound("user %(user_id)s not found", code="user_not_found", user_id=user_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        actor = request.user
        # Role management is the admin's; HR may reset passwords and (de)activate
        # non-admin logins.
        may_manage(actor, user, changes)
        user = await service.update_user(actor, user, changes)
        return await user_detail(user)

    @post("/{user_id:int}/password-reset", status_code=HTTP_200_OK)
    async def reset_password(self, request: Request[Actor, str, object],
                             user_id: PathId) -> PasswordResetOut:
        """A one-time password for the user (shown once); their sessions end and they
        must change it at their next login."""
        user = await User.filter(id=user_id).first()
        if user is None:
            raise NotFound("user %(user_id)s not found", code="user_not_found", user_id=user_id)
        may_manage(request.user, user, {"password": ""})
        password = await service.reset_password(request.user, user)
        return PasswordResetOut(user=await user_detail(user), password=password)


def may_manage(actor: Actor, user: User, changes: dict[str, object]) -> None:
    """Role management is the admin's, and so are the logins of HR and admin users; HR
    resets passwords and (de)activates the others."""
    if actor.role != Role.admin and (
        "role" in changes or user.role in (Role.admin, Role.hr)
    ):
        raise Forbidden("Only an admin can change roles, or HR and admin users.",
                        code="admin_only")


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["teams"]
    guards = [HR]

    @get("/")
    async def list_teams(self) -> list[TeamOut]:
        return await teams.team_summaries(await Team.all())

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: TeamIn) -> TeamOut:
        team = await teams.create_team(request.user, data.name, data.supervisor_ids)
        return (await teams.team_summaries([team]))[0]

    @get("/{team_id:int}")
    async def get_one(self, team_id: PathId) -> TeamOut:
        return (await teams.team_summaries([await staff_service.get_team(team_id)]))[0]

    @patch("/{team_id:int}")
    async def update(
        self, request: Request[Actor, str, object], team_id: PathId, data: TeamPatch
    ) -> TeamOut:
        team = await staff_service.get_team(team_id)
        team = await teams.update_team(request.user, team, data.name, data.supervisor_ids)
        return (await teams.team_summaries([team]))[0]
