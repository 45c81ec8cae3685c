"""Reading thousands of employees at once: one scan, the others left out, same answer."""

from __future__ import annotations

import pytest

from appraisal.scoring.service import employee_directory
from appraisal.staff import service as staff_service
from appraisal.staff.models import Employee, Team, TeamMembership
from tests.factories import Org


@pytest.mark.parametrize("many", [1, 10_000])
async def test_directory_of_many_ids_reads_the_same(org: Org, many: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import appraisal.scoring.service as scoring

    # Above the threshold (1): one scan; below (10,000): lookups (the threshold moved
    # instead of writing thousands of rows).
    monkeypatch.setattr(staff_service, "MANY_IDS", many)
    monkeypatch.setattr(scoring, "MANY_IDS", many)
    other = await Team.create(name="别组")
    moved = await Employee.get(id=org.emp_a2)
    await TeamMembership.create(employee_id=moved.id, team_id=other.id, since="2026-12")
    await TeamMembership.create(employee_id=moved.id, team_id=moved.team_id, since="2026-01")
    ids = [org.emp_a1, org.emp_a2]
    november = await employee_directory(ids, "2026-11")
    december = await employee_directory(ids, "2026-12")
    assert set(november) == set(december) == set(ids)
    assert november[org.emp_a2]["team_id"] == moved.team_id
    assert december[org.emp_a2]["team_id"] == other.id and december[org.emp_a2]["team"] == "别组"
