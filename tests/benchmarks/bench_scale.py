"""A month of 50,000 employees: 8 inspections × 15 items each (6 million item rows)
and 30 surveys each, on PostgreSQL and on SQLite.

Reports, each measured in one run: loading the month and summing its tallies once
(the writes keep them from then on), scoring everyone live against the SQL floor
(one aggregation of the item rows, what scoring read before the tallies), one
employee's live breakdown, closing the month (scoring, explaining and storing the
snapshot) with the snapshot's size, a page of 50 of the closed ranking, the query
plans of the hot queries (no scan of a table's rows for one employee), and peak
memory of a close as the rows per employee double (5,000 employees, 8 then 16
inspections each: flat means the ratio stays near 1).
"""

from __future__ import annotations

import asyncio
import gc
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise, connections

from appraisal.actor import Actor, Role
from appraisal.clock import current_month, shift_month
from appraisal.clock import now as clock_now
from appraisal.db import init_db, migrate
from appraisal.evidence import tallies
from appraisal.periods.models import Period
from appraisal.rulebook import get_rulebook
from appraisal.scoring import queries
from appraisal.scoring.lifecycle import close_period
from appraisal.scoring.service import LOST_SQL, employee_score, period_scores
from tests.benchmarks.bench_scoring import (
    INSPECTION_COLUMNS,
    ITEM_COLUMNS,
    SURVEY_COLUMNS,
    add_evidence,
)

EMPLOYEES = 50_000
INSPECTIONS = 8
SURVEYS = 30
VERSION = "2026.1"  # 15 behaviour items an inspection, as the month to measure has
TEAMS = 500
ADMIN = Actor(id=0, username="bench", role=Role.admin, employee_id=None, team_ids=frozenset())
FLOOR_SQL = """
SELECT i.employee_id, it.code, SUM(it.points), COUNT(*)
FROM inspection_item it JOIN inspection i ON i.id = it.inspection_id
WHERE i.period_id = {p} AND it.points IS NOT NULL
GROUP BY i.employee_id, it.code
"""
TARGETS = {"close_seconds": 30, "breakdown_ms": 50, "listing_ms": 100,
           "memory_ratio_16_vs_8_inspections": 1.5}


async def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, columns=columns, records=rows,
                                            schema_name=conn.server_settings.get("search_path"))
        return
    marks = ", ".join("?" for _ in columns)
    await conn.execute_many(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                            rows)


async def build_month(month: str, employees: int, inspections: int, seed: int = 7) -> int:
    """The month's evidence written straight into the tables, a chunk of employees at a
    time (bounded memory); returns the number of item rows."""
    rnd = random.Random(seed)
    rb = get_rulebook(VERSION)
    now = clock_now()
    await _copy("team", ["id", "name", "created_at"],
                [(t, f"班组{t:03d}", now) for t in range(1, TEAMS + 1)])
    await _copy("period", ["id", "month", "status", "rulebook_version", "rulebook_hash",
                           "opened_at"], [(1, month, "open", rb.version, rb.content_hash, now)])
    item_rows = 0
    chunk = 2000
    for first in range(1, employees + 1, chunk):
        ids = range(first, min(first + chunk, employees + 1))
        staff: list[tuple[Any, ...]] = []
        insp: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        surveys: list[tuple[Any, ...]] = []
        for e in ids:
            staff.append((e, f"B{e:06d}", f"员工{e}", 1 + e % TEAMS, "", True, now, now))
            add_evidence(rnd, rb, month, e, (e - 1) * inspections + 1, inspections, now,
                         insp, items, surveys)
        await _copy("employee", ["id", "employee_no", "name", "team_id", "position", "active",
                                 "created_at", "updated_at"], staff)
        await _copy("inspection", INSPECTION_COLUMNS, insp)
        await _copy("inspection_item", ITEM_COLUMNS, items)
        await _copy("survey_response", SURVEY_COLUMNS, surveys)
        item_rows += len(items)
    return item_rows


async def _timed(fn: Callable[[], Awaitable[Any]]) -> float:
    t0 = time.perf_counter()
    await fn()
    return time.perf_counter() - t0


async def _plans(employee_id: int) -> dict[str, Any]:
    """The plan of each query that reads for one employee or one page: whether it
    scans a table's rows (the item rows above all) instead of using an index."""
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    p = "$1" if pg else "?"
    only = f" AND employee_id IN ({employee_id})"
    hot = {
        "item_tallies_of_one": queries.ITEM_SQL.format(p=p, only=only),
        "evidence_tally_of_one": queries.EVIDENCE_SQL.format(p=p, only=only),
        "organisation_answers": queries.ORGANISATION_SQL.format(p=p),
        "lost_points_of_one": LOST_SQL.format(p=p, only=f" AND i.employee_id IN ({employee_id})"),
    }
    out: dict[str, Any] = {}
    for name, sql in hot.items():
        if pg:
            _, rows = await conn.execute_query("EXPLAIN " + sql, [1])
            plan = [r[0] for r in rows]
            scans = [line.strip() for line in plan if "Seq Scan" in line]
        else:
            _, rows = await conn.execute_query("EXPLAIN QUERY PLAN " + sql, [1])
            plan = [r["detail"] for r in rows]
            scans = [d for d in plan if d.startswith("SCAN") and "USING" not in d]
        # The organisation's answers are a sum over the whole period by design (one
        # small row per employee): its plan is shown, not held against it.
        out[name] = {"plan": plan, "table_scans": [] if name == "organisation_answers"
                     else scans}
    return out


async def measure(url: str, employees: int, inspections: int, *, full: bool
                  ) -> dict[str, Any]:
    await migrate(url)
    await init_db(url, global_fallback=False)
    try:
        month = shift_month(current_month(), -1)  # over: it can be closed
        conn = connections.get("default")
        pg = conn.capabilities.dialect == "postgres"
        t0 = time.perf_counter()
        item_rows = await build_month(month, employees, inspections)
        load_s = time.perf_counter() - t0
        rebuild_s = await _timed(lambda: tallies.rebuild([1]))
        if pg:
            await conn.execute_script("ANALYZE")
        period = await Period.get(month=month)
        result: dict[str, Any] = {
            "employees": employees, "inspections_per_employee": inspections,
            "item_rows": item_rows, "survey_rows": employees * SURVEYS,
            "load_seconds": round(load_s, 1), "tally_rebuild_seconds": round(rebuild_s, 1),
        }
        if full:
            floor_sql = FLOOR_SQL.format(p="$1" if pg else "?")

            async def floor() -> None:
                await conn.execute_query(floor_sql, [period.id])

            async def score() -> None:
                assert len(await period_scores(period, ADMIN)) == employees

            floor_t = [await _timed(floor) for _ in range(2)]
            score_t = [await _timed(score) for _ in range(2)]
            rnd = random.Random(3)
            one = [await _timed(lambda: employee_score(period, ADMIN, rnd.randint(
                1, employees))) for _ in range(21)]
            result.update({
                "floor_sql_seconds": round(min(floor_t), 2),
                "live_scoring_seconds": round(min(score_t), 2),
                "live_scoring_ratio_to_floor": round(min(score_t) / min(floor_t), 2),
                "live_breakdown_ms_median": round(statistics.median(one[1:]) * 1000, 1),
                "live_breakdown_ms_max": round(max(one[1:]) * 1000, 1),
                "plans": await _plans(employees // 2),
            })
        gc.collect()
        tracemalloc.start()
        close_s = await _timed(lambda: close_period(None, month))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["close_seconds"] = round(close_s, 1)
        result["close_peak_python_mb"] = round(peak / 2**20, 1)
        if full:
            # The close again without tracemalloc's own cost: reopened, closed again.
            from appraisal.scoring.lifecycle import reopen_period

            await reopen_period(None, month, "benchmark: the close timed without tracing")
            result["close_seconds"] = round(await _timed(lambda: close_period(None, month)), 1)
            period = await Period.get(month=month)
            if pg:
                _, rows = await conn.execute_query(
                    "SELECT pg_total_relation_size('snapshot_score') AS n")
                size = rows[0]["n"]
            else:
                _, rows = await conn.execute_query(
                    "SELECT SUM(LENGTH(breakdown) + LENGTH(dimensions)) AS n FROM snapshot_score")
                size = rows[0]["n"]
            result["snapshot_mb"] = round(size / 2**20, 1)
            result["snapshot_kb_per_employee"] = round(size / 2**10 / employees / 2, 2)
            rnd = random.Random(5)
            pages = []
            for _ in range(21):
                offset = rnd.randrange(0, employees - 50)
                t = time.perf_counter()
                got = await period_scores(period, ADMIN, limit=50, offset=offset)
                pages.append(time.perf_counter() - t)
                assert len(got) == 50
            result["listing_page_of_50_ms_median"] = round(statistics.median(pages[1:]) * 1000, 1)
            result["listing_page_of_50_ms_max"] = round(max(pages[1:]) * 1000, 1)
            # The listing's query plan: rows read by rank through the index.
            p = "$1" if pg else "?"
            sql = (f"SELECT id FROM snapshot_score WHERE snapshot_id = {p} "
                   "ORDER BY rank LIMIT 50 OFFSET 1000")
            _, rows = await conn.execute_query(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ")
                                               + sql, [2])
            plan = [r[0] if pg else r["detail"] for r in rows]
            result["plans"]["listing_page"] = {
                "plan": plan, "table_scans": [d for d in plan if "Seq Scan" in d or (
                    d.startswith("SCAN") and "USING" not in d)]}
        return result
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def database(backend: str, pg_url: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-scale-")
        yield f"sqlite://{tmp}/bench.sqlite3"
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}schema={schema}"
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def run_backend(backend: str, pg_url: str, employees: int = EMPLOYEES) -> dict[str, Any]:
    async with database(backend, pg_url) as url:
        scale = await measure(url, employees, INSPECTIONS, full=True)
    memory = []
    for per_employee in (INSPECTIONS, 2 * INSPECTIONS):
        async with database(backend, pg_url) as url:
            memory.append(await measure(url, 5000, per_employee, full=False))
    return {
        "benchmark": "month_at_scale",
        "backend": backend,
        "surveys_per_employee": SURVEYS,
        "rulebook": VERSION,
        "scale": scale,
        "memory_runs": memory,
        "memory_ratio_16_vs_8_inspections": round(
            memory[1]["close_peak_python_mb"] / memory[0]["close_peak_python_mb"], 2),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "targets": TARGETS,
    }


def misses(result: dict[str, Any]) -> list[str]:
    """The targets a PostgreSQL run missed (SQLite's figures are reported beside)."""
    s, out = result["scale"], []
    if s["close_seconds"] > TARGETS["close_seconds"]:
        out.append(f"close of {s['employees']} took {s['close_seconds']} s")
    if s["live_breakdown_ms_median"] > TARGETS["breakdown_ms"]:
        out.append(f"one live breakdown took {s['live_breakdown_ms_median']} ms")
    if s["listing_page_of_50_ms_median"] > TARGETS["listing_ms"]:
        out.append(f"a page of 50 took {s['listing_page_of_50_ms_median']} ms")
    if result["memory_ratio_16_vs_8_inspections"] > TARGETS["memory_ratio_16_vs_8_inspections"]:
        out.append(f"close memory grows with rows: {result['memory_ratio_16_vs_8_inspections']}")
    for name, plan in s["plans"].items():
        if plan["table_scans"]:
            out.append(f"{name} scans a table: {plan['table_scans']}")
    return out


if __name__ == "__main__":
    import json
    import sys

    backend = sys.argv[1] if len(sys.argv) > 1 else "postgres"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else EMPLOYEES
    print(json.dumps(asyncio.run(run_backend(
        backend, "postgres://postgres@127.0.0.1:5432/test", n)), indent=2, default=str))
