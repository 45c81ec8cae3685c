"""Teams and the employees who are appraised."""

from __future__ import annotations

from datetime import date

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
    # The last working day: no evidence after it, no login after it; the months up to it
    # keep their appraisals.
    left_on = fields.DateField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    team_id: int

    def has_left(self, on: date) -> bool:
        """After the leaving date: no evidence, and the login stops (SPEC §3.7)."""
        return self.left_on is not None and on > self.left_on

    class Meta:
        table = "employee"
        ordering = ["employee_no"]
        indexes = (("team_id", "active"),)


class TeamMembership(Model):
    """The team an employee belongs to from a month on (`since`, YYYY-MM) until the month
    of their next row: the team a month's appraisal, summaries and pools count them in is
    the one of that month. An employee without rows has always been in `Employee.team`."""

    id = fields.IntField(primary_key=True)
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "appraisal.Employee", related_name="memberships", on_delete=fields.CASCADE
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "appraisal.Team", related_name="memberships", on_delete=fields.CASCADE
    )
    since = fields.CharField(max_length=7)
    created_at = fields.DatetimeField(auto_now_add=True)

    employee_id: int
    team_id: int

    class Meta:
        table = "team_membership"
        unique_together = (("employee", "since"),)
