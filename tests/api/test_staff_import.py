"""Bulk staff import: all or nothing, re-import changes nothing, changes audited field by
field, unknown teams refused unless created, logins with one-time passwords."""

from __future__ import annotations

import io

from httpx import AsyncClient

from tests.factories import Org

HEADER = "employee_no,name,team,position,hired_on,left_on"


def staff_csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


async def _import(client: AsyncClient, org: Org, data: bytes, who: str = "hr",
                  name: str = "staff.csv", **form: str) -> object:
    return await client.post("/api/v1/imports/employees", headers=org.h(who),
                             files={"file": (name, data)}, data=form)


async def test_import_then_reimport_changes_nothing(client: AsyncClient, org: Org) -> None:
    data = staff_csv("C001,陈静,前台组 Front desk,前台接待,2026-03-01,",
                     "C002,刘洋,客服中心 Call centre,话务员,2026/04/15,",
                     "A001,张伟,前台组 Front desk,前台接待,,")
    r = await _import(client, org, data)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["imported"], body["updated"], body["unchanged"]) == (2, 0, 1)
    assert body["teams_created"] == [] and body["logins"] == []
    staff = {e["employee_no"]: e for e in (await client.get(
        "/api/v1/employees", headers=org.h("hr"))).json()}
    assert staff["C002"]["hired_on"] == "2026-04-15" and staff["C002"]["team_id"] == org.team_b
    audit_before = len((await client.get("/api/v1/audit", headers=org.h("hr"),
                                         params={"entity": "employee"})).json())
    r = await _import(client, org, data)
    assert (r.json()["imported"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 3)
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "employee"})).json()
    assert len(audit) == audit_before + 1  # the import itself, nothing else
    # GB18030 as saved on Chinese Windows; a changed row updates that employee.
    changed = staff_csv("C002,刘洋,前台组 Front desk,领班,2026-04-15,2026-11-30",
                        encoding="gb18030")
    r = await _import(client, org, changed)
    assert (r.json()["imported"], r.json()["updated"], r.json()["unchanged"]) == (0, 1, 0)
    entry = next(a for a in (await client.get("/api/v1/audit", headers=org.h("hr"), params={
        "entity": "employee"})).json() if a["action"] == "update")
    assert entry["before"] == {"team_id": org.team_b, "position": "话务员", "left_on": None}
    assert entry["after"] == {"team_id": org.team_a, "position": "领班", "left_on": "2026-11-30"}


async def test_all_or_nothing_with_row_errors(client: AsyncClient, org: Org) -> None:
    data = staff_csv("D001,甲,前台组 Front desk,,,",
                     "D002,乙,工程部,,,",
                     "D 3,丙,前台组 Front desk,,2026-13-01,",
                     "D001,丁,前台组 Front desk,,2026-05-01,2026-04-01",
                     ",,,,,")
    r = await _import(client, org, data)
    assert r.status_code == 422, r.text
    errors = [(e["row"], e["column"]) for e in r.json()["errors"]]
    assert errors == [(3, "team"), (4, "employee_no"), (4, "hired_on"), (5, "employee_no"),
                      (5, "left_on")]
    assert r.json()["errors"][0]["code"] == "team_unknown"
    staff = {e["employee_no"] for e in (await client.get(
        "/api/v1/employees", headers=org.h("hr"))).json()}
    assert "D001" not in staff
    assert (await client.get("/api/v1/audit", headers=org.h("hr"), params={
        "entity": "employee"})).json() == []
    r = await _import(client, org, staff_csv("D001,甲,前台组 Front desk", header="employee_no,name,team"))
    assert r.status_code == 422 and {e["column"] for e in r.json()["errors"]} == {
        "position", "hired_on", "left_on"}
    r = await _import(client, org, b"x", name="staff.txt")
    assert r.status_code == 415


async def test_create_teams_and_logins(client: AsyncClient, org: Org) -> None:
    data = staff_csv("E001,周杰,工程部,维修工,2026-01-05,,eng.zhou,",
                     "E002,吴磊,工程部,主管,2026-01-05,,eng.wu,supervisor",
                     "E003,郑爽,工程部,维修工,,,,",
                     header=HEADER + ",username,role")
    r = await _import(client, org, data)
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "team"
    r = await _import(client, org, data, create_teams="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["teams_created"] == ["工程部"] and body["logins_created"] == 2
    logins = {x["username"]: x for x in body["logins"]}
    assert logins["eng.wu"]["role"] == "supervisor" and logins["eng.zhou"]["role"] == "employee"
    login = await client.post("/api/v1/auth/login", json={
        "username": "eng.zhou", "password": logins["eng.zhou"]["password"]})
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    sup = await client.post("/api/v1/auth/login", json={
        "username": "eng.wu", "password": logins["eng.wu"]["password"]})
    assert sup.json()["user"]["role"] == "supervisor"
    me = await client.get("/api/v1/auth/me", headers={
        "Authorization": f"Bearer {sup.json()['token']}"})
    teams = {t["name"]: t["id"] for t in (await client.get(
        "/api/v1/teams", headers=org.h("hr"))).json()}
    assert me.json()["team_ids"] == [teams["工程部"]]
    # Nothing in the audit trail holds a password.
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"))).json()
    assert logins["eng.zhou"]["password"] not in str(audit)
    # Again: the logins are there, nothing new.
    r = await _import(client, org, data, create_teams="true")
    assert r.json()["logins"] == [] and r.json()["unchanged"] == 3


async def test_roles_above_supervisor_only_from_an_admin(client: AsyncClient, org: Org) -> None:
    data = staff_csv("F001,孙丽,前台组 Front desk,人事专员,,,hr.sun,hr", header=HEADER + ",username,role")
    r = await _import(client, org, data)
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "role"
    r = await _import(client, org, data, who="admin")
    assert r.status_code == 200 and r.json()["logins"][0]["role"] == "hr"
    bad = staff_csv("F002,钱多,前台组 Front desk,,,,hr,", "F003,李四,前台组 Front desk,,,,,king",
                    header=HEADER + ",username,role")
    r = await _import(client, org, bad, who="admin")
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "username"),
                                                                    (3, "username")]
    r = await _import(client, org, data, who="sup_a")
    assert r.status_code == 403


async def test_xlsx(client: AsyncClient, org: Org) -> None:
    from datetime import date

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["employee_no", "name", "team", "position", "hired_on", "left_on"])
    ws.append(["G001", "冯晓", "前台组 Front desk", "礼宾员", date(2026, 2, 1), None])
    out = io.BytesIO()
    wb.save(out)
    r = await _import(client, org, out.getvalue(), name="staff.xlsx")
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    staff = {e["employee_no"]: e for e in (await client.get(
        "/api/v1/employees", headers=org.h("hr"))).json()}
    assert staff["G001"]["hired_on"] == "2026-02-01"


async def test_at_most_ten_thousand_rows(client: AsyncClient, org: Org) -> None:
    data = staff_csv(*(f"J{n:05d},某,前台组 Front desk,,," for n in range(10_001)))
    r = await _import(client, org, data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 10_002, "column": None, "code": "too_many_rows",
                                   "message": "at most 10,000 rows a file",
                                   "params": {"max": "10,000"}}]
    assert not (await client.get("/api/v1/employees", headers=org.h("hr"),
                                 params={"team_id": org.team_a})).json()[-1]["employee_no"].startswith("J")
