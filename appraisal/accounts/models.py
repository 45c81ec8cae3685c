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
