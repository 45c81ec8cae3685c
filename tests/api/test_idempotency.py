"""Retries write once (SPEC §3.6): the same Idempotency-Key and body again get the
first answer back and write nothing; another body with the key is a 422."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import time_machine
from httpx import AsyncClient

from appraisal.audit.models import AuditEntry
from appraisal.evidence.models import Complaint, Inspection, SurveyResponse
from tests.conftest import FROZEN_AT
from tests.factories import NOV, Org, csv_file, form_key, inspection, log_in

INSPECTIONS = "/api/v1/inspections"


def keyed(org: Org, who: str, key: str) -> dict[str, str]:
    return {**org.h(who), "Idempotency-Key": key}


async def test_the_same_write_sent_twice_writes_once_and_answers_the_same(
        client: AsyncClient, org: Org) -> None:
    body = inspection(org.emp_a1, ("V1",))
    first = await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "round-1"))
    assert first.status_code == 201, first.text
    again = await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "round-1"))
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await Inspection.all().count() == 1
    assert await AuditEntry.filter(entity="inspection", action="create").count() == 1


async def test_the_same_key_for_another_request_is_a_422_naming_the_header(
        client: AsyncClient, org: Org) -> None:
    h = keyed(org, "sup_a", "k-1")
    assert (await client.post(INSPECTIONS, json=inspection(org.emp_a1), headers=h)).status_code == 201
    for method, path, body in (
            ("POST", INSPECTIONS, inspection(org.emp_a2)),  # another body
            ("POST", "/api/v1/commendations", {"employee_id": org.emp_a1, "received_at": NOV,
                                               "source": "letter", "description": "thanks"})):
        r = await client.request(method, path, json=body, headers=h)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["Idempotency-Key"]
    assert await Inspection.all().count() == 1


async def test_a_key_must_be_short_printable_text(client: AsyncClient, org: Org) -> None:
    for key in (b"x" * 201, b"", "тест".encode(), b"a\tb"):
        headers = {**org.h("sup_a"), "Idempotency-Key": key}
        r = await client.post(INSPECTIONS, json=inspection(org.emp_a1), headers=headers)
        assert r.status_code == 422, key
        assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await Inspection.all().count() == 0
    ok = await client.post(INSPECTIONS, json=inspection(org.emp_a1),
                           headers=keyed(org, "sup_a", "x" * 200))
    assert ok.status_code == 201


async def test_keys_are_per_user(client: AsyncClient, org: Org) -> None:
    body = inspection(org.emp_a1)
    mine = await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "same"))
    theirs = await client.post(INSPECTIONS, json=body, headers=keyed(org, "hr", "same"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    # Another user's body under the same key is no clash either.
    other = await client.post(INSPECTIONS, json=inspection(org.emp_a2),
                              headers=keyed(org, "admin", "same"))
    assert other.status_code == 201
    assert await Inspection.all().count() == 3
    # ...and each user's retry still gets their own first answer.
    again = await client.post(INSPECTIONS, json=body, headers=keyed(org, "hr", "same"))
    assert again.json()["id"] == theirs.json()["id"]
    assert await Inspection.all().count() == 3


async def test_without_a_key_every_write_is_new(client: AsyncClient, org: Org) -> None:
    body = inspection(org.emp_a1)
    ids = {(await client.post(INSPECTIONS, json=body, headers=org.h("sup_a"))).json()["id"]
           for _ in range(2)}
    assert len(ids) == 2 and await Inspection.all().count() == 2
    # A key makes the difference:
    keyed_ids = {(await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "k"))
                  ).json()["id"] for _ in range(2)}
    assert len(keyed_ids) == 1 and await Inspection.all().count() == 3


async def test_a_key_is_kept_24_hours_then_it_is_new(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    body = inspection(org.emp_a1)
    first = (await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "k"))).json()
    clock.move_to(FROZEN_AT + timedelta(hours=23), tick=True)
    again = await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "k"))
    assert again.json()["id"] == first["id"] and await Inspection.all().count() == 1
    clock.move_to(FROZEN_AT + timedelta(hours=25), tick=True)
    later = await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "k"))
    assert later.status_code == 201 and later.json()["id"] != first["id"]
    assert "idempotent-replayed" not in later.headers
    assert await Inspection.all().count() == 2
    # The new write holds the key from now on.
    assert (await client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "k"))
            ).json()["id"] == later.json()["id"]


async def test_a_refused_write_keeps_nothing_so_the_key_can_be_sent_put_right(
        client: AsyncClient, org: Org) -> None:
    h = keyed(org, "sup_a", "k")
    bad = await client.post(INSPECTIONS, json=inspection(org.emp_a1, touchpoint=""), headers=h)
    assert bad.status_code == 422
    good = await client.post(INSPECTIONS, json=inspection(org.emp_a1), headers=h)
    assert good.status_code == 201
    again = await client.post(INSPECTIONS, json=inspection(org.emp_a1), headers=h)
    assert again.json()["id"] == good.json()["id"] and await Inspection.all().count() == 1


async def test_patch_and_delete_are_replayed_too(client: AsyncClient, org: Org) -> None:
    created = (await client.post(INSPECTIONS, json=inspection(org.emp_a1), headers=org.h("sup_a"))
               ).json()
    url = f"{INSPECTIONS}/{created['id']}"
    h = keyed(org, "sup_a", "fix")
    r = await client.patch(url, json={"notes": "已复核"}, headers=h)
    assert r.status_code == 200
    again = await client.patch(url, json={"notes": "已复核"}, headers=h)
    assert again.json() == r.json() and again.headers["idempotent-replayed"] == "true"
    assert await AuditEntry.filter(entity="inspection", action="update").count() == 1
    h = keyed(org, "sup_a", "gone")
    void = {"reason": "录入重复"}
    assert (await client.delete(url, headers=h, params=void)).status_code == 204
    replayed = await client.delete(url, headers=h, params=void)  # not a 409: the first answer
    assert replayed.status_code == 204 and replayed.headers["idempotent-replayed"] == "true"


async def test_concurrent_duplicates_write_once(client: AsyncClient, org: Org) -> None:
    body = inspection(org.emp_a1)
    answers = await asyncio.gather(*[
        client.post(INSPECTIONS, json=body, headers=keyed(org, "sup_a", "tap")) for _ in range(4)])
    assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await Inspection.all().count() == 1
    assert await AuditEntry.filter(entity="inspection", action="create").count() == 1


async def test_an_inspection_form_sent_twice_writes_once(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    page = (await client.get("/inspect")).text
    form = {"csrf": csrf, "idempotency_key": form_key(page, "/inspect"),
            "employee_id": str(org.emp_a1), "touchpoint": "前台", "method": "onsite",
            "item-V1": "fail"}
    first = await client.post("/inspect", data=form)
    again = await client.post("/inspect", data=form)
    assert (first.status_code, again.status_code) == (303, 303), again.text
    assert again.headers["location"] == first.headers["location"]
    assert await Inspection.all().count() == 1
    # Each rendering of the form has a key of its own.
    assert form_key((await client.get("/inspect")).text, "/inspect") != form["idempotency_key"]
    # The same key with another form is refused, and writes nothing.
    r = await client.post("/inspect", data={**form, "item-V1": "pass"})
    assert r.status_code == 422 and await Inspection.all().count() == 1
    assert r.headers["content-type"].startswith("text/html")  # a page, not JSON
    assert "这张表单已经提交过" in r.text and "idempotency" not in r.text


async def test_a_complaint_and_its_follow_up_sent_twice_write_once(
        client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    page = (await client.get("/complaints")).text
    form = {"csrf": csrf, "idempotency_key": form_key(page, "/complaints"),
            "employee_id": str(org.emp_a1), "received_at": "", "channel": "电话",
            "severity": "major", "description": "电话响铃十声无人接听"}
    first = await client.post("/complaints", data=form)
    again = await client.post("/complaints", data=form)
    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"]
    assert await Complaint.all().count() == 1
    complaint = await Complaint.get()
    page = (await client.get("/complaints")).text
    action = f"/complaints/{complaint.id}"
    follow = {"csrf": csrf, "idempotency_key": form_key(page, action), "resolved_at": "now",
              "status": "substantiated"}
    assert form_key(page, action) != form_key(page, "/complaints")  # a key per form
    for _ in range(2):
        r = await client.post(action, data=follow)
        assert r.status_code == 303 and r.headers["location"] == f"/complaints?saved={complaint.id}"
    assert await AuditEntry.filter(entity="complaint", action="update").count() == 1


async def test_an_import_sent_again_with_its_key_replays(client: AsyncClient, org: Org) -> None:
    data = csv_file("A001,2026-11-05 10:00,5,4,,3,5,ok,Q-1", "A002,2026-11-06 09:30,4,4,4,4,4,,Q-2")
    h = keyed(org, "hr", "import-1")
    first = await client.post("/api/v1/imports/surveys", headers=h, files={"data": ("s.csv", data)})
    assert first.json() == {"imported": 2, "skipped_duplicates": 0}, first.text
    # A new multipart boundary, the same file: the same request.
    again = await client.post("/api/v1/imports/surveys", headers=h, files={"data": ("s.csv", data)})
    assert again.status_code == 200 and again.json() == first.json()
    assert await AuditEntry.filter(entity="survey", action="import").count() == 1
    other = await client.post("/api/v1/imports/surveys", headers=h,
                              files={"data": ("s.csv", data + b"A001,2026-11-07 10:00,5,,,,,,Q-3\n")})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await SurveyResponse.all().count() == 2


async def test_the_import_page_sent_twice_imports_once(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "hr")
    key = form_key((await client.get("/imports")).text, "/imports")
    data = csv_file("A001,2026-11-05 10:00,5,4,,3,5,服务很热情,Q-1")
    answers = [await client.post("/imports", data={"csrf": csrf, "idempotency_key": key},
                                 files={"file": ("good.csv", data)}) for _ in range(2)]
    assert [r.status_code for r in answers] == [200, 200]
    assert "已导入 1 份评价" in answers[1].text and answers[1].text == answers[0].text
    assert await SurveyResponse.all().count() == 1
    assert await AuditEntry.filter(entity="survey", action="import").count() == 1


async def test_the_api_documents_the_header_on_evidence_writes(client: AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()

    def takes_key(method: str, path: str) -> bool:
        parameters = schema["paths"][path][method].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)

    for method, path in (("post", INSPECTIONS), ("patch", INSPECTIONS + "/{inspection_id}"),
                         ("delete", INSPECTIONS + "/{inspection_id}"), ("post", "/api/v1/complaints"),
                         ("patch", "/api/v1/complaints/{complaint_id}"), ("post", "/api/v1/surveys"),
                         ("post", "/api/v1/commendations"), ("post", "/api/v1/imports/surveys")):
        assert takes_key(method, path), (method, path)
    assert not takes_key("get", INSPECTIONS)
