"""Employees acknowledge or appeal their published appraisals; HR answers appeals."""

from __future__ import annotations

from typing import Any

import time_machine
from httpx import AsyncClient

from tests.factories import GARBAGE, HOSTILE, NOVEMBER_OVER, Org, closed_month

ME = "/api/v1/me/appraisals"


async def mine(client: AsyncClient, org: Org, who: str) -> list[dict[str, Any]]:
    r = await client.get(ME, headers=org.h(who))
    assert r.status_code == 200, r.text
    return r.json()


async def test_nothing_to_see_or_answer_before_publication(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    assert await mine(client, org, "emp_a1") == []
    r = await client.post(f"{ME}/2026-11/acknowledge", headers=org.h("emp_a1"))
    assert r.status_code == 404 and "2026-11" in r.json()["detail"]
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_a1"), json={"reason": "x"})
    assert r.status_code == 404
    assert (await client.post(f"{ME}/2026-13/acknowledge",
                              headers=org.h("emp_a1"))).status_code == 422
    # Staff have no appraisals of their own here.
    assert (await client.get(ME, headers=org.h("hr"))).status_code == 403


async def test_published_appraisal_with_bonus_and_links(client: AsyncClient,
                                                        published: Org) -> None:
    org = published
    [item] = await mine(client, org, "emp_a1")
    assert (item["month"], item["final_score"], item["grade"], item["status"]) == (
        "2026-11", "100.00", "excellent", "graded")
    assert item["incentive"] == {"amount": "1500.00", "currency": "CNY", "service_star": True}
    assert item["snapshot"]["sequence"] == 1 and len(item["snapshot"]["content_hash"]) == 64
    assert item["acknowledged_at"] is None and item["appeal"] is None
    pdf = await client.get(item["pdf_url"], headers=org.h("emp_a1"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    score = await client.get(item["score_url"], headers=org.h("emp_a1"))
    assert score.status_code == 200 and score.json()["final_score"] == "100.00"


async def test_acknowledge_once_then_no_appeal(client: AsyncClient, published: Org) -> None:
    org = published
    h = org.h("emp_a1")
    r = await client.post(f"{ME}/2026-11/acknowledge", headers=h, json={"comment": "谢谢指导"})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["comment"] == "谢谢指导" and first["acknowledged_at"]
    again = await client.post(f"{ME}/2026-11/acknowledge", headers=h)  # no body: fine
    assert again.status_code == 200 and again.json() == first
    [item] = await mine(client, org, "emp_a1")
    assert item["acknowledged_at"] == first["acknowledged_at"]
    r = await client.post(f"{ME}/2026-11/appeal", headers=h, json={"reason": "再想想"})
    assert r.status_code == 409 and "acknowledged" in r.json()["detail"]
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "appraisal"})).json()
    assert [(a["action"], a["entity_id"]) for a in audit] == [
        ("acknowledge", f"2026-11/{org.emp_a1}")]


async def test_appeal_answered_by_hr_in_scope(client: AsyncClient, published: Org) -> None:
    org = published
    h = org.h("emp_b1")
    r = await client.post(f"{ME}/2026-11/appeal", headers=h, json={"reason": "  "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await client.post(f"{ME}/2026-11/appeal", headers=h,
                          json={"reason": "11月4日巡检时我在后台核对账目，不在前台。"})
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert (appeal["status"], appeal["month"], appeal["answer"]) == ("open", "2026-11", "")
    assert (await client.post(f"{ME}/2026-11/appeal", headers=h,
                              json={"reason": "again"})).status_code == 409
    r = await client.post(f"{ME}/2026-11/acknowledge", headers=h)
    assert r.status_code == 409 and "still open" in r.json()["detail"]

    url = f"/api/v1/appeals/{appeal['id']}"
    listed = (await client.get("/api/v1/appeals", headers=org.h("hr"),
                               params={"status": "open", "period": "2026-11"})).json()
    assert [(a["id"], a["employee_no"], a["name"]) for a in listed] == [
        (appeal["id"], "B001", "李娜")]
    # The other team's supervisor does not learn of it; the own one reads it.
    assert (await client.get("/api/v1/appeals", headers=org.h("sup_a"))).json() == []
    assert (await client.get(url, headers=org.h("sup_a"))).status_code == 404
    assert (await client.get(url, headers=org.h("sup_b"))).json()["status"] == "open"
    assert (await client.get(url, headers=org.h("emp_b1"))).status_code == 403
    answer = {"decision": "rejected", "answer": "监控显示当时您在前台，扣分维持。"}
    assert (await client.post(f"{url}/answer", headers=org.h("sup_b"),
                              json=answer)).status_code == 403
    r = await client.post(f"{url}/answer", headers=org.h("hr"),
                          json={"decision": "maybe", "answer": "x"})
    assert r.status_code == 422 and "decision" in r.text
    r = await client.post(f"{url}/answer", headers=org.h("hr"), json=answer)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["answer"]) == ("rejected", answer["answer"])
    assert (await client.post(f"{url}/answer", headers=org.h("hr"),
                              json=answer)).status_code == 409

    [item] = await mine(client, org, "emp_b1")
    assert item["appeal"]["status"] == "rejected" and item["appeal"]["answered_at"]
    assert (await client.post(f"{ME}/2026-11/acknowledge", headers=h)).status_code == 200
    actions = [a["action"] for a in (await client.get(
        "/api/v1/audit", headers=org.h("hr"), params={"entity": "appeal"})).json()]
    assert sorted(actions) == ["answer", "appeal"]


async def test_corrected_month_is_answered_afresh(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    hr = org.h("hr")
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"),
                          json={"reason": "漏记了一次表扬"})
    appeal_id = r.json()["id"]
    await client.post(f"{ME}/2026-11/acknowledge", headers=org.h("emp_a1"))
    r = await client.post(f"/api/v1/appeals/{appeal_id}/answer", headers=hr,
                          json={"decision": "upheld", "answer": "已补录，重新核算。"})
    assert r.status_code == 200 and r.json()["reopened_month"] is True  # upheld: reopened
    [a1] = await mine(client, org, "emp_a1")  # still shown, being corrected
    assert (a1["state"], a1["can_acknowledge"], a1["can_appeal"]) == (
        "being_corrected", False, False)
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close", headers=hr)).status_code == 200
    assert (await client.post("/api/v1/periods/2026-11/incentives", headers=hr,
                              json={"pool": "4200.00"})).status_code == 201  # on the new scores
    assert (await client.post("/api/v1/periods/2026-11/publish", headers=hr)).status_code == 200
    a1, a1_before = await mine(client, org, "emp_a1")
    b1, b1_before = await mine(client, org, "emp_b1")
    assert a1["snapshot"]["sequence"] == 2 and a1["acknowledged_at"] is None
    assert (a1_before["state"], a1_before["snapshot"]["sequence"]) == ("superseded", 1)
    assert a1_before["acknowledged_at"] is not None  # what was said of the old one stays
    assert b1["appeal"] is None and b1["can_appeal"]  # the new scores may be appealed again
    assert b1_before["appeal"]["status"] == "upheld"
    [old] = (await client.get("/api/v1/appeals", headers=hr)).json()
    assert (old["id"], old["status"], old["current"]) == (appeal_id, "upheld", False)


async def test_hostile_answers_never_5xx(client: AsyncClient, published: Org) -> None:
    org = published
    r = await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"), json={"reason": "r"})
    cases = [("emp_a1", f"{ME}/2026-11/acknowledge", {"comment": "c"}),
             ("emp_b1", f"{ME}/2026-11/appeal", {"reason": "r"}),
             ("hr", f"/api/v1/appeals/{r.json()['id']}/answer",
              {"decision": "rejected", "answer": "a"})]
    failures = []
    for who, url, valid in cases:
        for field in valid:
            for value in [*HOSTILE, "x" * 2001]:
                r = await client.post(url, json={**valid, field: value}, headers=org.h(who))
                if r.status_code >= 500:
                    failures.append(f"{url} {field}={value!r:.40}: {r.status_code}")
        for raw in GARBAGE:
            r = await client.post(url, content=raw, headers={
                **org.h(who), "content-type": "application/json"})
            if r.status_code >= 500:
                failures.append(f"{url} body={raw[:20]!r}: {r.status_code}")
    for path in (f"{ME}/{{x}}/acknowledge", "/api/v1/appeals/{x}"):
        for x in ("0", "-1", "99999999999999999999", "abc", "2026-00", "..%2F.."):
            method = "POST" if "acknowledge" in path else "GET"
            r = await client.request(method, path.replace("{x}", x),
                                     headers=org.h("emp_a1" if method == "POST" else "hr"))
            if r.status_code >= 500:
                failures.append(f"{method} {path} x={x}: {r.status_code}")
    assert not failures, "\n".join(failures[:30])
