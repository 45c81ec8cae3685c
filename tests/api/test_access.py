"""Role × endpoint access matrix: own objects, foreign objects, forbidden roles.

Outside the caller's scope → 404 (existence not revealed); a role that may
not use an endpoint → 403; no login → 401.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import NOV, Org

ROLES = ["admin", "hr", "sup_a", "emp_a1"]


def _insp(emp: int) -> dict[str, Any]:
    return {"employee_id": emp, "occurred_at": NOV, "touchpoint": "前台", "method": "onsite",
            "items": [{"code": "V1", "result": "pass"}]}


async def _seed(client: AsyncClient, org: Org) -> dict[str, dict[str, int]]:
    """One piece of each evidence kind for an own (team A) and a foreign (team B) employee."""
    ids: dict[str, dict[str, int]] = {"own": {}, "foreign": {}, "hr_made": {}}
    # "own": team A, recorded by its supervisor; "hr_made": team A, recorded by HR.
    for side, emp, who in (("own", org.emp_a1, "sup_a"), ("foreign", org.emp_b1, "hr"),
                           ("hr_made", org.emp_a2, "hr")):
        h = org.h(who)
        ids[side]["employee"] = emp
        ids[side]["inspection"] = (await client.post(
            "/api/v1/inspections", json=_insp(emp), headers=h)).json()["id"]
        ids[side]["complaint"] = (await client.post("/api/v1/complaints", headers=h, json={
            "employee_id": emp, "received_at": NOV, "channel": "电话", "severity": "minor",
            "description": "d"})).json()["id"]
        ids[side]["survey"] = (await client.post("/api/v1/surveys", headers=h, json={
            "employee_id": emp, "received_at": NOV, "attitude": 5})).json()["id"]
        ids[side]["commendation"] = (await client.post("/api/v1/commendations", headers=h, json={
            "employee_id": emp, "received_at": NOV, "source": "锦旗"})).json()["id"]
    return ids


# (method, url template, body factory, expected status per role) — "own" targets team A.
def cases(org: Org, ids: dict[str, dict[str, int]]) -> list[tuple[str, str, Any, dict[str, int]]]:
    own, foreign = ids["own"], ids["foreign"]
    hr_only = {"admin": 200, "hr": 200, "sup_a": 403, "emp_a1": 403}
    staff = {"admin": 200, "hr": 200, "sup_a": 200, "emp_a1": 403}
    staff_foreign = {"admin": 200, "hr": 200, "sup_a": 404, "emp_a1": 403}
    created = {"admin": 201, "hr": 201, "sup_a": 201, "emp_a1": 403}
    created_foreign = {"admin": 201, "hr": 201, "sup_a": 404, "emp_a1": 403}
    not_own = {"admin": 200, "hr": 200, "sup_a": 403, "emp_a1": 403}
    out: list[tuple[str, str, Any, dict[str, int]]] = [
        ("GET", "/api/v1/teams", None, hr_only),
        ("GET", f"/api/v1/teams/{org.team_a}", None, hr_only),
        ("GET", "/api/v1/users", None, hr_only),
        ("GET", "/api/v1/periods", None, hr_only),
        ("GET", "/api/v1/audit", None, hr_only),
        ("GET", "/api/v1/employees", None, staff),
        ("GET", f"/api/v1/employees/{own['employee']}", None, staff),
        ("GET", f"/api/v1/employees/{foreign['employee']}", None, staff_foreign),
        ("PATCH", f"/api/v1/employees/{own['employee']}", {"position": "领班"},
         {"admin": 200, "hr": 200, "sup_a": 403, "emp_a1": 403}),
        ("PATCH", f"/api/v1/employees/{foreign['employee']}", {"position": "领班"},
         {"admin": 200, "hr": 200, "sup_a": 404, "emp_a1": 403}),
        ("POST", "/api/v1/inspections", _insp(own["employee"]), created),
        ("POST", "/api/v1/inspections", _insp(foreign["employee"]), created_foreign),
        ("GET", "/api/v1/me/feedback", None,
         {"admin": 403, "hr": 403, "sup_a": 403, "emp_a1": 200}),
    ]
    for kind in ("inspection", "complaint", "survey", "commendation"):
        out.append(("GET", f"/api/v1/{kind}s", None, staff))
        out.append(("GET", f"/api/v1/{kind}s/{own[kind]}", None, staff))
        out.append(("GET", f"/api/v1/{kind}s/{foreign[kind]}", None, staff_foreign))
    out += [
        ("PATCH", f"/api/v1/inspections/{own['inspection']}", {"notes": "ok"}, staff),
        ("PATCH", f"/api/v1/inspections/{foreign['inspection']}", {"notes": "ok"}, staff_foreign),
        ("PATCH", f"/api/v1/complaints/{own['complaint']}", {"channel": "前台"}, staff),
        ("PATCH", f"/api/v1/complaints/{foreign['complaint']}", {"channel": "前台"},
         staff_foreign),
        # SPEC §3.2: a supervisor corrects only their own records; a complaint's
        # follow-up is anyone's on the team.
        ("PATCH", f"/api/v1/inspections/{ids['hr_made']['inspection']}", {"notes": "ok"},
         not_own),
        ("PATCH", f"/api/v1/surveys/{ids['hr_made']['survey']}", {"attitude": 4}, not_own),
        ("PATCH", f"/api/v1/commendations/{ids['hr_made']['commendation']}", {"source": "信"},
         not_own),
        ("PATCH", f"/api/v1/complaints/{ids['hr_made']['complaint']}", {"channel": "前台"},
         not_own),
        ("PATCH", f"/api/v1/complaints/{ids['hr_made']['complaint']}",
         {"first_response_at": "2026-11-05T11:00:00+08:00"}, staff),
        ("DELETE", f"/api/v1/inspections/{ids['hr_made']['inspection']}?reason=typo", None,
         {"admin": 204, "hr": 204, "sup_a": 403, "emp_a1": 403}),
    ]
    return out


@pytest.mark.parametrize("role", ROLES)
async def test_access_matrix(client: AsyncClient, org: Org, role: str) -> None:
    ids = await _seed(client, org)
    failures = []
    for method, url, body, expected in cases(org, ids):
        r = await client.request(method, url, json=body, headers=org.h(role))
        if r.status_code != expected[role]:
            failures.append(f"{role} {method} {url}: {r.status_code} != {expected[role]}")
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
    assert not failures, "\n".join(failures)


async def test_supervisor_lists_only_own_teams(client: AsyncClient, org: Org) -> None:
    await _seed(client, org)
    for kind in ("inspections", "complaints", "surveys", "commendations"):
        rows = (await client.get(f"/api/v1/{kind}", headers=org.h("sup_a"))).json()
        assert {r["employee_id"] for r in rows} == {org.emp_a1, org.emp_a2}, kind
        rows = (await client.get(f"/api/v1/{kind}", headers=org.h("sup_a"),
                                 params={"employee_id": org.emp_b1})).json()
        assert rows == []
    emps = (await client.get("/api/v1/employees", headers=org.h("sup_a"))).json()
    assert {e["id"] for e in emps} == {org.emp_a1, org.emp_a2}


async def test_delete_foreign_inspection_is_404(client: AsyncClient, org: Org) -> None:
    ids = await _seed(client, org)
    r = await client.delete(f"/api/v1/inspections/{ids['foreign']['inspection']}",
                            headers=org.h("sup_a"))
    assert r.status_code == 404
    r = await client.delete(f"/api/v1/inspections/{ids['foreign']['inspection']}",
                            headers=org.h("emp_b1"))
    assert r.status_code == 403


async def test_employee_sees_only_own_feedback(client: AsyncClient, org: Org) -> None:
    await _seed(client, org)
    body = (await client.get("/api/v1/me/feedback", headers=org.h("emp_b1"))).json()
    assert {i["employee_id"] for i in body["inspections"]} == {org.emp_b1}
    assert {c["employee_id"] for c in body["complaints"]} == {org.emp_b1}


async def test_no_login_is_401_everywhere(client: AsyncClient, org: Org) -> None:
    for url in ("/api/v1/teams", "/api/v1/employees", "/api/v1/inspections", "/api/v1/audit",
                "/api/v1/me/feedback", "/api/v1/periods"):
        assert (await client.get(url)).status_code == 401, url
