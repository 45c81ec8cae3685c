"""Calibration report: inspectors' fail shares against everyone's, teams' spread."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import ALL_ITEMS, Org, inspection, log_in


async def test_stricter_and_more_lenient_inspectors_stand_out(
        client: AsyncClient, org: Org) -> None:
    harsh = tuple(ALL_ITEMS[:8])
    for day in (3, 4, 5):  # sup_a fails eight items each time, sup_b none
        for who, emp, fails in (("sup_a", org.emp_a1, harsh), ("sup_b", org.emp_b1, ())):
            body = inspection(emp, fails, day, touchpoint="大堂")
            r = await client.post("/api/v1/inspections", json=body, headers=org.h(who))
            assert r.status_code == 201, r.text
    r = await client.get("/api/v1/periods/2026-11/calibration", headers=org.h("hr"))
    assert r.status_code == 200, r.text
    body = r.json()
    judged = 6 * len(ALL_ITEMS)
    assert (body["items_judged"], body["failed"]) == (judged, 24)
    by = {i["inspector"]: i for i in body["inspectors"]}
    assert by["sup_a"]["flag"] == "stricter" and by["sup_b"]["flag"] == "more_lenient"
    assert (by["sup_a"]["inspections"], by["sup_a"]["employees"], by["sup_a"]["failed"]) == (
        3, 1, 24)
    teams = {t["team"]: t for t in body["teams"]}
    assert teams["客服中心 Call centre"]["graded"] == 1
    assert teams["前台组 Front desk"]["employees"] == 2  # A2 not yet inspected: not graded
    # HR only; a bad month is named.
    assert (await client.get("/api/v1/periods/2026-11/calibration",
                             headers=org.h("sup_a"))).status_code == 403
    r = await client.get("/api/v1/periods/2026-13/calibration", headers=org.h("hr"))
    assert r.status_code == 422 and "month" in r.text

    await log_in(client, "hr")
    page = (await client.get("/months/2026-11/calibration")).text
    assert "偏严" in page and "偏松" in page and "sup_a" in page
