"""Running batch report jobs.

With SQLite the batch runs in the server process (PDFs rendered by a
process pool); with PostgreSQL it goes on the procrastinate queue
(reporting.queue) for `appraisal worker` processes. Progress is stored on
the ReportJob row so any request can read it.
"""

from __future__ import annotations

import asyncio
import logging

from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.actor import Actor
from appraisal.audit.service import record
from appraisal.config import reports_dir
from appraisal.periods.models import Period
from appraisal.periods.service import require_period
from appraisal.reporting.batch import build_batch, remove_stale_files, stored_name
from appraisal.reporting.documents import snapshot_for_reports
from appraisal.reporting.models import JobStatus, ReportJob
from appraisal.scoring.models import SnapshotScore

log = logging.getLogger("appraisal.jobs")
_running: set[asyncio.Task[None]] = set()


async def submit(actor: Actor, month: str) -> ReportJob:
    period = await require_period(month)
    snapshot = await snapshot_for_reports(period)  # 409 while open
    async with in_transaction():
        job = await ReportJob.create(period_id=period.id, created_by_id=actor.id,
                                     snapshot_id=snapshot.id,
                                     snapshot_hash=snapshot.content_hash)
        await record(actor, "create", "report_job", job.id, after={"period": month})
    from appraisal.reporting import queue

    if queue.uses_queue():
        # PostgreSQL: parts go on the queue; `appraisal worker` processes share them.
        ids = await SnapshotScore.filter(snapshot_id=snapshot.id).order_by(
            "employee__employee_no").values_list("employee_id", flat=True)
        await ReportJob.filter(id=job.id).update(total=len(ids))
        await queue.enqueue(job, list(ids))
        await job.refresh_from_db()
        return job
    task = asyncio.create_task(run(job.id))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return job


async def run(job_id: int, workers: int | None = None) -> None:
    job = await ReportJob.get(id=job_id)
    period = await Period.get(id=job.period_id)
    job.status, job.started_at = JobStatus.running, clock.now()
    await job.save()
    out = reports_dir() / f"appraisals-{period.month}-job{job.id}.zip"
    last_saved = 0

    async def progress(done: int, total: int) -> None:
        nonlocal last_saved
        # A write every few PDFs keeps the progress fresh without slowing the batch.
        if done - last_saved >= 10 or done == total:
            last_saved = done
            await ReportJob.filter(id=job_id).update(done=done, total=total)

    try:
        result = await build_batch(period, out, progress=progress, workers=workers)
    except Exception as exc:  # reported on the job; the server keeps running
        log.exception("report job %s failed", job_id)
        await ReportJob.filter(id=job_id).update(
            status=JobStatus.failed, error=str(exc)[:2000], finished_at=clock.now())
        return
    await ReportJob.filter(id=job_id).update(
        status=JobStatus.done, file_path=stored_name(result.path), file_size=result.size,
        finished_at=clock.now())


async def fail_interrupted() -> int:
    """At start-up. SQLite: in-process jobs of a previous server run cannot resume, so
    they fail. Either way the half-written files and part folders of jobs no longer
    running go (a server killed mid-batch left its `.part` ZIP behind)."""
    from appraisal.reporting.queue import uses_queue

    failed = 0
    if not uses_queue():  # queue jobs live on in the queue and its workers
        failed = await ReportJob.filter(
            status__in=[JobStatus.queued, JobStatus.running]).update(
            status=JobStatus.failed,
            error="the server restarted while this job ran; start it again",
            finished_at=clock.now())
    for path in await remove_stale_files():
        log.info("removed %s, left by a report job no longer running", path)
    return failed


async def wait_all() -> None:
    """Tests and shutdown: wait for in-process jobs to finish."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
