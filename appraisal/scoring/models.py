"""Immutable score snapshots taken when a period closes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from appraisal.accounts.models import User
from appraisal.periods.models import Period
from appraisal.staff.models import Employee


class ScoreSnapshot(Model):
    """One close of a period. A reopen supersedes it, but it is never deleted."""

    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="snapshots", on_delete=fields.RESTRICT
    )
    sequence = fields.IntField()  # 1 for the first close, 2 after a reopen, …
    rulebook_version = fields.CharField(max_length=32)
    rulebook_hash = fields.CharField(max_length=64)
    # SHA-256 of the canonical JSON of every score row: printed on appraisals.
    content_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="snapshots", null=True, on_delete=fields.SET_NULL
    )
    superseded_at = fields.DatetimeField(null=True)
    superseded_reason = fields.TextField(default="")
    # When HR published it to employees (null: never shown to them). Employees keep
    # every published snapshot as the history of their month.
    published_at = fields.DatetimeField(null=True)

    period_id: int

    class Meta:
        table = "score_snapshot"
        unique_together = (("period", "sequence"),)


class SnapshotScore(Model):
    id = fields.IntField(primary_key=True)
    snapshot: fields.ForeignKeyRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="scores", on_delete=fields.RESTRICT
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="snapshot_scores", on_delete=fields.RESTRICT
    )
    final_score = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    grade = fields.CharField(max_length=24, null=True)
    status = fields.CharField(max_length=24)
    veto = fields.BooleanField(default=False)
    dimensions = fields.JSONField()  # {code: "92.86"}
    breakdown = fields.JSONField()
    # Place in the ranking (1: highest score; ties by employee_no) and team at the close:
    # a page of the ranking is read by index, not by sorting every row's breakdown.
    # Null in snapshots stored before these were kept.
    rank = fields.IntField(null=True)
    team_id = fields.IntField(null=True)

    snapshot_id: int
    employee_id: int

    class Meta:
        table = "snapshot_score"
        unique_together = (("snapshot", "employee"),)
        indexes = (("employee_id",), ("snapshot_id", "rank"))
