"""Append-only record of every write: who, when, what, before and after."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # the relation is named by string; the type is for readers only
    from appraisal.accounts.models import User


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    # Kept as text too, so the trail survives a deleted user.
    actor_username = fields.CharField(max_length=64, default="")
    action = fields.CharField(max_length=32)
    entity = fields.CharField(max_length=32)
    entity_id = fields.CharField(max_length=64)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    reason = fields.TextField(default="")

    actor_id: int | None

    class Meta:
        table = "audit_entry"
        ordering = ["-id"]
        indexes = (("entity", "entity_id"),)
