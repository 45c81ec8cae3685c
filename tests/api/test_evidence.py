"""Inspections, complaints, surveys, commendations: happy paths and bad input."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import NOV, Org, inspection, mixed_inspection

PROBLEM = "application/problem+json"


async def close_period(month: str) -> None:
    from appraisal.periods.models import Period, PeriodStatus

    await Period.filter(month=month).update(status=PeriodStatus.closed)


async def test_record_inspection_and_see_it_listed(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", json=mixed_inspection(org.emp_a1), headers=org.h("sup_a"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["period"] == "2026-11"
    assert body["occurred_at"] == "2026-11-05T10:00:00+08:00"
    assert body["inspector"] == "sup_a"
    items = {i["code"]: i for i in body["items"]}
    assert items["V1"] == items["V1"] | {"result": "fail", "points": "0", "max_points": "5",
                                         "dimension": "attitude"}
    assert items["V1"]["coaching_zh"] and items["V1"]["coaching_en"]
    assert items["H1"]["result"] == "points" and items["H1"]["points"] == "8"
    assert items["N2"]["points"] is None
    assert items["S1"]["points"] == "5" and items["S1"]["coaching_en"] is None
    assert body["earned_points"] == "13" and body["max_points"] == "20"
    assert body["notes"] == "<b>未起立</b>"  # stored as text, never interpreted

    listed = await client.get("/api/v1/inspections", headers=org.h("sup_a"),
                              params={"employee_id": org.emp_a1, "period": "2026-11"})
    assert [i["id"] for i in listed.json()] == [body["id"]]
    one = await client.get(f"/api/v1/inspections/{body['id']}", headers=org.h("hr"))
    assert one.json()["id"] == body["id"]


async def test_evidence_opens_its_period(client: AsyncClient, org: Org) -> None:
    # 2026-10-31 20:00 UTC is already November in Shanghai.
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=mixed_inspection(org.emp_a1, occurred_at="2026-10-31T20:00:00Z"))
    assert r.json()["period"] == "2026-11"
    periods = await client.get("/api/v1/periods", headers=org.h("hr"))
    assert [(p["month"], p["status"], p["rulebook_version"]) for p in periods.json()] == [
        ("2026-11", "open", "2026.1")]
    audit = await client.get("/api/v1/audit", headers=org.h("hr"), params={"entity": "period"})
    assert audit.json()[0]["action"] == "auto_open"


async def test_bad_items_are_422_naming_the_item(client: AsyncClient, org: Org) -> None:
    cases = [
        ([{"code": "Z9", "result": "pass"}], "items[0].code", "Z9"),
        ([{"code": "V1", "result": "pass"}, {"code": "H1", "points": "11"}], "items[1].points", "H1"),
        ([{"code": "H1", "points": "-1"}], "items[0].points", "H1"),
        ([{"code": "H1", "points": "7.555"}], "items[0].points", "H1"),
        ([], "items", "at least one"),
        ([{"code": "V1", "result": "pass"}, {"code": "V1", "result": "fail"}], "items[1].code",
         "twice"),
        ([{"code": "V1"}], "items[0]", "V1"),
        ([{"code": "V1", "result": "pass", "points": "5"}], "items[0]", "not both"),
        ([{"code": "V1", "result": "great"}], "items[0].result", ""),
    ]
    for items, field, text in cases:
        r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                              json=mixed_inspection(org.emp_a1, items=items))
        assert r.status_code == 422, (items, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        err = r.json()["errors"][0]
        assert err["field"] == field, (items, err)
        assert text in r.json()["detail"]
    listed = await client.get("/api/v1/inspections", headers=org.h("hr"))
    assert listed.json() == []
    # Rejected input never half-writes: no period was opened either.
    assert (await client.get("/api/v1/periods", headers=org.h("hr"))).json() == []


async def test_bad_fields_are_422(client: AsyncClient, org: Org) -> None:
    for over, field in [
        ({"method": "drone"}, "method"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"touchpoint": ""}, "touchpoint"),
        ({"employee_id": "x"}, "employee_id"),
        ({"employee_id": 0}, "employee_id"),
        ({"colour": "red"}, "colour"),
    ]:
        r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                              json=mixed_inspection(org.emp_a1) | over)
        assert r.status_code == 422, (over, r.text)
        assert any(field in e["field"] for e in r.json()["errors"]), r.json()


async def test_unknown_employee_is_404(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=mixed_inspection(999999))
    assert r.status_code == 404
    assert "employee_id" in r.json()["detail"]


async def test_writes_into_closed_period_are_409(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=mixed_inspection(org.emp_a1))
    insp_id = r.json()["id"]
    await close_period("2026-11")
    for method, url, body in [
        ("POST", "/api/v1/inspections", mixed_inspection(org.emp_a1)),
        ("PATCH", f"/api/v1/inspections/{insp_id}", {"notes": "x"}),
        ("DELETE", f"/api/v1/inspections/{insp_id}?reason=dup", None),
        ("POST", "/api/v1/complaints", {"employee_id": org.emp_a1, "received_at": NOV,
                                        "channel": "电话", "severity": "minor",
                                        "description": "d"}),
        ("POST", "/api/v1/surveys", {"employee_id": org.emp_a1, "received_at": NOV,
                                     "attitude": 5}),
        ("POST", "/api/v1/commendations", {"employee_id": org.emp_a1, "received_at": NOV,
                                           "source": "锦旗"}),
    ]:
        r = await client.request(method, url, json=body, headers=org.h("hr"))
        assert r.status_code == 409, (method, url, r.text)
        assert "2026-11" in r.json()["detail"]
    one = await client.get(f"/api/v1/inspections/{insp_id}", headers=org.h("hr"))
    assert one.json()["notes"] == "<b>未起立</b>"


async def test_moving_evidence_out_of_a_closed_month_is_409(
    client: AsyncClient, org: Org
) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("hr"), json=mixed_inspection(org.emp_a1))
    insp_id = r.json()["id"]
    await client.post("/api/v1/periods", json={"month": "2026-10"}, headers=org.h("hr"))
    await close_period("2026-10")
    r = await client.patch(f"/api/v1/inspections/{insp_id}", headers=org.h("hr"),
                           json={"occurred_at": "2026-10-20T09:00:00+08:00"})
    assert r.status_code == 409


async def test_patch_and_void_inspection(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=mixed_inspection(org.emp_a1))
    insp_id = r.json()["id"]
    r = await client.patch(f"/api/v1/inspections/{insp_id}", headers=org.h("sup_a"),
                           json={"items": [{"code": "V1", "result": "pass"}], "touchpoint": "大堂"})
    assert r.status_code == 200
    # Merged by code: V1 corrected, the other three items kept.
    assert {i["code"]: i["result"] for i in r.json()["items"]} == {
        "V1": "pass", "H1": "points", "N2": "na", "S1": "pass"}
    assert r.json()["touchpoint"] == "大堂"
    audit = await client.get("/api/v1/audit", headers=org.h("hr"),
                             params={"entity": "inspection", "entity_id": str(insp_id)})
    update = audit.json()[0]
    assert update["action"] == "update" and update["actor"] == "sup_a"
    assert len(update["before"]["items"]) == 4 and len(update["after"]["items"]) == 4
    r = await client.delete(f"/api/v1/inspections/{insp_id}", headers=org.h("sup_a"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await client.delete(f"/api/v1/inspections/{insp_id}", headers=org.h("sup_a"),
                            params={"reason": "录错了人"})
    assert r.status_code == 204
    # Kept, marked void with who, when and why.
    one = await client.get(f"/api/v1/inspections/{insp_id}", headers=org.h("hr"))
    assert one.status_code == 200
    void = one.json()["void"]
    assert (void["voided_by"], void["reason"]) == ("sup_a", "录错了人")
    assert void["voided_at"].startswith("2026-11-20T15:00") and void["voided_at"].endswith("+08:00")
    audit = await client.get("/api/v1/audit", headers=org.h("hr"),
                             params={"entity": "inspection", "entity_id": str(insp_id)})
    entry = audit.json()[0]
    assert entry["action"] == "void" and entry["reason"] == "录错了人"
    assert entry["before"]["voided_at"] is None and entry["after"]["void_reason"] == "录错了人"
    assert len(entry["after"]["items"]) == 4  # nothing of it is lost


async def test_complaint_follow_up(client: AsyncClient, org: Org) -> None:
    body = {"employee_id": org.emp_b1, "received_at": NOV, "channel": "12345热线",
            "severity": "major", "description": "电话等待超过五分钟"}
    r = await client.post("/api/v1/complaints", json=body, headers=org.h("sup_b"))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "pending" and c["first_response_at"] is None
    r = await client.patch(f"/api/v1/complaints/{c['id']}", headers=org.h("sup_b"), json={
        "first_response_at": "2026-11-05T12:00:00+08:00", "status": "substantiated"})
    assert r.status_code == 200
    assert r.json()["status"] == "substantiated"
    assert r.json()["first_response_at"] == "2026-11-05T12:00:00+08:00"
    r = await client.patch(f"/api/v1/complaints/{c['id']}", headers=org.h("sup_b"), json={
        "resolved_at": "2026-11-06T09:00:00+08:00", "customer_satisfied": True,
        "return_visit_at": "2026-11-08T09:00:00+08:00"})
    assert r.json()["customer_satisfied"] is True
    assert r.json()["first_response_at"] == "2026-11-05T12:00:00+08:00"
    listed = await client.get("/api/v1/complaints", headers=org.h("hr"),
                              params={"status": "substantiated"})
    assert [x["id"] for x in listed.json()] == [c["id"]]


async def test_complaint_bad_input(client: AsyncClient, org: Org) -> None:
    base = {"employee_id": org.emp_b1, "received_at": NOV, "channel": "电话",
            "severity": "minor", "description": "d"}
    for over, field in [({"severity": "apocalyptic"}, "severity"),
                        ({"status": "maybe"}, "status"),
                        ({"description": ""}, "description"),
                        ({"first_response_at": "2026-11-01T00:00:00+08:00"}, "first_response_at")]:
        r = await client.post("/api/v1/complaints", json=base | over, headers=org.h("hr"))
        assert r.status_code == 422, over
        assert r.json()["errors"][0]["field"] == field
    r = await client.post("/api/v1/complaints", json=base, headers=org.h("hr"))
    r = await client.patch(f"/api/v1/complaints/{r.json()['id']}", headers=org.h("hr"),
                           json={"resolved_at": "2026-11-01T00:00:00+08:00"})
    assert r.status_code == 422


async def test_survey_and_duplicate_external_id(client: AsyncClient, org: Org) -> None:
    body = {"employee_id": org.emp_a1, "received_at": NOV, "attitude": 4, "quality": 5,
            "efficiency": None, "environment": 3, "overall": 4, "comment": "很好",
            "external_id": "S-1"}
    r = await client.post("/api/v1/surveys", json=body, headers=org.h("sup_a"))
    assert r.status_code == 201, r.text
    assert r.json()["attitude"] == 4 and r.json()["efficiency"] is None
    r = await client.post("/api/v1/surveys", json=body, headers=org.h("sup_a"))
    assert r.status_code == 409
    for over, field in [({"attitude": 6}, "attitude"), ({"quality": 0}, "quality")]:
        r = await client.post("/api/v1/surveys", json=body | over | {"external_id": None},
                              headers=org.h("hr"))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    empty = {"employee_id": org.emp_a1, "received_at": NOV}
    assert (await client.post("/api/v1/surveys", json=empty, headers=org.h("hr"))).status_code == 422
    listed = await client.get("/api/v1/surveys", headers=org.h("hr"))
    assert len(listed.json()) == 1


async def test_commendation(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/commendations", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a2, "received_at": NOV, "source": "锦旗",
        "description": "业主赠送锦旗"})
    assert r.status_code == 201
    assert r.json()["employee_name"] == "王芳"
    listed = await client.get("/api/v1/commendations", headers=org.h("sup_a"))
    assert [c["source"] for c in listed.json()] == ["锦旗"]


async def test_employee_sees_own_evidence_at_once(client: AsyncClient, org: Org) -> None:
    await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=mixed_inspection(org.emp_a1))
    await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=mixed_inspection(org.emp_a2))
    r = await client.get("/api/v1/me/feedback", headers=org.h("emp_a1"))
    assert r.status_code == 200
    body = r.json()
    assert body["employee_id"] == org.emp_a1
    assert len(body["inspections"]) == 1
    failed = [i for i in body["inspections"][0]["items"] if i["coaching_zh"]]
    assert {i["code"] for i in failed} == {"V1", "H1"}


async def test_every_write_is_audited(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/commendations", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a2, "received_at": NOV, "source": "表扬信"})
    entries = (await client.get("/api/v1/audit", headers=org.h("hr"))).json()
    kinds = [(e["action"], e["entity"]) for e in entries]
    assert ("create", "commendation") in kinds and ("auto_open", "period") in kinds
    entry = next(e for e in entries if e["entity"] == "commendation")
    assert entry["entity_id"] == str(r.json()["id"]) and entry["actor"] == "sup_a"
    assert entry["before"] is None and entry["after"]["source"] == "表扬信"


async def test_evidence_lands_in_the_local_month_at_its_boundaries(
        client: AsyncClient, org: Org, clock: Any) -> None:
    from datetime import UTC, datetime

    clock.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 January, Shanghai
    # November is two months back by now: only a period HR opened takes its evidence.
    assert (await client.post("/api/v1/periods", headers=org.h("hr"),
                              json={"month": "2026-11"})).status_code == 201
    cases = [("2026-11-30T23:59:59+08:00", "2026-11"), ("2026-12-01T00:00:00+08:00", "2026-12"),
             ("2026-12-31T23:59:59+08:00", "2026-12"), ("2027-01-01T00:00:00+08:00", "2027-01"),
             ("2026-12-31T16:00:00Z", "2027-01")]
    for at, month in cases:
        r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                              json=mixed_inspection(org.emp_a1, occurred_at=at, touchpoint="front_desk"))
        assert (r.status_code, r.json()["period"]) == (201, month), at
        r = await client.post("/api/v1/complaints", headers=org.h("sup_a"), json={
            "employee_id": org.emp_a1, "received_at": at, "channel": "phone",
            "severity": "minor", "description": "等待太久"})
        assert (r.status_code, r.json()["period"]) == (201, month), at


async def test_an_inspection_with_nothing_applicable_is_refused(
        client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    all_na = [{"code": c, "result": "na"} for c in ("V1", "H1", "N2")]
    r = await client.post("/api/v1/inspections", headers=h,
                          json=mixed_inspection(org.emp_a1, items=all_na))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items"
    assert "n.a." in r.json()["detail"]
    assert (await client.get("/api/v1/inspections", headers=h)).json() == []
    insp = (await client.post("/api/v1/inspections", headers=h,
                              json=mixed_inspection(org.emp_a1))).json()
    url = f"/api/v1/inspections/{insp['id']}"
    # A correction that leaves nothing applicable is refused alike, and so is one that
    # leaves nothing at all.
    for items in ([{"code": "V1", "result": "na"}, {"code": "H1", "result": "na"},
                   {"code": "S1", "result": "na"}],
                  [{"code": c, "result": None} for c in ("V1", "H1", "N2", "S1")]):
        r = await client.patch(url, headers=h, json={"items": items})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items", r.text
    assert len((await client.get(url, headers=h)).json()["items"]) == 4


async def test_an_all_na_inspection_recorded_earlier_never_counts(
        client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.models import Inspection, InspectionItem, ItemResult

    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=mixed_inspection(org.emp_a1))
    # One recorded before the rule (straight into the database): nothing applied.
    old = await Inspection.create(employee_id=org.emp_a1, period_id=(await Inspection.get(
        id=r.json()["id"])).period_id, occurred_at=r.json()["occurred_at"], touchpoint="前台",
        method="onsite")
    await InspectionItem.create(inspection_id=old.id, code="V1", result=ItemResult.na)
    score = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                              headers=org.h("hr"))).json()
    assert score["inspections"] == 1 and score["status"] == "insufficient_evidence"


async def test_patching_items_merges_them_by_code(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    insp = (await client.post("/api/v1/inspections", headers=h,
                              json=inspection(org.emp_a1))).json()
    url = f"/api/v1/inspections/{insp['id']}"

    async def items(body: list[dict[str, Any]]) -> dict[str, Any]:
        r = await client.patch(url, headers=h, json={"items": body})
        assert r.status_code == 200, r.text
        return {i["code"]: i["points"] if i["result"] == "points" else i["result"]
                for i in r.json()["items"]}

    merged = await items([{"code": "v1", "result": "fail"}])
    assert len(merged) == 15 and merged.pop("V1") == "fail" and set(merged.values()) == {"pass"}
    merged = await items([{"code": "N2", "result": None}, {"code": "H1", "points": "7.5"}])
    assert "N2" not in merged and merged["H1"] == "7.5" and merged["V1"] == "fail"
    assert len(merged) == 14
    merged = await items([{"code": "N2", "result": "na"}])
    assert merged["N2"] == "na" and len(merged) == 15
    for body, field in (([{"code": "Z9", "result": None}], "items[0].code"),
                        ([{"code": "V1"}], "items[0]"),
                        ([{"code": "V1", "result": "pass"}, {"code": "V1", "result": None}],
                         "items[1].code"),
                        ([{"code": "H1", "points": "11"}], "items[0].points")):
        r = await client.patch(url, headers=h, json={"items": body})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (body, r.text)
    # The schema says how: documented where clients read it.
    schema = (await client.get("/schema/openapi.json")).json()
    patch = schema["components"]["schemas"]["InspectionPatch"]["properties"]["items"]
    assert "Merged by item code" in str(patch) and '"result": null' in str(patch)


async def test_a_return_visit_comes_after_the_resolution(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    base = {"employee_id": org.emp_a1, "received_at": NOV, "channel": "电话",
            "severity": "minor", "description": "等候太久"}
    r = await client.post("/api/v1/complaints", headers=h,
                          json=base | {"return_visit_at": "2026-11-07T09:00:00+08:00"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "return_visit_at"
    assert "resolved" in r.json()["detail"]
    cid = (await client.post("/api/v1/complaints", headers=h, json=base)).json()["id"]
    url = f"/api/v1/complaints/{cid}"
    for body, field in (({"return_visit_at": "2026-11-07T09:00:00+08:00"}, "return_visit_at"),
                        ({"resolved_at": "2026-11-08T09:00:00+08:00",
                          "return_visit_at": "2026-11-07T09:00:00+08:00"}, "return_visit_at")):
        r = await client.patch(url, headers=h, json=body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text
    r = await client.patch(url, headers=h, json={
        "first_response_at": "2026-11-05T11:00:00+08:00", "resolved_at": "2026-11-06T09:00:00+08:00",
        "return_visit_at": "2026-11-07T09:00:00+08:00", "customer_satisfied": False})
    assert r.status_code == 200
    r = await client.patch(url, headers=h, json={"resolved_at": None})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "resolved_at"
    # Every follow-up field can be cleared again.
    r = await client.patch(url, headers=h, json={
        "first_response_at": None, "resolved_at": None, "return_visit_at": None,
        "customer_satisfied": None})
    assert r.status_code == 200
    assert [r.json()[k] for k in ("first_response_at", "resolved_at", "return_visit_at",
                                  "customer_satisfied")] == [None, None, None, None]


async def test_void_evidence_is_kept_and_counts_for_nothing(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=h,
                          json=inspection(org.emp_a1, ("V1",), day))
    made = {
        "complaints": await client.post("/api/v1/complaints", headers=h, json={
            "employee_id": org.emp_a1, "received_at": NOV, "channel": "电话",
            "severity": "major", "description": "态度差", "status": "substantiated",
            "first_response_at": "2026-11-05T11:00:00+08:00"}),
        "surveys": await client.post("/api/v1/surveys", headers=h, json={
            "employee_id": org.emp_a1, "received_at": NOV, "attitude": 1}),
        "commendations": await client.post("/api/v1/commendations", headers=h, json={
            "employee_id": org.emp_a1, "received_at": NOV, "source": "锦旗"}),
    }
    score_url = f"/api/v1/periods/2026-11/scores/{org.emp_a1}"
    before = (await client.get(score_url, headers=h)).json()
    assert before["deductions_total"] == "5" and before["bonus"]["points"] == "2"
    assert before["dimension_breakdown"][0]["survey"] is not None
    for kind, r in made.items():
        url = f"/api/v1/{kind}/{r.json()['id']}"
        assert (await client.delete(url, headers=h)).status_code == 422  # no reason
        assert (await client.delete(url, headers=h, params={"reason": "录入错误"})).status_code == 204
        one = (await client.get(url, headers=h)).json()
        assert one["void"]["reason"] == "录入错误" and one["void"]["voided_by"] == "sup_a"
        assert [x["void"] is not None for x in (await client.get(
            f"/api/v1/{kind}", headers=h)).json()] == [True]
        # Voided once; never corrected afterwards.
        assert (await client.delete(url, headers=h, params={"reason": "again"})).status_code == 409
        body = {"description": "x"} if kind != "surveys" else {"attitude": 5}
        r = await client.patch(url, headers=h, json=body)
        assert r.status_code == 409 and "void" in r.json()["detail"]
    after = (await client.get(score_url, headers=h)).json()
    assert after["deductions"] == [] and after["bonus"]["points"] == "0"
    assert all(d["survey"] is None for d in after["dimension_breakdown"])
    assert after["bonus"]["commendations"] == []
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"))).json()
    assert sorted(e["entity"] for e in audit if e["action"] == "void") == [
        "commendation", "complaint", "survey"]
    # The employee still sees it, marked void.
    feedback = (await client.get("/api/v1/me/feedback", headers=org.h("emp_a1"))).json()
    assert feedback["complaints"][0]["void"]["reason"] == "录入错误"


async def test_surveys_and_commendations_are_corrected(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    s = (await client.post("/api/v1/surveys", headers=h, json={
        "employee_id": org.emp_a1, "received_at": NOV, "attitude": 2, "quality": 3})).json()
    r = await client.patch(f"/api/v1/surveys/{s['id']}", headers=h,
                           json={"attitude": 4, "quality": None, "comment": "更正"})
    assert r.status_code == 200
    assert (r.json()["attitude"], r.json()["quality"], r.json()["comment"]) == (4, None, "更正")
    r = await client.patch(f"/api/v1/surveys/{s['id']}", headers=h, json={"attitude": None})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attitude"
    r = await client.patch(f"/api/v1/surveys/{s['id']}", headers=h, json={"attitude": 9})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attitude"
    c = (await client.post("/api/v1/commendations", headers=h, json={
        "employee_id": org.emp_a1, "received_at": NOV, "source": "锦旗"})).json()
    r = await client.patch(f"/api/v1/commendations/{c['id']}", headers=h,
                           json={"employee_id": org.emp_a2, "source": "表扬信"})
    assert r.status_code == 200 and (r.json()["employee_id"], r.json()["source"]) == (
        org.emp_a2, "表扬信")
    r = await client.patch(f"/api/v1/commendations/{c['id']}", headers=h,
                           json={"employee_id": org.emp_b1})
    assert r.status_code == 404  # another team's employee
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "commendation"})).json()
    assert audit[0]["action"] == "update"
    assert audit[0]["before"]["source"] == "锦旗" and audit[0]["after"]["source"] == "表扬信"
