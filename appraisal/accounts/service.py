"""Logging in and managing users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.accounts import throttle
from appraisal.accounts.models import ApiToken, User
from appraisal.accounts.passwords import check_password, one_time_password
from appraisal.accounts.security import hash_password, new_token, token_digest, verify_password
from appraisal.actor import Actor, Role
from appraisal.audit.service import model_state, record
from appraisal.config import get_settings
from appraisal.errors import Conflict, Forbidden, NotAuthorized, Unprocessable
from appraisal.staff.models import Employee, Team


async def login(username: str, password: str, client: str) -> tuple[str, User]:
    """A new session for the right password; `client` is the caller's address
    (appraisal.proxies.client_address), throttled with the username."""
    await throttle.charge(username, client)  # counted as failed until proven right
    user = await User.filter(username=username).first()
    ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active or await has_left(user):
        raise NotAuthorized("Wrong username or password.", code="wrong_credentials")
    await throttle.succeeded(username, client)
    token = new_token()
    now = clock.now()
    await ApiToken.create(
        token_hash=token_digest(token),
        user=user,
        expires_at=now + timedelta(hours=get_settings().token_hours),
    )
    # Expired sessions are swept on login rather than by a separate job.
    await ApiToken.filter(expires_at__lt=now).delete()
    return token, user


async def has_left(user: User) -> bool:
    """Whether the user's employee left before today: their login stops with their job."""
    if user.employee_id is None:
        return False
    return await Employee.filter(id=user.employee_id, left_on__lt=clock.today()).exists()


async def logout(token: str) -> None:
    await ApiToken.filter(token_hash=token_digest(token)).delete()


def user_state(user: User, team_ids: list[int] | None = None) -> dict[str, Any]:
    state = model_state(user, exclude=("password_hash",))
    if team_ids is not None:
        state["team_ids"] = sorted(team_ids)
    return state


async def _validate_links(
    role: Role, employee_id: int | None, team_ids: list[int], user_id: int | None = None
) -> list[Team]:
    if role == Role.employee and employee_id is None:
        raise Unprocessable.field("employee_id", "an employee login must name its employee",
                                  code="employee_missing")
    if employee_id is not None:
        if not await Employee.filter(id=employee_id).exists():
            raise Unprocessable.field("employee_id", "no employee with id %(employee_id)s",
                                      code="employee_not_found", employee_id=employee_id)
        taken = User.filter(employee_id=employee_id)
        if user_id is not None:
            taken = taken.exclude(id=user_id)
        if await taken.exists():
            raise Conflict("employee %(employee_id)s already has a login",
                           code="employee_has_login", employee_id=employee_id)
    if team_ids and role != Role.supervisor:
        raise Unprocessable.field("team_ids", "only supervisors are given teams",
                                  code="teams_for_supervisors")
    teams = {t.id: t for t in await Team.filter(id__in=team_ids)}
    for i, tid in enumerate(team_ids):
        if tid not in teams:
            raise Unprocessable.field(f"team_ids[{i}]", "no team with id %(team_id)s",
                                      code="team_not_found", team_id=tid)
    return [teams[t] for t in dict.fromkeys(team_ids)]


async def create_user(
    actor: Actor | None,
    *,
    username: str,
    password: str,
    role: Role,
    employee_id: int | None = None,
    team_ids: list[int] | None = None,
) -> User:
    team_ids = team_ids or []
    if actor is not None and role == Role.admin and actor.role != Role.admin:
        raise Forbidden("Only an admin can create admin users.", code="admin_only")
    check_password(password, username)
    if await User.filter(username=username).exists():
        raise Conflict("username '%(username)s' is already taken", code="username_taken",
                       username=username)
    teams = await _validate_links(role, employee_id, team_ids)
    if actor is not None and role == Role.hr and actor.role != Role.admin:
        raise Forbidden("Only an admin can create or reset logins of HR and admin users.",
                        code="admin_only")
    password_hash = await hash_password(password)
    async with in_transaction():
        # A login someone else made has a password they know: it is changed first.
        user = await User.create(
            username=username, password_hash=password_hash, role=role,
            employee_id=employee_id, must_change_password=actor is not None,
        )
        if teams:
            await user.supervised_teams.add(*teams)
        await record(actor, "create", "user", user.id, after=user_state(user, team_ids))
    return user


async def update_user(actor: Actor, user: User, changes: dict[str, Any]) -> User:
    current_teams = list(await user.supervised_teams.all().values_list("id", flat=True))
    before = user_state(user, current_teams)
    role = Role(changes.get("role", user.role))
    employee_id = changes.get("employee_id", user.employee_id)
    team_ids = changes.get("team_ids", current_teams if role == Role.supervisor else [])
    teams = await _validate_links(role, employee_id, team_ids, user.id)
    if user.id == actor.id and (role != user.role or changes.get("active") is False):
        raise Forbidden("You cannot change your own role or deactivate yourself.",
                        code="own_account")
    if "password" in changes:
        check_password(changes["password"], user.username)
    # Hashed before the transaction: no connection is held while argon2 works.
    new_hash = await hash_password(changes["password"]) if "password" in changes else None
    async with in_transaction():
        user.role = role
        user.employee_id = employee_id
        if "active" in changes:
            user.active = changes["active"]
        if new_hash is not None:
            user.password_hash = new_hash
            user.must_change_password = user.id != actor.id
        await user.save()
        await user.supervised_teams.clear()
        if teams:
            await user.supervised_teams.add(*teams)
        if "password" in changes or changes.get("active") is False:
            await ApiToken.filter(user_id=user.id).delete()
        after = user_state(user, [t.id for t in teams])
        if "password" in changes:
            after["password"] = "(changed)"
        await record(actor, "update", "user", user.id, before=before, after=after)
    return user


async def reset_password(actor: Actor, user: User) -> str:
    """A one-time password for `user`, shown once to HR: their sessions end and they
    must change it at their next login."""
    if user.id == actor.id:
        raise Forbidden("Change your own password on the password page (POST "
                        "/api/v1/auth/password), with your current one.", code="own_account")
    password = one_time_password()
    await update_user(actor, user, {"password": password})
    return password


async def change_own_password(actor: Actor, token: str, current: str, new: str) -> User:
    """The caller's own password: the current one proves it is them; their other
    sessions end, this one goes on."""
    user = await User.get(id=actor.id)
    if not await verify_password(user.password_hash, current):
        raise Unprocessable.field("current", "is not your current password",
                                  code="wrong_current_password")
    check_password(new, user.username, "new")
    if new == current:
        raise Unprocessable.field("new", "must differ from the current password",
                                  code="password_unchanged")
    new_hash = await hash_password(new)
    async with in_transaction():
        before = user_state(user)
        user.password_hash = new_hash
        user.must_change_password = False
        await user.save()
        await ApiToken.filter(user_id=user.id).exclude(token_hash=token_digest(token)).delete()
        await record(actor, "update", "user", user.id, before=before,
                     after={**user_state(user), "password": "(changed)"})
    return user
