"""Inspections where the standards happen (SPEC §2.2, §3.5): with rulebook 2026.2 a
touchpoint is one of its codes, only its items are recorded, a failed `rectify` item
opens a corrective action, and one not verified by its due time costs a point."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from httpx import AsyncClient

from tests.factories import Org, form_of, log_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def on_2026_2(client: AsyncClient, org: Org) -> None:
    r = await client.post("/api/v1/periods", headers=org.h("hr"),
                          json={"month": "2026-11", "rulebook_version": "2026.2"})
    assert r.status_code == 201, r.text


def car_park(emp: int, fails: tuple[str, ...] = (), **over: Any) -> dict[str, Any]:
    items = [{"code": c, "result": "fail" if c in fails else "pass"}
             for c in ("CP1", "CP2", "CP3", "CP4", "V1", "M1")]
    return {"employee_id": emp, "occurred_at": "2026-11-20T10:00:00+08:00",
            "touchpoint": "car_park", "method": "onsite", "items": items} | over


async def test_only_the_touchpoints_items_are_recorded(client: AsyncClient, org: Org) -> None:
    await on_2026_2(client, org)
    h = org.h("sup_a")
    r = await client.post("/api/v1/inspections", headers=h, json=car_park(org.emp_a1, touchpoint="前台"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "touchpoint"
    assert r.json()["errors"][0]["code"] == "unknown_touchpoint"
    body = car_park(org.emp_a1)
    body["items"].append({"code": "S1", "result": "pass"})  # standing up: not checked here
    r = await client.post("/api/v1/inspections", headers=h, json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[6].code"
    assert r.json()["errors"][0]["code"] == "item_not_at_touchpoint"
    phone = {**car_park(org.emp_a1), "touchpoint": "telephone", "method": "phone",
             "items": [{"code": "TL1", "result": "pass"}, {"code": "S1", "result": "pass"}]}
    r = await client.post("/api/v1/inspections", headers=h, json=phone)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[1].code"
    assert (await client.get("/api/v1/inspections", headers=h)).json() == []
    r = await client.post("/api/v1/inspections", headers=h, json=car_park(org.emp_a1, touchpoint="CAR_PARK"))
    assert r.status_code == 201 and r.json()["touchpoint"] == "car_park"
    # A correction to another touchpoint keeps only items that belong there.
    r = await client.patch(f"/api/v1/inspections/{r.json()['id']}", headers=h,
                           json={"touchpoint": "telephone"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "item_not_at_touchpoint"


async def test_a_failed_rectify_check_opens_an_action_that_costs_when_late(
        client: AsyncClient, org: Org, clock: Any) -> None:
    await on_2026_2(client, org)
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=car_park(org.emp_a1, fails=("CP1", "CP3")))
    assert r.status_code == 201, r.text
    insp = r.json()["id"]
    # CP3 (fire equipment) can be put right; CP1 (attendant on time) is behaviour.
    r = await client.get(f"/api/v1/actions?inspection_id={insp}", headers=org.h("sup_a"))
    [action] = r.json()
    assert (action["item_code"], action["automatic"], action["assignee_id"]) == ("CP3", True, org.emp_a1)
    assert action["due_at"].startswith("2026-11-21T15:00")  # 24 h after it was recorded
    r = await client.get("/api/v1/audit?entity=inspection", headers=org.h("hr"))
    assert r.json()[0]["after"]["actions_opened"][0]["item_code"] == "CP3"

    score = "/api/v1/periods/2026-11/scores/" + str(org.emp_a1)
    before = (await client.get(score, headers=org.h("hr"))).json()
    assert before["penalties"] == []
    assert before["lost_by_touchpoint"] == [
        {"touchpoint": "car_park", "results": 2, "points_lost": "20", "items": ["CP1", "CP3"]}]

    clock.move_to(datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))  # past the due time
    after = (await client.get(score, headers=org.h("hr"))).json()
    [penalty] = after["penalties"]
    assert (penalty["kind"], penalty["action_id"], penalty["item_code"], penalty["points"],
            penalty["touchpoint"]) == ("overdue_action", action["id"], "CP3", "1", "car_park")
    assert after["deductions_total"] == "1"
    assert float(before["final_score"]) - float(after["final_score"]) == 1.0

    # Marked done and verified now, too late: still costs; a failed check keeps it open.
    url = f"/api/v1/actions/{action['id']}"
    r = await client.patch(url, headers=org.h("emp_a1"), json={"state": "done", "note": "已更换"})
    assert r.status_code == 200
    r = await client.post(f"{url}/verify", headers=org.h("sup_a"), json={"passed": True})
    assert r.json()["state"] == "verified"
    late = (await client.get(score, headers=org.h("hr"))).json()
    assert [p["action_id"] for p in late["penalties"]] == [action["id"]]


async def test_an_action_verified_in_time_costs_nothing(client: AsyncClient, org: Org,
                                                        clock: Any) -> None:
    await on_2026_2(client, org)
    await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                      json=car_park(org.emp_a1, fails=("CP3",)))
    [action] = (await client.get("/api/v1/actions", headers=org.h("sup_a"))).json()
    url = f"/api/v1/actions/{action['id']}"
    await client.patch(url, headers=org.h("sup_a"), json={"state": "done", "note": "补齐灭火器"})
    r = await client.post(f"{url}/verify", headers=org.h("hr"), json={"passed": True})
    assert r.json()["state"] == "verified"
    clock.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    b = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=org.h("hr"))).json()
    assert b["penalties"] == [] and b["deductions_total"] == "0"


async def test_the_rules_tell_the_inspection_form_what_to_show(client: AsyncClient,
                                                               org: Org) -> None:
    """The page: the employee, then where (their post's usual touchpoints first), then
    only that touchpoint's checks; what it sends is recorded as sent."""
    await on_2026_2(client, org)
    # The month's rulebook of the page is the current month's (November here).
    await log_in(client, "sup_a")
    r = await client.get(f"/inspect?employee_id={org.emp_a1}")
    assert "前台接待 常检触点" in r.text  # A001 is 前台接待: front desk and counter first
    usual = r.text.index("常检触点")
    assert r.text.index("touchpoint=front_desk") > usual
    assert r.text.index("touchpoint=front_desk") < r.text.index("touchpoint=car_park")
    r = await client.get(f"/inspect?employee_id={org.emp_a1}&touchpoint=car_park")
    assert 'name="item-CP3"' in r.text and 'name="item-S1"' not in r.text
    form = form_of(r.text, "/inspect")
    r = await client.post("/inspect", data={**form, "item-CP3": "fail"})
    assert r.status_code == 303, r.text
    [insp] = (await client.get("/api/v1/inspections", headers=org.h("sup_a"))).json()
    assert insp["touchpoint"] == "car_park"
    assert sorted(i["code"] for i in insp["items"]) == ["CP1", "CP2", "CP3", "CP4", "CP5", "CP6",
                                                         "CP7", "CP8", "M1", "N2", "V1", "V2"]
    r = await client.get(r.headers["location"] if "location" in r.headers else "/inspect")
    assert "停车场" in r.text


async def test_calibration_shows_where_the_standards_slip(client: AsyncClient, org: Org) -> None:
    await on_2026_2(client, org)
    h = org.h("sup_a")
    # car park: 6 results, CP1 (10) and CP3 (10) failed of 10+5+10+5+5+5 = 40 → 50.00
    await client.post("/api/v1/inspections", headers=h, json=car_park(org.emp_a1, fails=("CP1", "CP3")))
    # telephone: TL1 (10) passed, V1 (5) failed → 10 of 15 = 66.67
    phone = {**car_park(org.emp_a2), "touchpoint": "telephone", "method": "phone",
             "items": [{"code": "TL1", "result": "pass"}, {"code": "V1", "result": "fail"}]}
    assert (await client.post("/api/v1/inspections", headers=h, json=phone)).status_code == 201
    r = await client.get("/api/v1/periods/2026-11/calibration", headers=org.h("hr"))
    assert r.status_code == 200, r.text
    assert r.json()["touchpoints"] == [
        {"touchpoint": "car_park", "results": 6, "failed": 2, "score": "50.00"},
        {"touchpoint": "telephone", "results": 2, "failed": 1, "score": "66.67"}]
    assert [(t["team"], t["touchpoint"], t["score"]) for t in r.json()["team_touchpoints"]] == [
        ("前台组 Front desk", "car_park", "50.00"), ("前台组 Front desk", "telephone", "66.67")]
    await log_in(client, "hr")
    r = await client.get("/months/2026-11/calibration")
    assert "哪里没做到位" in r.text and "停车场" in r.text


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


async def test_a_failed_check_takes_its_photo_with_the_form(client: AsyncClient, org: Org) -> None:
    await on_2026_2(client, org)
    await log_in(client, "sup_a")
    r = await client.get(f"/inspect?employee_id={org.emp_a1}&touchpoint=car_park")
    assert 'name="photo-CP3"' in r.text and 'capture="environment"' in r.text
    form = form_of(r.text, "/inspect")
    # Not an image: the form comes back saying so, and nothing is written.
    r = await client.post("/inspect", data={**form, "item-CP3": "fail"},
                          files={"photo-CP3": ("fire.jpg", b"not a picture", "image/jpeg")})
    assert r.status_code == 422 and "文件" in r.text
    assert (await client.get("/api/v1/inspections", headers=org.h("sup_a"))).json() == []
    form = form_of(r.text, "/inspect")
    r = await client.post("/inspect", data={**form, "item-CP3": "fail"},
                          files={"photo-CP3": ("fire.jpg", jpeg(), "image/jpeg"),
                                 "photo-CP5": ("", b"", "application/octet-stream")})
    assert r.status_code == 303, r.text
    [insp] = (await client.get("/api/v1/inspections", headers=org.h("sup_a"))).json()
    assert [(p["item_code"]) for p in insp["photos"]] == ["CP3"]
    r = await client.get(r.headers["location"])
    assert "已附 1 张照片" in r.text
    # The employee sees the failed check, its coaching, the photo and the action.
    client.cookies.clear()
    await log_in(client, "emp_a1")
    r = await client.get("/me")
    photo = insp["photos"][0]["id"]
    assert f"/api/v1/photos/{photo}?size=thumb" in r.text
    assert "消防器材" in r.text and "待整改" in r.text


async def test_hr_sees_the_photo_behind_a_lost_point(client: AsyncClient, org: Org) -> None:
    await on_2026_2(client, org)
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=car_park(org.emp_a1, fails=("CP3",)))
    insp = r.json()["id"]
    r = await client.post(f"/api/v1/inspections/{insp}/photos", headers=org.h("sup_a"),
                          data={"item_code": "CP3"}, files={"file": ("x.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 201, r.text
    photo = r.json()["id"]
    await log_in(client, "hr")
    r = await client.get(f"/months/2026-11/employees/{org.emp_a1}")
    assert f"/api/v1/photos/{photo}?size=thumb" in r.text and "停车场" in r.text
