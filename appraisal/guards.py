"""Role guards for route handlers: which roles may call an endpoint at all.

Which objects they may reach is the scope's business (`appraisal.staff.scope`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from appraisal.actor import Actor, Role
from appraisal.errors import Message


def require_roles(
    *roles: Role,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    allowed = frozenset(roles)

    # A coroutine, though it awaits nothing: Litestar runs a plain function guard in its
    # thread pool, a hand-off to another thread and back on every guarded request.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            # OPTIONS is answered without a login (it only lists the allowed methods),
            # so there is no user to judge; the methods themselves stay guarded.
            return
        actor: Actor = connection.user
        if actor.role not in allowed:
            raise PermissionDeniedException(detail=Message(
                "role_not_allowed", "Role '%(role)s' may not do this; allowed: %(allowed)s.",
                role=str(actor.role), allowed=", ".join(sorted(allowed))))

    return guard


HR = require_roles(Role.admin, Role.hr)
STAFF = require_roles(Role.admin, Role.hr, Role.supervisor)
ANY_USER = require_roles(Role.admin, Role.hr, Role.supervisor, Role.employee)
EMPLOYEE = require_roles(Role.employee)
