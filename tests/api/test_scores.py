"""Scores over HTTP and the period lifecycle: close, publish, reopen."""

from __future__ import annotations

import time_machine
from httpx import AsyncClient

from tests.factories import NOVEMBER_OVER, Org, inspection


async def worked_example(client: AsyncClient, org: Org) -> None:
    """SPEC §4: two inspections, one all pass, one failing V1 and N2 → 96.71 excellent."""
    for body in (inspection(org.emp_a1), inspection(org.emp_a1, ("V1", "N2"), day=6)):
        r = await client.post("/api/v1/inspections", json=body, headers=org.h("sup_a"))
        assert r.status_code == 201, r.text


async def test_worked_example_live(client: AsyncClient, org: Org) -> None:
    await worked_example(client, org)
    r = await client.get("/api/v1/periods/2026-11/scores", headers=org.h("hr"))
    assert r.status_code == 200
    row = next(x for x in r.json() if x["employee_id"] == org.emp_a1)
    assert row["final_score"] == "96.71"
    assert row["grade"] == "excellent" and row["status"] == "graded" and row["veto"] is False
    assert row["dimensions"] == {"attitude": "92.86", "quality": "100.00", "measures": "100.00",
                                 "efficiency": "100.00", "environment": "90.00"}
    others = [x for x in r.json() if x["employee_id"] != org.emp_a1]
    assert all(x["status"] == "insufficient_evidence" and x["final_score"] is None
               for x in others)

    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=org.h("sup_a"))
    b = r.json()
    assert b["rulebook_version"] == "2026.1" and b["base_score"] == "96.71"
    att = next(d for d in b["dimension_breakdown"] if d["code"] == "attitude")
    assert att["inspection"] == {"earned": "65", "max": "70", "items": 10, "score": "92.86",
                                 "weight": "0.6"}
    assert att["survey"] is None
    assert {(x["code"], x["points_lost"]) for x in b["lost_points"]} == {("V1", "5"), ("N2", "5")}
    assert all(x["inspection_id"] and x["touchpoint"] == "前台" for x in b["lost_points"])


async def test_close_publish_reopen(client: AsyncClient, org: Org,
                                   clock: time_machine.TimeMachineFixture) -> None:
    await worked_example(client, org)
    h = org.h("hr")
    clock.move_to(NOVEMBER_OVER)  # a month closes once it is over
    r = await client.post("/api/v1/periods/2026-11/close", headers=h)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["period"]["status"] == "closed" and closed["graded"] == 1
    assert {x["employee_no"] for x in closed["insufficient_evidence"]} == {"A002", "B001"}
    first_hash = closed["snapshot"]["content_hash"]
    assert len(first_hash) == 64

    # Closed: evidence refused, scores come from the snapshot.
    r = await client.post("/api/v1/inspections", json=inspection(org.emp_a2), headers=h)
    assert r.status_code == 409
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)
    assert r.json()["final_score"] == "96.71"
    assert r.json()["snapshot"]["content_hash"] == first_hash
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 409

    # Employees see nothing until published.
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=org.h("emp_a1"))
    assert r.status_code == 404
    r = await client.post("/api/v1/periods/2026-11/publish", headers=h)
    assert r.json()["status"] == "published"
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=org.h("emp_a1"))
    assert r.status_code == 200 and r.json()["grade"] == "excellent"
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_b1}", headers=org.h("emp_a1"))
    assert r.status_code == 404

    # Reopen needs a reason; the old snapshot is kept, a new close supersedes it.
    r = await client.post("/api/v1/periods/2026-11/reopen", headers=h, json={"reason": ""})
    assert r.status_code == 422
    r = await client.post("/api/v1/periods/2026-11/reopen", headers=h,
                          json={"reason": "漏录一次巡检"})
    assert r.json()["status"] == "open"
    r = await client.post("/api/v1/inspections", json=inspection(org.emp_a1, ("H1",), day=7),
                          headers=h)
    assert r.status_code == 201
    r = await client.post("/api/v1/periods/2026-11/close", headers=h)
    second = r.json()["snapshot"]
    assert second["sequence"] == 2 and second["content_hash"] != first_hash
    from appraisal.scoring.models import ScoreSnapshot

    snaps = await ScoreSnapshot.all().order_by("sequence")
    assert [s.superseded_at is not None for s in snaps] == [True, False]
    assert snaps[0].superseded_reason == "漏录一次巡检"
    audit = (await client.get("/api/v1/audit", headers=h, params={"entity": "period"})).json()
    assert [a["action"] for a in audit][:4] == ["close", "reopen", "publish", "close"]
    assert audit[1]["reason"] == "漏录一次巡检"


async def test_lifecycle_errors(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 404
    assert (await client.post("/api/v1/periods/2026-13/close", headers=h)).status_code == 422
    await client.post("/api/v1/periods", json={"month": "2026-11"}, headers=h)
    assert (await client.post("/api/v1/periods", json={"month": "2026-11"},
                              headers=h)).status_code == 409
    assert (await client.post("/api/v1/periods", json={"month": "2026-1"},
                              headers=h)).status_code == 422
    assert (await client.post("/api/v1/periods/2026-11/publish", headers=h)).status_code == 409
    assert (await client.post("/api/v1/periods/2026-11/reopen", headers=h,
                              json={"reason": "x"})).status_code == 409
    for who in ("sup_a", "emp_a1"):
        r = await client.post("/api/v1/periods/2026-11/close", headers=org.h(who))
        assert r.status_code == 403


async def test_scores_are_scoped(client: AsyncClient, org: Org) -> None:
    await worked_example(client, org)
    await client.post("/api/v1/inspections", json=inspection(org.emp_b1), headers=org.h("hr"))
    rows = (await client.get("/api/v1/periods/2026-11/scores", headers=org.h("sup_a"))).json()
    assert {r["employee_id"] for r in rows} == {org.emp_a1, org.emp_a2}
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_b1}", headers=org.h("sup_a"))
    assert r.status_code == 404
    r = await client.get("/api/v1/periods/2026-11/scores", headers=org.h("emp_a1"))
    assert r.status_code == 403
    r = await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=org.h("emp_a1"))
    assert r.status_code == 404  # open: not published yet


async def test_survey_shrinkage_and_complaints_over_http(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    await worked_example(client, org)
    for emp, answer in ((org.emp_a1, 5), (org.emp_a2, 1)):
        r = await client.post("/api/v1/surveys", headers=h, json={
            "employee_id": emp, "received_at": "2026-11-08T10:00:00+08:00", "attitude": answer})
        assert r.status_code == 201
    r = await client.post("/api/v1/complaints", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-09T10:00:00+08:00", "channel": "电话",
        "severity": "minor", "description": "等候时间长", "status": "substantiated"})
    assert r.status_code == 201
    b = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    att = next(d for d in b["dimension_breakdown"] if d["code"] == "attitude")
    # μ = (100 + 0) / 2 = 50; shrunk = (1·100 + 5·50) / 6 = 58.33
    assert att["survey"] == att["survey"] | {"count": 1, "raw": "100.00",
                                             "organisation_mean": "50.00", "shrunk": "58.33"}
    # 0.6 · 92.857 + 0.4 · 58.333 = 79.05
    assert att["score"] == "79.05"
    # never answered → late: 2 + 1
    assert [(d["severity"], d["total"], d["late"]) for d in b["deductions"]] == [
        ("minor", "3", True)]


async def _ranking(client: AsyncClient, org: Org, who: str, query: str = "") -> list[str]:
    r = await client.get(f"/api/v1/periods/2026-11/scores{query}", headers=org.h(who))
    assert r.status_code == 200, r.text
    return [x["employee_no"] for x in r.json()]


async def test_a_page_of_the_ranking_open_and_closed(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    for emp, fails in ((org.emp_a1, ("H1",)), (org.emp_a2, ()), (org.emp_b1, ("V1", "N2"))):
        for day in (3, 4, 5):
            r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                                  json=inspection(emp, fails, day=day))
            assert r.status_code == 201, r.text
    pages: dict[str, list[list[str]]] = {}
    for state in ("open", "closed"):
        whole = await _ranking(client, org, "hr")
        assert len(whole) == 3
        assert await _ranking(client, org, "hr", "?limit=2") == whole[:2]
        assert await _ranking(client, org, "hr", "?limit=2&offset=2") == whole[2:]
        assert await _ranking(client, org, "hr", "?offset=1") == whole[1:]
        # A supervisor's page holds their own teams' people only.
        assert await _ranking(client, org, "sup_a", "?limit=1&offset=1") == [
            n for n in whole if n.startswith("A")][1:2]
        assert await _ranking(client, org, "hr", "?status=graded&limit=1") == whole[:1]
        pages[state] = [whole]
        if state == "open":
            clock.move_to(NOVEMBER_OVER)
            r = await client.post("/api/v1/periods/2026-11/close", headers=org.h("hr"))
            assert r.status_code == 200, r.text
    assert pages["open"] == pages["closed"]
    for bad in ("?limit=0", "?limit=1001", "?offset=-1"):
        r = await client.get(f"/api/v1/periods/2026-11/scores{bad}", headers=org.h("hr"))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] in bad, r.text


async def test_a_snapshot_keeps_lost_points_without_the_rulebook_texts(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    from appraisal.scoring.models import SnapshotScore

    await worked_example(client, org)
    live = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                             headers=org.h("hr"))).json()
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close",
                              headers=org.h("hr"))).status_code == 200
    stored = (await SnapshotScore.get(employee_id=org.emp_a1)).breakdown
    assert stored["lost_points"] and all("coaching_zh" not in p and "standard_en" not in p
                                         for p in stored["lost_points"])
    closed = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                               headers=org.h("hr"))).json()
    assert closed["lost_points"] == live["lost_points"]
    assert {p["coaching_zh"] for p in closed["lost_points"]} and all(
        p["standard_zh"] for p in closed["lost_points"])
