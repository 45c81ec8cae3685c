"""Incentive allocation over HTTP, service stars and payroll exports."""

from __future__ import annotations

import csv
import io

from httpx import AsyncClient
from openpyxl import load_workbook

from tests.factories import Org, closed_month, inspection


async def test_allocate_whole_organisation(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    scores = {r["employee_id"]: r for r in (await client.get(
        "/api/v1/periods/2026-11/scores", headers=org.h("hr"))).json()}
    assert [scores[e]["grade"] for e in (org.emp_a1, org.emp_a2, org.emp_b1)] == [
        "excellent", "good", "excellent"]
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=org.h("hr"),
                          json={"pool": "10000.00"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["pool"], body["allocated"], body["unallocated"]) == ("10000.00", "10000.00",
                                                                      "0.00")
    amounts = {a["employee_id"]: a["amount"] for a in body["allocations"]}
    # Σc = 1.5 + 1.2 + 1.5 = 4.2 → 3571.428…, 2857.142…, 3571.428… → one cent by remainder;
    # equal remainders for A1 and B1 → higher final score (A1, 100) gets it
    assert amounts == {org.emp_a1: "3571.43", org.emp_a2: "2857.14", org.emp_b1: "3571.43"}
    stars = {(s["team_id"], s["employee_id"]) for s in body["service_stars"]}
    assert stars == {(org.team_a, org.emp_a1), (org.team_b, org.emp_b1)}

    got = await client.get("/api/v1/periods/2026-11/incentives", headers=org.h("hr"))
    assert got.json()["id"] == body["id"]


async def test_reallocation_replaces_same_scope_and_is_audited(
    client: AsyncClient, org: Org
) -> None:
    await closed_month(client, org)
    h = org.h("hr")
    first = (await client.post("/api/v1/periods/2026-11/incentives", headers=h,
                               json={"pool": "1000"})).json()
    team = (await client.post("/api/v1/periods/2026-11/incentives", headers=h,
                              json={"pool": "500.00", "team_id": org.team_a,
                                    "cap": "300.00"})).json()
    assert {a["employee_id"] for a in team["allocations"]} == {org.emp_a1, org.emp_a2}
    # 500 over 1.5 : 1.2 → 277.78 / 222.22, below the cap
    assert [a["amount"] for a in team["allocations"]] == ["277.78", "222.22"]
    second = (await client.post("/api/v1/periods/2026-11/incentives", headers=h,
                                json={"pool": "2000.00"})).json()
    assert second["id"] != first["id"]
    from appraisal.incentives.models import IncentiveAllocation

    assert await IncentiveAllocation.all().count() == 2  # org (replaced) + team A
    audit = (await client.get("/api/v1/audit", headers=h, params={"entity": "incentive"})).json()
    assert audit[0]["before"]["replaced"][0]["pool"] == "1000.00"
    assert audit[0]["after"]["pool"] == "2000.00"


async def test_bad_input_stores_nothing(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    await client.post("/api/v1/inspections", headers=h,
                      json=inspection(org.emp_a1, (), 3, touchpoint="大堂"))
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=h, json={"pool": "10"})
    assert r.status_code == 409  # still open
    await closed_month(client, org)
    cases = [
        ({"pool": "-5"}, "pool"), ({"pool": "abc"}, "pool"), ({"pool": "10.001"}, "pool"),
        ({"pool": "100", "cap": "-1"}, "cap"), ({"pool": "100", "team_id": 99999}, "team_id"),
        ({"pool": "NaN"}, "pool"), ({"pool": "1e400"}, "pool"), ({}, "pool"),
    ]
    for body, field in cases:
        r = await client.post("/api/v1/periods/2026-11/incentives", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"][0]["field"] == field, (body, r.json())
    r = await client.post("/api/v1/periods/2026-12/incentives", headers=h, json={"pool": "1"})
    assert r.status_code == 404
    r = await client.get("/api/v1/periods/2026-11/incentives", headers=h)
    assert r.status_code == 404
    for who in ("sup_a", "emp_a1"):
        r = await client.post("/api/v1/periods/2026-11/incentives", headers=org.h(who),
                              json={"pool": "1"})
        assert r.status_code == 403


async def test_payroll_exports(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    h = org.h("hr")
    await client.post("/api/v1/periods/2026-11/incentives", headers=h, json={"pool": "4200.00"})
    r = await client.get("/api/v1/periods/2026-11/incentives.csv", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["employee_no", "name", "team", "final_score", "grade", "amount"]
    assert rows[1] == ["A001", "张伟", "前台组 Front desk", "100.00", "优秀", "1500.00"]
    assert sum(float(x[5]) for x in rows[1:]) == 4200.0

    r = await client.get("/api/v1/periods/2026-11/incentives.xlsx", headers=h)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=4)]
    assert values[0] == ["employee_no", "name", "team", "final_score", "grade", "amount"]
    assert values[1][:5] == ["A001", "张伟", "前台组 Front desk", 100, "优秀"]
    assert float(values[1][5]) == 1500.0
    r = await client.get("/api/v1/periods/2026-11/incentives.csv", headers=h,
                         params={"team_id": org.team_b})
    assert r.status_code == 404  # no allocation for that scope yet
