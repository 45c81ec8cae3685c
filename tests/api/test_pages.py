"""The web pages, driven as a browser drives them: forms, cookies, redirects."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from appraisal.evidence.models import Inspection, InspectionItem
from tests.conftest import BACKEND
from tests.factories import PASSWORD, Org, closed_month, csv_file, log_in


async def test_login_page_in_chinese_unless_english_is_chosen(client: AsyncClient) -> None:
    r = await client.get("/login")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text and "用户名" in r.text and "密码" in r.text
    r = await client.get("/login?lang=en")
    assert '<html lang="en">' in r.text and "Username" in r.text and "用户名" not in r.text
    assert client.cookies["lang"] == "en"
    assert "Username" in (await client.get("/login")).text  # remembered


async def test_pages_send_visitors_without_a_session_to_log_in(client: AsyncClient) -> None:
    for path in ("/me", "/team", "/inspect", "/"):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


async def test_login_form(client: AsyncClient, org: Org) -> None:
    await client.get("/login")
    csrf = client.cookies["csrftoken"]
    r = await client.post("/login", data={"username": "emp_a1", "password": PASSWORD})
    assert r.status_code == 403  # no CSRF token in the form
    r = await client.post("/login", data={"csrf": csrf, "username": "emp_a1",
                                          "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert "appraisal_session" not in client.cookies
    r = await client.post("/login", data={"csrf": csrf, "username": "emp_a1",
                                          "password": PASSWORD, "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/me"  # never off-site
    r = await client.post("/logout", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert (await client.get("/me")).status_code == 303


async def test_supervisor_sees_own_team_and_who_needs_inspections(
        client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.get("/team")
    assert r.status_code == 200
    assert "张伟" in r.text and "王芳" in r.text and "李娜" not in r.text
    assert "2 人还需巡检" in r.text and "还需 2 次" in r.text
    # Complaints, surveys and commendations of the month are counted beside inspections.
    await client.post("/surveys", data={"csrf": client.cookies["csrftoken"],
                                        "employee_id": str(org.emp_a2), "attitude": "5"})
    rows = (await client.get("/team")).text.split("<tr>")
    wang = next(row for row in rows if "王芳" in row)
    zhang = next(row for row in rows if "张伟" in row)
    # Each count labelled (the phone shows it so); none is a blank: 0.
    assert 'data-label="顾客评价">1</td>' in wang and 'data-label="顾客评价">0</td>' in zhang
    r = await client.get(f"/inspect?employee_id={org.emp_a1}")
    assert "来有迎声" in r.text and "李娜" not in r.text
    assert f'<option value="{org.emp_a1}" selected>' in r.text


async def test_inspection_in_a_few_taps(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    form = {"employee_id": str(org.emp_a1), "touchpoint": "前台", "method": "onsite",
            "item-V1": "fail", "item-N1": "na", "notes": "高峰时段"}
    r = await client.post("/inspect", data=form)
    assert r.status_code == 403 and await Inspection.all().count() == 0
    r = await client.post("/inspect", data={**form, "csrf": csrf})
    assert r.status_code == 303, r.text
    inspection = await Inspection.get()
    results = dict(await InspectionItem.filter(inspection_id=inspection.id).values_list(
        "code", "result"))
    assert results["V1"] == "fail" and results["N1"] == "na"
    assert {v for k, v in results.items() if k not in ("V1", "N1")} == {"pass"}
    assert (inspection.employee_id, inspection.touchpoint, inspection.notes) == (
        org.emp_a1, "前台", "高峰时段")
    page = await client.get(r.headers["location"])
    assert "已为 张伟 保存：1 项不合格" in page.text


async def test_inspection_form_errors_keep_what_was_tapped(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    # Another team's employee: not found for this supervisor, nothing saved.
    r = await client.post("/inspect", data={"csrf": csrf, "employee_id": str(org.emp_b1),
                                            "touchpoint": "前台", "item-V1": "fail"})
    assert r.status_code == 404 and f"找不到员工 {org.emp_b1}" in r.text
    assert 'id="i-V1-fail" name="item-V1" value="fail" checked' in r.text
    r = await client.post("/inspect", data={"csrf": csrf, "employee_id": "",
                                            "touchpoint": "前台"})
    assert r.status_code == 422 and "employee_id" in r.text
    assert await Inspection.all().count() == 0


async def test_employee_sees_evidence_with_coaching_at_once(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    await client.post("/inspect", data={"csrf": csrf, "employee_id": str(org.emp_a1),
                                        "touchpoint": "前台", "item-V1": "fail"})
    client.cookies.clear()
    await log_in(client, "emp_a1")
    r = await client.get("/me")
    assert r.status_code == 200
    assert "来有迎声" in r.text and "顾客进入三秒内目光接触" in r.text
    assert "暂无已发布的考核" in r.text and "data:image/svg" not in r.text  # nothing published
    r = await client.get("/me?lang=en")
    assert "Greet every customer within three seconds" in r.text


async def test_employee_acknowledges_or_appeals_in_the_page(
        client: AsyncClient, published: Org) -> None:
    org = published
    csrf = await log_in(client, "emp_a1")
    r = await client.get("/me")
    assert "2026-11" in r.text and "100.00" in r.text and "1500.00" in r.text
    # The PDF is downloaded, never swapped into the page by HTMX.
    assert "服务之星" in r.text and (f'href="/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf" '
                                   'hx-boost="false"') in r.text
    # The month's five dimensions and the trend, drawn as on the PDF.
    assert r.text.count('src="data:image/svg+xml;base64,') == 2 and "近 6 个月得分" in r.text
    r = await client.post("/me/appraisals/2026-11/acknowledge",
                          data={"csrf": csrf, "comment": "明白了"})
    assert r.status_code == 303 and r.headers["location"] == "/me?done=acknowledged"
    page = (await client.get(r.headers["location"])).text
    assert "考核结果已确认" in page and "明白了" in page and "提交申诉" not in page

    client.cookies.clear()
    csrf = await log_in(client, "emp_b1")
    r = await client.post("/me/appraisals/2026-11/appeal",
                          data={"csrf": csrf, "reason": "<script>alert(1)</script> 不在岗"})
    assert r.status_code == 303
    page = (await client.get("/me")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 不在岗" in page and "<script>alert" not in page
    assert "处理中" in page
    r = await client.post("/me/appraisals/2026-11/appeal", data={"csrf": csrf, "reason": "again"})
    assert r.status_code == 409 and "已提出过申诉" in r.text


async def test_pages_are_enhanced_by_htmx_when_scripts_run(client: AsyncClient, org: Org) -> None:
    r = await client.get("/login")
    assert 'hx-boost="true"' in r.text and "/static/htmx-2.0.11.min.js" in r.text
    script = await client.get("/static/htmx-2.0.11.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "htmx" in script.text
    # A boosted form sends the token in HTMX's header rather than as a field.
    csrf = await log_in(client, "emp_a1")
    assert f'"x-csrftoken": "{csrf}"' in (await client.get("/me")).text
    r = await client.post("/logout", headers={"x-csrftoken": csrf, "hx-request": "true"})
    assert r.status_code == 303


async def test_complaint_logged_and_followed_up(client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.models import Complaint

    csrf = await log_in(client, "sup_a")
    r = await client.post("/complaints", data={"csrf": csrf, "employee_id": str(org.emp_a1),
                                               "received_at": "", "channel": "电话",
                                               "severity": "major", "description": "  "})
    assert r.status_code == 422 and "description" in r.text
    r = await client.post("/complaints", data={
        "csrf": csrf, "employee_id": str(org.emp_a1), "received_at": "2026-11-20T09:30",
        "channel": "电话", "severity": "major", "description": "电话响铃十声无人接听"})
    assert r.status_code == 303, r.text
    complaint = await Complaint.get()
    assert (complaint.severity.value, complaint.status.value) == ("major", "pending")
    assert complaint.received_at.isoformat().startswith("2026-11-20T01:30")  # 09:30 +08:00
    r = await client.post(f"/complaints/{complaint.id}", data={
        "csrf": csrf, "first_response_at": "now", "status": "substantiated",
        "customer_satisfied": "yes"})
    assert r.status_code == 303
    await complaint.refresh_from_db()
    assert complaint.first_response_at is not None and complaint.resolved_at is None
    assert (complaint.status.value, complaint.customer_satisfied) == ("substantiated", True)
    page = (await client.get("/complaints")).text
    assert "电话响铃十声无人接听" in page and "属实" in page
    # The other team's supervisor neither sees nor follows it up.
    client.cookies.clear()
    csrf = await log_in(client, "sup_b")
    assert "电话响铃十声无人接听" not in (await client.get("/complaints")).text
    r = await client.post(f"/complaints/{complaint.id}", data={"csrf": csrf,
                                                              "resolved_at": "now"})
    assert r.status_code == 404


async def test_survey_in_taps(client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.models import SurveyResponse

    csrf = await log_in(client, "sup_a")
    r = await client.post("/surveys", data={"csrf": csrf, "employee_id": str(org.emp_a2)})
    assert r.status_code == 422 and "至少需要一项评分" in r.text
    r = await client.post("/surveys", data={"csrf": csrf, "employee_id": str(org.emp_a2),
                                            "attitude": "5", "quality": "4", "overall": "9"})
    assert r.status_code == 422 and "overall" in r.text
    assert 'id="attitude-5" name="attitude" value="5" checked' in r.text  # taps kept
    r = await client.post("/surveys", data={"csrf": csrf, "employee_id": str(org.emp_a2),
                                            "attitude": "5", "quality": "4",
                                            "comment": "办事很耐心"})
    assert r.status_code == 303
    survey = await SurveyResponse.get()
    assert (survey.employee_id, survey.attitude, survey.quality, survey.efficiency,
            survey.comment) == (org.emp_a2, 5, 4, None, "办事很耐心")


async def test_hr_runs_the_month_from_its_page(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    csrf = await log_in(client, "hr")
    assert "2026-11" in (await client.get("/months")).text
    page = (await client.get("/months/2026-11")).text
    assert "已结账，未发布" in page and "张伟" in page and "100.00" in page
    assert "向员工发布" in page
    r = await client.post("/months/2026-11/incentives", data={"csrf": csrf, "pool": "lots"})
    assert r.status_code == 422 and "pool" in r.text
    r = await client.post("/months/2026-11/incentives", data={"csrf": csrf, "pool": "4200.00"})
    assert r.status_code == 303
    r = await client.post("/months/2026-11/publish", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/months/2026-11?done=publish"
    page = (await client.get("/months/2026-11")).text
    assert "已向员工发布" in page and "已分配 4200.00" in page
    r = await client.post("/months/2026-11/reports", data={"csrf": csrf})
    assert r.status_code == 303
    fragment = (await client.get("/months/2026-11/report-job")).text
    assert 'id="report-job"' in fragment and "批量生成 #" in fragment
    if BACKEND == "sqlite":  # rendered in-process: the page offers the ZIP when done
        from appraisal.reporting import jobs

        await jobs.wait_all()
        fragment = (await client.get("/months/2026-11/report-job")).text
        assert "下载 ZIP" in fragment and "hx-trigger" not in fragment
    r = await client.post("/months/2026-11/reopen", data={"csrf": csrf, "reason": " "})
    assert r.status_code == 422 and "reason" in r.text
    r = await client.post("/months/2026-11/reopen", data={"csrf": csrf,
                                                         "reason": "申诉成立，补录表扬"})
    assert r.status_code == 303
    assert "登记中" in (await client.get("/months/2026-11")).text
    # Supervisors and employees have no month pages.
    client.cookies.clear()
    await log_in(client, "sup_a")
    assert (await client.get("/months/2026-11")).status_code == 403


async def test_hr_answers_appeals_on_its_page(client: AsyncClient, published: Org) -> None:
    org = published
    r = await client.post("/api/v1/me/appraisals/2026-11/appeal", headers=org.h("emp_b1"),
                          json={"reason": "11月4日我在培训"})
    appeal_id = r.json()["id"]
    csrf = await log_in(client, "sup_a")
    assert "11月4日我在培训" not in (await client.get("/appeals")).text  # other team
    r = await client.post(f"/appeals/{appeal_id}/answer",
                          data={"csrf": csrf, "decision": "rejected", "answer": "x"})
    assert r.status_code == 403
    client.cookies.clear()
    csrf = await log_in(client, "hr")
    page = (await client.get("/appeals")).text
    assert "11月4日我在培训" in page and "李娜" in page
    r = await client.post(f"/appeals/{appeal_id}/answer",
                          data={"csrf": csrf, "decision": "rejected", "answer": "培训记录显示下午已返岗"})
    assert r.status_code == 303
    assert "培训记录显示下午已返岗" in (await client.get("/appeals?status=rejected")).text
    mine = (await client.get("/api/v1/me/appraisals", headers=org.h("emp_b1"))).json()
    assert mine[0]["appeal"]["answer"] == "培训记录显示下午已返岗"


async def test_hr_imports_surveys_from_the_page(client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.models import SurveyResponse

    csrf = await log_in(client, "hr")
    good = csv_file("A001,2026-11-05 10:00,5,4,,3,5,服务很热情,Q-1")
    bad = csv_file("A001,2026-11-05 10:00,9,4,,3,5,,Q-2", "Z999,2026-11-05 10:00,5,,,,,,Q-3")
    r = await client.post("/imports", data={"csrf": csrf}, files={"file": ("bad.csv", bad)})
    assert r.status_code == 422 and "未导入任何数据" in r.text
    assert r.text.count("<tr><td class=\"num\">") == 2  # one row per problem, named by row
    assert await SurveyResponse.all().count() == 0
    r = await client.post("/imports", data={"csrf": csrf}, files={"file": ("good.csv", good)})
    assert r.status_code == 200 and "已导入 1 份评价" in r.text
    r = await client.post("/imports", data={"csrf": csrf}, files={"file": ("good.csv", good)})
    assert "已导入 0 份评价；1 份此前已导入" in r.text
    r = await client.post("/imports", files={"file": ("good.csv", good)})
    assert r.status_code == 403  # no CSRF token
    # ...and who did it is on record.
    page = (await client.get("/audit?entity=survey")).text
    assert "<td>hr</td><td>导入</td><td>顾客评价 good.csv</td>" in page


async def test_audit_page_is_for_hr(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    assert (await client.get("/audit")).status_code == 403
    assert (await client.get("/imports")).status_code == 403


async def test_the_months_ranking_comes_a_page_at_a_time(
        client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from appraisal.periods import pages

    await closed_month(client, org)
    await log_in(client, "hr")
    whole = re.findall(r'/months/2026-11/employees/(\d+)"', (await client.get(
        "/months/2026-11")).text)
    assert len(whole) == 3 and 'rel="next"' not in (await client.get("/months/2026-11")).text
    monkeypatch.setattr(pages, "RANKING_PAGE", 2)  # three people, two a page
    monkeypatch.setattr(pages, "WAITING_NAMES", 1)
    first = (await client.get("/months/2026-11")).text
    assert re.findall(r'/months/2026-11/employees/(\d+)"', first) == whole[:2]
    assert "第 1–2 名，共 3 人" in first and 'href="/months/2026-11?page=2#ranking"' in first
    second = (await client.get("/months/2026-11?page=2")).text
    assert re.findall(r'/months/2026-11/employees/(\d+)"', second) == whole[2:]
    assert '<td class="num">3</td>' in second and 'rel="prev"' in second
    # Past the last page, or not a number: the nearest page there is.
    assert re.findall(r'/months/2026-11/employees/(\d+)"', (await client.get(
        "/months/2026-11?page=99")).text) == whole[2:]
    assert (await client.get("/months/2026-11?page=-1")).status_code == 200


async def test_a_close_names_a_few_of_those_with_too_few_inspections(
        client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from appraisal.periods import pages
    from tests.factories import inspection

    r = await client.post("/api/v1/inspections", json=inspection(org.emp_a1),
                          headers=org.h("hr"))
    assert r.status_code == 201, r.text
    await log_in(client, "hr")
    monkeypatch.setattr(pages, "WAITING_NAMES", 1)
    confirm = (await client.get("/months/2026-11?confirm=close")).text
    # All three have too few inspections: one named, the other two counted.
    assert "等另外 2 人" in confirm
