"""Commendations: 2 points each, at most 5 points a month (SPEC §2.1), said so in the
breakdown, the PDF and the page; and the page to record, list, correct and void them."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from httpx import AsyncClient
from pypdf import PdfReader

from appraisal.audit.models import AuditEntry
from appraisal.evidence.models import Commendation
from tests.factories import NOV, Org, form_key, inspection, log_in


async def commend(client: AsyncClient, org: Org, emp: int, n: int, who: str = "sup_a") -> list[int]:
    ids = []
    for i in range(n):
        r = await client.post("/api/v1/commendations", headers=org.h(who), json={
            "employee_id": emp, "received_at": NOV, "source": ("锦旗", "表扬信", "网络好评")[i % 3]})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


async def test_the_third_commendation_adds_one_point(client: AsyncClient, org: Org) -> None:
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=inspection(org.emp_a2, ("H1", "H2", "H3"), day))
    url = f"/api/v1/periods/2026-11/scores/{org.emp_a2}"
    ids = await commend(client, org, org.emp_a2, 3)
    score = (await client.get(url, headers=org.h("hr"))).json()
    bonus = score["bonus"]
    assert (bonus["points"], bonus["max_points"], bonus["per_commendation"], bonus["counted"]) == (
        "5", "5", "2", 3)
    assert [(c["commendation_id"], c["points"], c["counted"]) for c in bonus["commendations"]] == [
        (ids[0], "2", True), (ids[1], "2", True), (ids[2], "1", True)]
    base = score["base_score"]
    ids += await commend(client, org, org.emp_a2, 1)
    bonus = (await client.get(url, headers=org.h("hr"))).json()["bonus"]
    assert (bonus["points"], bonus["counted"]) == ("5", 3)
    assert (bonus["commendations"][3]["points"], bonus["commendations"][3]["counted"]) == ("0", False)
    score = (await client.get(url, headers=org.h("hr"))).json()
    assert score["base_score"] == base
    # Five points, not five commendations (nor 2 × 4 = 8).
    assert Decimal(score["final_score"]) == (Decimal(base) + 5).quantize(Decimal("0.01"))


async def test_the_pdf_says_how_many_counted_for_how_many_points(
        client: AsyncClient, org: Org, clock: Any) -> None:
    h = org.h("hr")
    for day in (3, 4):
        await client.post("/api/v1/inspections", headers=h,
                          json=inspection(org.emp_a2, ("H1",), day))
    await commend(client, org, org.emp_a2, 4, who="hr")
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # November over
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 200
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a2}.pdf", headers=h)
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = text.replace("\n", "")
    assert "计入 3 项，加分 +5（上限 5 分）" in text
    assert "3 counted, +5 of at most 5 points" in text


async def test_commendations_are_recorded_listed_corrected_and_voided_in_the_page(
        client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    team = (await client.get("/team")).text
    assert f'href="/commendations?employee_id={org.emp_a1}"' in team
    assert 'href="/commendations"' in team  # in the menu beside the other evidence pages
    page = (await client.get(f"/commendations?employee_id={org.emp_a1}")).text
    assert f'<option value="{org.emp_a1}" selected>' in page and "李娜" not in page
    for source in ("锦旗", "表扬信", "网络好评"):
        key = form_key((await client.get("/commendations")).text, "/commendations")
        form = {"csrf": csrf, "idempotency_key": key, "employee_id": str(org.emp_a1),
                "received_at": "2026-11-05T10:00", "source": source, "description": "主动帮助业主"}
        r = await client.post("/commendations", data=form)
        assert r.status_code == 303 and r.headers["location"].startswith("/commendations?saved=")
        again = await client.post("/commendations", data=form)  # a double tap writes once
        assert again.headers["location"] == r.headers["location"]
    assert await Commendation.all().count() == 3
    page = (await client.get("/commendations")).text
    assert "3 次表扬，加 5 分（上限 5 分）" in page and page.count("主动帮助业主") == 3
    english = (await client.get("/commendations?lang=en")).text
    assert "3 commendations, +5 of at most 5 points" in english
    await client.get("/commendations?lang=zh")  # back to Chinese (the choice is remembered)
    # Correct one from its page, void another: the bonus follows.
    first = (await Commendation.all().order_by("id").first()).id  # type: ignore[union-attr]
    edit = (await client.get(f"/commendations/{first}")).text
    assert 'value="锦旗"' in edit
    r = await client.post(f"/commendations/{first}/correct", data={
        "csrf": csrf, "idempotency_key": form_key(edit, f"/commendations/{first}/correct"),
        "employee_id": str(org.emp_a1), "received_at": "2026-11-05T10:00", "source": "锦旗",
        "description": "业主送来锦旗"})
    assert r.status_code == 303 and r.headers["location"] == f"/commendations?corrected={first}"
    assert (await Commendation.get(id=first)).description == "业主送来锦旗"
    r = await client.post(f"/commendations/{first}/void", data={
        "csrf": csrf, "idempotency_key": form_key(edit, f"/commendations/{first}/void"),
        "reason": "重复登记"})
    assert r.status_code == 303
    page = (await client.get(r.headers["location"])).text
    assert 'class="card void"' in page and "重复登记" in page
    assert "2 次表扬，加 4 分（上限 5 分）" in page
    assert await AuditEntry.filter(entity="commendation", action="void").count() == 1
    live = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}",
                             headers=org.h("hr"))).json()
    assert live["bonus"]["points"] == "4"


async def test_the_commendation_form_says_what_is_wrong(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    r = await client.post("/commendations", data={"csrf": csrf, "employee_id": str(org.emp_a1),
                                                  "source": "", "description": "好"})
    assert r.status_code == 422 and "来源" in r.text
    assert "好</textarea>" in r.text  # what was typed is kept
    r = await client.post("/commendations", data={"csrf": csrf, "employee_id": str(org.emp_b1),
                                                  "source": "锦旗"})
    assert r.status_code == 404  # another team's employee
    r = await client.post("/commendations", data={"employee_id": str(org.emp_a1),
                                                  "source": "锦旗"})
    assert r.status_code == 403  # no CSRF token
    assert await Commendation.all().count() == 0
    client.cookies.clear()
    await log_in(client, "emp_a1")
    assert (await client.get("/commendations")).status_code == 403  # staff only
