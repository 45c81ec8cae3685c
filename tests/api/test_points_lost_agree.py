"""One rule for "did this item lose points, and how many": the API, the coaching, the
employee's page, the breakdown and the PDF all read it the same way."""

from __future__ import annotations

import io

import time_machine
from httpx import AsyncClient
from pypdf import PdfReader

from tests.factories import ALL_ITEMS, NOVEMBER_OVER, Org, inspection, log_in


async def test_points_item_below_its_maximum_loses_points_everywhere(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    h = org.h("sup_a")
    # H3 given 8 of its 10 points; nothing failed outright; a second, clean inspection.
    items = [{"code": c, "result": "pass"} for c in ALL_ITEMS if c != "H3"] + [
        {"code": "H3", "points": "8"}]
    r = await client.post("/api/v1/inspections", headers=h,
                          json=inspection(org.emp_a1, day=5, items=items))
    assert r.status_code == 201, r.text
    first = r.json()
    r = await client.post("/api/v1/inspections", headers=h, json=inspection(org.emp_a1, day=6))
    assert r.status_code == 201, r.text

    # The API: H3 lost 2 and carries its coaching; nothing else lost or coached.
    shaped = {i["code"]: i for i in first["items"]}
    assert shaped["H3"]["lost_points"] == "2" and shaped["H3"]["coaching_zh"]
    assert all(i["lost_points"] is None and i["coaching_zh"] is None
               for c, i in shaped.items() if c != "H3")
    feedback = (await client.get("/api/v1/me/feedback", headers=org.h("emp_a1"))).json()
    coached = [i["code"] for insp in feedback["inspections"] for i in insp["items"]
               if i["coaching_zh"]]
    assert coached == ["H3"]

    # The breakdown: the same 2 points, traced to the same inspection.
    b = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                          headers=org.h("hr"))).json()
    assert [(x["code"], x["points_lost"], x["inspection_id"]) for x in b["lost_points"]] == [
        ("H3", "2", first["id"])]

    # The employee's page: not "all passed", H3 shown with its −2.
    await log_in(client, "emp_a1")
    page = (await client.get("/me")).text
    assert "全部合格" in page  # the clean inspection
    # Labelled by the points lost (H3 was given points, it did not fail outright).
    assert page.count("全部合格") == 1 and "1 项失 2 分" in page and "−2" in page

    # The PDF, once published, lists H3 −2 as well.
    hr = org.h("hr")
    await client.post("/api/v1/inspections", headers=hr,
                      json=inspection(org.emp_a2, day=7, items=[{"code": "V1", "result": "pass"}]))
    clock.move_to(NOVEMBER_OVER)  # a month closes once it is over
    for step in ("close", "publish"):
        r = await client.post(f"/api/v1/periods/2026-11/{step}", headers=hr)
        assert r.status_code == 200, r.text
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=hr)
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "H3" in text and "−2" in text
