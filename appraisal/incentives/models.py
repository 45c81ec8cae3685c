"""Stored incentive allocations (one per period and scope; a new one replaces it)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from appraisal.accounts.models import User
from appraisal.periods.models import Period
from appraisal.scoring.models import ScoreSnapshot
from appraisal.staff.models import Employee, Team


class IncentiveAllocation(Model):
    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "appraisal.Period", related_name="allocations", on_delete=fields.RESTRICT
    )
    # The scores it was computed from: allocations stay tied to their snapshot.
    snapshot: fields.ForeignKeyRelation[ScoreSnapshot] = fields.ForeignKeyField(
        "appraisal.ScoreSnapshot", related_name="allocations", on_delete=fields.RESTRICT
    )
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "appraisal.Team", related_name="allocations", null=True, on_delete=fields.RESTRICT
    )
    currency = fields.CharField(max_length=3, default="CNY")
    pool = fields.DecimalField(max_digits=14, decimal_places=2)
    cap = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    allocated = fields.DecimalField(max_digits=14, decimal_places=2)
    unallocated = fields.DecimalField(max_digits=14, decimal_places=2)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="allocations", null=True, on_delete=fields.SET_NULL
    )

    shares: fields.ReverseRelation[IncentiveShare]
    period_id: int
    snapshot_id: int
    team_id: int | None

    class Meta:
        table = "incentive_allocation"
        indexes = (("period_id", "team_id"),)


class IncentiveShare(Model):
    id = fields.IntField(primary_key=True)
    allocation: fields.ForeignKeyRelation[IncentiveAllocation] = fields.ForeignKeyField(
        "appraisal.IncentiveAllocation", related_name="shares", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="incentive_shares", on_delete=fields.RESTRICT
    )
    grade = fields.CharField(max_length=24, null=True)
    final_score = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    coefficient = fields.DecimalField(max_digits=8, decimal_places=4)
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    service_star = fields.BooleanField(default=False)

    allocation_id: int
    employee_id: int

    class Meta:
        table = "incentive_share"
        unique_together = (("allocation", "employee"),)
        indexes = (("employee_id",),)
