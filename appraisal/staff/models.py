"""Teams and the employees who are appraised."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Team(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    employees: fields.ReverseRelation[Employee]

    class Meta:
        table = "team"
        ordering = ["name"]


class Employee(Model):
    id = fields.IntField(primary_key=True)
    employee_no = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "appraisal.Team", related_name="employees", on_delete=fields.RESTRICT
    )
    position = fields.CharField(max_length=100, default="")
    hired_on = fields.DateField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    team_id: int

    class Meta:
        table = "employee"
        ordering = ["employee_no"]
        indexes = (("team_id", "active"),)
