"""Scoring a synthetic month: 2,000 employees × 8 inspections × 15 items + 30 surveys each.

Reports the time to score the whole period (reading the per-employee tallies
the writes keep + the pure engine + shaping the rows) and its ratio to one
hand-written SQL aggregation over the same item rows (what scoring read before
the tallies), measured in the same run; and the peak Python
memory while scoring, at 8 and at 16 inspections per employee (bounded
memory means the ratio stays near 1).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise, connections

from appraisal.actor import Actor, Role
from appraisal.db import init_db, migrate
from appraisal.evidence import tallies
from appraisal.periods.models import Period
from appraisal.rulebook import RuleBook, get_rulebook
from appraisal.scoring.service import period_scores

EMPLOYEES = 2000
SURVEYS = 30
FLOOR_SQL = """
SELECT i.employee_id, it.code, SUM(it.points), COUNT(*)
FROM inspection_item it JOIN inspection i ON i.id = it.inspection_id
WHERE i.period_id = {p} AND it.points IS NOT NULL
GROUP BY i.employee_id, it.code
"""
ADMIN = Actor(id=0, username="bench", role=Role.admin, employee_id=None, team_ids=frozenset())


def _ph(n: int, dialect: str) -> str:
    return ", ".join(f"${i}" if dialect == "postgres" else "?" for i in range(1, n + 1))


async def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({_ph(len(columns), dialect)})'
    for start in range(0, len(rows), 20_000):
        await conn.execute_many(sql, rows[start:start + 20_000])


INSPECTION_COLUMNS = ["id", "employee_id", "period_id", "occurred_at", "touchpoint", "method",
                      "notes", "created_at", "updated_at", "void_reason"]
ITEM_COLUMNS = ["inspection_id", "code", "result", "points"]
SURVEY_COLUMNS = ["employee_id", "period_id", "received_at", "attitude", "quality",
                  "efficiency", "environment", "overall", "comment", "created_at", "void_reason"]


def add_evidence(rnd: random.Random, rb: RuleBook, month: str, employee_id: int,
                 first_id: int, inspections: int, now: datetime,
                 insp_rows: list[tuple[Any, ...]], item_rows: list[tuple[Any, ...]],
                 survey_rows: list[tuple[Any, ...]]) -> None:
    """One employee's synthetic month in period 1: `inspections` inspections (ids from
    `first_id`) judging every item (5% n.a., 10% failed) and SURVEYS survey answers,
    appended as rows of INSPECTION_COLUMNS, ITEM_COLUMNS and SURVEY_COLUMNS."""
    year, mon = map(int, month.split("-"))
    for iid in range(first_id, first_id + inspections):
        at = datetime(year, mon, rnd.randint(1, 28), 2, tzinfo=UTC)
        insp_rows.append((iid, employee_id, 1, at, "前台", "onsite", "", now, now, ""))
        for item in rb.items:
            roll = rnd.random()
            if roll < 0.05:
                item_rows.append((iid, item.code, "na", None))
            elif roll < 0.15:
                item_rows.append((iid, item.code, "fail", 0))
            else:
                item_rows.append((iid, item.code, "pass", item.points))
    for _ in range(SURVEYS):
        at = datetime(year, mon, rnd.randint(1, 28), 3, tzinfo=UTC)
        answers = [rnd.choice((3, 4, 4, 5, 5)) for _ in range(5)]
        survey_rows.append((employee_id, 1, at, *answers, "", now, ""))


async def build_month(month: str, inspections_per_employee: int, seed: int = 7,
                      employees: int = EMPLOYEES) -> int:
    rnd = random.Random(seed)
    rb = get_rulebook()
    now = datetime.now(UTC)
    await _insert("team", ["id", "name", "created_at"], [(1, "Bench", now)])
    await _insert("employee", ["id", "employee_no", "name", "team_id", "position", "active",
                               "created_at", "updated_at"],
                  [(e, f"B{e:05d}", f"员工{e}", 1, "", True, now, now)
                   for e in range(1, employees + 1)])
    await _insert("period", ["id", "month", "status", "rulebook_version", "rulebook_hash",
                             "opened_at"], [(1, month, "open", rb.version, rb.content_hash, now)])
    inspections: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    surveys: list[tuple[Any, ...]] = []
    for e in range(1, employees + 1):
        add_evidence(rnd, rb, month, e, len(inspections) + 1, inspections_per_employee, now,
                     inspections, items, surveys)
    await _insert("inspection", INSPECTION_COLUMNS, inspections)
    await _insert("inspection_item", ITEM_COLUMNS, items)
    await _insert("survey_response", SURVEY_COLUMNS, surveys)
    # Loaded around the writes: their tallies summed once, as the writes keep them.
    await tallies.rebuild([1])
    return len(items)


async def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    await fn()
    return time.perf_counter() - t0


async def measure(url: str, inspections_per_employee: int, repeat: int) -> dict[str, Any]:
    await migrate(url)
    await init_db(url, global_fallback=False)
    try:
        t0 = time.perf_counter()
        item_rows = await build_month("2026-11", inspections_per_employee)
        load_s = time.perf_counter() - t0
        period = await Period.get(month="2026-11")
        conn = connections.get("default")
        floor_sql = FLOOR_SQL.format(p="$1" if conn.capabilities.dialect == "postgres" else "?")

        async def floor() -> None:
            await conn.execute_query(floor_sql, [period.id])

        async def score() -> None:
            rows = await period_scores(period, ADMIN)
            assert len(rows) == EMPLOYEES

        if conn.capabilities.dialect == "postgres":
            # Planner statistics, as a live database has them (autovacuum would
            # gather them at some unknown moment during the runs otherwise).
            await conn.execute_script("ANALYZE")
        await score()  # warm caches (rulebook, statement cache)
        await floor()
        # Alternating: a machine slowing down or speeding up hits both alike.
        floor_times: list[float] = []
        score_times: list[float] = []
        for _ in range(repeat):
            floor_times.append(await _timed(floor))
            score_times.append(await _timed(score))
        tracemalloc.start()
        await score()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "inspections_per_employee": inspections_per_employee,
            "item_rows": item_rows,
            "load_seconds": round(load_s, 2),
            "score_seconds_median": round(statistics.median(score_times), 3),
            "floor_sql_seconds_median": round(statistics.median(floor_times), 3),
            "ratio_to_floor": round(statistics.median(score_times)
                                    / statistics.median(floor_times), 2),
            "peak_python_memory_mb": round(peak / 2**20, 1),
        }
    finally:
        await Tortoise.close_connections()


async def run_backend(backend: str, pg_url: str, repeat: int = 5) -> dict[str, Any]:
    results = []
    for per_employee in (8, 16):
        if backend == "sqlite":
            import tempfile

            tmp = tempfile.mkdtemp(prefix="bench-")
            url = f"sqlite://{tmp}/bench.sqlite3"
            results.append(await measure(url, per_employee, repeat))
        else:
            import asyncpg

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
            await admin.execute(f'CREATE SCHEMA "{schema}"')
            try:
                sep = "&" if "?" in pg_url else "?"
                results.append(await measure(f"{pg_url}{sep}schema={schema}", per_employee, repeat))
            finally:
                await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
                await admin.close()
    base, double = results
    return {
        "benchmark": "score_period",
        "backend": backend,
        "employees": EMPLOYEES,
        "surveys_per_employee": SURVEYS,
        "runs": results,
        "memory_ratio_16_vs_8_inspections": round(
            double["peak_python_memory_mb"] / base["peak_python_memory_mb"], 2),
        "targets": {"score_seconds_sqlite": 3.0, "ratio_to_floor": 3.0},
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(asyncio.run(run_backend(sys.argv[1] if len(sys.argv) > 1 else "sqlite",
                                             "postgres://postgres@127.0.0.1:5432/test", 3)),
                     indent=2))
