"""Tortoise ORM configuration, start-up and migrations.

All domain models live in one Tortoise app ("appraisal") so that one
migration history covers the whole schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

MODEL_MODULES = [
    "appraisal.staff.models",
    "appraisal.accounts.models",
    "appraisal.periods.models",
    "appraisal.evidence.models",
    "appraisal.audit.models",
    "appraisal.scoring.models",
    "appraisal.incentives.models",
    "appraisal.reporting.models",
    "appraisal.appeals.models",
]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    from appraisal.config import get_settings

    url = database_url or get_settings().database_url
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            "appraisal": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "appraisal.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: Any) -> None:
    """Nothing to undo when a connection goes back to the pool.

    asyncpg's default runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` on every release: a round trip per request, for session state this
    app never leaves behind (no advisory locks, cursors, LISTEN or SET on these
    connections; the queue has connections of its own). An open transaction is
    still rolled back by asyncpg before this is called.
    """


def _connection(url: str) -> str | dict[str, Any]:
    if not url.startswith(("postgres://", "asyncpg://")):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    config["credentials"].setdefault("maxsize", "10")
    return config


# `tortoise -c appraisal.db.TORTOISE_ORM makemigrations` reads this.
TORTOISE_ORM = tortoise_config()


async def init_db(database_url: str | None = None, *, global_fallback: bool = True) -> None:
    # The ASGI lifespan runs in another task than the requests, so the
    # context must be reachable as the global fallback.
    await Tortoise.init(
        config=tortoise_config(database_url), _enable_global_fallback=global_fallback
    )


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str | None = None) -> None:
    """Apply every committed migration (idempotent)."""
    await run_migrations(config=tortoise_config(database_url))
    await Tortoise.close_connections()
    from appraisal.reporting.queue import ensure_schema, uses_queue

    url = database_url or tortoise_config()["connections"]["default"]
    if uses_queue(url):
        await ensure_schema(url)
