"""Scores of months pinned to 2026.1 and 2026.2, side by side, through the API
(hand-computed as in tests/unit/test_scoring_2026_2.py)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import ALL_ITEMS, Org


def at(month: str, day: int) -> str:
    return f"{month}-{day:02d}T10:00:00+08:00"


def results(**given: str) -> list[dict[str, Any]]:
    """Checklist results: "pass", "fail", "na", or a number of points."""
    return [{"code": c, "result": r} if r in ("pass", "fail", "na") else {"code": c, "points": r}
            for c, r in given.items()]


async def scores(client: AsyncClient, org: Org, month: str) -> dict[int, dict[str, Any]]:
    r = await client.get(f"/api/v1/periods/{month}/scores", headers=org.h("hr"))
    assert r.status_code == 200, r.text
    return {row["employee_id"]: row for row in r.json()}


async def test_same_evidence_on_both_versions_and_touchpoint_items(
        client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    for month, version in (("2026-09", "2026.2"), ("2026-10", "2026.1")):
        r = await client.post("/api/v1/periods", headers=h,
                              json={"month": month, "rulebook_version": version})
        assert r.status_code == 201 and r.json()["rulebook_version"] == version
        # A1: SPEC §4's worked example and a substantiated major complaint never answered
        for day, fails in ((3, ()), (4, ("V1", "N2"))):
            body = {"employee_id": org.emp_a1, "occurred_at": at(month, day),
                    "touchpoint": "front_desk", "method": "onsite",
                    "items": [{"code": c, "result": "fail" if c in fails else "pass"}
                              for c in ALL_ITEMS]}
            r = await client.post("/api/v1/inspections", headers=h, json=body)
            assert r.status_code == 201, r.text
        r = await client.post("/api/v1/complaints", headers=h, json={
            "employee_id": org.emp_a1, "received_at": at(month, 6), "channel": "电话",
            "severity": "major", "description": "等了很久", "status": "substantiated"})
        assert r.status_code == 201, r.text

    # A2 in September (2026.2): the car park and the front desk, points and n.a.
    for touchpoint, items in (
        ("car_park", results(CP1="pass", CP3="fail", CP7="pass", V1="pass", M1="pass", N2="na")),
        ("front_desk", results(FD1="fail", FD4="7", H2="pass", E1="pass", N1="pass", FD7="na")),
    ):
        r = await client.post("/api/v1/inspections", headers=h, json={
            "employee_id": org.emp_a2, "occurred_at": at("2026-09", 8), "touchpoint": touchpoint,
            "method": "onsite", "items": items})
        assert r.status_code == 201, r.text
    # the same touchpoint checks do not exist in a month pinned to 2026.1
    r = await client.post("/api/v1/inspections", headers=h, json={
        "employee_id": org.emp_a2, "occurred_at": at("2026-10", 8), "touchpoint": "car_park",
        "method": "onsite", "items": results(CP1="pass")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[0].code"

    september, october = await scores(client, org, "2026-09"), await scores(client, org, "2026-10")
    # base 677/7 = 96.714…; 2026.1 deducts 5 + 1 (late); 2026.2 the 5 and, instead of the
    # late point, 1 for each follow-up deadline missed (SPEC §3.4): never answered, the
    # first response (7th, 10:00), news (same) and the resolution (received on Sunday the
    # 6th: Monday and Tuesday, due the 8th 24:00) all passed by now.
    assert (october[org.emp_a1]["final_score"], october[org.emp_a1]["grade"]) == ("90.71", "excellent")
    assert (september[org.emp_a1]["final_score"], september[org.emp_a1]["grade"]) == (
        "88.71", "good")
    # attitude 5/15, quality 17/20, measures 5/15, efficiency 100, environment 100
    a2 = september[org.emp_a2]
    assert a2["dimensions"] == {"attitude": "33.33", "quality": "85.00", "measures": "33.33",
                                "efficiency": "100.00", "environment": "100.00"}
    assert (a2["final_score"], a2["grade"], a2["status"]) == ("69.58", "pass", "graded")

    breakdown = (await client.get(f"/api/v1/periods/2026-09/scores/{org.emp_a1}",
                                  headers=h)).json()
    assert breakdown["rulebook_version"] == "2026.2"
    assert [(p["kind"], p["deadline"], p["due_at"]) for p in breakdown["penalties"]] == [
        ("missed_deadline", "first_response", "2026-09-07T10:00:00+08:00"),
        ("missed_deadline", "update", "2026-09-07T10:00:00+08:00"),
        ("missed_deadline", "resolution", "2026-09-09T00:00:00+08:00")]
