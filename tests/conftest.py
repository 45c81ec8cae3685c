"""Test database per run (SQLite file or a fresh PostgreSQL schema), app client, fixtures.

The data the fixtures build comes from tests/factories.py.

Which database: `APPRAISAL_TEST_DB=postgres` uses TEST_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/test) and creates, then drops, a schema of
its own, so concurrent runs never collide. Anything else uses SQLite.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from tortoise import Tortoise, connections

from tests.factories import Org, make_org

BACKEND = os.environ.get("APPRAISAL_TEST_DB", "sqlite")
# Photos of the tests (and of the demo they load) go to a folder of this run, never to
# the working tree's data/media; tests that look at the files set their own.
if "APPRAISAL_MEDIA_DIR" not in os.environ:
    os.environ["APPRAISAL_MEDIA_DIR"] = tempfile.mkdtemp(prefix="appraisal-media-")
    atexit.register(shutil.rmtree, os.environ["APPRAISAL_MEDIA_DIR"], ignore_errors=True)
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
TABLES = [  # children first, so plain DELETEs respect foreign keys
    "idempotent_request", "login_throttle", "acknowledgement", "appeal", "report_part", "report_job",
    "incentive_share", "incentive_allocation",
    "snapshot_score", "score_snapshot",
    "item_tally", "evidence_tally",
    "corrective_action", "audit_entry", "inspection_item", "inspection", "complaint_update", "complaint",
    "survey_response",
    "commendation", "api_token", "team_supervisor", "app_user", "employee", "team", "period",
    "photo",  # its inspection's delete cascades to it; listed for PostgreSQL's TRUNCATE
    "team_membership",  # deleted with its employee (on delete cascade)
]
# Every test runs at this moment (a Friday afternoon in the middle of the month in
# the organisation's time zone), whatever the real date is; the clock ticks on from it.
# A test that needs another moment moves the `clock` fixture.
FROZEN_AT = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def clock(time_machine: time_machine.TimeMachineFixture) -> time_machine.TimeMachineFixture:
    time_machine.move_to(FROZEN_AT, tick=True)
    return time_machine


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if BACKEND == "postgres":
        import asyncio

        schema = f"t_{uuid.uuid4().hex[:10]}_{_worker()}"
        asyncio.run(_pg_admin(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        try:
            yield f"{PG_URL}{sep}schema={schema}"
        finally:
            asyncio.run(_pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    else:
        with tempfile.TemporaryDirectory(prefix="appraisal-test-") as tmp:
            yield f"sqlite://{Path(tmp) / 'test.sqlite3'}"


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[str]:
    from appraisal.config import get_settings
    from appraisal.db import init_db, migrate

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("APPRAISAL_REPORTS_DIR", tempfile.mkdtemp(prefix="appraisal-reports-"))
    get_settings.cache_clear()
    await migrate(database_url)  # the committed migrations build the test schema
    await init_db(database_url)
    try:
        yield database_url
    finally:
        await Tortoise.close_connections()


async def wipe() -> None:
    conn = connections.get("default")
    if BACKEND == "postgres":
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " RESTART IDENTITY CASCADE"
        )
        # Queued report parts of one test must not be run by the next test's workers.
        await conn.execute_script(
            "DO $$ BEGIN IF to_regclass('procrastinate_jobs') IS NOT NULL THEN "
            "TRUNCATE procrastinate_jobs RESTART IDENTITY CASCADE; END IF; END $$;"
        )
    else:
        for table in TABLES:
            await conn.execute_script(f'DELETE FROM "{table}"')


@pytest.fixture
async def clean_db(db: str) -> AsyncIterator[str]:
    # Login throttling lives in the database too: wiped with the rest.
    from appraisal.evidence import tallies

    yield db
    # Every write that changed evidence kept its tallies: they sum up what is there.
    drift = await tallies.drift()
    await wipe()
    assert not drift, "tallies differ from the evidence:\n" + "\n".join(drift[:20])


@pytest.fixture
def setting() -> Iterator[Callable[[str, str], None]]:
    """`setting("APPRAISAL_…", value)`: an environment setting for one test (settings are
    read again at once, and again as they were after the test)."""
    from appraisal.config import get_settings

    with pytest.MonkeyPatch.context() as mp:
        def set_one(name: str, value: str) -> None:
            mp.setenv(name, value)
            get_settings.cache_clear()

        yield set_one
    get_settings.cache_clear()


@pytest.fixture
async def client(clean_db: str) -> AsyncIterator[httpx.AsyncClient]:
    from appraisal.app import create_app

    # Served in the test's own event loop (the database connections live there).
    transport = httpx.ASGITransport(app=create_app(manage_db=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def org(clean_db: str) -> Org:
    return await make_org()
