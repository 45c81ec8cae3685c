"""The employee's page and the PDFs tell the same story (SPEC §4, §7): the points lost,
the coaching, the bonus, and why each dimension scored what it did, in words.

PDF texts are read with poppler's pdftotext, as a person would copy them."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import time_machine
from httpx import AsyncClient

from tests.factories import ALL_ITEMS, NOVEMBER_OVER, Org, closed_month, inspection, log_in


def pdf_text(data: bytes, tmp: Path, name: str = "doc") -> str:
    """The PDF's text, every run of whitespace (line breaks included) made one space."""
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftotext", str(tmp / f"{name}.pdf"), str(tmp / f"{name}.txt")],
                   check=True)
    return re.sub(r"\s+", " ", (tmp / f"{name}.txt").read_text("utf-8"))


async def close_and_publish(client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
                            pool: str | None = None) -> None:
    hr = org.h("hr")
    clock.move_to(NOVEMBER_OVER)  # a month closes once it is over
    assert (await client.post("/api/v1/periods/2026-11/close", headers=hr)).status_code == 200
    if pool is not None:
        r = await client.post("/api/v1/periods/2026-11/incentives", headers=hr,
                              json={"pool": pool})
        assert r.status_code == 201, r.text
    assert (await client.post("/api/v1/periods/2026-11/publish", headers=hr)).status_code == 200


async def test_partial_points_are_points_lost_on_the_page_as_in_the_pdf(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    h = org.h("sup_a")
    # H3 given 8.5 of 10: nothing failed outright, yet 1.5 points were lost.
    items = [{"code": c, "result": "pass"} for c in ALL_ITEMS if c != "H3"] + [
        {"code": "H3", "points": "8.5"}]
    r = await client.post("/api/v1/inspections", headers=h, json=inspection(
        org.emp_a1, day=5, items=items, notes="解答时打断客人，显得不耐烦"))
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/inspections", headers=h, json=inspection(org.emp_a1, day=6))
    assert r.status_code == 201, r.text

    await log_in(client, "emp_a1")
    page = (await client.get("/me")).text
    # 113.5/115 is not "all passed": labelled by the points lost, as the PDF lists them.
    assert "113.5/115" in page and "1 项失 1.5 分" in page
    assert page.count("全部合格") == 1  # the clean inspection only
    # The inspector's notes are the employee's evidence: shown at once.
    assert "巡检备注" in page and "解答时打断客人，显得不耐烦" in page
    # The score is not: nothing of it before the month is published.
    assert "得分是怎么来的" not in page

    await close_and_publish(client, org, clock)
    await log_in(client, "emp_a1")  # the page session ended with the days that passed
    page = (await client.get("/me")).text
    explanation = page[page.index("得分是怎么来的"):page.index("</details>",
                                                              page.index("得分是怎么来的"))]
    assert "巡检失分" in explanation and "H3" in explanation and "−1.5" in explanation
    assert "解答时打断客人，显得不耐烦" in explanation

    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    text = pdf_text(r.content, tmp_path)
    assert "H3 解答耐心" in text and "−1.5" in text
    # Coaching for H3 only: H2 lost nothing (the weakest dimension used to pad it in).
    coaching = text[text.index("辅导建议"):text.index("员工签字")]
    assert "H3" in coaching and "H2" not in coaching and "帮助诚心" not in coaching


async def test_nothing_lost_means_nothing_to_coach(
        client: AsyncClient, org: Org, tmp_path: Path) -> None:
    await closed_month(client, org)  # A1 passed everything
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    coaching = (t := pdf_text(r.content, tmp_path))[t.index("辅导建议"):t.index("员工签字")]
    assert "无需辅导" in coaching and "nothing to coach" in coaching
    assert not re.search(r"\b[HVSMEN]\d\b", coaching)


async def test_the_appraisal_pdf_says_it_in_words(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    h = org.h("hr")
    # Attitude items only: four dimensions without data. Three surveys, all 5 for attitude.
    attitude = [{"code": c, "result": "fail" if c == "V1" else "pass"}
                for c in ("H1", "H3", "V1", "V2", "V3")]
    for day in (3, 12):
        r = await client.post("/api/v1/inspections", headers=h,
                              json=inspection(org.emp_a1, day=day, items=attitude))
        assert r.status_code == 201, r.text
    for n, (emp, answer) in enumerate(((org.emp_a1, 5),) * 3 + ((org.emp_a2, 2),) * 3):
        r = await client.post("/api/v1/surveys", headers=h, json={
            "employee_id": emp, "received_at": f"2026-11-0{n + 2}T10:00:00+08:00",
            "attitude": answer})
        assert r.status_code == 201, r.text
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 200
    b = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    survey = b["dimension_breakdown"][0]["survey"]
    assert (survey["count"], survey["organisation_mean"]) == (3, "62.50")

    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=h)
    text = pdf_text(r.content, tmp_path)
    # No shrinkage jargon and no "days" that are days of the month.
    for jargon in ("μ", "k 5", "raw", "shrunk", "日 Days"):
        assert jargon not in text, jargon
    # The adjustment in words, with its figures: n, mean → adjusted, the organisation's mean.
    assert f"3 份 · {survey['raw']} → {survey['shrunk']}" in text
    assert f"全机构 {survey['organisation_mean']}" in text
    assert "向全机构均值调整" in text and "adjusted towards the organisation average" in text
    assert "(n × your mean + 5 × average) ÷ (n + 5)" in text
    # Points lost with their dates; dimensions without data say so.
    assert "日期 Date" in text and "11-03, 11-12" in text
    assert text.count("暂无数据 No data") == 4


async def test_the_employee_page_explains_the_published_score(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    h = org.h("hr")
    for day in (3, 4):
        r = await client.post("/api/v1/inspections", headers=h, json=inspection(
            org.emp_a1, ("V1",) if day == 4 else (), day, notes="客人进门未问候"))
        assert r.status_code == 201, r.text
    for n, answer in enumerate((5, 4, 3)):
        r = await client.post("/api/v1/surveys", headers=h, json={
            "employee_id": org.emp_a1, "received_at": f"2026-11-0{n + 2}T10:00:00+08:00",
            "attitude": answer, "quality": answer})
        assert r.status_code == 201, r.text
    r = await client.post("/api/v1/complaints", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-06T10:00:00+08:00",
        "channel": "电话", "severity": "minor", "description": "等候过久",
        "status": "substantiated", "first_response_at": "2026-11-06T11:00:00+08:00"})
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/commendations", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-07T10:00:00+08:00",
        "source": "锦旗", "description": "热情周到"})
    assert r.status_code == 201, r.text

    await log_in(client, "emp_a1")
    before = (await client.get("/me")).text
    assert "得分是怎么来的" not in before and "向全机构均值" not in before

    await close_and_publish(client, org, clock)
    b = (await client.get(f"/api/v1/periods/2026-11/scores/{org.emp_a1}", headers=h)).json()
    await log_in(client, "emp_a1")  # the page session ended with the days that passed
    page = (await client.get("/me")).text
    start = page.index("得分是怎么来的")
    x = page[start:page.index("</details>", start)]
    # Base to final, as the PDF's score box.
    assert (f"基础分 {b['base_score']} − 扣分 {b['deductions_total']} + 加分 "
            f"{b['bonus']['points']} = 最终得分 {b['final_score']}") in x
    # Each dimension's values: inspection points, survey count, mean, organisation mean.
    attitude = b["dimension_breakdown"][0]
    i, s = attitude["inspection"], attitude["survey"]
    assert f"巡检：满分 {i['max']} 分得 {i['earned']} 分 → {i['score']}" in x
    assert (f"顾客评价：3 份，均值 {s['raw']}，向全机构均值 {s['organisation_mean']} 调整 → "
            f"{s['shrunk']}") in x
    assert "得分 = 巡检 × 0.6 + 顾客评价 × 0.4" in x
    # Points lost by inspection, with the inspector's notes; complaint and commendation.
    assert "V1" in x and "来有迎声" in x and "−5" in x and "客人进门未问候" in x
    assert "2026-11-06" in x and "一般" in x and "−2" in x
    assert "锦旗" in x and "+2" in x

    # In English as well.
    page = (await client.get("/me?lang=en")).text
    start = page.index("How this score was made")
    x = page[start:page.index("</details>", start)]
    assert (f"Customer surveys: 3, average {s['raw']}, adjusted towards the organisation "
            f"average {s['organisation_mean']} → {s['shrunk']}") in x
    assert "Inspector&#39;s notes" in x or "Inspector's notes" in x


async def test_the_team_summary_and_its_ranking_agree_on_the_bonus(
        client: AsyncClient, org: Org, tmp_path: Path) -> None:
    await closed_month(client, org)
    hr = org.h("hr")
    url = f"/api/v1/periods/2026-11/summary.pdf?team_id={org.team_a}"
    text = pdf_text((await client.get(url, headers=hr)).content, tmp_path, "none")
    assert "本期尚未分配奖金" in text and "舍去" not in text

    # The organisation's pool pays team A too: the team's summary says so.
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=hr,
                          json={"pool": "4200.00"})
    assert r.status_code == 201, r.text
    text = pdf_text((await client.get(url, headers=hr)).content, tmp_path, "team")
    assert "本期尚未分配奖金" not in text
    assert "全机构 Whole organisation: 奖金池 Pool CNY 4200.00" in text
    a1 = next(a for a in r.json()["allocations"] if a["employee_id"] == org.emp_a1)
    a2 = next(a for a in r.json()["allocations"] if a["employee_id"] == org.emp_a2)
    assert a1["amount"] in text and a2["amount"] in text
    total = f"{float(a1['amount']) + float(a2['amount']):.2f}"
    assert f"Paid to the people listed here: CNY {total}" in text
    # Cent rounding in plain words, both languages.
    assert "剩下的分再按舍去部分从大到小每人补 1 分" in text
    assert "the cents left over go one each to the largest remainders" in text


async def test_an_allocation_of_superseded_scores_pays_nothing_in_the_reports(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    await closed_month(client, org)
    hr = org.h("hr")
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=hr,
                          json={"pool": "4200.00"})
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/periods/2026-11/reopen", headers=hr,
                          json={"reason": "复核一次巡检"})
    assert r.status_code == 200, r.text
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close", headers=hr)).status_code == 200
    # The new snapshot has no allocation yet: the box and the ranking both say none.
    text = pdf_text((await client.get("/api/v1/periods/2026-11/summary.pdf", headers=hr)).content,
                    tmp_path, "summary")
    assert "本期尚未分配奖金" in text and "1500.00" not in text
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=hr)
    assert "1500.00" not in pdf_text(r.content, tmp_path, "a1")
    # Nor does the batch's payroll export pay it.
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch

    await build_batch(await Period.get(month="2026-11"), tmp_path / "batch.zip", workers=1,
                      limit=1, summaries_included=False)
    names = zipfile.ZipFile(tmp_path / "batch.zip").namelist()
    assert names and not [n for n in names if n.startswith("payroll/")]
