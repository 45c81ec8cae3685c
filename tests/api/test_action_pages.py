"""Corrective actions on the pages: the employee sees theirs and marks it done, the
supervisor checks it, the team page lists the overdue ones, an inspection's page
opens one by hand."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import Org, form_of, inspection, log_in


async def test_an_action_from_the_inspection_page_to_verified(client: AsyncClient,
                                                              org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a1, fails=("N3",)))
    insp = r.json()["id"]
    await log_in(client, "sup_a")
    r = await client.get(f"/inspections/{insp}")
    assert f'href="/actions/new?inspection_id={insp}"' in r.text
    r = await client.get(f"/actions/new?inspection_id={insp}")
    form = form_of(r.text, "/actions")
    assert '<option value="N3"' in r.text and '<option value="V1"' not in r.text
    r = await client.post("/actions", data={**form, "item_code": "N3",
                                            "due_at": "2026-11-20T14:00",
                                            "description": "前台灯管不亮"})
    assert r.status_code == 303, r.text
    url = r.headers["location"].replace("/actions?done=", "/actions/")
    # Due at 14:00, now 15:00: overdue, on the team page and first on the board.
    r = await client.get("/team")
    assert "逾期未完成的整改" in r.text and "前台灯管不亮" in r.text
    r = await client.get("/actions")
    assert "已逾期" in r.text and f'action="{url}/done"' in r.text

    # The employee marks it done from their own page.
    client.cookies.clear()
    await log_in(client, "emp_a1")
    r = await client.get("/me")
    assert "待整改" in r.text and "前台灯管不亮" in r.text
    done = form_of(r.text, f"{url}/done")
    r = await client.post(f"{url}/done", data={**done, "note": "已更换灯管"})
    assert r.status_code == 303 and r.headers["location"].startswith("/me")

    # The supervisor checks it.
    client.cookies.clear()
    await log_in(client, "sup_a")
    r = await client.get("/actions")
    check = form_of(r.text, f"{url}/verify")
    r = await client.post(f"{url}/verify", data={**check, "passed": "yes", "note": "亮了"})
    assert r.status_code == 303
    r = await client.get(f"/api/v1{url}", headers=org.h("hr"))
    assert r.json()["state"] == "verified" and r.json()["done_by"] == "emp_a1"


async def test_a_refused_step_stays_on_the_page_in_chinese(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a1, fails=("N3",)))
    r = await client.post("/api/v1/actions", headers=org.h("sup_a"), json={
        "inspection_id": r.json()["id"], "item_code": "N3", "assignee_id": org.emp_a1,
        "due_at": "2026-11-22T18:00:00+08:00"})
    url = f"/actions/{r.json()['id']}"
    await log_in(client, "emp_a1")
    r = await client.get("/me")
    done = form_of(r.text, f"{url}/done")
    r = await client.post(f"{url}/done", data={**done, "note": "  "})
    assert r.status_code == 422 and "请说明做了哪些整改" in r.text
    # An employee cannot check work at all.
    r = await client.post(f"{url}/verify", data={**done, "passed": "yes"})
    assert r.status_code == 403
