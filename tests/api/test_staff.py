"""Teams, employees and users: happy paths, bad input, audit."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import PASSWORD, Org


async def test_create_and_list_teams(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={
        "name": "工程维修部", "supervisor_ids": [org.users["sup_b"]]})
    assert r.status_code == 201
    team = r.json()
    assert team["supervisor_ids"] == [org.users["sup_b"]] and team["employee_count"] == 0
    teams = (await client.get("/api/v1/teams", headers=org.h("hr"))).json()
    by_name = {t["name"]: t for t in teams}
    assert by_name["前台组 Front desk"]["employee_count"] == 2
    assert by_name["前台组 Front desk"]["supervisor_ids"] == [org.users["sup_a"]]
    # The new supervisor now reaches the new team.
    me = await client.get("/api/v1/auth/me", headers=org.h("sup_b"))
    assert sorted(me.json()["team_ids"]) == sorted([org.team_b, team["id"]])


async def test_team_bad_input(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={"name": "前台组 Front desk"})
    assert r.status_code == 409
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={
        "name": "X", "supervisor_ids": [org.users["emp_a1"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "supervisor_ids[0]"
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={
        "name": "X", "supervisor_ids": [424242]})
    assert r.status_code == 422
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={"name": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={"name": "   "})
    assert r.status_code == 422


async def test_patch_team(client: AsyncClient, org: Org) -> None:
    r = await client.patch(f"/api/v1/teams/{org.team_a}", headers=org.h("hr"), json={
        "supervisor_ids": [org.users["sup_a"], org.users["sup_b"]]})
    assert r.status_code == 200
    assert sorted(r.json()["supervisor_ids"]) == sorted([org.users["sup_a"], org.users["sup_b"]])
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"), params={"entity": "team"})).json()
    assert audit[0]["before"]["supervisor_ids"] == [org.users["sup_a"]]


async def test_employee_crud(client: AsyncClient, org: Org) -> None:
    body = {"employee_no": "A003", "name": "赵敏", "team_id": org.team_a, "position": "礼宾员",
            "hired_on": "2024-03-01", "active": True}
    r = await client.post("/api/v1/employees", headers=org.h("hr"), json=body)
    assert r.status_code == 201, r.text
    emp = r.json()
    assert emp | body == emp and emp["team"] == "前台组 Front desk"
    r = await client.patch(f"/api/v1/employees/{emp['id']}", headers=org.h("hr"),
                           json={"team_id": org.team_b, "active": False})
    assert r.status_code == 200
    assert r.json()["team_id"] == org.team_b and r.json()["active"] is False
    r = await client.get("/api/v1/employees", headers=org.h("hr"), params={"active": "false"})
    assert [e["employee_no"] for e in r.json()] == ["A003"]
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "employee", "entity_id": str(emp["id"])})).json()
    assert [a["action"] for a in audit] == ["update", "create"]
    assert audit[0]["before"]["team_id"] == org.team_a and audit[0]["after"]["team_id"] == org.team_b


async def test_employee_bad_input(client: AsyncClient, org: Org) -> None:
    base = {"employee_no": "A009", "name": "钱进", "team_id": org.team_a}
    cases = [
        ({"employee_no": "A001"}, 409, None),
        ({"team_id": 987654}, 422, "team_id"),
        ({"hired_on": "2024-13-40"}, 422, "hired_on"),
        ({"name": ""}, 422, "name"),
        ({"active": "yes"}, 422, "active"),
    ]
    for over, status, field in cases:
        r = await client.post("/api/v1/employees", headers=org.h("hr"), json=base | over)
        assert r.status_code == status, (over, r.text)
        if field:
            assert r.json()["errors"][0]["field"] == field
    r = await client.patch(f"/api/v1/employees/{org.emp_a1}", headers=org.h("hr"),
                           json={"employee_no": "B001"})
    assert r.status_code == 409


async def test_create_users(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/users", headers=org.h("hr"), json={
        "username": "sup.new", "password": "long-enough-1", "role": "supervisor",
        "team_ids": [org.team_a]})
    assert r.status_code == 201, r.text
    assert r.json()["team_ids"] == [org.team_a]
    login = await client.post("/api/v1/auth/login", json={
        "username": "sup.new", "password": "long-enough-1"})
    assert login.status_code == 200
    r = await client.post("/api/v1/users", headers=org.h("admin"), json={
        "username": "emp.a2", "password": "long-enough-1", "role": "employee",
        "employee_id": org.emp_a2})
    assert r.status_code == 201 and r.json()["employee_id"] == org.emp_a2
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"), params={"entity": "user"})).json()
    assert all("password_hash" not in (a["after"] or {}) for a in audit)


async def test_user_bad_input(client: AsyncClient, org: Org) -> None:
    base = {"username": "someone", "password": "long-enough-1", "role": "employee",
            "employee_id": org.emp_a2}
    cases = [
        ({"username": "hr"}, 409, None),
        ({"password": "short"}, 422, "password"),
        ({"role": "king"}, 422, "role"),
        ({"employee_id": None}, 422, "employee_id"),
        ({"employee_id": org.emp_a1}, 409, None),  # already has a login
        ({"role": "supervisor", "employee_id": None, "team_ids": [55555]}, 422, "team_ids[0]"),
        ({"role": "hr", "employee_id": None, "team_ids": [org.team_a]}, 422, "team_ids"),
        ({"username": "has space"}, 422, "username"),
    ]
    for over, status, field in cases:
        r = await client.post("/api/v1/users", headers=org.h("hr"), json=base | over)
        assert r.status_code == status, (over, r.text)
        if field:
            assert r.json()["errors"][0]["field"] == field, r.json()
    r = await client.post("/api/v1/users", headers=org.h("hr"), json={
        "username": "boss2", "password": "long-enough-1", "role": "admin"})
    assert r.status_code == 403
    r = await client.post("/api/v1/users", headers=org.h("admin"), json={
        "username": "boss2", "password": "long-enough-1", "role": "admin"})
    assert r.status_code == 201


async def test_password_change_revokes_sessions(client: AsyncClient, org: Org) -> None:
    r = await client.patch(f"/api/v1/users/{org.users['sup_a']}", headers=org.h("admin"),
                           json={"password": "a-new-password"})
    assert r.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=org.h("sup_a"))).status_code == 401
    bad = await client.post("/api/v1/auth/login", json={"username": "sup_a", "password": PASSWORD})
    assert bad.status_code == 401
    r = await client.patch(f"/api/v1/users/{org.users['sup_b']}", headers=org.h("hr"),
                           json={"role": "hr"})
    assert r.status_code == 403
