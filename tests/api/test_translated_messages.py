"""What went wrong, said in the page's language; codes shown as labels; times in the
organisation's time zone. The API keeps its English `detail` and says the same with a
stable `code` and its `params`, from which the pages say it in Chinese."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import Org, closed_month, csv_file, log_in


async def test_chinese_pages_say_what_went_wrong_in_chinese(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    complaint = {"csrf": csrf, "employee_id": str(org.emp_a1), "received_at": "2026-11-20T09:30",
                 "channel": "电话", "severity": "major"}
    r = await client.post("/complaints", data={**complaint, "description": "  "})
    assert r.status_code == 422
    assert "经过：请填写顾客投诉的内容" in r.text
    assert "say what the customer complained about" not in r.text
    # A field msgspec refuses: a generic message that names the field.
    r = await client.post("/inspect", data={"csrf": csrf, "employee_id": "", "touchpoint": "前台"})
    assert r.status_code == 422 and "员工：请选择员工" in r.text and "choose an employee" not in r.text

    await closed_month(client, org)
    r = await client.post("/complaints", data={**complaint, "description": "电话无人接听"})
    assert r.status_code == 409
    assert ("2026-11 的状态为“已结账，未发布”：只有登记中的月份才能新增或更正记录"
            "（人事可以重新打开）") in r.text
    assert "evidence can be added or corrected only" not in r.text and "closed" not in r.text

    client.cookies.clear()
    csrf = await log_in(client, "hr")
    bad = csv_file("A001,2026-10-05 10:00,9,4,,3,5,,Q-2", "Z999,2026-10-05 10:00,5,,,,,,Q-3")
    r = await client.post("/imports", data={"csrf": csrf}, files={"file": ("bad.csv", bad)})
    assert r.status_code == 422
    assert "发现 2 个问题，未导入任何数据。第一个：第 2 行，attitude 列：“9”不是 1 到 5 之间的整数" in r.text
    assert "<td>没有工号为“Z999”的员工</td>" in r.text
    for english in ("nothing was imported", "is not a whole number", "no employee with"):
        assert english not in r.text


async def test_an_empty_appeal_reason_is_refused_in_chinese(client: AsyncClient,
                                                            published: Org) -> None:
    csrf = await log_in(client, "emp_a1")
    r = await client.post("/me/appraisals/2026-11/appeal", data={"csrf": csrf, "reason": "  "})
    assert r.status_code == 422
    assert "2026-11: 原因：不能为空" in r.text and "must not be empty" not in r.text
    r = await client.post("/me/appraisals/2026-11/appeal?lang=en",
                          data={"csrf": csrf, "reason": "  "})
    assert r.status_code == 422 and "2026-11: Reason: must not be empty" in r.text


async def test_english_pages_say_it_in_english(client: AsyncClient, org: Org) -> None:
    csrf = await log_in(client, "sup_a")
    r = await client.post("/complaints?lang=en", data={
        "csrf": csrf, "employee_id": str(org.emp_a1), "received_at": "", "channel": "电话",
        "severity": "major", "description": ""})
    assert r.status_code == 422
    assert "What happened: say what the customer complained about" in r.text
    assert "请填写" not in r.text


async def test_the_api_keeps_its_english_and_adds_codes_and_params(
        client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    r = await client.post("/api/v1/complaints", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a1, "received_at": "2026-11-20T09:30:00+08:00", "channel": "电话",
        "severity": "major", "description": "电话无人接听"})
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"] == ("period 2026-11 is closed; evidence can be added or corrected "
                                 "only while its period is open (HR can reopen it)")
    assert (problem["code"], problem["params"]) == (
        "period_not_open", {"month": "2026-11", "period_status": "closed"})

    r = await client.post("/api/v1/me/appraisals/2026-11/appeal", headers=org.h("emp_a1"),
                          json={"reason": "x"})
    assert r.status_code == 404 and r.json()["code"] == "appraisal_not_published"
    assert r.json()["params"] == {"month": "2026-11"}

    # Bad input Litestar's validation refuses: a generic code, the field, the validator's words.
    r = await client.post("/api/v1/periods", headers=org.h("hr"), json={"month": 12})
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "invalid_request" and problem["params"]["field"] == "month"
    [error] = problem["errors"]
    assert (error["field"], error["code"]) == ("month", "invalid_value")
    assert error["message"] == error["params"]["reason"] and error["message"]

    # A field a service refuses: the field's own message and code in `errors`.
    r = await client.post("/api/v1/teams", headers=org.h("hr"), json={"name": "  "})
    assert r.status_code == 422
    problem = r.json()
    assert problem["detail"] == "name: must not be blank"
    assert (problem["code"], problem["params"]) == (
        "blank", {"field": "name", "message": "must not be blank"})
    assert problem["errors"] == [{"field": "name", "message": "must not be blank",
                                  "code": "blank", "params": {}}]


async def test_english_pages_show_labels_not_codes(client: AsyncClient, org: Org) -> None:
    from appraisal.evidence.models import Complaint

    csrf = await log_in(client, "sup_a")
    await client.get("/team?lang=en")  # English from here on (kept in a cookie)
    r = await client.post("/complaints", data={
        "csrf": csrf, "employee_id": str(org.emp_a1), "received_at": "2026-11-20T09:30",
        "channel": "电话", "severity": "major", "description": "无人接听"})
    assert r.status_code == 303, r.text
    page = (await client.get("/complaints")).text
    assert '<span class="tag bad">Major</span>' in page and '<span class="tag">Pending</span>' in page
    assert '<option value="critical" >Critical</option>' in page
    assert ">major<" not in page and ">pending<" not in page
    page = (await client.get("/inspect")).text
    assert '<option value="mystery_shopper" >Mystery shopper</option>' in page
    assert '<p class="group">Four hearts</p>' in page and "四心" not in page
    assert ">onsite<" not in page and ">mystery_shopper<" not in page
    # Chinese pages say the same in Chinese, from the same table.
    page = (await client.get("/complaints?lang=zh")).text
    assert '<span class="tag bad">较重</span>' in page and '<span class="tag">待核实</span>' in page
    assert await Complaint.all().count() == 1


async def test_months_and_the_audit_trail_in_english(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    await log_in(client, "hr")
    page = (await client.get("/months?lang=en")).text
    assert "Closed, not published" in page
    page = (await client.get("/audit?entity=period")).text
    assert "<td>Closed</td><td>Month 2026-11</td>" in page
    assert "<td>close</td>" not in page and "<td>period 2026-11</td>" not in page


async def test_times_are_shown_in_the_organisation_time_zone(client: AsyncClient,
                                                             org: Org) -> None:
    # 02:25 in Shanghai is 18:25 of the day before in UTC, as it is stored.
    r = await client.post("/api/v1/complaints", headers=org.h("sup_a"), json={
        "employee_id": org.emp_a1, "received_at": "2026-11-20T02:25:00+08:00", "channel": "电话",
        "severity": "minor", "description": "等候太久", "first_response_at":
        "2026-11-20T03:40:00+08:00"})
    assert r.status_code == 201, r.text
    await log_in(client, "hr")
    page = (await client.get("/complaints")).text
    assert "11-20 02:25" in page and "11-19 18:25" not in page
    assert "11-20 03:40" in page and "11-19 19:40" not in page
    # The audit trail keeps the stored (UTC) values; the page shows them in local time.
    page = (await client.get("/audit?entity=complaint")).text
    field = '<span class="field">%s</span> %s</li>'
    assert field % ("受理时间", "2026-11-20 02:25") in page and "18:25" not in page
    assert field % ("严重程度", "一般") in page and field % ("状态", "待核实") in page  # by labels


def test_the_openapi_document_describes_code_and_params() -> None:
    from appraisal.app import create_app

    schemas = create_app(manage_db=False).openapi_schema.to_schema()["components"]["schemas"]
    for name in ("ProblemOut", "ProblemError"):
        schema = schemas[name]
        assert {"code", "params"} <= set(schema["required"]), name
        assert "snake_case" in schema["properties"]["code"]["description"]
        assert schema["properties"]["params"]["type"] == "object"
    assert {"detail", "instance", "errors"} <= set(schemas["ProblemOut"]["properties"])
    assert {"message", "field", "row", "column"} <= set(schemas["ProblemError"]["properties"])
