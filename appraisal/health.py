"""Liveness with a database round trip."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Response, get
from litestar.openapi.spec import Operation
from tortoise import connections

from appraisal.rulebook import DEFAULT_VERSION


class Health(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" or "error"
    database: str  # "ok", or "unreachable: <error>"
    rulebook: str | None = None  # the default rulebook's version, when healthy


@dataclass
class _Open(Operation):
    """An operation that needs no token: an empty `security` overrides the document's
    BearerToken (Litestar leaves an empty list out, which would inherit it)."""

    def __post_init__(self) -> None:
        self.security = []


@get("/healthz", exclude_from_auth=True, tags=["health"], operation_class=_Open)
async def healthz() -> Response[Health]:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # any database failure means "not healthy"
        return Response(Health(status="error", database=f"unreachable: {type(exc).__name__}"),
                        status_code=503)
    return Response(Health(status="ok", database="ok", rulebook=DEFAULT_VERSION))
