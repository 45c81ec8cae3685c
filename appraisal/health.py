"""Liveness with a database round trip."""

from __future__ import annotations

from litestar import Response, get
from tortoise import connections

from appraisal.rulebook import DEFAULT_VERSION


@get("/healthz", exclude_from_auth=True, tags=["health"], security=[])
async def healthz() -> Response[dict[str, str]]:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # any database failure means "not healthy"
        return Response(
            {"status": "error", "database": f"unreachable: {type(exc).__name__}"},
            status_code=503,
        )
    return Response({"status": "ok", "database": "ok", "rulebook": DEFAULT_VERSION})
