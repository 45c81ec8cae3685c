"""Request and response shapes of logins, users and teams."""

from __future__ import annotations

from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class TeamIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    supervisor_ids: list[Id] = []


class TeamPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    supervisor_ids: list[Id] | None = None


class TeamOut(msgspec.Struct):
    id: int
    name: str
    supervisor_ids: list[int]
    employee_count: int
