"""Complaints followed up until they are done (SPEC §3.4): handler, promised reply time,
progress updates, deadlines in the JSON, follow-up after the month closed, outcomes
carried into the next open month, missed deadlines in the handler's score."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import time_machine
from httpx import AsyncClient

from tests.factories import NOVEMBER_OVER, Org, inspection

C = "/api/v1/complaints"
FRIDAY = "2026-11-20T09:00:00+08:00"  # the frozen day, a Friday


async def pin_november_to_2026_2() -> None:
    from appraisal.periods.models import Period, PeriodStatus
    from appraisal.rulebook import get_rulebook

    book = get_rulebook("2026.2")
    await Period.create(month="2026-11", status=PeriodStatus.open, rulebook_version=book.version,
                        rulebook_hash=book.content_hash)


def pdf_text(data: bytes, tmp: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it, whitespace runs made one space."""
    (tmp / "doc.pdf").write_bytes(data)
    subprocess.run(["pdftotext", str(tmp / "doc.pdf"), str(tmp / "doc.txt")], check=True)
    return re.sub(r"\s+", " ", (tmp / "doc.txt").read_text("utf-8"))


def complaint(employee_id: int, received_at: str = FRIDAY, **over: Any) -> dict[str, Any]:
    return {"employee_id": employee_id, "received_at": received_at, "channel": "电话",
            "severity": "major", "description": "维修三天没人来"} | over


def by_kind(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in c["deadlines"]}


async def test_deadlines_are_in_the_complaint(client: AsyncClient, org: Org) -> None:
    await pin_november_to_2026_2()
    r = await client.post(C, headers=org.h("sup_a"), json=complaint(org.emp_a1))
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["handler_id"], c["handler_name"], c["updates"], c["finished"]) == (
        org.emp_a1, "张伟", [], False)
    d = by_kind(c)
    assert list(d) == ["first_response", "update", "resolution"]
    assert d["first_response"] == {"kind": "first_response", "due_at": "2026-11-21T09:00:00+08:00",
                                   "met_at": None, "state": "pending", "calendar_assumed": False}
    # Received Friday: due at the end of Tuesday (24:00 = Wednesday 00:00).
    assert d["resolution"]["due_at"] == "2026-11-25T00:00:00+08:00"
    # Responded with a promise, then news by the promised time, then resolved.
    r = await client.patch(f"{C}/{c['id']}", headers=org.h("sup_a"), json={
        "first_response_at": "2026-11-20T10:00:00+08:00",
        "promised_reply_at": "2026-11-20T14:00:00+08:00"})
    assert r.status_code == 200, r.text
    assert by_kind(r.json())["promise"]["state"] == "missed"  # 15:00 now, no news since
    r = await client.post(f"{C}/{c['id']}/updates", headers=org.h("sup_a"), json={
        "at": "2026-11-20T13:59:00+08:00", "note": "师傅明早九点上门", "customer_contacted": True})
    assert r.status_code == 201, r.text
    d = by_kind(r.json())
    assert (d["promise"]["state"], d["promise"]["met_at"]) == ("met", "2026-11-20T13:59:00+08:00")
    assert r.json()["updates"][0]["note"] == "师傅明早九点上门"
    assert r.json()["updates"][0]["customer_contacted"] is True
    # A complaint of a 2026.1 month has no deadlines.
    r = await client.post(C, headers=org.h("sup_b"), json=complaint(
        org.emp_b1, "2026-10-20T09:00:00+08:00"))
    assert r.status_code == 201 and r.json()["deadlines"] == []


async def test_updates_are_checked_audited_and_retried_once(client: AsyncClient, org: Org) -> None:
    cid = (await client.post(C, headers=org.h("sup_a"), json=complaint(org.emp_a1))).json()["id"]
    url = f"{C}/{cid}/updates"
    for body, field in (({"at": "2026-11-21T09:00:00+08:00"}, "at"),  # ahead of now
                        ({"at": "2026-11-20T08:00:00+08:00"}, "at")):  # before it was received
        r = await client.post(url, headers=org.h("sup_a"), json=body)
        assert r.status_code == 422 and field in json.dumps(r.json()), r.text
    # Out of scope: 404; an employee may not write: 403.
    assert (await client.post(url, headers=org.h("sup_b"), json={
        "at": FRIDAY})).status_code == 404
    assert (await client.post(url, headers=org.h("emp_a1"), json={
        "at": FRIDAY})).status_code == 403
    key = {**org.h("sup_a"), "Idempotency-Key": "upd-1"}
    first = await client.post(url, headers=key, json={"at": FRIDAY, "note": "已致电"})
    again = await client.post(url, headers=key, json={"at": FRIDAY, "note": "已致电"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len(first.json()["updates"]) == 1
    other = await client.post(url, headers=key, json={"at": FRIDAY, "note": "别的"})
    assert other.status_code == 422
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"))).json()
    assert [e["action"] for e in audit if e["entity"] == "complaint_update"] == ["create"]


async def test_handler_defaults_to_the_employee_and_can_change(client: AsyncClient,
                                                               org: Org) -> None:
    await pin_november_to_2026_2()
    h = org.h("sup_a")
    cid = (await client.post(C, headers=h, json=complaint(
        org.emp_a1, "2026-11-02T09:00:00+08:00", severity="minor"))).json()["id"]
    # Never answered: first response, update and resolution missed, all due in November:
    # each costs the handler a point, whatever the outcome (still pending).
    score = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    missed = [(p["kind"], p["complaint_id"], p["deadline"], p["points"]) for p in score["penalties"]]
    assert missed == [("missed_deadline", cid, "first_response", "1"),
                      ("missed_deadline", cid, "update", "1"),
                      ("missed_deadline", cid, "resolution", "1")]
    assert score["penalties"][2]["due_at"] == "2026-11-05T00:00:00+08:00"
    assert score["deductions_total"] == "3" and score["deductions"] == []
    # Another handler takes it on: the deadlines are theirs.
    r = await client.patch(f"{C}/{cid}", headers=h, json={"handler_id": org.emp_a2})
    assert r.status_code == 200 and r.json()["handler_id"] == org.emp_a2
    assert (await client.patch(f"{C}/{cid}", headers=h, json={
        "handler_id": org.emp_b1})).status_code == 404  # not in sup_a's teams
    a1 = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    a2 = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a2}", headers=h)).json()
    assert a1["penalties"] == [] and len(a2["penalties"]) == 3


async def test_open_lists_unfinished_complaints_of_any_month_overdue_first(
        client: AsyncClient, org: Org) -> None:
    await pin_november_to_2026_2()
    h = org.h("hr")
    fresh = (await client.post(C, headers=h, json=complaint(org.emp_a1))).json()["id"]
    late = (await client.post(C, headers=h, json=complaint(
        org.emp_a2, "2026-11-10T09:00:00+08:00"))).json()["id"]
    done = (await client.post(C, headers=h, json=complaint(
        org.emp_b1, "2026-11-10T09:00:00+08:00", first_response_at="2026-11-10T10:00:00+08:00",
        resolved_at="2026-11-11T10:00:00+08:00",
        return_visit_at="2026-11-12T10:00:00+08:00"))).json()
    october = (await client.post(C, headers=h, json=complaint(
        org.emp_b1, "2026-10-30T09:00:00+08:00"))).json()["id"]
    assert done["finished"] is True
    listed = (await client.get(C, headers=h, params={"open": "true"})).json()
    # Overdue first; then the soonest due (a 2026.1 complaint by when it was received).
    assert [c["id"] for c in listed] == [late, october, fresh]
    assert [c["overdue"] for c in listed] == [True, False, False]
    mine = (await client.get(C, headers=org.h("sup_b"), params={"open": "true"})).json()
    assert [c["id"] for c in mine] == [october]


async def test_follow_up_goes_on_after_the_month_closed(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    await pin_november_to_2026_2()
    h = org.h("sup_a")
    clock.move_to(datetime(2026, 11, 30, 21, tzinfo=ZoneInfo("Asia/Shanghai")))
    # Received on the 30th: it can only be finished in December.
    cid = (await client.post(C, headers=h, json=complaint(
        org.emp_a1, "2026-11-30T20:00:00+08:00", severity="minor"))).json()["id"]
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close",
                              headers=org.h("hr"))).status_code == 200
    url = f"{C}/{cid}"
    r = await client.patch(url, headers=h, json={"first_response_at": "2026-12-01T08:00:00+08:00",
                                                 "promised_reply_at": "2026-12-02T12:00:00+08:00"})
    assert r.status_code == 200, r.text
    assert (await client.post(f"{url}/updates", headers=h, json={
        "at": "2026-12-01T08:30:00+08:00", "note": "已联系"})).status_code == 201
    # The original facts are the closed month's: corrections still need it open.
    r = await client.patch(url, headers=h, json={"severity": "major"})
    assert r.status_code == 409 and r.json()["code"] == "period_not_open"
    r = await client.patch(url, headers=h, json={"resolved_at": "2026-12-01T08:45:00+08:00"})
    assert r.status_code == 200 and r.json()["finished"] is False
    r = await client.patch(url, headers=h, json={"return_visit_at": "2026-12-01T08:50:00+08:00"})
    assert r.status_code == 200 and r.json()["finished"] is True
    # Finished: no more news; the last tap may be undone.
    r = await client.post(f"{url}/updates", headers=h, json={"at": "2026-12-01T08:55:00+08:00"})
    assert r.status_code == 409 and r.json()["code"] == "complaint_finished"
    r = await client.patch(url, headers=h, json={"return_visit_at": None})
    assert r.status_code == 200 and r.json()["finished"] is False
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"))).json()
    assert sum(1 for e in audit if e["entity"] == "complaint" and e["action"] == "update") == 4


async def test_an_outcome_after_the_close_counts_in_the_next_open_month(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Any) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from appraisal.scoring.models import ScoreSnapshot, SnapshotScore

    hr = org.h("hr")
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=hr, json=inspection(org.emp_a1, day=day))
    cid = (await client.post(C, headers=hr, json=complaint(
        org.emp_a1, "2026-11-18T10:00:00+08:00", first_response_at="2026-11-18T11:00:00+08:00",
        severity="major"))).json()["id"]
    clock.move_to(NOVEMBER_OVER)
    closed = (await client.post("/api/v1/periods/2026-11/close", headers=hr)).json()
    assert [c["id"] for c in closed["pending_complaints"]] == [cid]

    async def frozen() -> str:
        rows = await SnapshotScore.all().order_by("id").values(
            "snapshot_id", "employee_id", "final_score", "grade", "status", "breakdown")
        snaps = await ScoreSnapshot.all().order_by("id").values("id", "content_hash",
                                                                  "superseded_at")
        return hashlib.sha256(json.dumps([rows, snaps], default=str, sort_keys=True,
                                         ensure_ascii=False).encode()).hexdigest()

    before = await frozen()
    nov = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=hr)).json()
    r = await client.patch(f"{C}/{cid}", headers=hr, json={"status": "substantiated"})
    assert r.status_code == 200, r.text
    assert r.json()["carried_to"] == "2026-12" and r.json()["period"] == "2026-11"
    assert await frozen() == before
    assert (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                             headers=hr)).json() == nov
    assert nov["deductions"] == [] and [c["complaint_id"] for c in nov["open_complaints"]] == [cid]
    dec = (await client.get(f"/api/v1/periods/2026-12/scores/{org.emp_a1}", headers=hr)).json()
    assert [(d["complaint_id"], d["carried_from"], d["total"]) for d in dec["deductions"]] == [
        (cid, "2026-11", "5")]
    # December's appraisal prints where it came from.
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=hr, json=inspection(
            org.emp_a1, day=day, occurred_at=f"2026-12-0{day}T10:00:00+08:00"))
    clock.move_to(datetime(2027, 1, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert (await client.post("/api/v1/periods/2026-12/close", headers=hr)).status_code == 200
    r = await client.get(f"/api/v1/periods/2026-12/appraisals/{org.emp_a1}.pdf", headers=hr)
    assert r.status_code == 200, r.text
    assert f"投诉 #{cid} 转自 carried from 2026-11 · 较重 · −5" in pdf_text(r.content, tmp_path)
    # December is open: deciding again there moves nothing else; the audit tells it all.
    audit = [e for e in (await client.get("/api/v1/audit", headers=hr)).json()
             if e["entity"] == "complaint" and e["action"] == "update"]
    assert audit[0]["after"]["counted_in_id"] is not None


async def test_a_supervisor_follows_a_closed_months_complaint_to_its_return_visit_in_the_pages(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.factories import log_in

    sh = ZoneInfo("Asia/Shanghai")
    await pin_november_to_2026_2()
    clock.move_to(datetime(2026, 11, 30, 21, tzinfo=sh))
    cid = (await client.post(C, headers=org.h("sup_a"), json=complaint(
        org.emp_a1, "2026-11-30T20:00:00+08:00"))).json()["id"]
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close",
                              headers=org.h("hr"))).status_code == 200
    csrf = await log_in(client, "sup_a")
    board = (await client.get("/complaints")).text
    assert f'id="c{cid}"' in board and "2026-11" in board
    # Not heard from today (received last night): on the daily round's list.
    quiet = board[board.index('id="quiet"'):board.index("投诉跟进看板")]
    assert f'href="#c{cid}"' in quiet
    url = f"/complaints/{cid}"
    r = await client.post(url, data={"csrf": csrf, "first_response_at": "now",
                                     "promised_reply_at": "2026-12-01T17:00", "status": "pending"})
    assert r.status_code == 303, r.text
    r = await client.post(f"{url}/updates", data={"csrf": csrf, "note": "已派维修工",
                                                  "customer_contacted": "yes"})
    assert r.status_code == 303, r.text
    board = (await client.get("/complaints")).text
    assert "已派维修工" in board and "已联系客户" in board
    assert f'href="#c{cid}"' not in board[board.index('id="quiet"'):board.index("投诉跟进看板")]
    # A mis-tap undone, then resolved, the outcome and the return visit.
    r = await client.post(url, data={"csrf": csrf, "resolved_at": "now", "status": "pending"})
    assert r.status_code == 303
    r = await client.post(url, data={"csrf": csrf, "clear": "resolved_at", "status": "pending"})
    assert r.status_code == 303
    one = (await client.get(f"{C}/{cid}", headers=org.h("hr"))).json()
    assert one["resolved_at"] is None
    clock.move_to(NOVEMBER_OVER + timedelta(hours=2))
    for data in ({"resolved_at": "now", "status": "substantiated"},
                 {"return_visit_at": "now", "customer_satisfied": "yes",
                  "status": "substantiated"}):
        r = await client.post(url, data={"csrf": csrf, **data})
        assert r.status_code == 303, r.text
    one = (await client.get(f"{C}/{cid}", headers=org.h("hr"))).json()
    assert one["finished"] and one["customer_satisfied"] is True
    assert one["carried_to"] == "2026-12" and one["period"] == "2026-11"
    assert {d["kind"]: d["state"] for d in one["deadlines"]} == {
        "first_response": "met", "promise": "met", "update": "met", "resolution": "met",
        "return_visit": "met"}
    finished = (await client.get("/complaints", params={"state": "finished"})).text
    assert f'id="c{cid}"' in finished and 'class="tag ok"' in finished
    assert f'id="c{cid}"' not in (await client.get("/complaints",
                                                   params={"state": "open"})).text


async def test_missed_deadlines_are_named_on_the_pages_and_in_the_pdf(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Any) -> None:
    from tests.factories import log_in

    await pin_november_to_2026_2()
    hr = org.h("hr")
    for day in (3, 4):
        r = await client.post("/api/v1/inspections", headers=hr, json=inspection(
            org.emp_a1, day=day, touchpoint="front_desk", items=[{"code": "H1", "result": "pass"}]))
        assert r.status_code == 201, r.text
    cid = (await client.post(C, headers=hr, json=complaint(
        org.emp_a1, "2026-11-16T09:00:00+08:00", first_response_at="2026-11-16T10:00:00+08:00",
        resolved_at="2026-11-17T10:00:00+08:00",
        return_visit_at="2026-11-20T10:01:00+08:00"))).json()["id"]  # 3 days + 1 minute late
    await log_in(client, "hr")
    page = (await client.get(f"/months/2026-11/employees/{org.emp_a1}")).text
    assert f"投诉 #{cid}" in page and "回访" in page and "投诉跟进逾期" in page
    clock.move_to(NOVEMBER_OVER)
    for step in ("close", "publish"):
        assert (await client.post(f"/api/v1/periods/2026-11/{step}", headers=hr)).status_code == 200
    await log_in(client, "emp_a1")
    me = (await client.get("/me")).text
    assert f"投诉 #{cid}" in me and "回访" in me
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=hr)
    text = pdf_text(r.content, tmp_path)
    assert f"投诉 #{cid} 逾期 missed: 回访 return visit · 2026-11-20 10:00 · −1" in text


async def test_the_employee_sees_complaints_against_them_and_those_they_handle(
        client: AsyncClient, org: Org) -> None:
    from tests.factories import log_in

    await pin_november_to_2026_2()
    h = org.h("sup_a")
    await client.post(C, headers=h, json=complaint(org.emp_a1, description="对我的投诉"))
    await client.post(C, headers=h, json=complaint(org.emp_a2, description="同事的投诉",
                                                   handler_id=org.emp_a1))
    await client.post(C, headers=h, json=complaint(org.emp_a2, description="与我无关"))
    own = (await client.get("/api/v1/me/feedback", headers=org.h("emp_a1"))).json()
    assert [c["description"] for c in own["complaints"]] == ["对我的投诉"]
    assert [c["description"] for c in own["handling"]] == ["同事的投诉"]
    await log_in(client, "emp_a1")
    page = (await client.get("/me")).text
    handled = page[page.index("我跟进的投诉"):]
    assert "同事的投诉" in handled and "王芳" in handled and "对我的投诉" not in handled
    assert "与我无关" not in page
    assert page.count("首次回复") == 2 and "未到期" in page


async def test_before_closing_hr_sees_the_pending_complaints_with_their_deadlines(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    from tests.factories import log_in

    await pin_november_to_2026_2()
    cid = (await client.post(C, headers=org.h("hr"), json=complaint(
        org.emp_a2, "2026-11-18T09:30:00+08:00", handler_id=org.emp_a1))).json()["id"]
    clock.move_to(NOVEMBER_OVER)
    await log_in(client, "hr")
    ask = (await client.get("/months/2026-11?confirm=close")).text
    pending = ask[ask.index('class="pending"'):]
    assert f"#{cid} 王芳" in pending and "跟进人 张伟" in pending
    assert "首次回复 · 逾期" in pending and "办结 · 逾期" in pending  # due Friday 24:00
    body = (await client.post("/api/v1/periods/2026-11/close", headers=org.h("hr"))).json()
    [listed] = body["pending_complaints"]
    assert (listed["id"], listed["handler_id"], listed["overdue"]) == (cid, org.emp_a1, True)
    assert {d["kind"]: d["due_at"] for d in listed["deadlines"]}["resolution"] == (
        "2026-11-21T00:00:00+08:00")


async def test_a_finished_complaint_still_takes_its_awaited_outcome_and_a_void_one_no_news(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    await pin_november_to_2026_2()
    h = org.h("hr")
    done = (await client.post(C, headers=h, json=complaint(
        org.emp_a1, "2026-11-16T09:00:00+08:00", first_response_at="2026-11-16T10:00:00+08:00",
        resolved_at="2026-11-17T10:00:00+08:00",
        return_visit_at="2026-11-18T10:00:00+08:00"))).json()["id"]
    void = (await client.post(C, headers=h, json=complaint(org.emp_a1))).json()["id"]
    assert (await client.delete(f"{C}/{void}", headers=h,
                                params={"reason": "重复"})).status_code == 204
    r = await client.post(f"{C}/{void}/updates", headers=h, json={"at": FRIDAY})
    assert r.status_code == 409 and r.json()["code"] == "evidence_void"
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 200
    # Finished, its outcome still awaited: the outcome may be recorded; nothing else.
    r = await client.patch(f"{C}/{done}", headers=h, json={"promised_reply_at":
                                                          "2026-12-02T10:00:00+08:00"})
    assert r.status_code == 409 and r.json()["code"] == "complaint_finished"
    r = await client.patch(f"{C}/{done}", headers=h, json={"status": "unsubstantiated"})
    assert r.status_code == 200 and r.json()["carried_to"] == "2026-12"
    r = await client.patch(f"{C}/{done}", headers=h, json={"status": "substantiated"})
    assert r.status_code == 409 and r.json()["code"] == "complaint_finished"
    assert (await client.get(f"{C}/{done}", headers=h)).json()["status"] == "unsubstantiated"


def board_cards(page: str) -> list[int]:
    """The complaints the board page shows, as its cards come."""
    return [int(i) for i in re.findall(r'<div class="card[^"]*" id="c(\d+)"', page)]


async def test_the_board_and_the_open_list_come_in_pages_overdue_first_filters_kept(
        client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.board import PAGE_SIZE
    from tests.factories import log_in

    await pin_november_to_2026_2()
    h = org.h("hr")
    # Four overdue (received ten days ago, nobody answered), the oldest; then more fresh
    # ones, alternately in either team, than two pages hold for one team.
    late = [(await client.post(C, headers=h, json=complaint(
        org.emp_a2, f"2026-11-1{i}T09:00:00+08:00"))).json()["id"] for i in range(4)]
    fresh = [(await client.post(C, headers=h, json=complaint(
        (org.emp_a1, org.emp_b1)[i % 2], f"2026-11-20T{8 + i // 6:02d}:{i % 6 * 10:02d}:00+08:00",
        description=f"第{i}位客人"))).json()["id"] for i in range(2 * PAGE_SIZE - 6)]
    everyone = len(late) + len(fresh)
    assert PAGE_SIZE < everyone <= 2 * PAGE_SIZE

    # The API: the page is cut after ordering, so the overdue ones (the oldest) lead page 1.
    first = (await client.get(C, headers=h, params={"open": "true", "limit": PAGE_SIZE})).json()
    second = (await client.get(C, headers=h, params={
        "open": "true", "limit": PAGE_SIZE, "offset": PAGE_SIZE})).json()
    assert [c["id"] for c in first[:4]] == late and all(c["overdue"] for c in first[:4])
    assert not any(c["overdue"] for c in first[4:] + second)
    api = [c["id"] for c in first + second]
    assert len(first) == PAGE_SIZE and len(api) == len(set(api)) == everyone

    # The board shows the same pages in the same order, with a link to the next one.
    await log_in(client, "hr")
    one = (await client.get("/complaints", params={"state": "open"})).text
    two = (await client.get("/complaints", params={"state": "open", "page": "2"})).text
    assert board_cards(one) == api[:PAGE_SIZE] and board_cards(two) == api[PAGE_SIZE:]
    assert 'href="/complaints?state=open&amp;page=2#board"' in one
    assert f"1–{PAGE_SIZE} 条，共 {everyone} 条" in one and "第 1 页，共 2 页" in one
    assert 'href="/complaints?state=open#board"' in two and "page=3" not in two
    # Past the last page: the last page.
    assert board_cards((await client.get("/complaints", params={
        "state": "open", "page": "9"})).text) == api[PAGE_SIZE:]

    # A team's board keeps its filter from page to page, as the API does with team_id.
    team = {"state": "open", "team_id": str(org.team_a)}
    ours = [c["id"] for c in (await client.get(C, headers=h, params={
        "open": "true", "team_id": org.team_a})).json()]
    assert len(ours) > PAGE_SIZE and ours[:4] == late
    one = (await client.get("/complaints", params=team)).text
    assert board_cards(one) == ours[:PAGE_SIZE]
    next_page = f"/complaints?team_id={org.team_a}&amp;state=open&amp;page=2"
    assert f'href="{next_page}#board"' in one
    two = (await client.get("/complaints", params={**team, "page": "2"})).text
    assert board_cards(two) == ours[PAGE_SIZE:]
    # A card's forms go back to the page they were sent from, filter and all.
    last = ours[-1]
    action = f"/complaints/{last}/updates?team_id={org.team_a}&state=open&page=2"
    assert f'action="{action.replace("&", "&amp;")}"' in two
    r = await client.post(action, data={"csrf": client.cookies["csrftoken"],
                                        "note": "已派维修工"})
    assert r.status_code == 303 and r.headers["location"] == (
        f"/complaints?team_id={org.team_a}&state=open&page=2&saved={last}")

    # The handler filter, in both.
    theirs = [c["id"] for c in (await client.get(C, headers=h, params={
        "open": "true", "handler_id": org.emp_a2})).json()]
    assert theirs == late
    assert board_cards((await client.get("/complaints", params={
        "state": "open", "handler_id": str(org.emp_a2)})).text) == late


async def test_the_quiet_list_names_the_longest_silent_and_links_to_all_of_them(
        client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.board import PAGE_SIZE, QUIET_SHOWN
    from tests.factories import log_in

    await pin_november_to_2026_2()
    h = org.h("hr")
    ids = [(await client.post(C, headers=h, json=complaint(
        org.emp_a1, f"2026-11-{10 + i // 12:02d}T{8 + i % 12:02d}:00:00+08:00"))).json()["id"]
        for i in range(PAGE_SIZE + 2)]
    await log_in(client, "hr")
    page = (await client.get("/complaints")).text
    quiet = page[page.index('id="quiet"'):page.index('id="board"')]
    named = [int(i) for i in re.findall(r'#c(\d+)"', quiet)]
    assert named == ids[:QUIET_SHOWN]  # the longest silent first
    assert f"今日未反馈的全部 {len(ids)} 条" in quiet
    assert 'href="/complaints?state=quiet#board"' in quiet
    everyone = (await client.get("/complaints", params={"state": "quiet"})).text
    assert board_cards(everyone) == ids[:PAGE_SIZE]
