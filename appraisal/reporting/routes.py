"""PDF appraisals, summaries and the monthly batch job."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
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
from appraisal.periods.service import require_period
from appraisal.reporting import jobs
from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports, summary_context
from appraisal.reporting.models import JobStatus, ReportJob
from appraisal.reporting.pdf import appraisal_pdf, summary_pdf
from appraisal.reporting.schemas import ReportJobOut
from appraisal.scoring.access import require_appraisal_access
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


def job_out(job: ReportJob, month: str) -> ReportJobOut:
    return ReportJobOut(
        id=job.id, period=month, status=job.status.value, total=job.total, done=job.done,
        progress=f"{(job.done / job.total if job.total else 0):.3f}",
        error=job.error or None, snapshot_hash=job.snapshot_hash,
        size=job.file_size or None,
        download=f"/api/v1/report-jobs/{job.id}/download"
        if job.status == JobStatus.done else None,
        created_at=local(job.created_at).isoformat(),
        finished_at=local(job.finished_at).isoformat() if job.finished_at else None,
    )


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
            raise NotFound("appraisals are addressed as {employee_id}.pdf")
        employee_id = int(m.group(1))
        actor = request.user
        period = await require_period(month)
        await require_appraisal_access(actor, period, employee_id)
        snapshot = await snapshot_for_reports(period)
        contexts = await appraisal_contexts(period, snapshot, [employee_id])
        if not contexts:
            raise NotFound(f"employee {employee_id} has no score in {month}")
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
                raise NotFound(f"team {team_id} not found")
        elif not actor.is_hr:
            raise NotFound("supervisors can print the summary of their own team (team_id)")
        period = await require_period(month)
        snapshot = await snapshot_for_reports(period)
        context = await summary_context(period, snapshot, team_id, team.name if team else None)
        return _pdf(await _render(summary_pdf, context), f"summary-{month}.pdf")

    @post("/report-jobs", guards=[HR], status_code=202)
    async def submit(self, request: Request[Actor, str, object], month: str) -> ReportJobOut:
        """Start the monthly batch (every appraisal + summaries + payroll) as a background job."""
        job = await jobs.submit(request.user, month)
        return job_out(job, month)


class ReportJobController(Controller):
    path = "/api/v1/report-jobs"
    tags = ["reports"]
    guards = [HR]

    @get("/{job_id:int}")
    async def status(self, job_id: PathId) -> ReportJobOut:
        job = await ReportJob.filter(id=job_id).select_related("period").first()
        if job is None:
            raise NotFound(f"report job {job_id} not found")
        return job_out(job, job.period.month)

    @get("/{job_id:int}/download", media_type="application/zip")
    async def download(self, job_id: PathId) -> File:
        job = await ReportJob.filter(id=job_id).select_related("period").first()
        if job is None:
            raise NotFound(f"report job {job_id} not found")
        if job.status != JobStatus.done:
            raise Conflict(f"report job {job_id} is {job.status.value}; download it when done")
        path = Path(job.file_path)
        if not await anyio.Path(path).exists():
            raise NotFound(f"the file of report job {job_id} is no longer on the server")
        return File(path=path, filename=path.name, media_type="application/zip")
