"""The monthly batch on PostgreSQL shared by 1, 2 and 4 `appraisal worker` processes.

One synthetic month of 2,000 employees (bench_scoring's month, bench_reports'
five months of history for the trend charts) in a schema of its own, closed by
HR over the API. For each worker count: that many `appraisal worker`
processes, started as an operator starts them (same settings, one reports
directory), are registered with the queue first; then HR starts the batch
(POST /api/v1/periods/2026-11/report-jobs: its parts go on the procrastinate
queue) and the clock runs until GET /api/v1/report-jobs/{id} says done. The ZIP
is downloaded over the API and checked: every appraisal once, every entry's
CRC, every appraisal a PDF of one page.

Reported beside the wall times: the load average (os.getloadavg) at the start
and end of each run and the CPU the workers used, because the machine's cores
are shared with other work; a worker count above the core count cannot be
faster, only show what the queue costs.

`python -m tests.benchmarks workers` runs it alone (BENCH_WORKERS_EMPLOYEES=100
for a quick look).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pikepdf
from tortoise import Tortoise, connections

from appraisal import clock
from appraisal.reporting import queue
from tests.benchmarks.bench_reports import build_history
from tests.benchmarks.bench_scoring import EMPLOYEES, build_month

MONTH = "2026-11"
COUNTS = (1, 2, 4)
ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.5
JOB_TIMEOUT_SECONDS = 3600


def _employees() -> int:
    return int(os.environ.get("BENCH_WORKERS_EMPLOYEES", EMPLOYEES))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


async def _hr_client(url: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """The app in this process (as HR reaches it) and an HR login's headers."""
    from appraisal.accounts.models import ApiToken, User
    from appraisal.accounts.security import new_token, token_digest
    from appraisal.actor import Role
    from appraisal.app import create_app

    user = await User.create(username="bench-hr", password_hash="-", role=Role.hr)
    token = new_token()
    await ApiToken.create(token_hash=token_digest(token), user=user,
                          expires_at=clock.now() + timedelta(days=1))
    transport = httpx.ASGITransport(app=create_app(manage_db=False))
    client = httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600)
    return client, {"Authorization": f"Bearer {token}"}


async def _until(what: str, check: Callable[[], Any], procs: list[subprocess.Popen[bytes]],
                 logs: Path, within: float) -> Any:
    deadline = time.perf_counter() + within
    while not (found := await check()):
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"a worker exited ({proc.returncode}) while waiting for {what}; "
                                   f"logs in {logs}")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"waited {within:.0f} s for {what}; logs in {logs}")
        await asyncio.sleep(POLL_SECONDS)
    return found


async def _registered() -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM procrastinate_workers")
    return int(rows[0]["n"])


async def _parts_per_worker(job_id: int) -> list[int]:
    """How many parts each worker rendered (read before the workers stop: a stopped
    worker's tasks lose their worker)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT worker_id, count(*) AS n FROM procrastinate_jobs"
        " WHERE task_name = $1 AND (args->>'job_id')::int = $2 GROUP BY worker_id",
        [queue.RENDER, job_id])
    return sorted((int(r["n"]) for r in rows), reverse=True)


def _start(n: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    """`appraisal worker` n times, as an operator starts it on each machine."""
    procs = []
    for i in range(n):
        with (logs / f"workers{n}-{i + 1}.log").open("wb") as log:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "appraisal.cli", "worker", "--name", f"bench-{n}-{i + 1}"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    return procs


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # procrastinate stops after its current task
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def check_zip(path: Path, employees: int) -> dict[str, Any]:
    """Every appraisal once, every entry readable (CRC), every appraisal a one-page PDF."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        bad_crc = zf.testzip()
        appraisals = [n for n in names if n.startswith("appraisals/")]
        unreadable = []
        for name in appraisals:
            try:
                with pikepdf.open(zf.open(name)) as pdf:
                    if len(pdf.pages) != 1:
                        unreadable.append(f"{name}: {len(pdf.pages)} pages")
            except pikepdf.PdfError as exc:
                unreadable.append(f"{name}: {exc}")
    duplicates = len(names) - len(set(names))
    return {
        "entries": len(names),
        "appraisals": len(appraisals),
        "summaries": len([n for n in names if "summary-" in n]),
        "duplicates": duplicates,
        "first_bad_crc": bad_crc,
        "unreadable": unreadable[:10],
        "complete": (len(appraisals) == employees and duplicates == 0 and bad_crc is None
                     and not unreadable),
    }


async def _one_run(client: httpx.AsyncClient, headers: dict[str, str], n: int,
                   env: dict[str, str], logs: Path, employees: int) -> dict[str, Any]:
    load_start = _load()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.perf_counter()
        procs += _start(n, env, logs)

        async def all_registered() -> bool:
            return await _registered() >= n

        await _until(f"{n} workers to register", all_registered, procs, logs, 180)
        ready_s = time.perf_counter() - t0
        cpu_before = sum(_cpu_seconds(p.pid) for p in procs)

        t0 = time.perf_counter()
        r = await client.post(f"/api/v1/periods/{MONTH}/report-jobs", headers=headers)
        r.raise_for_status()
        job_id = r.json()["id"]
        first_part: list[float] = []

        async def finished() -> dict[str, Any] | None:
            status = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=headers)).json()
            if status["done"] and not first_part:
                first_part.append(time.perf_counter() - t0)
            return status if status["status"] in ("done", "failed") else None

        status = await _until(f"report job {job_id}", finished, procs, logs, JOB_TIMEOUT_SECONDS)
        wall_s = time.perf_counter() - t0
        load_end = _load()
        cpu_s = sum(_cpu_seconds(p.pid) for p in procs) - cpu_before
        parts = await _parts_per_worker(job_id)
    finally:
        await asyncio.to_thread(_stop, procs)
    if status["status"] != "done":
        raise RuntimeError(f"report job {job_id} failed: {status['error']}")

    out = Path(tempfile.mkdtemp(prefix="bench-workers-zip-")) / "batch.zip"
    try:
        async with client.stream("GET", status["download"], headers=headers) as download:
            download.raise_for_status()
            with out.open("wb") as f:
                async for chunk in download.aiter_bytes(1 << 20):
                    f.write(chunk)
        check = await asyncio.to_thread(check_zip, out, employees)
        size = out.stat().st_size
    finally:
        out.unlink(missing_ok=True)
        out.parent.rmdir()
    return {
        "workers": n,
        "wall_seconds": round(wall_s, 1),
        "seconds_per_appraisal": round(wall_s / employees, 4),
        "first_part_done_seconds": round(first_part[0], 1) if first_part else None,
        "workers_ready_seconds": round(ready_s, 1),
        "workers_cpu_seconds": round(cpu_s, 1),
        "parts_per_worker": parts,
        "load_average_start": load_start,
        "load_average_end": load_end,
        "zip_mb": round(size / 2**20, 1),
        "zip": check,
    }


async def measure(url: str, reports: Path, logs: Path, employees: int) -> dict[str, Any]:
    from appraisal.config import get_settings
    from appraisal.db import init_db, migrate

    # This process serves HR's requests: the same database and reports directory as
    # the workers (the queue and the download read them from the settings).
    os.environ["DATABASE_URL"] = url
    os.environ["APPRAISAL_REPORTS_DIR"] = str(reports)
    get_settings.cache_clear()
    queue.queue_app.cache_clear()
    env = {**os.environ}
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per poll
    await migrate(url)  # the tables and procrastinate's schema
    await init_db(url, global_fallback=False)
    client = None
    try:
        t0 = time.perf_counter()
        await build_month(MONTH, 8, employees=employees)
        await build_history(employees)
        await connections.get("default").execute_script("ANALYZE")
        build_s = time.perf_counter() - t0
        client, headers = await _hr_client(url)
        t0 = time.perf_counter()
        r = await client.post(f"/api/v1/periods/{MONTH}/close", headers=headers)
        r.raise_for_status()
        close_s = time.perf_counter() - t0
        runs = {}
        for n in COUNTS:
            runs[str(n)] = run = await _one_run(client, headers, n, env, logs, employees)
            print(f"{n} worker(s): {run['wall_seconds']} s, load {run['load_average_start']}"
                  f" → {run['load_average_end']}, ZIP complete: {run['zip']['complete']}",
                  file=sys.stderr)
        one = runs["1"]["wall_seconds"]
        return {
            "employees": employees,
            "part_size": queue.PART_SIZE,
            "parts": -(-employees // queue.PART_SIZE),
            "cores": os.cpu_count(),
            "build_seconds": round(build_s, 1),
            "close_seconds": round(close_s, 1),
            "runs": runs,
            "speedup_vs_one_worker": {k: round(one / v["wall_seconds"], 2) for k, v in runs.items()},
            "all_zips_complete": all(v["zip"]["complete"] for v in runs.values()),
            "load_average_median": round(statistics.median(
                x for v in runs.values() for x in (v["load_average_start"][0],
                                                   v["load_average_end"][0])), 2),
            "note": ("wall time from HR's POST to the job done; workers registered before; "
                     "the machine's cores are shared with other work (see the load averages)"),
        }
    finally:
        if client is not None:
            await client.aclose()
        await Tortoise.close_connections()


async def _admin(pg_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run(pg_url: str) -> dict[str, Any]:
    schema = f"bench_q_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(pg_url, f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}schema={schema}"
    try:
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
            reports, logs = Path(tmp) / "reports", Path(tmp) / "logs"
            reports.mkdir()
            logs.mkdir()
            try:
                result = asyncio.run(measure(url, reports, logs, _employees()))
            except Exception:
                for log in sorted(logs.glob("*.log")):
                    print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}",
                          file=sys.stderr)
                raise
            leftovers = sorted(p.name for p in reports.iterdir())
    finally:
        asyncio.run(_admin(pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return {"benchmark": "report_workers", "backend": "postgres",
            "reports_dir_left": leftovers, **result}
