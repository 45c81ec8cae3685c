"""Leavers and moves: after `left_on` no evidence and no login, the months before keep
their appraisal; a team change is kept by month, so a closed month keeps its teams."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from httpx import AsyncClient

from tests.factories import PASSWORD, Org, closed_month, csv_file, inspection

AFTER = "2026-11-12T10:00:00+08:00"
BEFORE = "2026-11-08T10:00:00+08:00"


def _evidence(emp: int, when: str) -> list[tuple[str, dict[str, object]]]:
    return [
        ("/api/v1/inspections", inspection(emp, occurred_at=when)),
        ("/api/v1/complaints", {"employee_id": emp, "received_at": when, "channel": "电话",
                                "severity": "minor", "description": "d"}),
        ("/api/v1/surveys", {"employee_id": emp, "received_at": when, "attitude": 5}),
        ("/api/v1/commendations", {"employee_id": emp, "received_at": when, "source": "锦旗"}),
    ]


async def _leave(client: AsyncClient, org: Org, emp: int, day: str) -> None:
    r = await client.patch(f"/api/v1/employees/{emp}", headers=org.h("hr"),
                           json={"left_on": day})
    assert r.status_code == 200 and r.json()["left_on"] == day, r.text


async def test_no_evidence_after_the_last_day(client: AsyncClient, org: Org) -> None:
    await _leave(client, org, org.emp_a2, "2026-11-10")
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "employee"})).json()
    assert audit[0]["before"]["left_on"] is None and audit[0]["after"]["left_on"] == "2026-11-10"
    for path, body in _evidence(org.emp_a2, AFTER):
        r = await client.post(path, headers=org.h("sup_a"), json=body)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["errors"][0]["field"] == "employee_id"
        assert r.json()["code"] == "employee_left"
    for path, body in _evidence(org.emp_a2, BEFORE):
        r = await client.post(path, headers=org.h("sup_a"), json=body)
        assert r.status_code == 201, (path, r.text)
    # Moving evidence to after the last day is refused too.
    first = (await client.get("/api/v1/inspections", headers=org.h("hr"),
                              params={"employee_id": org.emp_a2})).json()[0]
    r = await client.patch(f"/api/v1/inspections/{first['id']}", headers=org.h("hr"),
                           json={"occurred_at": AFTER})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "employee_id"
    # The survey import refuses the file, naming the row.
    r = await client.post("/api/v1/imports/surveys", headers=org.h("hr"), files={
        "file": ("s.csv", csv_file("A002,2026-11-15 10:00,5,5,5,5,5,,late-1",
                                   "A001,2026-11-15 10:00,5,5,5,5,5,,ok-1"))})
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "employee_no")]


async def test_a_leaver_keeps_their_appraisal_and_is_not_waited_for(
        client: AsyncClient, org: Org) -> None:
    from appraisal.actor import Actor, Role
    from appraisal.evidence.records import team_month

    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=inspection(org.emp_a2, day=8))
    assert r.status_code == 201
    await _leave(client, org, org.emp_a2, "2026-11-10")
    await _leave(client, org, org.emp_b1, "2026-10-15")  # left before November: no evidence
    scores = {s["employee_id"] for s in (await client.get(
        "/api/v1/periods/2026-11/scores", headers=org.h("hr"))).json()}
    assert org.emp_a2 in scores and org.emp_b1 not in scores and org.emp_a1 in scores
    hr = Actor(id=org.users["hr"], username="hr", role=Role.hr, employee_id=None,
               team_ids=frozenset())
    rows = {r["id"]: r for r in await team_month(hr, "2026-11", 2)}
    assert rows[org.emp_a2]["needs"] == 0 and rows[org.emp_a1]["needs"] == 2
    assert org.emp_b1 not in rows
    # Their history stays readable.
    r = await client.get("/api/v1/inspections", headers=org.h("hr"),
                         params={"employee_id": org.emp_a2})
    assert len(r.json()) == 1


async def test_a_leavers_login_stops(client: AsyncClient, org: Org) -> None:
    assert (await client.get("/api/v1/auth/me", headers=org.h("emp_a1"))).status_code == 200
    await _leave(client, org, org.emp_a1, "2026-11-20")  # today is their last day
    assert (await client.get("/api/v1/auth/me", headers=org.h("emp_a1"))).status_code == 200
    await _leave(client, org, org.emp_a1, "2026-11-19")
    r = await client.get("/api/v1/auth/me", headers=org.h("emp_a1"))
    assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "emp_a1", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["code"] == "wrong_credentials"


async def test_left_on_before_hired_on_is_refused(client: AsyncClient, org: Org) -> None:
    r = await client.patch(f"/api/v1/employees/{org.emp_a1}", headers=org.h("hr"),
                           json={"hired_on": "2026-03-01", "left_on": "2026-02-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "left_on"
    got = (await client.get(f"/api/v1/employees/{org.emp_a1}", headers=org.h("hr"))).json()
    assert got["hired_on"] is None and got["left_on"] is None


async def test_a_move_after_the_close_keeps_the_closed_months_teams(
        client: AsyncClient, org: Org, clock: object) -> None:
    await closed_month(client, org)
    h = org.h("hr")
    before = (await client.get("/api/v1/periods/2026-11/scores", headers=h)).json()
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
    r = await client.patch(f"/api/v1/employees/{org.emp_a1}", headers=h,
                           json={"team_id": org.team_b})
    assert r.status_code == 200 and r.json()["team_id"] == org.team_b
    assert (await client.get("/api/v1/periods/2026-11/scores", headers=h)).json() == before
    pool = (await client.post("/api/v1/periods/2026-11/incentives", headers=h,
                              json={"pool": "500.00", "team_id": org.team_a})).json()
    assert {a["employee_id"] for a in pool["allocations"]} == {org.emp_a1, org.emp_a2}
    # Reopened and closed again, November still counts A1 in the front desk team...
    r = await client.post("/api/v1/periods/2026-11/reopen", headers=h, json={"reason": "typo"})
    assert r.status_code == 200, r.text
    live = {s["employee_id"]: s for s in (await client.get(
        "/api/v1/periods/2026-11/scores", headers=h)).json()}
    assert live[org.emp_a1]["team_id"] == org.team_a
    r = await client.post("/api/v1/periods/2026-11/close", headers=h)
    assert r.status_code == 200, r.text
    again = {s["employee_id"]: s for s in (await client.get(
        "/api/v1/periods/2026-11/scores", headers=h)).json()}
    assert again[org.emp_a1]["team_id"] == org.team_a
    one = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    assert one["team_id"] == org.team_a
    # ...while December counts them in their new team.
    r = await client.post("/api/v1/inspections", headers=h, json=inspection(
        org.emp_a1, occurred_at="2026-12-02T08:00:00+08:00", touchpoint="front_desk"))
    assert r.status_code == 201, r.text
    december = {s["employee_id"]: s for s in (await client.get(
        "/api/v1/periods/2026-12/scores", headers=h)).json()}
    assert december[org.emp_a1]["team_id"] == org.team_b
    # The supervisor of the new team reaches them now.
    assert (await client.get(f"/api/v1/employees/{org.emp_a1}",
                             headers=org.h("sup_b"))).status_code == 200


async def test_the_logins_page_says_a_leavers_login_has_stopped(client: AsyncClient, org: Org) -> None:
    from tests.factories import log_in

    r = await client.patch(f"/api/v1/employees/{org.emp_a1}", headers=org.h("hr"),
                           json={"left_on": "2026-11-19"})
    assert r.status_code == 200, r.text
    await log_in(client, "hr")
    r = await client.get("/logins")
    row = r.text[r.text.index(">emp_a1<"):]
    row = row[:row.index("</tr>")]
    assert "已于 2026-11-19 离职，登录已停用" in row and ">启用<" not in row
