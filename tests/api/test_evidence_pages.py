"""Correcting and voiding evidence from the pages (SPEC §3.2), driven as a browser drives
them: each piece of evidence has a page with its form filled in as recorded, a form to
correct it and one to void it with a reason; CSRF, idempotency key, audit and the
closed month as in the API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from appraisal.audit.models import AuditEntry
from appraisal.evidence.models import Complaint, Inspection, InspectionItem
from appraisal.periods.models import Period, PeriodStatus
from tests.factories import ALL_ITEMS, NOV, Org, form_of, inspection, log_in


async def api_inspection(client: AsyncClient, org: Org, emp: int, **over: Any) -> dict[str, Any]:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(emp, **over))
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_inspection_is_corrected_from_its_page(client: AsyncClient, org: Org) -> None:
    insp = await api_inspection(client, org, org.emp_a1, occurred_at="2026-11-05T10:00:37+08:00")
    csrf = await log_in(client, "sup_a")
    listed = (await client.get("/inspect")).text
    assert "本月巡检" in listed and f'href="/inspections/{insp["id"]}"' in listed
    page = await client.get(f"/inspections/{insp['id']}")
    assert page.status_code == 200
    assert 'id="i-V1-pass" name="item-V1" value="pass" checked' in page.text
    sent = form_of(page.text, f"/inspections/{insp['id']}/correct")
    assert sent["csrf"] == csrf and sent["idempotency_key"] and sent["occurred_at"] == "2026-11-05T10:00"
    # A form without the CSRF token changes nothing.
    r = await client.post(f"/inspections/{insp['id']}/correct",
                          data={**sent, "csrf": "", "item-V1": "fail"})
    assert r.status_code == 403
    r = await client.post(f"/inspections/{insp['id']}/correct",
                          data={**sent, "item-V1": "fail", "touchpoint": "大堂"})
    assert r.status_code == 303 and r.headers["location"] == f"/inspect?corrected={insp['id']}"
    assert "已更正" in (await client.get(r.headers["location"])).text
    after = (await client.get(f"/api/v1/inspections/{insp['id']}", headers=org.h("hr"))).json()
    results = {i["code"]: i["result"] for i in after["items"]}
    assert results.pop("V1") == "fail" and set(results.values()) == {"pass"} and len(results) == 14
    assert after["touchpoint"] == "大堂"
    # Untouched fields are not sent: the time shown to the minute keeps its seconds.
    assert after["occurred_at"] == "2026-11-05T10:00:37+08:00"
    entry = await AuditEntry.filter(entity="inspection", action="update").get()
    assert entry.actor_username == "sup_a"
    assert next(i for i in entry.after["items"] if i["code"] == "V1")["result"] == "fail"


async def test_an_inspection_is_voided_from_its_page_and_counts_for_nothing(
        client: AsyncClient, org: Org) -> None:
    first = await api_inspection(client, org, org.emp_a1, day=3)
    await api_inspection(client, org, org.emp_a1, day=4)
    score = f"/api/v1/periods/2026-11/scores/{org.emp_a1}"
    assert (await client.get(score, headers=org.h("hr"))).json()["inspections"] == 2
    await log_in(client, "sup_a")
    action = f"/inspections/{first['id']}/void"
    sent = form_of((await client.get(f"/inspections/{first['id']}")).text, action)
    r = await client.post(action, data={**sent, "reason": "  "})
    assert r.status_code == 422 and "请说明作废原因" in r.text
    assert await Inspection.filter(voided_at__isnull=False).count() == 0
    r = await client.post(action, data={**sent, "reason": "录错了员工"})
    assert r.status_code == 303 and r.headers["location"] == f"/inspect?voided={first['id']}"
    again = await client.post(action, data={**sent, "reason": "录错了员工"})  # a double tap
    assert again.status_code == 303 and again.headers["idempotent-replayed"] == "true"
    assert await AuditEntry.filter(entity="inspection", action="void").count() == 1
    # Kept, struck through in the list, shown without forms, and not counted.
    listed = (await client.get(r.headers["location"])).text
    assert '<li class="void">' in listed and "录错了员工" in listed and "已作废" in listed
    page = (await client.get(f"/inspections/{first['id']}")).text
    assert "录错了员工" in page and f'action="/inspections/{first["id"]}/void"' not in page
    assert 'fieldset class="plain" disabled' in page and "保存更正" not in page
    assert await InspectionItem.filter(inspection_id=first["id"]).count() == 15
    live = (await client.get(score, headers=org.h("hr"))).json()
    assert live["inspections"] == 1 and live["status"] == "insufficient_evidence"
    team = (await client.get("/team")).text.split("<tr>")
    assert "还需 1 次" in next(row for row in team if "张伟" in row)
    # The employee sees it too, struck through with the reason, not as coaching due.
    client.cookies.clear()
    await log_in(client, "emp_a1")
    me = (await client.get("/me")).text
    assert me.count('class="card void"') == 1 and "录错了员工" in me


async def test_a_return_visit_is_not_offered_before_the_complaint_is_resolved(
        client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/complaints", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a1, "received_at": NOV, "channel": "电话", "severity": "minor",
        "description": "等候太久"})
    complaint = r.json()
    csrf = await log_in(client, "sup_a")
    page = (await client.get("/complaints")).text
    card = page[page.index(f'action="/complaints/{complaint["id"]}"'):]
    card = card[:card.index("</form>")]
    assert 'name="resolved_at"' in card and 'name="return_visit_at"' not in card
    # The mis-tap the page no longer offers, sent anyway: refused, nothing written.
    r = await client.post(f"/complaints/{complaint['id']}",
                          data={"csrf": csrf, "return_visit_at": "now", "status": "pending"})
    assert r.status_code == 422 and "回访须在投诉解决之后" in r.text
    assert (await Complaint.get()).return_visit_at is None
    r = await client.post(f"/complaints/{complaint['id']}",
                          data={"csrf": csrf, "resolved_at": "now", "status": "substantiated"})
    assert r.status_code == 303
    page = (await client.get("/complaints")).text
    assert 'name="return_visit_at" value="now"' in page  # resolved: now it is offered


async def test_a_follow_up_recorded_by_mistake_is_undone_from_the_complaints_page(
        client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/complaints", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a1, "received_at": NOV, "channel": "电话", "severity": "major",
        "description": "等候太久", "status": "substantiated",
        "first_response_at": "2026-11-05T11:00:00+08:00",
        "resolved_at": "2026-11-06T09:00:00+08:00", "customer_satisfied": True,
        "return_visit_at": "2026-11-07T09:00:00+08:00"})
    cid = r.json()["id"]
    await log_in(client, "sup_a")
    assert f'href="/complaints/{cid}"' in (await client.get("/complaints")).text
    page = (await client.get(f"/complaints/{cid}")).text
    action = f"/complaints/{cid}/correct"
    sent = form_of(page, action)
    assert (sent["return_visit_at"], sent["status"], sent["customer_satisfied"]) == (
        "2026-11-07T09:00", "substantiated", "yes")
    # Clearing the resolution alone would leave a return visit before any resolution.
    r = await client.post(action, data={**sent, "resolved_at": ""})
    assert r.status_code == 422 and "回访仍有记录" in r.text
    assert 'id="resolved_at" name="resolved_at" value=""' in r.text  # as it was typed
    r = await client.post(action, data={**sent, "return_visit_at": "", "customer_satisfied": "",
                                        "status": "pending"})
    assert r.status_code == 303 and r.headers["location"] == f"/complaints?corrected={cid}"
    after = (await client.get(f"/api/v1/complaints/{cid}", headers=org.h("hr"))).json()
    assert (after["return_visit_at"], after["customer_satisfied"], after["status"]) == (
        None, None, "pending")
    assert after["resolved_at"] == "2026-11-06T09:00:00+08:00"  # untouched, kept
    entry = await AuditEntry.filter(entity="complaint", action="update").get()
    assert entry.before["return_visit_at"] and entry.after["return_visit_at"] is None
    # Voided from its page: struck through on the list, without its follow-up form.
    sent = form_of((await client.get(f"/complaints/{cid}")).text, f"/complaints/{cid}/void")
    r = await client.post(f"/complaints/{cid}/void", data={**sent, "reason": "重复登记"})
    assert r.status_code == 303
    page = (await client.get("/complaints")).text
    assert 'class="card void"' in page and "重复登记" in page
    assert f'action="/complaints/{cid}"' not in page


async def test_a_survey_is_corrected_and_voided_from_its_page(
        client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/surveys", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a2, "received_at": NOV, "attitude": 2, "quality": 4,
        "comment": "态度一般"})
    sid = r.json()["id"]
    await log_in(client, "sup_a")
    assert f'href="/surveys/{sid}"' in (await client.get("/surveys")).text
    action = f"/surveys/{sid}/correct"
    sent = form_of((await client.get(f"/surveys/{sid}")).text, action)
    assert (sent["attitude"], sent["quality"], sent["efficiency"]) == ("2", "4", "")
    r = await client.post(action, data={**sent, "attitude": "5", "quality": ""})
    assert r.status_code == 303
    after = (await client.get(f"/api/v1/surveys/{sid}", headers=org.h("hr"))).json()
    assert (after["attitude"], after["quality"], after["comment"]) == (5, None, "态度一般")
    sent = form_of((await client.get(f"/surveys/{sid}")).text, action)  # a fresh key
    r = await client.post(action, data={**sent, "attitude": ""})
    assert r.status_code == 422 and "至少需要一项评分" in r.text
    sent = form_of((await client.get(f"/surveys/{sid}")).text, f"/surveys/{sid}/void")
    assert (await client.post(f"/surveys/{sid}/void",
                              data={**sent, "reason": "顾客评错了人"})).status_code == 303
    listed = (await client.get("/surveys?voided=1")).text
    assert '<li class="void">' in listed and "顾客评错了人" in listed
    live = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a2}",
                             headers=org.h("hr"))).json()
    assert all(d["survey"] is None for d in live["dimension_breakdown"])


async def test_an_all_na_inspection_is_refused_on_the_page(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    form = {"csrf": csrf, "employee_id": str(org.emp_a1), "touchpoint": "前台",
            "method": "onsite", **{f"item-{code}": "na" for code in ALL_ITEMS}}
    r = await client.post("/inspect", data=form)
    assert r.status_code == 422 and "所有项目都是“不适用”" in r.text
    assert await Inspection.all().count() == 0
    assert 'id="i-V1-na" name="item-V1" value="na" checked' in r.text  # the taps are kept


async def test_corrections_of_a_closed_month_are_refused(client: AsyncClient, org: Org) -> None:
    insp = await api_inspection(client, org, org.emp_a1)
    await log_in(client, "sup_a")
    page = (await client.get(f"/inspections/{insp['id']}")).text
    correct = form_of(page, f"/inspections/{insp['id']}/correct")
    void = form_of(page, f"/inspections/{insp['id']}/void")
    await Period.filter(month="2026-11").update(status=PeriodStatus.closed)
    page = (await client.get(f"/inspections/{insp['id']}")).text
    assert "人事重新打开该月后才能更正" in page and "保存更正" not in page
    r = await client.post(f"/inspections/{insp['id']}/correct", data={**correct, "item-V1": "fail"})
    assert r.status_code == 409 and "2026-11" in r.text
    r = await client.post(f"/inspections/{insp['id']}/void", data={**void, "reason": "x"})
    assert r.status_code == 409
    assert await AuditEntry.filter(entity="inspection").exclude(action="create").count() == 0


async def test_a_supervisor_reaches_only_the_evidence_of_their_teams(
        client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_b"),
                          json=inspection(org.emp_b1))
    foreign = r.json()["id"]
    csrf = await log_in(client, "sup_a")
    assert (await client.get(f"/inspections/{foreign}")).status_code == 404
    r = await client.post(f"/inspections/{foreign}/void", data={"csrf": csrf, "reason": "x"})
    assert r.status_code == 404
    assert (await Inspection.get(id=foreign)).voided_at is None
    client.cookies.clear()
    csrf = await log_in(client, "hr")  # HR reaches every team's evidence
    page = (await client.get(f"/inspections/{foreign}")).text
    sent = form_of(page, f"/inspections/{foreign}/void")
    r = await client.post(f"/inspections/{foreign}/void", data={**sent, "reason": "重复"})
    assert r.status_code == 303
    assert (await Inspection.get(id=foreign)).voided_by_id == org.users["hr"]
