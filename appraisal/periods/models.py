"""Monthly appraisal periods."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PeriodStatus(StrEnum):
    open = "open"
    closed = "closed"
    published = "published"


class Period(Model):
    id = fields.IntField(primary_key=True)
    month = fields.CharField(max_length=7, unique=True)  # YYYY-MM
    status = fields.CharEnumField(PeriodStatus, max_length=16, default=PeriodStatus.open)
    # Pinned when the period opens: evidence is validated and scored with it.
    rulebook_version = fields.CharField(max_length=32)
    rulebook_hash = fields.CharField(max_length=64)
    opened_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "period"
        ordering = ["-month"]
