"""Passwords: the policy, logins HR makes or resets changing theirs first, and everyone
changing their own."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import PASSWORD, Org


async def _new_login(client: AsyncClient, org: Org, **over: object) -> dict[str, object]:
    body = {"username": "emp.a2", "password": "first-pass-77", "role": "employee",
            "employee_id": org.emp_a2} | over
    r = await client.post("/api/v1/users", headers=org.h("hr"), json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize(("password", "code"), [
    ("short-1", "password_too_short"),
    ("EMP.A2.xyz", None),  # not the username: fine
    ("Emp.A2", "password_too_short"),
    ("1234567890", "password_too_common"),
    ("1q2w3e4r5t", "password_too_common"),
    ("Woaini1314", "password_too_common"),
    ("qwertyuiop", "password_too_common"),
])
async def test_the_policy_names_why(client: AsyncClient, org: Org, password: str,
                                    code: str | None) -> None:
    r = await client.post("/api/v1/users", headers=org.h("hr"), json={
        "username": "emp.a2", "password": password, "role": "employee",
        "employee_id": org.emp_a2})
    if code is None:
        assert r.status_code == 201, r.text
        return
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["field"] == "password" and problem["errors"][0]["code"] == code
    assert (await client.get("/api/v1/users", headers=org.h("hr"))).json()[-1]["username"] != "emp.a2"


async def test_not_the_username_whatever_the_case(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/users", headers=org.h("hr"), json={
        "username": "Frontdesk.Lead", "password": "FRONTDESK.lead", "role": "supervisor"})
    assert r.status_code == 422 and r.json()["code"] == "password_is_username"


async def test_the_shipped_list_holds_the_classics() -> None:
    from appraisal.accounts.passwords import common_passwords

    common = common_passwords()
    assert len(common) >= 10_000
    for word in ("123456", "password", "qwerty", "1234567890", "1q2w3e4r5t", "iloveyou",
                 "5201314", "woaini1314", "qq123456"):
        assert word in common, word


async def test_a_login_hr_made_changes_its_password_first(client: AsyncClient, org: Org) -> None:
    await _new_login(client, org)
    r = await client.post("/api/v1/auth/login", json={"username": "emp.a2",
                                                      "password": "first-pass-77"})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    for method, path in (("GET", "/api/v1/me/feedback"), ("GET", "/api/v1/me/appraisals")):
        refused = await client.request(method, path, headers=h)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "password_change_required"
    me = await client.get("/api/v1/auth/me", headers=h)
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    # A refused new password keeps the old one and the flag.
    r = await client.post("/api/v1/auth/password", headers=h,
                          json={"current": "first-pass-77", "new": "password1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new"
    r = await client.post("/api/v1/auth/password", headers=h,
                          json={"current": "wrong-current-1", "new": "my-own-secret-9"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current"
    r = await client.post("/api/v1/auth/password", headers=h,
                          json={"current": "first-pass-77", "new": "my-own-secret-9"})
    assert r.status_code == 204, r.text
    assert (await client.get("/api/v1/me/feedback", headers=h)).status_code == 200
    assert (await client.get("/api/v1/me/appraisals", headers=h)).status_code == 200
    again = await client.post("/api/v1/auth/login", json={"username": "emp.a2",
                                                          "password": "my-own-secret-9"})
    assert again.status_code == 200 and again.json()["must_change_password"] is False
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "user"})).json()
    changed = [a for a in audit if a["action"] == "update"]
    assert changed and changed[0]["after"]["password"] == "(changed)"
    assert changed[0]["after"]["must_change_password"] is False
    assert all("password_hash" not in (a["after"] or {}) for a in audit)


async def test_demo_and_own_logins_are_not_forced(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/auth/login", json={"username": "emp_a1", "password": PASSWORD})
    assert r.json()["must_change_password"] is False


async def test_everyone_changes_their_own_password(client: AsyncClient, org: Org) -> None:
    other = await client.post("/api/v1/auth/login", json={"username": "sup_a",
                                                          "password": PASSWORD})
    r = await client.post("/api/v1/auth/password", headers=org.h("sup_a"),
                          json={"current": PASSWORD, "new": "sup-a-new-pass-3"})
    assert r.status_code == 204
    # This session goes on; the others end.
    assert (await client.get("/api/v1/auth/me", headers=org.h("sup_a"))).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers={
        "Authorization": f"Bearer {other.json()['token']}"})).status_code == 401
    r = await client.post("/api/v1/auth/password", headers=org.h("sup_a"),
                          json={"current": "sup-a-new-pass-3", "new": "sup-a-new-pass-3"})
    assert r.status_code == 422 and r.json()["code"] == "password_unchanged"
    r = await client.post("/api/v1/auth/password", json={"current": "x", "new": "y"})
    assert r.status_code == 401


async def test_reset_gives_a_one_time_password(client: AsyncClient, org: Org) -> None:
    sup = org.users["sup_b"]
    r = await client.post(f"/api/v1/users/{sup}/password-reset", headers=org.h("hr"))
    assert r.status_code == 200, r.text
    once = r.json()["password"]
    assert len(once) >= 10
    assert (await client.get("/api/v1/auth/me", headers=org.h("sup_b"))).status_code == 401
    login = await client.post("/api/v1/auth/login", json={"username": "sup_b", "password": once})
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    h = {"Authorization": f"Bearer {login.json()['token']}"}
    assert (await client.get("/api/v1/inspections", headers=h)).status_code == 403
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "user"})).json()
    assert once not in str(audit)


async def test_only_admin_manages_hr_and_admin_logins(client: AsyncClient, org: Org) -> None:
    r = await client.post(f"/api/v1/users/{org.users['admin']}/password-reset",
                          headers=org.h("hr"))
    assert r.status_code == 403
    r = await client.post("/api/v1/users", headers=org.h("hr"), json={
        "username": "hr2", "password": "hr-two-pass-1", "role": "hr"})
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    r = await client.post("/api/v1/users", headers=org.h("admin"), json={
        "username": "hr2", "password": "hr-two-pass-1", "role": "hr"})
    assert r.status_code == 201
    r = await client.post(f"/api/v1/users/{r.json()['id']}/password-reset", headers=org.h("hr"))
    assert r.status_code == 403
    r = await client.post(f"/api/v1/users/{org.users['emp_b1']}/password-reset",
                          headers=org.h("sup_b"))
    assert r.status_code == 403
    r = await client.post("/api/v1/users/99999/password-reset", headers=org.h("hr"))
    assert r.status_code == 404
    # One's own password is changed with the current one, not reset.
    r = await client.post(f"/api/v1/users/{org.users['admin']}/password-reset",
                          headers=org.h("admin"))
    assert r.status_code == 403 and r.json()["code"] == "own_account"
    assert (await client.get("/api/v1/auth/me", headers=org.h("admin"))).status_code == 200
