"""Login, tokens, cookies, CSRF, throttling, problem+json."""

from __future__ import annotations

import time_machine
from httpx import AsyncClient

from tests.conftest import FROZEN_AT
from tests.factories import PASSWORD, Org

PROBLEM = "application/problem+json"


async def test_login_returns_token_user_and_cookie(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/login", json={"username": "sup_a", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["user"] == {
        "id": org.users["sup_a"], "username": "sup_a", "role": "supervisor", "employee_id": None
    }
    assert "appraisal_session" in r.cookies
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["team_ids"] == [org.team_a]


async def test_employee_login_names_employee(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/login", json={"username": "emp_a1", "password": PASSWORD})
    assert r.json()["user"]["employee_id"] == org.emp_a1


async def test_wrong_password_and_unknown_user_are_401_problem(
    client: AsyncClient, org: Org
) -> None:
    for creds in ({"username": "hr", "password": "nope-nope"},
                  {"username": "ghost", "password": PASSWORD}):
        r = await client.post("/api/v1/auth/login", json=creds)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["status"] == 401
        assert "password" in r.json()["detail"]


async def test_repeated_failures_are_throttled(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    clock.move_to(FROZEN_AT, tick=False)  # the first wait is a second: not served by slowness
    for _ in range(5):
        r = await client.post("/api/v1/auth/login", json={"username": "hr", "password": "bad-bad"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "hr", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_login_body_validation_is_422_naming_field(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/login", json={"username": "hr"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert any(e["field"] == "password" for e in r.json()["errors"])
    r = await client.post("/api/v1/auth/login", content=b"{not json", headers={
        "content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_missing_or_bad_token_is_401(client: AsyncClient, org: Org) -> None:
    assert (await client.get("/api/v1/employees")).status_code == 401
    r = await client.get("/api/v1/employees", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_logout_revokes_token(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/logout", headers=org.h("hr"))
    assert r.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=org.h("hr"))).status_code == 401


async def test_cookie_session_reads_but_writes_need_csrf(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/login", json={"username": "hr", "password": PASSWORD})
    token = r.json()["token"]
    client.cookies.set("appraisal_session", token)
    assert (await client.get("/api/v1/teams")).status_code == 200
    r = await client.post("/api/v1/teams", json={"name": "新团队"})
    assert r.status_code == 403
    client.cookies.set("csrftoken", "abc123")
    r = await client.post("/api/v1/teams", json={"name": "新团队"}, headers={"x-csrftoken": "abc123"})
    assert r.status_code == 201


async def test_password_is_stored_with_argon2(client: AsyncClient, org: Org) -> None:
    from appraisal.accounts.models import User

    user = await User.get(username="hr")
    assert user.password_hash.startswith("$argon2")


async def test_healthz_and_openapi(client: AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "ok"
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/inspections", "/api/v1/complaints/{complaint_id}", "/api/v1/periods",
                 "/api/v1/auth/login", "/api/v1/audit", "/api/v1/me/feedback"):
        assert path in paths


async def test_unknown_route_is_problem_404(client: AsyncClient, org: Org) -> None:
    r = await client.get("/api/v1/nothing-here", headers=org.h("hr"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
