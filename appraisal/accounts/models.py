"""Users who log in, their roles, supervised teams and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from appraisal.actor import Role

if TYPE_CHECKING:  # relations are named by string; the types are for readers only
    from appraisal.staff.models import Employee, Team


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16)
    employee: fields.ForeignKeyNullableRelation[Employee] = fields.OneToOneField(
        "appraisal.Employee", related_name="user", null=True, on_delete=fields.SET_NULL
    )
    supervised_teams: fields.ManyToManyRelation[Team] = fields.ManyToManyField(
        "appraisal.Team", related_name="supervisors", through="team_supervisor"
    )
    active = fields.BooleanField(default=True)
    # Set for a login HR made or reset: its password is one HR knows, so nothing but
    # changing it is allowed until it is changed.
    must_change_password = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    employee_id: int | None

    class Meta:
        table = "app_user"
        ordering = ["username"]


class ApiToken(Model):
    """A login session. Only the SHA-256 of the token is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="tokens", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    user_id: int

    class Meta:
        table = "api_token"


class LoginThrottle(Model):
    """Failed logins counted per key ("user:<name>" or "ip:<address>"), in the database
    so that every worker and every restart sees the same count."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    failures = fields.IntField(default=0)
    last_failure_at = fields.DatetimeField(null=True)
    # No login for this key before this moment (exponential back-off).
    blocked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "login_throttle"


class IdempotentRequest(Model):
    """The first answer to a write sent with an Idempotency-Key, replayed when a phone
    that lost its signal sends the same write again (kept at least 24 hours, per user)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "appraisal.User", related_name="idempotent_requests", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=200)
    method = fields.CharField(max_length=8)
    path = fields.CharField(max_length=300)
    body_hash = fields.CharField(max_length=64)  # SHA-256 of the request body
    status_code = fields.IntField()
    headers = fields.JSONField(default=dict)  # e.g. Location of a page's redirect
    body = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    user_id: int

    class Meta:
        table = "idempotent_request"
        unique_together = (("user", "key"),)
