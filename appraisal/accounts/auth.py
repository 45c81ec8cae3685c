"""Who is calling: bearer token or session cookie → Actor; role guards."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from tortoise import connections

from appraisal import clock
from appraisal.accounts.models import ApiToken, User
from appraisal.accounts.security import token_digest
from appraisal.actor import Actor, Role
from appraisal.config import get_settings
from appraisal.errors import Message
from appraisal.proxies import cookie_secure
from appraisal.staff.models import Employee

SESSION_COOKIE = "appraisal_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_cookie(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> Cookie:
    """The browser's session after a login: HttpOnly, so no script ever reads the token."""
    return Cookie(key=SESSION_COOKIE, value=token, httponly=True, samesite="lax",
                  secure=cookie_secure(connection), max_age=get_settings().token_hours * 3600,
                  path="/")


def logged_out_cookies(connection: ASGIConnection[Any, Any, Any, Any]) -> list[Cookie]:
    """The session and CSRF cookies, expired."""
    secure = cookie_secure(connection)
    return [Cookie(key=key, value="", max_age=0, path="/", secure=secure)
            for key in (SESSION_COOKIE, CSRF_COOKIE)]


async def actor_for_user(user: User) -> Actor:
    team_ids: frozenset[int] = frozenset()
    if user.role == Role.supervisor:
        team_ids = frozenset(await user.supervised_teams.all().values_list("id", flat=True))
    return Actor(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        employee_id=user.employee_id,
        team_ids=team_ids,
        must_change_password=user.must_change_password,
    )


# Every request asks this, so it is one round trip: the token's user with one row per
# team they supervise (none for other roles); none for the login of someone who has left.
_TOKEN_SQL = """
SELECT u.id, u.username, u.role, u.employee_id, u.must_change_password, ts.team_id
FROM api_token t
JOIN app_user u ON u.id = t.user_id
LEFT JOIN employee e ON e.id = u.employee_id
LEFT JOIN team_supervisor ts ON ts.app_user_id = u.id AND u.role = 'supervisor'
WHERE t.token_hash = {p1} AND t.expires_at > {p2} AND u.active
  AND (e.left_on IS NULL OR e.left_on >= {p3})
"""

# What a login that must change its password may still ask for (anything else: 403,
# or for a page, the page that changes it).
PASSWORD_CHANGE_PATHS = frozenset({"/api/v1/auth/password", "/api/v1/auth/logout",
                                   "/api/v1/auth/me", "/password", "/logout"})


class PasswordChangeRequired(PermissionDeniedException):
    """A login HR made or reset asked for something else than changing its password."""


async def actor_for_token(token: str) -> Actor | None:
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    expires_field = ApiToken._meta.fields_map["expires_at"]
    sql = _TOKEN_SQL.format(p1="$1" if pg else "?", p2="$2" if pg else "?",
                            p3="$3" if pg else "?")
    left_field = Employee._meta.fields_map["left_on"]
    _, rows = await conn.execute_query(
        sql, [token_digest(token), expires_field.to_db_value(clock.now(), ApiToken),
              left_field.to_db_value(clock.today(), Employee)])
    if not rows:
        return None
    first = rows[0]
    return Actor(
        id=first["id"], username=first["username"], role=Role(first["role"]),
        employee_id=first["employee_id"],
        team_ids=frozenset(r["team_id"] for r in rows if r["team_id"] is not None),
        must_change_password=bool(first["must_change_password"]),
    )


class TokenAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        token: str | None = None
        via_cookie = False
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
        elif cookie := connection.cookies.get(SESSION_COOKIE):
            token, via_cookie = cookie, True
        if not token:
            raise NotAuthorizedException(detail=Message(
                "not_logged_in", "Log in first: send 'Authorization: Bearer <token>'."))
        actor = await actor_for_token(token)
        if actor is None:
            raise NotAuthorizedException(detail=Message(
                "token_expired", "The token is unknown or has expired; log in again."))
        if (via_cookie and connection.scope.get("method", "GET") not in SAFE_METHODS
                and connection.scope["path"].startswith("/api/")):
            # A cookie is sent by the browser on its own: writes must prove
            # they come from our pages (double-submit CSRF token). Page forms
            # send it as a form field, checked by appraisal.web.verify_csrf.
            csrf_cookie = connection.cookies.get(CSRF_COOKIE)
            if not csrf_cookie or connection.headers.get(CSRF_HEADER) != csrf_cookie:
                raise PermissionDeniedException(detail=Message(
                    "csrf_failed", "CSRF token missing or wrong."))
        if actor.must_change_password and connection.scope["path"] not in PASSWORD_CHANGE_PATHS:
            raise PasswordChangeRequired(detail=Message(
                "password_change_required", "Change your password first (POST "
                "/api/v1/auth/password): it was set by someone else."))
        return AuthenticationResult(user=actor, auth=token)
