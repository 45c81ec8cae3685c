"""Who is acting: the roles and the authenticated caller every layer may know.

Neutral ground at the bottom of the package graph, so that services of any
domain can take an `Actor` without depending on how a login works.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    hr = "hr"
    supervisor = "supervisor"
    employee = "employee"


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user, with what scoping needs already loaded."""

    id: int
    username: str
    role: Role
    employee_id: int | None
    team_ids: frozenset[int]
    # A login HR made or reset: nothing but changing the password until it is changed.
    must_change_password: bool = False

    @property
    def is_hr(self) -> bool:
        return self.role in (Role.hr, Role.admin)
