"""HR runs the organisation from the pages: staff, moves and leavers, teams, logins with
one-time passwords, the staff import; everyone changes their own password. Driven as a
browser drives them (forms with CSRF), through the API's services and audit."""

from __future__ import annotations

import html
import re

from httpx import AsyncClient

from appraisal.accounts.models import User
from appraisal.staff.models import Employee, Team
from tests.factories import PASSWORD, Org, form_of, log_in


async def test_the_staff_list_searches_and_filters(client: AsyncClient, org: Org) -> None:
    await Employee.filter(id=org.emp_b1).update(left_on="2026-11-01")
    await log_in(client, "hr")
    page = (await client.get("/staff?lang=en")).text
    assert "A001" in page and "A002" in page and "B001" not in page  # left: not active
    page = (await client.get("/staff", params={"state": "left"})).text
    assert "B001" in page and "A001" not in page
    page = (await client.get("/staff", params={"q": "王芳", "state": "all"})).text
    assert "A002" in page and "A001" not in page
    page = (await client.get("/staff", params={"q": "b00", "state": "all"})).text
    assert "B001" in page and "A002" not in page
    page = (await client.get("/staff", params={"team_id": org.team_b, "state": "all"})).text
    assert "B001" in page and "A001" not in page
    page = (await client.get("/staff", params={"position": "话务员", "state": "all"})).text
    assert "B001" in page and "A001" not in page
    for hostile in ({"team_id": "x"}, {"state": "??"}, {"q": "%' OR 1=1 --"}):
        assert (await client.get("/staff", params=hostile)).status_code == 200


async def test_scopes_hold_on_the_pages(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    page = (await client.get("/staff")).text
    assert "A001" in page and "B001" not in page
    assert 'href="/staff/new"' not in page and 'href="/staff"' in page  # read only, in the menu
    assert (await client.get(f"/staff/{org.emp_b1}")).status_code == 404
    own = await client.get(f"/staff/{org.emp_a1}")
    assert own.status_code == 200 and "disabled" in own.text
    r = await client.post(f"/staff/{org.emp_a1}/leave",
                          data={"csrf": client.cookies["csrftoken"], "left_on": "2026-11-10"})
    assert r.status_code == 403
    assert (await Employee.get(id=org.emp_a1)).left_on is None
    for path in ("/staff/new", "/teams", "/logins"):
        assert (await client.get(path)).status_code == 403, path
    client.cookies.clear()
    await log_in(client, "emp_a1")
    assert (await client.get("/staff")).status_code == 403
    assert 'href="/staff"' not in (await client.get("/me")).text


async def test_add_correct_move_and_mark_a_leaver(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "hr")
    form = form_of((await client.get("/staff/new")).text, "/staff/new")
    r = await client.post("/staff/new", data={**form, "employee_no": "A010", "name": "钱琳",
                                              "team_id": str(org.team_a), "position": "礼宾员",
                                              "hired_on": "2026-10-08"})
    assert r.status_code == 303, r.text
    new = await Employee.get(employee_no="A010")
    assert r.headers["location"] == f"/staff/{new.id}?saved=1" and new.hired_on.isoformat() == "2026-10-08"
    # A bad field stays on the page, named, nothing written.
    r = await client.post("/staff/new", data={**form, "employee_no": "A 11", "name": "x",
                                              "team_id": str(org.team_a)})
    assert r.status_code == 422 and "A 11" in r.text
    assert not await Employee.filter(name="x").exists()
    r = await client.post("/staff/new", data={**form, "employee_no": "A011", "name": "y",
                                              "team_id": str(org.team_a), "hired_on": "someday"})
    assert r.status_code == 422 and not await Employee.filter(name="y").exists()
    # Moved to another team: the page keeps the team by month.
    page = (await client.get(f"/staff/{new.id}")).text
    sent = form_of(page, f"/staff/{new.id}")
    assert sent["csrf"] == csrf and sent["employee_no"] == "A010" and sent["hired_on"] == "2026-10-08"
    r = await client.post(f"/staff/{new.id}", data={**sent, "team_id": str(org.team_b)})
    assert r.status_code == 303
    assert (await Employee.get(id=new.id)).team_id == org.team_b
    page = (await client.get(f"/staff/{new.id}?lang=en")).text
    history = page.split("Team by month")[1]
    assert "2026-11" in history and "客服中心 Call centre" in history and "前台组 Front desk" in history
    # A leaver: marked with their last day; their evidence stays.
    r = await client.post(f"/staff/{new.id}/leave", data={"csrf": csrf, "left_on": ""})
    assert r.status_code == 422
    r = await client.post(f"/staff/{new.id}/leave", data={"csrf": csrf, "left_on": "2026-11-15"})
    assert r.status_code == 303
    assert (await Employee.get(id=new.id)).left_on.isoformat() == "2026-11-15"
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "employee"})).json()
    assert audit[0]["after"]["left_on"] == "2026-11-15"
    assert "Last working day: 2026-11-15" in (await client.get(f"/staff/{new.id}?lang=en")).text


async def test_teams_are_created_renamed_and_given_supervisors(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "hr")
    page = (await client.get("/teams")).text
    assert "前台组 Front desk" in page and "sup_a" in page
    r = await client.post("/teams", data={"csrf": csrf, "name": "工程部",
                                          "supervisor_ids": [str(org.users["sup_b"])]})
    assert r.status_code == 303
    team = await Team.get(name="工程部")
    assert [u.id for u in await team.supervisors.all()] == [org.users["sup_b"]]
    r = await client.post("/teams", data={"csrf": csrf, "name": "工程部"})
    assert r.status_code == 409 and await Team.filter(name="工程部").count() == 1
    r = await client.post(f"/teams/{team.id}", data={
        "csrf": csrf, "name": "工程维修部", "supervisor_ids": [str(org.users["sup_a"])]})
    assert r.status_code == 303
    await team.refresh_from_db()
    assert team.name == "工程维修部"
    assert [u.id for u in await team.supervisors.all()] == [org.users["sup_a"]]
    r = await client.post(f"/teams/{team.id}", data={
        "csrf": csrf, "name": "x", "supervisor_ids": [str(org.users["emp_a1"])]})
    assert r.status_code == 422 and (await Team.get(id=team.id)).name == "工程维修部"


async def test_logins_with_one_time_passwords(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "hr")
    page = (await client.get(f"/logins?employee_id={org.emp_a2}")).text
    assert f'<option value="{org.emp_a2}" selected' in page
    assert 'value="hr"' not in page.split('id="role"')[1].split("</select>")[0]  # HR: no HR roles
    r = await client.post("/logins", data={"csrf": csrf, "username": "wang.fang",
                                           "role": "employee", "employee_id": str(org.emp_a2)})
    assert r.status_code == 200, r.text
    once = re.search(r'class="secret"><code>([^<]+)</code>', r.text).group(1)
    user = await User.get(username="wang.fang")
    assert user.must_change_password and user.employee_id == org.emp_a2
    # The new login must change its password before anything else.
    other = AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        await other.get("/login")
        token = other.cookies["csrftoken"]
        r = await other.post("/login", data={"csrf": token, "username": "wang.fang",
                                             "password": once, "next": ""})
        assert r.status_code == 303 and r.headers["location"] == "/password"
        r = await other.get("/me")
        assert r.status_code == 303 and r.headers["location"] == "/password"
        forced = await other.get("/password?lang=en")
        assert "Choose your own" in forced.text
        r = await other.post("/password", data={"csrf": token, "current": once,
                                                "new": "password123", "repeat": "password123"})
        assert r.status_code == 422 and "most common" in r.text
        r = await other.post("/password", data={"csrf": token, "current": once,
                                                "new": "wang-fang-2026", "repeat": "wang-fang-20"})
        assert r.status_code == 422
        r = await other.post("/password", data={"csrf": token, "current": once,
                                                "new": "wang-fang-2026", "repeat": "wang-fang-2026"})
        assert r.status_code == 303 and r.headers["location"] == "/me"
        assert (await other.get("/me")).status_code == 200
    # Reset: a new one-time password, the sessions end; then deactivated.
    r = await client.post(f"/logins/{user.id}/reset", data={"csrf": csrf})
    assert r.status_code == 200 and 'class="secret"' in r.text
    assert (await User.get(id=user.id)).must_change_password
    r = await client.post(f"/logins/{user.id}/active", data={"csrf": csrf, "active": "0"})
    assert r.status_code == 303 and not (await User.get(id=user.id)).active
    # HR does not reset an admin's or another HR's login.
    r = await client.post(f"/logins/{org.users['admin']}/reset", data={"csrf": csrf})
    assert r.status_code == 403 and 'class="secret"' not in r.text
    r = await client.post("/logins", data={"csrf": csrf, "username": "hr2", "role": "hr"})
    assert r.status_code == 403 and not await User.filter(username="hr2").exists()
    r = await client.post("/logins", data={"csrf": csrf, "username": "has space",
                                           "role": "supervisor"})
    assert r.status_code == 422


async def test_everyone_has_a_password_page(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "emp_a1")
    page = await client.get("/password")
    assert page.status_code == 200 and 'href="/password"' in page.text
    r = await client.post("/password", data={"csrf": csrf, "current": "wrong-one-123",
                                             "new": "emp-a1-secret-9", "repeat": "emp-a1-secret-9"})
    assert r.status_code == 422
    r = await client.post("/password", data={"csrf": csrf, "current": PASSWORD,
                                             "new": "emp-a1-secret-9", "repeat": "emp-a1-secret-9"})
    assert r.status_code == 303 and r.headers["location"] == "/password?saved=1"
    login = await client.post("/api/v1/auth/login", json={"username": "emp_a1",
                                                          "password": "emp-a1-secret-9"})
    assert login.status_code == 200


async def test_the_staff_import_page(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "hr")
    assert 'action="/imports/employees"' in (await client.get("/imports")).text
    data = ("employee_no,name,team,position,hired_on,left_on,username,role\n"
            "H001,马丽,保洁部,保洁员,2026-11-01,,ma.li,\n"
            "H002,杨光,保洁部,保洁员,2026-11-01,,,\n").encode()
    r = await client.post("/imports/employees", data={"csrf": csrf},
                          files={"file": ("staff.csv", data)})
    assert r.status_code == 422 and "保洁部" in r.text
    r = await client.post("/imports/employees", data={"csrf": csrf, "create_teams": "true"},
                          files={"file": ("staff.csv", data)})
    assert r.status_code == 200, r.text
    once = re.search(r"<td><code>([^<]+)</code></td>", r.text).group(1)
    # What a browser sends: the attribute's text, unescaped.
    sheet = {k: html.unescape(v) for k, v in form_of(r.text, "/imports/employees/logins.csv").items()}
    got = await client.post("/imports/employees/logins.csv", data=sheet)
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    text = got.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "employee_no,name,username,role,password"
    assert f"H001,马丽,ma.li,employee,{once}" in text
    xlsx = await client.post("/imports/employees/logins.xlsx", data=sheet)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (await client.post("/imports/employees/logins.pdf", data=sheet)).status_code == 404
    # Nothing of the passwords is kept: the server answers only what the page sent.
    empty = await client.post("/imports/employees/logins.csv", data={"csrf": csrf})
    assert once not in empty.content.decode("utf-8-sig")
