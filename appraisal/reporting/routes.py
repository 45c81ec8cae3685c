"""PDF appraisals, summaries and the monthly batch job."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import File

from appraisal.actor import Actor
from appraisal.clock import local
from appraisal.downloads import content_disposition
from appraisal.errors import Conflict, NotFound
from appraisal.guards import ANY_USER, HR, STAFF
from appraisal.params import PathId
from appraisal.periods.models import Period
from appraisal.periods.service import require_period
from appraisal.reporting import jobs
from appraisal.reporting.batch import stored_file
from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports, summary_context
from appraisal.reporting.models import JobStatus, ReportJob
from appraisal.reporting.pdf import appraisal_pdf, summary_pdf
from appraisal.reporting.schemas import ReportJobOut, SupersedingSnapshotOut
from appraisal.scoring.access import require_appraisal_access
from appraisal.scoring.models import ScoreSnapshot
from appraisal.scoring.service import current_snapshot
from appraisal.staff.models import Team

PDF_NAME = re.compile(r"^(\d{1,10})\.pdf$")
# One render at a time per process: WeasyPrint shares its font configuration.
_render_lock = asyncio.Lock()


async def _render(fn: Any, context: dict[str, Any]) -> bytes:
    async with _render_lock:
        return await anyio.to_thread.run_sync(fn, context)


def _pdf(data: bytes, name: str) -> Response[bytes]:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(name, inline=True)})


def job_out(job: ReportJob, month: str, current: ScoreSnapshot | None) -> ReportJobOut:
    """A batch as HR reads it; `current` is its month's current snapshot (None while
    open). A batch is superseded once the snapshot it prints is (a reopen), as the
    month's incentive allocations are."""
    superseded = current is None or (
        current.id != job.snapshot_id if job.snapshot_id is not None
        else current.content_hash != job.snapshot_hash)
    return ReportJobOut(
        id=job.id, period=month, status=job.status.value, total=job.total, done=job.done,
        progress=f"{(job.done / job.total if job.total else 0):.3f}",
        error=job.error or None, snapshot_hash=job.snapshot_hash,
        size=job.file_size or None,
        download=f"/api/v1/report-jobs/{job.id}/download"
        if job.status == JobStatus.done else None,
        created_at=local(job.created_at).isoformat(),
        finished_at=local(job.finished_at).isoformat() if job.finished_at else None,
        superseded=superseded,
        superseded_by=SupersedingSnapshotOut(
            sequence=current.sequence, content_hash=current.content_hash,
            created_at=local(current.created_at).isoformat())
        if superseded and current is not None else None,
    )


async def job_answer(job: ReportJob, period: Period) -> ReportJobOut:
    return job_out(job, period.month, await current_snapshot(period))


class ReportController(Controller):
    path = "/api/v1/periods/{month:str}"
    tags = ["reports"]

    @get("/appraisals/{file:str}", guards=[ANY_USER], media_type="application/pdf")
    async def appraisal(
        self, request: Request[Actor, str, object], month: str, file: str
    ) -> Response[bytes]:
        """One employee's appraisal PDF (`{employee_id}.pdf`)."""
        m = PDF_NAME.match(file)
        if m is None:
            raise NotFound("appraisals are addressed as {employee_id}.pdf", code="not_found")
        employee_id = int(m.group(1))
        actor = request.user
        period = await require_period(month)
        await require_appraisal_access(actor, period, employee_id)
        snapshot = await snapshot_for_reports(period)
        contexts = await appraisal_contexts(period, snapshot, [employee_id])
        if not contexts:
            raise NotFound("employee %(employee_id)s has no score in %(month)s", code="no_score",
                           employee_id=employee_id, month=month)
        return _pdf(await _render(appraisal_pdf, contexts[0]), contexts[0]["file_name"])

    @get("/summary.pdf", guards=[STAFF], media_type="application/pdf")
    async def summary(
        self, request: Request[Actor, str, object], month: str,
        team_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
    ) -> Response[bytes]:
        """The organisation's (HR) or a team's summary PDF."""
        actor = request.user
        team = None
        if team_id is not None:
            team = await Team.filter(id=team_id).first()
            if team is None or (not actor.is_hr and team_id not in actor.team_ids):
                raise NotFound("team %(team_id)s not found", code="team_not_found",
                               team_id=team_id)
        elif not actor.is_hr:
            raise NotFound("supervisors can print the summary of their own team (team_id)",
                           code="own_team_only")
        period = await require_period(month)
        snapshot = await snapshot_for_reports(period)
        context = await summary_context(period, snapshot, team_id, team.name if team else None)
        return _pdf(await _render(summary_pdf, context), f"summary-{month}.pdf")

    @post("/report-jobs", guards=[HR], status_code=202)
    async def submit(self, request: Request[Actor, str, object], month: str) -> ReportJobOut:
        """Start the monthly batch (every appraisal + summaries + payroll) as a background job."""
        job = await jobs.submit(request.user, month)
        return await job_answer(job, await require_period(month))


class ReportJobController(Controller):
    path = "/api/v1/report-jobs"
    tags = ["reports"]
    guards = [HR]

    @get("/{job_id:int}")
    async def status(self, job_id: PathId) -> ReportJobOut:
        job = await ReportJob.filter(id=job_id).select_related("period").first()
        if job is None:
            raise NotFound("report job %(job_id)s not found", code="report_job_not_found",
                           job_id=job_id)
        return await job_answer(job, job.period)

    @get("/{job_id:int}/download", media_type="application/zip")
    async def download(self, job_id: PathId) -> File:
        job = await ReportJob.filter(id=job_id).select_related("period").first()
        if job is None:
            raise NotFound("report job %(job_id)s not found", code="report_job_not_found",
                           job_id=job_id)
        if job.status != JobStatus.done:
            raise Conflict("report job %(job_id)s is %(job_status)s; download it when done",
                           code="report_job_not_done", job_id=job_id,
                           job_status=job.status.value)
        # Where this server mounts the reports directory (a worker elsewhere wrote it).
        path = await anyio.to_thread.run_sync(stored_file, job.file_path)
        if not await anyio.Path(path).exists():
            raise NotFound("the file of report job %(job_id)s is no longer on the server",
                           code="report_file_gone", job_id=job_id)
        return File(path=path, filename=path.name, media_type="application/zip")
