"""The per-employee tallies a close reads follow every write of the evidence they sum."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from appraisal.evidence import tallies
from appraisal.evidence.models import EvidenceTally, Inspection, InspectionItem, ItemResult
from appraisal.evidence.models import ItemTally as ItemRow
from tests.factories import Org, mixed_inspection


async def _items(employee_id: int) -> dict[str, tuple[int, int]]:
    return {r.code: (r.earned_cents, r.applicable)
            for r in await ItemRow.filter(employee_id=employee_id) if r.applicable}


async def _counts(employee_id: int) -> dict[str, int]:
    row = await EvidenceTally.filter(employee_id=employee_id).first()
    return {} if row is None else {k: getattr(row, k) for k in tallies.EVIDENCE_COLUMNS
                                   if getattr(row, k)}


async def test_an_inspection_adds_moves_and_leaves_the_tallies(
        client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    r = await client.post("/api/v1/inspections", headers=h, json=mixed_inspection(org.emp_a1))
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    # V1 failed (0 of 10), H1 8 points, S1 passed; N2 n.a. counts nowhere.
    assert (await _items(org.emp_a1)).keys() == {"V1", "H1", "S1"}
    assert (await _items(org.emp_a1))["H1"] == (800, 1)
    assert await _counts(org.emp_a1) == {"inspections": 1}

    r = await client.patch(f"/api/v1/inspections/{iid}", headers=h,
                           json={"employee_id": org.emp_a2, "items": [{"code": "H1",
                                                                       "points": "5"}]})
    assert r.status_code == 200, r.text
    assert await _items(org.emp_a1) == {} and await _counts(org.emp_a1) == {}
    assert (await _items(org.emp_a2))["H1"] == (500, 1)
    assert await _counts(org.emp_a2) == {"inspections": 1}

    r = await client.request("DELETE", f"/api/v1/inspections/{iid}", headers=h,
                             params={"reason": "wrong person"})
    assert r.status_code in (200, 204), r.text
    assert await _items(org.emp_a2) == {} and await _counts(org.emp_a2) == {}
    assert await tallies.drift() == []


async def test_surveys_add_their_answers_and_a_correction_replaces_them(
        client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    body: dict[str, Any] = {"employee_id": org.emp_a1, "received_at": "2026-11-05T10:00:00+08:00",
                            "attitude": 5, "quality": 3}
    sid = (await client.post("/api/v1/surveys", headers=h, json=body)).json()["id"]
    assert await _counts(org.emp_a1) == {"n_attitude": 1, "s_attitude": 5, "n_quality": 1,
                                         "s_quality": 3}
    r = await client.patch(f"/api/v1/surveys/{sid}", headers=h,
                           json={"quality": None, "overall": 4})
    assert r.status_code == 200, r.text
    assert await _counts(org.emp_a1) == {"n_attitude": 1, "s_attitude": 5, "n_overall": 1,
                                         "s_overall": 4}
    r = await client.request("DELETE", f"/api/v1/surveys/{sid}", headers=h,
                             params={"reason": "duplicate"})
    assert r.status_code in (200, 204), r.text
    assert await _counts(org.emp_a1) == {}


async def test_evidence_loaded_around_the_writes_is_found_and_rebuilt(
        client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=mixed_inspection(org.emp_a1))
    period_id = (await Inspection.get(id=r.json()["id"])).period_id
    kept, _ = (await _items(org.emp_a1))["S1"]
    raw = await Inspection.create(employee_id=org.emp_a1, period_id=period_id,
                                  occurred_at=r.json()["occurred_at"], touchpoint="前台",
                                  method="onsite")
    await InspectionItem.create(inspection_id=raw.id, code="S1", result=ItemResult.passed,
                                points=10)
    found = await tallies.drift()
    assert any("'S1'" in d for d in found) and any("evidence" in d for d in found), found
    await tallies.rebuild([period_id])
    assert await tallies.drift() == []
    assert (await _items(org.emp_a1))["S1"] == (kept + 1000, 2)
