"""The monthly batch on PostgreSQL: a procrastinate job queue shared by workers.

A report job is split into parts of PART_SIZE employees; any number of
`appraisal worker` processes, on any machines that reach the database and
the shared reports directory, take parts, render their PDFs into part
ZIPs and count them on the ReportJob row. The worker that finishes the last
part queues the assembly of the final ZIP (summaries and payroll included).
"""

from __future__ import annotations

import logging
import zipfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import procrastinate
from tortoise import connections

from appraisal import clock
from appraisal.config import get_settings, reports_dir
from appraisal.reporting.models import JobStatus, ReportJob
from appraisal.scoring.models import SnapshotScore

PART_SIZE = 50
QUEUE = "reports"
log = logging.getLogger("appraisal.queue")


def uses_queue(database_url: str | None = None) -> bool:
    url = database_url or get_settings().database_url
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def conninfo(database_url: str) -> str:
    """psycopg conninfo from a Tortoise URL (its ?schema= becomes the search_path)."""
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    options = ""
    if "schema" in query:
        options = "options=" + quote(f"-csearch_path={query['schema'][0]}")
    return urlunsplit(("postgresql", parts.netloc, parts.path, options, ""))


@lru_cache(maxsize=4)
def queue_app(database_url: str | None = None) -> procrastinate.App:
    url = database_url or get_settings().database_url
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    app.task(name="appraisal.render_part", queue=QUEUE, retry=2)(render_part)
    app.task(name="appraisal.assemble", queue=QUEUE, retry=2)(assemble)
    return app


async def ensure_schema(database_url: str) -> None:
    """Create procrastinate's tables once (part of `appraisal migrate` on PostgreSQL)."""
    app = queue_app(database_url)
    async with app.open_async():
        rows = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
        if not rows["present"]:
            await app.schema_manager.apply_schema_async()


def part_dir(job_id: int) -> Path:
    return reports_dir() / f"job{job_id}-parts"


async def enqueue(job: ReportJob, employee_ids: list[int]) -> int:
    app = queue_app()
    parts = [employee_ids[i:i + PART_SIZE] for i in range(0, len(employee_ids), PART_SIZE)]
    async with app.open_async():
        if not parts:
            await app.tasks["appraisal.assemble"].defer_async(job_id=job.id)
        for n, ids in enumerate(parts):
            await app.tasks["appraisal.render_part"].defer_async(
                job_id=job.id, part=n, employee_ids=ids)
    return len(parts)


async def render_part(job_id: int, part: int, employee_ids: list[int]) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import GROUP, render_appraisals, safe
    from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports

    job = await ReportJob.get(id=job_id)
    period = await Period.get(id=job.period_id)
    if job.status == JobStatus.queued:
        await ReportJob.filter(id=job_id, status=JobStatus.queued).update(
            status=JobStatus.running, started_at=clock.now())
    snapshot = await snapshot_for_reports(period)
    folder = part_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"part-{part:05d}.zip.part"
    contexts = await appraisal_contexts(period, snapshot, employee_ids)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for start in range(0, len(contexts), GROUP):
            group = contexts[start:start + GROUP]
            for context, pdf in zip(group, render_appraisals(group), strict=True):
                zf.writestr(f"appraisals/{safe(context['e']['team'])}/{context['file_name']}",
                            pdf)
    tmp.replace(folder / f"part-{part:05d}.zip")
    # Count atomically: the worker that completes the last part assembles.
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "UPDATE report_job SET done = done + $1 WHERE id = $2 RETURNING done, total",
        [len(employee_ids), job_id])
    appraisals = await SnapshotScore.filter(snapshot_id=snapshot.id).count()
    if rows[0]["done"] >= appraisals:
        await queue_app().tasks["appraisal.assemble"].defer_async(job_id=job_id)


async def assemble(job_id: int) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch

    # Claim the assembly: two workers finishing the last parts together assemble once.
    if not await ReportJob.filter(id=job_id, file_path="").update(file_path="(assembling)"):
        return
    job = await ReportJob.get(id=job_id)
    period = await Period.get(id=job.period_id)
    out = part_dir(job_id).parent / f"appraisals-{period.month}-job{job_id}.zip"
    parts = sorted(part_dir(job_id).glob("part-*.zip"))
    try:
        result = await build_batch(period, out, workers=1, prebuilt_parts=parts)
    except Exception as exc:
        log.exception("assembling report job %s failed", job_id)
        await ReportJob.filter(id=job_id).update(
            status=JobStatus.failed, error=str(exc)[:2000], file_path="",
            finished_at=clock.now())
        raise
    for p in parts:
        p.unlink(missing_ok=True)
    if part_dir(job_id).exists():
        part_dir(job_id).rmdir()
    await ReportJob.filter(id=job_id).update(
        status=JobStatus.done, done=job.total + result.summaries,
        total=job.total + result.summaries, file_path=str(result.path),
        file_size=result.size, finished_at=clock.now())
