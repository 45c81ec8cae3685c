"""Monthly batch report jobs (ZIP of every appraisal, the summaries and payroll)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from appraisal.accounts.models import User
from appraisal.periods.models import Period
from appraisal.scoring.models import ScoreSnapshot


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ReportJob(Model):
    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="report_jobs", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(JobStatus, max_length=10, default=JobStatus.queued)
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    file_path = fields.CharField(max_length=500, default="")
    file_size = fields.BigIntField(default=0)
    error = fields.TextField(default="")
    snapshot_hash = fields.CharField(max_length=64, default="")
    # The close it prints: once a reopen supersedes it, so is the batch (null: a job
    # from before this was recorded; its hash then tells).
    snapshot: fields.ForeignKeyNullableRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="report_jobs", null=True,
        on_delete=fields.RESTRICT
    )
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="report_jobs", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    period_id: int
    snapshot_id: int | None

    class Meta:
        table = "report_job"
        ordering = ["-id"]


class ReportPart(Model):
    """A part of a queued batch whose PDFs are in its part ZIP, recorded once.

    Workers may render a part twice (a part whose worker stopped answering is
    retried by another); the unique (job, part) pair counts it once.
    """

    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[ReportJob] = fields.ForeignKeyField(
        "appraisal.ReportJob", related_name="parts", on_delete=fields.CASCADE
    )
    part = fields.IntField()
    appraisals = fields.IntField()

    job_id: int

    class Meta:
        table = "report_part"
        unique_together = (("job", "part"),)
