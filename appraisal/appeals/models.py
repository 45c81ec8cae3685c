"""An employee's answer to a published appraisal: acknowledged, or appealed.

Both belong to one snapshot of the month: when HR reopens and closes the
month again, the new scores are acknowledged or appealed afresh, and what
was said of the old ones stays on record.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from appraisal.accounts.models import User
from appraisal.scoring.models import ScoreSnapshot
from appraisal.staff.models import Employee


class Acknowledgement(Model):
    id = fields.IntField(primary_key=True)
    snapshot: fields.ForeignKeyRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="acknowledgements", on_delete=fields.RESTRICT
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="acknowledgements", on_delete=fields.RESTRICT
    )
    comment = fields.TextField(default="")
    acknowledged_at = fields.DatetimeField(auto_now_add=True)

    snapshot_id: int
    employee_id: int

    class Meta:
        table = "acknowledgement"
        unique_together = (("snapshot", "employee"),)


class AppealStatus(StrEnum):
    open = "open"
    upheld = "upheld"  # HR agrees: the month is reopened and corrected
    rejected = "rejected"


class Appeal(Model):
    id = fields.IntField(primary_key=True)
    snapshot: fields.ForeignKeyRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="appeals", on_delete=fields.RESTRICT
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="appeals", on_delete=fields.RESTRICT
    )
    reason = fields.TextField()
    status = fields.CharEnumField(AppealStatus, max_length=16, default=AppealStatus.open)
    filed_at = fields.DatetimeField(auto_now_add=True)
    answer = fields.TextField(default="")
    answered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="answered_appeals", null=True, on_delete=fields.SET_NULL
    )
    answered_at = fields.DatetimeField(null=True)
    # Upholding it reopened the month: the snapshot that reopen superseded (null when
    # the month was open already, or the appeal was not upheld).
    superseded_snapshot: fields.ForeignKeyNullableRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="superseded_by_appeals", null=True,
        on_delete=fields.RESTRICT
    )

    snapshot_id: int
    employee_id: int
    answered_by_id: int | None
    superseded_snapshot_id: int | None

    class Meta:
        table = "appeal"
        unique_together = (("snapshot", "employee"),)  # one appeal per appraisal
        indexes = (("status",),)
