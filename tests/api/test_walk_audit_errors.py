"""What the month's walk-through found on the audit trail, the error pages, the
language kept through the login and the health check's place in the API document."""

from __future__ import annotations

from httpx import AsyncClient

from appraisal.app import create_app
from tests.factories import Org, inspection, log_in

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_a_refusal_names_roles_by_their_labels(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.get("/months", params={"lang": "zh"})
    assert r.status_code == 403
    assert "允许的角色：管理员, 人事" in r.text and "admin" not in r.text
    assert "表单已过期" not in r.text  # reached by a link: no form could have expired
    r = await client.get("/months", params={"lang": "en"})
    assert "Role &#39;Supervisor&#39; may not do this; allowed: Admin, HR." in r.text
    assert "form you sent has expired" not in r.text
    # The API still says the codes.
    r = await client.get("/api/v1/periods", headers=org.h("sup_a"))
    assert r.json()["params"]["allowed"] == "admin, hr"


async def test_a_refused_form_post_may_have_expired(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.post("/inspect", data={"csrf": "stale"}, params={"lang": "zh"})
    assert r.status_code == 403 and "表单已过期" in r.text


async def test_a_missing_record_names_its_kind(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.get("/inspections/9999", params={"lang": "zh"})
    assert r.status_code == 404 and "找不到记录 9999（巡检记录）" in r.text
    r = await client.get("/inspections/9999", params={"lang": "en"})
    assert "Inspection 9999 not found" in r.text


async def test_an_unknown_address_keeps_the_menu_of_who_is_logged_in(
        client: AsyncClient, org: Org) -> None:
    await log_in(client, "hr")
    r = await client.get("/no-such-page", headers=BROWSER)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<a href="/months">' in r.text and 'action="/logout"' in r.text
    client.cookies.set("appraisal_session", "not-a-session")
    r = await client.get("/no-such-page", headers=BROWSER)
    assert r.status_code == 404 and 'action="/logout"' not in r.text  # an unknown session: no menu


async def test_the_language_in_the_address_survives_the_login_redirect(client: AsyncClient) -> None:
    r = await client.get("/", params={"lang": "en"})
    assert r.status_code == 303 and "lang=en" in r.headers["location"]
    r = await client.get(r.headers["location"])
    assert r.status_code == 200 and "Log in" in r.text and 'lang="en"' in r.text
    assert r.cookies.get("lang") == "en"


async def test_healthz_needs_no_token_and_says_its_fields(client: AsyncClient) -> None:
    doc = create_app(manage_db=False).openapi_schema.to_schema()
    operation = doc["paths"]["/healthz"]["get"]
    assert operation["security"] == []  # overrides the document's BearerToken
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert {"status", "database", "rulebook"} <= set(fields)
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["rulebook"]


async def test_the_audit_trail_reads_as_words(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    r = await client.post("/api/v1/inspections", headers=h,
                          json=inspection(org.emp_a1, fails=("V1",)))
    assert r.status_code == 201, r.text
    insp = r.json()["id"]
    # The same instant spelt in UTC, and a note: only the note changed.
    r = await client.patch(f"/api/v1/inspections/{insp}", headers=h,
                           json={"occurred_at": "2026-11-05T02:00:00Z", "notes": "复查"})
    assert r.status_code == 200, r.text
    corrected = inspection(org.emp_a1, fails=("H1",))["items"]
    r = await client.patch(f"/api/v1/inspections/{insp}", headers=h, json={"items": corrected})
    assert r.status_code == 200, r.text
    r = await client.delete(f"/api/v1/inspections/{insp}", headers=h, params={"reason": "重复录入"})
    assert r.status_code == 204, r.text
    await log_in(client, "hr")
    text = (await client.get("/audit", params={"entity": "inspection", "lang": "zh"})).text
    for raw in ("'code'", "None", "True", "False", "answered_at", "snapshot_id"):
        assert raw not in text, raw
    assert "H1 合格" in text and "V1 不合格" in text  # the checklist, by its labels
    assert '<span class="field">员工</span> 张伟' in text  # the employee by name
    assert '<span class="field">巡检人</span> sup_a' in text  # a user by name, not an id
    assert '<span class="field">巡检时间</span> 2026-11-05 10:00</li>' in text  # created, local
    assert "2026-11-05 10:00 → 2026-11-05 10:00" not in text  # one instant: no change
    assert '<span class="field">备注</span> — → 复查' in text
    # A corrected checklist: the items that changed, not all fifteen twice.
    assert '<span class="field">检查项目</span> H1 合格, V1 不合格 → H1 不合格, V1 合格</li>' in text
    assert text.count("重复录入") == 1  # the void's reason once, as 作废原因
    assert '<option value="inspection" selected>巡检记录</option>' in text  # the filter by label
    text = (await client.get("/audit", params={"entity": "inspection", "lang": "en"})).text
    assert "H1 Pass" in text and "V1 Fail" in text and "Inspector</span> sup_a" in text
