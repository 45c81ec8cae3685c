"""The monthly batch on PostgreSQL: a procrastinate job queue shared by workers.

A report job is split into parts of PART_SIZE employees; any number of
`appraisal worker` processes, on any machines that reach the database and
the shared reports directory, take parts and render their PDFs into part
ZIPs. Each part is recorded once (report_part, unique per job and part);
the worker that records the last one queues the assembly of the final ZIP
(summaries and payroll included).

Workers die, too (SIGKILL, out of memory, a machine lost). Every worker sends
a heartbeat; every worker also looks, each heartbeat, for tasks held by a
worker silent for `stalled` seconds and puts them back on the queue for any
worker to take. Rendering a part and assembling the ZIP can therefore run
twice: a part overwrites its own part file and is counted once, the
assembly writes the whole ZIP again. A part (or the assembly) tried `tries`
times, whether it raised or its worker died, fails its report job with the
reason; HR starts the month again with a new job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.job_context import JobContext
from procrastinate.jobs import Job, Status
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from tortoise import connections

from appraisal import clock
from appraisal.config import get_settings, reports_dir
from appraisal.reporting.models import JobStatus, ReportJob, ReportPart

PART_SIZE = 50
QUEUE = "reports"
RENDER, ASSEMBLE = "appraisal.render_part", "appraisal.assemble"
RETRY_WAIT = 5  # seconds before a part that raised is tried again, times its tries so far
log = logging.getLogger("appraisal.queue")


@dataclass(frozen=True, slots=True)
class Timings:
    heartbeat: float  # seconds between a worker's heartbeats (and its look for stalled tasks)
    stalled: float  # a worker silent this long is taken for dead: its task goes back on the queue
    poll: float  # seconds between an idle worker's looks at the queue
    tries: int  # a part or an assembly is tried at most this many times


def timings() -> Timings:
    """From the environment (APPRAISAL_WORKER_HEARTBEAT_SECONDS, _STALLED_SECONDS,
    _POLL_SECONDS, APPRAISAL_REPORT_TRIES); read again each time, so a test can shorten them."""
    env = os.environ
    t = Timings(heartbeat=float(env.get("APPRAISAL_WORKER_HEARTBEAT_SECONDS", "10")),
                stalled=float(env.get("APPRAISAL_WORKER_STALLED_SECONDS", "60")),
                poll=float(env.get("APPRAISAL_WORKER_POLL_SECONDS", "5")),
                tries=int(env.get("APPRAISAL_REPORT_TRIES", "3")))
    if not (0 < t.heartbeat and 2 * t.heartbeat < t.stalled and t.poll > 0 and t.tries >= 1):
        raise ValueError(f"report worker timings make no sense: {t} (a worker is taken "
                         "for dead after more than two heartbeats missed; at least one try)")
    return t


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


class Tries(BaseRetryStrategy):
    """A part or assembly that raised is tried again a little later, `tries` times in
    all; a try whose worker died counts too (see recover_stalled)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts + 1 >= timings().tries:
            return None
        return RetryDecision(retry_at=clock.now() + timedelta(seconds=RETRY_WAIT * (job.attempts + 1)))


@lru_cache(maxsize=4)
def queue_app(database_url: str | None = None) -> procrastinate.App:
    url = database_url or get_settings().database_url
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    app.task(name=RENDER, queue=QUEUE, retry=Tries(), pass_context=True)(render_part)
    app.task(name=ASSEMBLE, queue=QUEUE, retry=Tries(), pass_context=True)(assemble)
    return app


async def ensure_schema(database_url: str) -> None:
    """Create procrastinate's tables once (part of `appraisal migrate` on PostgreSQL)."""
    app = queue_app(database_url)
    async with app.open_async():
        rows = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
        if not rows["present"]:
            await app.schema_manager.apply_schema_async()


def printed_settings() -> dict[str, str]:
    """The settings a batch prints: the organisation's name on every page, its time zone
    in every date and in the ZIP's entry times. A batch carries the server's; a worker
    with others (another machine, another environment) would print them in its share."""
    settings = get_settings()
    return {"APPRAISAL_ORGANISATION": settings.organisation,
            "APPRAISAL_TIMEZONE": settings.timezone.key}


class SettingsDiffer(RuntimeError):
    pass


def check_settings(batch: dict[str, str] | None) -> None:
    """Raise SettingsDiffer, naming each, when this worker's printed settings are not the
    batch's (None: a task queued before batches carried them)."""
    batch = batch or {}
    differ = [f"{name}={value!r} on this worker, {batch[name]!r} where the batch was started"
              for name, value in printed_settings().items() if batch.get(name, value) != value]
    if differ:
        raise SettingsDiffer("a worker's settings differ from the server's: " + "; ".join(differ)
                             + " (give every worker the server's settings)")


def part_dir(job_id: int) -> Path:
    return reports_dir() / f"job{job_id}-parts"


def part_file(job_id: int, part: int) -> Path:
    return part_dir(job_id) / f"part-{part:05d}.zip"


async def enqueue(job: ReportJob, employee_ids: list[int]) -> int:
    # A connection of its own: opening and closing the shared app would close it
    # under a worker or another request that has it open.
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(
        conninfo=conninfo(get_settings().database_url), min_size=1, max_size=1))
    parts = [employee_ids[i:i + PART_SIZE] for i in range(0, len(employee_ids), PART_SIZE)]
    async with app.open_async():
        if not parts:
            await _queue_assembly(app, job.id)
        for n, ids in enumerate(parts):
            await app.configure_task(RENDER, queue=QUEUE).defer_async(
                job_id=job.id, part=n, employee_ids=ids, parts=len(parts),
                settings=printed_settings())
    return len(parts)


async def _queue_assembly(app: procrastinate.App, job_id: int) -> None:
    # One assembly at a time per job (lock), and one waiting at most (queueing lock).
    lock = f"report-job-{job_id}-assembly"
    with contextlib.suppress(queue_errors.AlreadyEnqueued):
        await app.configure_task(ASSEMBLE, queue=QUEUE, lock=lock,
                                 queueing_lock=lock).defer_async(job_id=job_id,
                                                                 settings=printed_settings())


def _last_try(context: JobContext, exc: BaseException) -> bool:
    return context.task.get_retry_exception(exception=exc, job=context.job) is None


async def fail(job_id: int, error: str) -> bool:
    """Fail a queued or running report job with `error`; its part files go."""
    changed = await ReportJob.filter(
        id=job_id, status__in=[JobStatus.queued, JobStatus.running]).update(
        status=JobStatus.failed, error=error[:2000], finished_at=clock.now())
    if changed:
        log.error("report job %s failed: %s", job_id, error)
        await _tidy_up()
    return bool(changed)


async def _tidy_up() -> None:
    from appraisal.reporting.batch import remove_stale_files

    # The part folders and half-written ZIPs of jobs no longer running, this one's
    # included, and what tries before this one left when their workers died.
    await remove_stale_files()


async def _unfinished(job_id: int) -> ReportJob | None:
    """The report job, unless it is gone, done or failed (then its tasks have nothing to do)."""
    job = await ReportJob.filter(id=job_id).first()
    if job is None or job.status in (JobStatus.done, JobStatus.failed):
        return None
    return job


async def render_part(context: JobContext, job_id: int, part: int, employee_ids: list[int],
                      parts: int = 0, settings: dict[str, str] | None = None) -> None:
    job = await _unfinished(job_id)
    if job is None:
        return
    try:
        check_settings(settings)
        await _render_part(context.app, job, part, employee_ids)
    except Exception as exc:
        if _last_try(context, exc):
            of = f" of {parts}" if parts else ""
            await fail(job_id, f"part {part + 1}{of} could not be rendered "
                               f"({context.job.attempts + 1} tries): {exc}")
        raise


def _write_part(path: Path, contexts: list[dict[str, Any]]) -> None:
    """The part's PDFs into its part ZIP: written under a name of its own, then put in
    place whole, so a part rendered twice at once never mixes two files."""
    from appraisal.reporting import batch

    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for start in range(0, len(contexts), batch.GROUP):
                group = contexts[start:start + batch.GROUP]
                for context, pdf in zip(group, batch.render_appraisals(group), strict=True):
                    zf.writestr(f"appraisals/{batch.safe(context['e']['team'])}/"
                                f"{context['file_name']}", pdf)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


RECORD_PART = """
WITH recorded AS (
    INSERT INTO report_part (job_id, part, appraisals) VALUES ($1, $2, $3)
    ON CONFLICT (job_id, part) DO NOTHING
    RETURNING appraisals
)
UPDATE report_job SET done = done + COALESCE((SELECT appraisals FROM recorded), 0)
 WHERE id = $1
RETURNING done, total
"""


async def _render_part(app: procrastinate.App, job: ReportJob, part: int,
                       employee_ids: list[int]) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports

    period = await Period.get(id=job.period_id)
    if job.status == JobStatus.queued:
        await ReportJob.filter(id=job.id, status=JobStatus.queued).update(
            status=JobStatus.running, started_at=clock.now())
    snapshot = await snapshot_for_reports(period)
    path = part_file(job.id, part)
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    # A part file is complete once it has its name: a try after a worker died
    # past that point only records it.
    if not await asyncio.to_thread(path.exists):
        contexts = await appraisal_contexts(period, snapshot, employee_ids)
        # Rendered in a thread: the event loop goes on sending heartbeats.
        await asyncio.to_thread(_write_part, path, contexts)
    # Counted once per part, atomically: the worker whose part completes the job
    # (or a later try of any part) queues the assembly.
    rows = await connections.get("default").execute_query_dict(
        RECORD_PART, [job.id, part, len(employee_ids)])
    if rows and rows[0]["done"] >= rows[0]["total"]:
        await _queue_assembly(app, job.id)


async def assemble(context: JobContext, job_id: int,
                   settings: dict[str, str] | None = None) -> None:
    job = await _unfinished(job_id)
    if job is None:
        return
    try:
        check_settings(settings)
        await _assemble(job)
    except Exception as exc:
        if _last_try(context, exc):
            await fail(job_id, f"the ZIP could not be assembled "
                               f"({context.job.attempts + 1} tries): {exc}")
        raise


def _missing(paths: list[Path]) -> list[str]:
    return [p.name for p in paths if not p.exists()]


async def _assemble(job: ReportJob) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch, stored_name

    period = await Period.get(id=job.period_id)
    recorded = await ReportPart.filter(job_id=job.id).order_by("part").values_list(
        "part", "appraisals")
    if sum(n for _, n in recorded) < job.total:
        raise RuntimeError(f"only {sum(n for _, n in recorded)} of {job.total} appraisals "
                           "were rendered")
    parts = [part_file(job.id, p) for p, _ in recorded]
    if missing := await asyncio.to_thread(_missing, parts):
        # Recorded by a worker, yet not here: that worker wrote into a folder of its own.
        raise RuntimeError(f"part files missing from {part_dir(job.id)}: {', '.join(missing)} "
                           "(is APPRAISAL_REPORTS_DIR the same shared directory on every worker?)")
    # Written whole under a name of its own and then renamed: an assembly tried
    # again after its worker died simply writes the ZIP again.
    out = reports_dir() / f"appraisals-{period.month}-job{job.id}.zip"
    result = await build_batch(period, out, workers=1, prebuilt_parts=parts)
    await ReportJob.filter(id=job.id).update(
        status=JobStatus.done, done=job.total + result.summaries,
        total=job.total + result.summaries, file_path=stored_name(result.path),
        file_size=result.size, finished_at=clock.now())
    await _tidy_up()


def _what(task: Job) -> str:
    kwargs = task.task_kwargs
    if task.task_name == RENDER:
        of = f" of {kwargs['parts']}" if kwargs.get("parts") else ""
        return f"part {int(kwargs.get('part', 0)) + 1}{of}"
    return "the assembly of the ZIP"


async def recover_stalled(app: procrastinate.App) -> int:
    """Tasks held by workers silent for `stalled` seconds go back on the queue, or,
    after `tries` tries, fail their report job; returns how many were handled.

    Every worker looks. Procrastinate moves a task back only while it is `doing`,
    so a second worker looking at the same moment mostly finds it moved already;
    at worst the task runs twice, which parts and assemblies allow.
    """
    t = timings()
    handled = 0
    for task in await app.job_manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=t.stalled):
        tries = task.attempts + 1
        try:
            if tries < t.tries:
                # Due now by the database's clock, which every worker compares with:
                # this machine's may run ahead of it and would hold the part back.
                await app.job_manager.retry_job(task, retry_at=await _database_now())
                log.warning("%s of report job %s: its worker stopped answering; queued again "
                            "(try %s of %s)", _what(task), task.task_kwargs.get("job_id"),
                            tries + 1, t.tries)
            else:
                await app.job_manager.finish_job(task, Status.FAILED, delete_job=False)
                await fail(int(task.task_kwargs["job_id"]),
                           f"{_what(task)} failed after {tries} tries: the worker on the last "
                           "one stopped answering (killed, crashed or out of memory)")
        except queue_errors.ConnectorException:
            continue  # another worker moved it first
        handled += 1
    return handled + await fail_orphans()


async def _database_now() -> datetime:
    rows = await connections.get("default").execute_query_dict("SELECT now() AS now")
    return rows[0]["now"]  # type: ignore[no-any-return]


ORPHANS = """
SELECT r.id FROM report_job r
 WHERE r.status IN ('queued', 'running')
   AND EXISTS (SELECT 1 FROM procrastinate_jobs t
                WHERE t.queue_name = $1 AND t.args->>'job_id' = r.id::text)
   AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs t
                    WHERE t.queue_name = $1 AND t.args->>'job_id' = r.id::text
                      AND t.status IN ('todo', 'doing'))
"""


async def fail_orphans() -> int:
    """Report jobs whose tasks all ended without finishing them (a task that failed for
    good but could not say so on its job): failed, so that they never look busy."""
    rows = await connections.get("default").execute_query_dict(ORPHANS, [QUEUE])
    failed = 0
    for row in rows:
        failed += await fail(row["id"], "its queued tasks ended without finishing it "
                                        "(see the worker logs)")
    return failed


async def _watch_stalled(app: procrastinate.App, every: float) -> None:
    while True:
        try:
            await recover_stalled(app)
        except Exception:  # the database may be away for a moment; look again later
            log.exception("looking for stalled report tasks failed")
        await asyncio.sleep(every)


async def run_worker(app: procrastinate.App, *, once: bool = False,
                     name: str | None = None) -> None:
    """One `appraisal worker`: takes parts and assemblies one at a time, sends a
    heartbeat every `heartbeat` seconds and puts back the tasks of dead workers.
    `once`: stop when nothing is left to take."""
    t = timings()
    await _tidy_up()
    if once:
        await recover_stalled(app)
    watcher = asyncio.create_task(_watch_stalled(app, t.heartbeat), name="stalled-tasks")
    try:
        await app.run_worker_async(
            queues=[QUEUE], concurrency=1, wait=not once, name=name,
            update_heartbeat_interval=t.heartbeat, stalled_worker_timeout=t.stalled,
            fetch_job_polling_interval=t.poll)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
