"""A second rulebook version: new months pin it, closed months never pick it up."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appraisal.actor import Actor, Role
from appraisal.evidence.schemas import InspectionIn, ItemIn
from appraisal.evidence.service import create_inspection
from appraisal.periods.models import Period
from appraisal.rulebook import CRITERIA_DIR
from appraisal.scoring import lifecycle
from appraisal.scoring.service import employee_score
from tests.factories import Org


def hr(org: Org) -> Actor:
    return Actor(id=org.users["hr"], username="hr", role=Role.hr, employee_id=None,
                 team_ids=frozenset())


@pytest.fixture
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    src = CRITERIA_DIR / "service_standards.toml"
    shutil.copy(src, tmp_path / "service_standards.toml")
    text = src.read_text("utf-8")
    # 2026.2 from December: attitude weighs more, efficiency less.
    text = text.replace('version = "2026.1"', 'version = "2026.2"')
    text = text.replace('effective_from = "2026-01"', 'effective_from = "2026-12"')
    text = text.replace('code = "attitude"\nname_zh = "服务态度"\nname_en = "Service attitude"\n'
                        'weight = 25', 'code = "attitude"\nname_zh = "服务态度"\n'
                        'name_en = "Service attitude"\nweight = 35')
    text = text.replace('code = "efficiency"\nname_zh = "工作效率"\nname_en = "Work efficiency"\n'
                        'weight = 20', 'code = "efficiency"\nname_zh = "工作效率"\n'
                        'name_en = "Work efficiency"\nweight = 10')
    assert "weight = 35" in text and "weight = 10" in text
    (tmp_path / "service_standards_2026_2.toml").write_text(text, "utf-8")
    monkeypatch.setenv("APPRAISAL_CRITERIA_DIR", str(tmp_path))
    return tmp_path


async def _two_inspections(org: Org, employee_id: int, month: str) -> None:
    items = [ItemIn(code="V1", result="fail"), ItemIn(code="E1", result="pass")]
    for day in (3, 4):
        await create_inspection(hr(org), InspectionIn(
            employee_id=employee_id, occurred_at=datetime.fromisoformat(f"{month}-{day:02d}T10:00"),
            touchpoint="前台", method="onsite", items=items))


async def test_new_months_pin_the_new_version_old_ones_keep_theirs(
    org: Org, two_versions: Path, clock: time_machine.TimeMachineFixture
) -> None:
    # December: its evidence has happened, and November is last month.
    clock.move_to(datetime(2026, 12, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await _two_inspections(org, org.emp_a1, "2026-11")
    await _two_inspections(org, org.emp_a1, "2026-12")
    nov = await Period.get(month="2026-11")
    dec = await Period.get(month="2026-12")
    assert (nov.rulebook_version, dec.rulebook_version) == ("2026.1", "2026.2")

    # attitude 0/5 = 0, efficiency 10/10 = 100
    # 2026.1: (25·0 + 20·100) / 45 = 44.44;  2026.2: (35·0 + 10·100) / 45 = 22.22
    await lifecycle.close_period(None, "2026-11")
    # December closes once it is over.
    clock.move_to(datetime(2027, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await lifecycle.close_period(None, "2026-12")
    nov_score = await employee_score(await Period.get(month="2026-11"), hr(org), org.emp_a1)
    dec_score = await employee_score(await Period.get(month="2026-12"), hr(org), org.emp_a1)
    assert (nov_score["final_score"], nov_score["rulebook_version"]) == ("44.44", "2026.1")
    assert (dec_score["final_score"], dec_score["rulebook_version"]) == ("22.22", "2026.2")

    # Reopening and re-closing November still scores it with 2026.1.
    await lifecycle.reopen_period(None, "2026-11", "correction")
    result = await lifecycle.close_period(None, "2026-11")
    assert result.snapshot.rulebook_version == "2026.1"
    again = await employee_score(await Period.get(month="2026-11"), hr(org), org.emp_a1)
    assert again["final_score"] == "44.44"
