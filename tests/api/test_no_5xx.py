"""Bad input never gives a 5xx: every write endpoint, each field replaced by hostile values."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import GARBAGE, HOSTILE, NOV, Org


def bodies(org: Org) -> list[tuple[str, str, dict[str, Any]]]:
    insp = {"employee_id": org.emp_a1, "occurred_at": NOV, "touchpoint": "前台",
            "method": "onsite", "items": [{"code": "V1", "result": "pass"},
                                          {"code": "H1", "points": "8"}], "notes": ""}
    return [
        ("POST", "/api/v1/inspections", insp),
        ("POST", "/api/v1/complaints", {
            "employee_id": org.emp_a1, "received_at": NOV, "channel": "电话",
            "severity": "minor", "description": "d", "status": "pending",
            "first_response_at": NOV, "resolved_at": None, "customer_satisfied": None,
            "return_visit_at": None}),
        ("POST", "/api/v1/surveys", {
            "employee_id": org.emp_a1, "received_at": NOV, "attitude": 4, "quality": 5,
            "efficiency": None, "environment": 3, "overall": 4, "comment": "",
            "external_id": None}),
        ("POST", "/api/v1/commendations", {"employee_id": org.emp_a1, "received_at": NOV,
                                           "source": "锦旗", "description": ""}),
        ("POST", "/api/v1/teams", {"name": "T", "supervisor_ids": []}),
        ("POST", "/api/v1/employees", {"employee_no": "Z1", "name": "n", "team_id": org.team_a,
                                       "position": "", "hired_on": None, "active": True}),
        ("POST", "/api/v1/users", {"username": "u1", "password": "long-enough-1",
                                   "role": "employee", "employee_id": org.emp_a2,
                                   "team_ids": []}),
        ("POST", "/api/v1/periods", {"month": "2026-10"}),
        ("POST", "/api/v1/periods/2026-11/incentives", {"pool": "100.00", "team_id": None,
                                                        "cap": None}),
        ("POST", "/api/v1/periods/2026-11/reopen", {"reason": "r"}),
        ("PATCH", f"/api/v1/employees/{org.emp_a1}", {"position": "p", "active": True}),
        ("PATCH", f"/api/v1/teams/{org.team_a}", {"name": "N", "supervisor_ids": []}),
        ("PATCH", f"/api/v1/users/{org.users['emp_b1']}", {"active": True}),
        ("POST", "/api/v1/auth/login", {"username": "hr", "password": "x"}),
    ]


async def test_hostile_field_values_never_5xx(client: AsyncClient, org: Org) -> None:
    failures = []
    for method, url, valid in bodies(org):
        for field in valid:
            for value in HOSTILE:
                body = {**valid, field: value}
                r = await client.request(method, url, json=body, headers=org.h("admin"))
                if r.status_code >= 500:
                    failures.append(f"{method} {url} {field}={value!r:.40}: {r.status_code}")
        for raw in GARBAGE:
            r = await client.request(method, url, content=raw, headers={
                **org.h("admin"), "content-type": "application/json"})
            if r.status_code >= 500:
                failures.append(f"{method} {url} body={raw[:20]!r}: {r.status_code}")
        # login throttling must not mask later cases
        from appraisal.accounts.models import LoginThrottle

        await LoginThrottle.all().delete()
    assert not failures, "\n".join(failures[:30])


async def test_hostile_paths_and_queries_never_5xx(client: AsyncClient, org: Org) -> None:
    failures = []
    for path in ("/api/v1/inspections/{x}", "/api/v1/complaints/{x}", "/api/v1/employees/{x}",
                 "/api/v1/periods/{x}", "/api/v1/periods/{x}/scores",
                 "/api/v1/periods/2026-11/scores/{x}", "/api/v1/periods/{x}/incentives",
                 "/api/v1/periods/2026-11/appraisals/{x}", "/api/v1/report-jobs/{x}",
                 "/api/v1/teams/{x}", "/api/v1/users/{x}"):
        for x in ("0", "-1", "99999999999999999999", "abc", "%00", "2026-00", "..%2F..",
                  "1.pdf", "９"):
            r = await client.get(path.replace("{x}", x), headers=org.h("admin"))
            if r.status_code >= 500:
                failures.append(f"GET {path} x={x}: {r.status_code}")
    for url in ("/api/v1/inspections", "/api/v1/complaints", "/api/v1/surveys",
                "/api/v1/employees", "/api/v1/audit"):
        for params in ({"employee_id": "x"}, {"period": "2026-99"}, {"limit": "-5"},
                       {"limit": "99999999999"}, {"offset": "1e9"}, {"team_id": "0"},
                       {"status": "weird"}, {"active": "maybe"}):
            r = await client.get(url, params=params, headers=org.h("admin"))
            if r.status_code >= 500:
                failures.append(f"GET {url} {params}: {r.status_code}")
    assert not failures, "\n".join(failures[:30])
