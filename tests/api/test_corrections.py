"""Corrections that hang together (SPEC §5, §3.1, §6, §7): a month recorded, closed,
allocated, published, batched, appealed, answered, reopened and closed again.

An upheld appeal reopens its month; publishing over an incentive allocation made on
superseded scores is refused until HR allocates again or discards it; a batch of
superseded scores says so; the employee keeps the whole history of the month; a month
closes only once it is over; the month page confirms before it closes, publishes or
reopens, and its ranking links each employee's breakdown with their bonus.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from httpx import AsyncClient

from tests.conftest import BACKEND
from tests.factories import NOVEMBER_OVER, Org, closed_month, inspection, log_in

ME = "/api/v1/me/appraisals"
NOV = "/api/v1/periods/2026-11"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def mine(client: AsyncClient, org: Org, who: str) -> list[dict[str, Any]]:
    r = await client.get(ME, headers=org.h(who))
    assert r.status_code == 200, r.text
    return r.json()


async def appeal_upheld(client: AsyncClient, org: Org, answer: str = "已补录表扬，重新核算。"
                        ) -> dict[str, Any]:
    """B1 appeals the published month and HR upholds it."""
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"),
                          json={"reason": "11月的锦旗没有记上"})
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/appeals/{r.json()['id']}/answer", headers=org.h("hr"),
                          json={"decision": "upheld", "answer": answer})
    assert r.status_code == 200, r.text
    return r.json()


async def corrected(client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    """After the upheld appeal: B1's commendation recorded, the month closed again (once
    it is over), the pool shared again on the new scores, and published."""
    hr = org.h("hr")
    r = await client.post("/api/v1/commendations", headers=hr, json={
        "employee_id": org.emp_b1, "received_at": "2026-11-12T16:00:00+08:00",
        "source": "锦旗", "description": "业主送来锦旗"})
    assert r.status_code == 201, r.text
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    assert (await client.post(f"{NOV}/incentives", headers=hr,
                              json={"pool": "4200.00"})).status_code == 201
    assert (await client.post(f"{NOV}/publish", headers=hr)).status_code == 200


# --- 1. An upheld appeal reopens the month ---------------------------------------------


async def test_upheld_appeal_reopens_the_month_in_the_same_answer(
        client: AsyncClient, published: Org) -> None:
    org = published
    answered = await appeal_upheld(client, org)
    assert (answered["status"], answered["reopened_month"]) == ("upheld", True)
    period = (await client.get(NOV, headers=org.h("hr"))).json()
    assert period["status"] == "open" and period["snapshot"] is None  # superseded, kept
    from appraisal.scoring.models import ScoreSnapshot

    [snapshot] = await ScoreSnapshot.all()
    assert snapshot.superseded_at is not None
    assert snapshot.superseded_reason == f"appeal #{answered['id']} upheld: 已补录表扬，重新核算。"
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "period"})).json()
    assert audit[0]["action"] == "reopen" and audit[0]["reason"] == snapshot.superseded_reason
    # Evidence of the month is taken again, so the appeal can be put right.
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=inspection(org.emp_b1, day=6))
    assert r.status_code == 201, r.text


async def test_rejected_appeal_or_an_open_month_reopens_nothing(
        client: AsyncClient, published: Org) -> None:
    org = published
    hr = org.h("hr")
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_a1"), json={"reason": "r"})
    r = await client.post(f"/api/v1/appeals/{r.json()['id']}/answer", headers=hr,
                          json={"decision": "rejected", "answer": "维持"})
    assert r.json()["reopened_month"] is False
    assert (await client.get(NOV, headers=hr)).json()["status"] == "published"
    # An appeal answered once the month is open again (HR reopened it) reopens nothing more.
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"), json={"reason": "r"})
    appeal_id = r.json()["id"]
    assert (await client.post(f"{NOV}/reopen", headers=hr,
                              json={"reason": "补录投诉"})).status_code == 200
    r = await client.post(f"/api/v1/appeals/{appeal_id}/answer", headers=hr,
                          json={"decision": "upheld", "answer": "一并更正"})
    assert r.status_code == 200 and r.json()["reopened_month"] is False
    from appraisal.audit.models import AuditEntry

    assert await AuditEntry.filter(action="reopen").count() == 1


async def test_upholding_on_the_page_reopens_the_month(client: AsyncClient, published: Org) -> None:
    org = published
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"),
                          json={"reason": "11月的锦旗没有记上"})
    appeal_id = r.json()["id"]
    csrf = await log_in(client, "hr")
    page = (await client.get("/appeals")).text
    assert "申诉成立，重新打开本月" in page and "将重新打开" not in page
    r = await client.post(f"/appeals/{appeal_id}/answer", data={
        "csrf": csrf, "decision": "upheld", "answer": "已补录", "idempotency_key": "k-1",
        "confirmed": "yes"})
    assert r.status_code == 303
    assert r.headers["location"] == "/appeals?done=answered&reopened=2026-11"
    page = (await client.get(r.headers["location"])).text
    assert "申诉成立，2026-11 已重新打开" in page and 'href="/months/2026-11"' in page
    assert (await client.get(NOV, headers=org.h("hr"))).json()["status"] == "open"
    upheld = (await client.get("/appeals?status=upheld")).text
    assert "申诉成立已重新打开该月" in upheld
    assert f"/appraisals/{org.emp_b1}.pdf" not in upheld  # no PDF of scores being corrected
    assert "已重新打开更正" in (await client.get("/months")).text
    # The same form sent again (a double tap) answers once, and lands on the same page.
    again = await client.post(f"/appeals/{appeal_id}/answer", data={
        "csrf": csrf, "decision": "upheld", "answer": "已补录", "idempotency_key": "k-1",
        "confirmed": "yes"})
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]


# --- 2. Stale incentives and superseded batches ----------------------------------------


async def test_publishing_over_a_stale_allocation_is_refused_until_reallocated(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    hr = org.h("hr")
    await appeal_upheld(client, org)
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    assert (await client.get(f"{NOV}/incentives", headers=hr)).json()["stale"] is True
    r = await client.post(f"{NOV}/publish", headers=hr)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    for words in ("2026-11", "the organisation", "4200.00", "snapshot #1", "Allocate the pool again",
                  "discard", "discard_stale_incentives"):
        assert words in detail, (words, detail)
    assert (await client.get(NOV, headers=hr)).json()["status"] == "closed"  # nothing written
    # Payroll is not paid from it either.
    for export in ("incentives.csv", "incentives.xlsx"):
        r = await client.get(f"{NOV}/{export}", headers=hr)
        assert r.status_code == 409 and r.json()["code"] == "stale_incentives_export", export
    r = await client.post(f"{NOV}/incentives", headers=hr, json={"pool": "4200.00"})
    assert r.json()["stale"] is False
    assert (await client.get(f"{NOV}/incentives.csv", headers=hr)).status_code == 200
    assert (await client.post(f"{NOV}/publish", headers=hr)).status_code == 200


async def test_a_stale_allocation_is_discarded_explicitly_and_audited(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    await closed_month(client, org)
    hr = org.h("hr")
    # Both scopes allocated before publishing (a published month's pool is not changed).
    for scope in ({"pool": "4200.00"}, {"pool": "900.00", "team_id": org.team_a}):
        r = await client.post(f"{NOV}/incentives", headers=hr, json=scope)
        assert r.status_code == 201
    # Made on the current scores: nothing to discard.
    r = await client.delete(f"{NOV}/incentives", headers=hr)
    assert r.status_code == 409 and "current scores" in r.json()["detail"]
    assert (await client.post(f"{NOV}/publish", headers=hr)).status_code == 200
    assert (await client.post(f"{NOV}/reopen", headers=hr,
                              json={"reason": "补录投诉"})).status_code == 200
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    r = await client.post(f"{NOV}/publish", headers=hr)
    assert r.status_code == 409 and "前台组 Front desk" in r.json()["detail"]  # both scopes named
    assert (await client.delete(f"{NOV}/incentives", headers=hr)).status_code == 204
    assert (await client.get(f"{NOV}/incentives", headers=hr)).status_code == 404
    r = await client.delete(f"{NOV}/incentives", headers=hr, params={"team_id": org.team_b})
    assert r.status_code == 404  # team B never had one
    # The team's stale allocation still stands in the way; publishing may discard it.
    r = await client.post(f"{NOV}/publish", headers=hr)
    assert r.status_code == 409 and "the organisation" not in r.json()["detail"]
    r = await client.post(f"{NOV}/publish", headers=hr, json={"discard_stale_incentives": True})
    assert r.status_code == 200 and r.json()["status"] == "published"
    from appraisal.incentives.models import IncentiveAllocation

    assert await IncentiveAllocation.all().count() == 0
    audit = (await client.get("/api/v1/audit", headers=hr,
                              params={"entity": "incentive"})).json()
    discards = [(a["entity_id"], a["before"]["pool"], a["reason"]) for a in audit
                if a["action"] == "discard"]
    assert discards == [
        (f"2026-11/team-{org.team_a}", "900.00", "discarded on publishing: made on superseded scores"),
        ("2026-11/organisation", "4200.00", "discarded: made on superseded scores")]
    # Employees see no bonus shared on old scores next to their new ones.
    current = (await mine(client, org, "emp_a1"))[0]
    assert (current["state"], current["incentive"]) == ("current", None)


async def test_month_page_shows_a_stale_allocation_and_offers_discard(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    hr = org.h("hr")
    await appeal_upheld(client, org)
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    csrf = await log_in(client, "hr")
    page = (await client.get("/months/2026-11")).text
    assert "已过时" in page and "4200.00" in page and "已分配 4200.00" not in page
    assert "incentives.xlsx" not in page  # no payroll file of old amounts
    assert "重新分配" in page and 'action="/months/2026-11/discard"' in page
    # Publishing is refused on the page too, saying why.
    r = await client.post("/months/2026-11/publish", data={"csrf": csrf})
    assert r.status_code == 409 and "奖金池是按重新打开前的得分分配的" in r.text
    r = await client.post("/months/2026-11/discard", data={"csrf": csrf, "team_id": ""})
    assert r.status_code == 303
    page = (await client.get(r.headers["location"])).text
    assert "已过时" not in page
    r = await client.post("/months/2026-11/publish", data={"csrf": csrf})
    assert r.status_code == 303


async def test_a_batch_of_superseded_scores_says_so(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    from appraisal.reporting import jobs

    org = published
    hr = org.h("hr")
    r = await client.post(f"{NOV}/report-jobs", headers=hr)
    assert r.status_code == 202
    assert (r.json()["superseded"], r.json()["superseded_by"]) == (False, None)
    job_id = r.json()["id"]
    await jobs.wait_all()
    await log_in(client, "hr")
    if BACKEND == "sqlite":  # built in-process: done, its ZIP offered while it is current
        assert "下载 ZIP" in (await client.get("/months/2026-11/report-job")).text
    assert (await client.post(f"{NOV}/reopen", headers=hr,
                              json={"reason": "重新核对"})).status_code == 200
    job = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=hr)).json()
    assert (job["superseded"], job["superseded_by"]) == (True, None)  # open again
    fragment = (await client.get("/months/2026-11/report-job")).text
    assert "已失效：本月已重新打开" in fragment
    clock.move_to(NOVEMBER_OVER)
    closed = (await client.post(f"{NOV}/close", headers=hr)).json()
    job = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=hr)).json()
    assert job["superseded"] is True
    assert job["superseded_by"]["sequence"] == 2 == closed["snapshot"]["sequence"]
    assert job["superseded_by"]["content_hash"] == closed["snapshot"]["content_hash"]
    assert job["superseded_by"]["created_at"].endswith("+08:00")
    client.cookies.clear()
    await log_in(client, "hr")
    fragment = (await client.get("/months/2026-11/report-job")).text
    assert "已被取代" in fragment and "快照 #2" in fragment
    assert "下载 ZIP" not in fragment and f"/api/v1/report-jobs/{job_id}/download" not in fragment
    # A batch of the new close is current.
    r = await client.post(f"{NOV}/report-jobs", headers=hr)
    assert r.json()["superseded"] is False


# --- 3. The employee keeps the history of the month ------------------------------------


async def test_the_employee_keeps_every_published_version_with_why(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    answered = await appeal_upheld(client, org)
    # While HR corrects it, the published result stays, marked as being corrected, and
    # is neither acknowledged nor appealed.
    [b1] = await mine(client, org, "emp_b1")
    assert (b1["state"], b1["final_score"], b1["can_acknowledge"], b1["can_appeal"]) == (
        "being_corrected", "96.71", False, False)
    assert (b1["appeal"]["status"], b1["appeal"]["answer"]) == ("upheld", "已补录表扬，重新核算。")
    assert b1["reopened"]["kind"] == "your_appeal"
    assert b1["reopened"]["reason"] == "已补录表扬，重新核算。"
    assert b1["reopened"]["appeal_id"] == answered["id"]
    assert b1["pdf_url"] is None and b1["score_url"] is None
    r = await client.post(f"{ME}/2026-11/acknowledge", headers=org.h("emp_b1"))
    assert r.status_code == 409 and "being corrected" in r.json()["detail"]
    # Another employee of the month learns that an appeal was upheld, not whose or why.
    [a1] = await mine(client, org, "emp_a1")
    assert a1["state"] == "being_corrected"
    assert (a1["reopened"]["kind"], a1["reopened"]["reason"], a1["reopened"]["appeal_id"]) == (
        "appeal", "", None)
    assert "锦旗" not in str(a1) and "已补录" not in str(a1)

    await corrected(client, org, clock)
    now, before = await mine(client, org, "emp_b1")
    assert (now["state"], now["final_score"], now["snapshot"]["sequence"]) == (
        "current", "98.71", 2)
    assert (now["can_acknowledge"], now["can_appeal"], now["appeal"]) == (True, True, None)
    correction = now["correction"]
    assert (correction["previous_final_score"], correction["previous_sequence"]) == ("96.71", 1)
    assert correction["corrected_at"] == now["published_at"]
    assert datetime.fromisoformat(correction["corrected_at"]).utcoffset().total_seconds() == 8 * 3600
    assert [(x["kind"], x["reason"]) for x in correction["reasons"]] == [
        ("your_appeal", "已补录表扬，重新核算。")]
    assert (before["state"], before["final_score"], before["pdf_url"]) == ("superseded", "96.71", None)
    assert before["appeal"]["status"] == "upheld" and before["appeal"]["current"] is False
    assert before["incentive"] is None  # its allocation was replaced by one on the new scores
    assert now["incentive"]["amount"] == "1500.00"
    assert (await client.post(f"{ME}/2026-11/acknowledge",
                              headers=org.h("emp_b1"))).status_code == 200


async def test_a_reopen_by_hr_is_told_with_its_reason(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    hr = org.h("hr")
    await client.post(f"{ME}/2026-11/acknowledge", headers=org.h("emp_a1"), json={"comment": "好"})
    assert (await client.post(f"{NOV}/reopen", headers=hr,
                              json={"reason": "补录 11 月 9 日的巡检"})).status_code == 200
    r = await client.post("/api/v1/inspections", headers=hr,
                          json=inspection(org.emp_a1, ("V1",), day=9))
    assert r.status_code == 201
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    assert (await client.post(f"{NOV}/reopen", headers=hr,
                              json={"reason": "再核对一次"})).status_code == 200
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200
    r = await client.post(f"{NOV}/publish", headers=hr, json={"discard_stale_incentives": True})
    assert r.status_code == 200
    now, before = await mine(client, org, "emp_a1")
    assert now["snapshot"]["sequence"] == 3 and before["snapshot"]["sequence"] == 1
    assert now["final_score"] != before["final_score"] == "100.00"
    # Both reopens between the two publications are told, oldest first.
    assert [(x["kind"], x["reason"]) for x in now["correction"]["reasons"]] == [
        ("reopen", "补录 11 月 9 日的巡检"), ("reopen", "再核对一次")]
    assert before["acknowledgement_comment"] == "好" and now["acknowledged_at"] is None


async def test_the_employee_page_shows_the_history(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    await appeal_upheld(client, org)
    await log_in(client, "emp_b1")
    page = (await client.get("/me")).text
    assert "更正中" in page and "人事已于" in page and "您的申诉成立" in page
    assert "已补录表扬，重新核算。" in page and "11月的锦旗没有记上" in page
    # Under correction: neither acknowledged nor appealed, and no PDF of it.
    assert "/me/appraisals/2026-11/acknowledge" not in page
    assert "/me/appraisals/2026-11/appeal" not in page
    assert f"/api/v1/periods/2026-11/appraisals/{org.emp_b1}.pdf" not in page

    await corrected(client, org, clock)
    client.cookies.clear()
    await log_in(client, "emp_b1")
    page = (await client.get("/me")).text
    corrected_on = (await mine(client, org, "emp_b1"))[0]["published_at"][:10]
    assert f"已于 {corrected_on} 由 96.71 更正为 98.71，原因：" in page
    assert "以前的版本" in page and 'id="history-2026-11"' in page
    history = page[page.index('id="history-2026-11"'):]
    assert "96.71" in history and "11月的锦旗没有记上" in history and "已补录表扬" in history
    assert "/me/appraisals/2026-11/acknowledge" in page  # the corrected result, once


# --- 4. A month closes once it is over ---------------------------------------------------


async def test_the_current_month_is_not_closed_before_it_ends(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    hr = org.h("hr")
    for emp in (org.emp_a1, org.emp_a2):
        for day in (3, 4):
            await client.post("/api/v1/inspections", headers=hr, json=inspection(emp, day=day))
    clock.move_to(datetime(2026, 11, 30, 23, 59, 30, tzinfo=SHANGHAI))  # its last minute
    r = await client.post(f"{NOV}/close", headers=hr)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem")
    assert "2026-11" in r.json()["detail"] and "2026-12-01 00:00" in r.json()["detail"]
    from appraisal.audit.models import AuditEntry
    from appraisal.scoring.models import ScoreSnapshot

    assert await ScoreSnapshot.all().count() == 0
    assert await AuditEntry.filter(action="close").count() == 0
    assert (await client.get(NOV, headers=hr)).json()["status"] == "open"
    csrf = await log_in(client, "hr")
    page = (await client.get("/months/2026-11")).text
    assert "2026-11 尚未结束" in page and "2026-12-01 00:00" in page
    assert "?confirm=close" not in page
    r = await client.post("/months/2026-11/close", data={"csrf": csrf})
    assert r.status_code == 409 and "还不能结账" in r.text
    clock.move_to(datetime(2026, 12, 1, 0, 0, 1, tzinfo=SHANGHAI))
    assert (await client.post(f"{NOV}/close", headers=hr)).status_code == 200


async def test_the_close_answers_with_the_pending_complaints(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    hr = org.h("hr")
    await client.post("/api/v1/inspections", headers=hr, json=inspection(org.emp_a1, day=3))
    r = await client.post("/api/v1/complaints", headers=hr, json={
        "employee_id": org.emp_a2, "received_at": "2026-11-18T09:30:00+08:00",
        "channel": "电话", "severity": "major", "description": "等候过久"})
    complaint_id = r.json()["id"]
    await client.post("/api/v1/complaints", headers=hr, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-10T09:30:00+08:00",
        "channel": "电话", "severity": "minor", "description": "x", "status": "unsubstantiated"})
    clock.move_to(NOVEMBER_OVER)
    body = (await client.post(f"{NOV}/close", headers=hr)).json()
    assert body["pending_complaints"] == [{
        "id": complaint_id, "employee_id": org.emp_a2, "employee_no": "A002", "name": "王芳",
        "received_at": "2026-11-18T09:30:00+08:00", "severity": "major",
        "handler_id": org.emp_a2, "handler_name": "王芳", "overdue": False, "finished": False,
        "deadlines": []}]  # 2026.1 sets no follow-up deadlines
    assert {x["employee_no"] for x in body["insufficient_evidence"]} == {"A001", "A002", "B001"}


# --- 5. Close, publish and reopen are confirmed first ----------------------------------


async def test_the_month_page_asks_before_it_closes_publishes_or_reopens(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    hr = org.h("hr")
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=hr, json=inspection(org.emp_a1, day=day))
    await client.post("/api/v1/inspections", headers=hr, json=inspection(org.emp_a2, day=3))
    await client.post("/api/v1/complaints", headers=hr, json={
        "employee_id": org.emp_a2, "received_at": "2026-11-18T09:30:00+08:00",
        "channel": "电话", "severity": "major", "description": "等候过久"})
    clock.move_to(NOVEMBER_OVER)
    csrf = await log_in(client, "hr")
    page = (await client.get("/months/2026-11")).text
    # The page's button asks first: no form on it closes the month.
    assert 'action="/months/2026-11/close"' not in page
    assert 'href="/months/2026-11?confirm=close#confirm"' in page
    ask = (await client.get("/months/2026-11?confirm=close")).text
    assert "确定结束 2026-11 的考核？" in ask
    assert "员工：3 人" in ask and "巡检次数不足（不评等级、无奖金）：2" in ask
    assert "仍待核实的投诉（不扣分）：1" in ask and "王芳</a> <span class=\"muted\">2026-11-18" in ask
    form = re.search(r'<form method="post" action="/months/2026-11/close">.*?</form>', ask, re.S)
    assert form and f'name="csrf" value="{csrf}"' in form.group(0)
    assert 'name="idempotency_key"' in form.group(0)
    r = await client.post("/months/2026-11/close", data={"csrf": csrf, "idempotency_key": "c-1"})
    assert r.status_code == 303
    # A double tap closes once.
    again = await client.post("/months/2026-11/close", data={"csrf": csrf, "idempotency_key": "c-1"})
    assert again.status_code == 303

    page = (await client.get("/months/2026-11")).text
    assert 'action="/months/2026-11/publish"' not in page
    ask = (await client.get("/months/2026-11?confirm=publish")).text
    assert "确定向员工发布 2026-11？" in ask and "员工：3 人" in ask
    assert 'action="/months/2026-11/publish"' in ask
    ask = (await client.get("/months/2026-11?confirm=reopen")).text
    assert "确定重新打开 2026-11？" in ask and 'name="reason"' in ask
    assert 'action="/months/2026-11/reopen"' in ask
    # A step the month's state does not offer is not shown.
    assert "确定结束" not in (await client.get("/months/2026-11?confirm=close")).text
    r = await client.post("/months/2026-11/reopen", data={"csrf": csrf, "reason": " "})
    assert r.status_code == 422 and "确定重新打开 2026-11？" in r.text  # asked again


# --- 6. The ranking links each employee's breakdown, with the bonus ------------------------


async def test_the_ranking_links_each_breakdown_and_shows_the_bonus(
        client: AsyncClient, published: Org) -> None:
    org = published
    await log_in(client, "hr")
    page = (await client.get("/months/2026-11")).text
    for emp in (org.emp_a1, org.emp_a2, org.emp_b1):
        assert f'href="/months/2026-11/employees/{emp}"' in page
    row = page[page.index(f'/months/2026-11/employees/{org.emp_a1}"'):]
    row = row[:row.index("</tr>")]
    assert "100.00" in row and "1500.00" in row
    r = await client.get(f"/months/2026-11/employees/{org.emp_b1}")
    assert r.status_code == 200
    for words in ("李娜", "96.71", "1500.00", "服务态度", "来有迎声", "失分项"):
        assert words in r.text, words
    assert (await client.get("/months/2026-11/employees/999999")).status_code == 404
    client.cookies.clear()
    await log_in(client, "sup_a")
    assert (await client.get(f"/months/2026-11/employees/{org.emp_a1}")).status_code == 403


async def test_closed_month_fixture_still_closes_after_the_month(client: AsyncClient,
                                                                 org: Org) -> None:
    """The shared fixture closes November once it is over, and the test goes on in it."""
    from appraisal import clock as app_clock

    await closed_month(client, org)
    assert app_clock.current_month() == "2026-11"
    period = (await client.get(NOV, headers=org.h("hr"))).json()
    assert period["status"] == "closed" and period["closed_at"].startswith("2026-12-01")
