"""Hostile and odd requests from outside: whatever arrives, the answer is a 4xx (or
a 2xx), never a 5xx, and a refused request writes nothing."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from tests.conftest import Org


def _paths() -> list[str]:
    """Every route of the app, its path parameters filled with plausible values."""
    from appraisal.app import create_app

    app = create_app(manage_db=False)
    filled = {"int": "1", "str": "2026-11"}
    out = set()
    for route in app.routes:
        out.add(re.sub(r"\{[^:}]+:([a-z]+)\}", lambda m: filled.get(m.group(1), "x"), route.path))
    return sorted(out)


@pytest.mark.parametrize("method", ["OPTIONS", "HEAD"])
async def test_options_and_head_never_fail_on_any_route(
        client: AsyncClient, org: Org, method: str) -> None:
    paths = _paths()
    assert len(paths) > 40
    failures = []
    for path in paths:
        for headers in ({}, org.h("hr"), org.h("emp_a1")):
            r = await client.request(method, path, headers=headers)
            if r.status_code >= 500:
                failures.append((path, r.status_code, r.text[:120]))
    assert failures == []


async def test_options_lists_the_methods_without_a_login(client: AsyncClient) -> None:
    r = await client.options("/api/v1/inspections")
    assert r.status_code == 204
    assert "POST" in {m.strip() for m in r.headers["allow"].split(",")}
    # The methods themselves still need a login.
    assert (await client.get("/api/v1/inspections")).status_code == 401


async def _nothing_written() -> tuple[int, int]:
    from appraisal.audit.models import AuditEntry
    from appraisal.periods.models import Period

    return await Period.all().count(), await AuditEntry.all().count()


def _inspection(emp: int, at: str, **over: object) -> dict[str, object]:
    return {"employee_id": emp, "occurred_at": at, "touchpoint": "前台", "method": "onsite",
            "items": [{"code": "V1", "result": "pass"}], **over}


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00",
                                "1999-01-01T10:00:00+08:00", "2027-03-15T10:00:00+08:00",
                                "2026-11-20T15:06:00+08:00"])
async def test_implausible_times_are_refused_naming_the_field(
        client: AsyncClient, org: Org, at: str) -> None:
    before = await _nothing_written()
    h = org.h("hr")
    r = await client.post("/api/v1/inspections", headers=h, json=_inspection(org.emp_a1, at))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "occurred_at", r.text
    for field in ("received_at", "first_response_at", "resolved_at", "return_visit_at"):
        body = {"employee_id": org.emp_a1, "received_at": "2026-11-05T10:00:00+08:00",
                "channel": "电话", "severity": "minor", "description": "等待太久", field: at}
        r = await client.post("/api/v1/complaints", headers=h, json=body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (field, r.text)
    r = await client.post("/api/v1/surveys", headers=h, json={
        "employee_id": org.emp_a1, "received_at": at, "attitude": 4})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "received_at", r.text
    r = await client.post("/api/v1/commendations", headers=h, json={
        "employee_id": org.emp_a1, "received_at": at, "source": "锦旗", "description": "谢谢"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "received_at", r.text
    assert await _nothing_written() == before  # no month opened, no audit row


async def test_only_this_and_last_month_open_by_themselves(client: AsyncClient, org: Org) -> None:
    h = org.h("sup_a")
    for at, month in (("2026-11-05T10:00:00+08:00", "2026-11"), ("2026-10-05T10:00:00+08:00", "2026-10")):
        r = await client.post("/api/v1/inspections", headers=h, json=_inspection(org.emp_a1, at))
        assert (r.status_code, r.json()["period"]) == (201, month)
    before = await _nothing_written()
    r = await client.post("/api/v1/inspections", headers=h,
                          json=_inspection(org.emp_a1, "2026-09-30T10:00:00+08:00"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "occurred_at"
    assert "HR opens an older month first" in r.json()["detail"]
    assert await _nothing_written() == before
    # Once HR has opened September, its evidence is taken.
    assert (await client.post("/api/v1/periods", headers=org.h("hr"),
                              json={"month": "2026-09"})).status_code == 201
    r = await client.post("/api/v1/inspections", headers=h,
                          json=_inspection(org.emp_a1, "2026-09-30T10:00:00+08:00"))
    assert (r.status_code, r.json()["period"]) == (201, "2026-09")


async def test_a_refused_write_leaves_no_period_and_no_audit_row(
        client: AsyncClient, org: Org, clock: object) -> None:
    # A NUL in a text is refused by PostgreSQL only when the row is written, after the
    # month was found or opened: the whole request must be undone with it.
    before = await _nothing_written()
    r = await client.post("/api/v1/inspections", headers=org.h("hr"), json=_inspection(
        org.emp_a1, "2026-10-05T10:00:00+08:00", touchpoint="前\u0000台"))
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:
        assert await _nothing_written() == before


async def test_a_body_nested_too_deeply_is_a_400(client: AsyncClient, org: Org) -> None:
    before = await _nothing_written()
    r = await client.post("/api/v1/inspections", content="[" * 100_000,
                          headers={**org.h("hr"), "content-type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "body"
    assert await _nothing_written() == before


@pytest.mark.parametrize("number", ["CR\r\nX-Injected: 1", 'Q1"; filename="evil.exe',
                                    "../../../../etc/x", "A 1", "", "x" * 33, "张伟"])
async def test_staff_numbers_are_letters_digits_dash_underscore(
        client: AsyncClient, org: Org, number: str) -> None:
    r = await client.post("/api/v1/employees", headers=org.h("hr"), json={
        "employee_no": number, "name": "新员工", "team_id": org.team_a})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "employee_no"
    r = await client.patch(f"/api/v1/employees/{org.emp_a1}", headers=org.h("hr"),
                           json={"employee_no": number})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "employee_no"


def test_download_names_never_carry_data_into_a_header_or_a_path() -> None:
    from appraisal.downloads import content_disposition, path_part

    for hostile in ("CR\r\nX-Injected: 1-2026-11.pdf", 'Q1"; filename="evil.exe',
                    "../../../../etc/x", "前台组/../x"):
        header = content_disposition(hostile)
        assert "\r" not in header and "\n" not in header
        assert header.count('"') == 2  # one quoted ASCII name, nothing breaks out of it
        assert header.count("filename=") == 1 and header.count("filename*=") == 1
        part = path_part(hostile)
        assert "/" not in part and "\\" not in part and not part.startswith(".")
    assert content_disposition("张伟-2026-11.pdf", inline=True) == (
        "inline; filename=\"2026-11.pdf\"; filename*=UTF-8''%E5%BC%A0%E4%BC%9F-2026-11.pdf")


async def test_a_pdf_download_of_an_old_hostile_staff_number_is_safe(
        client: AsyncClient, org: Org) -> None:
    from appraisal.staff.models import Employee
    from tests.factories import closed_month

    await closed_month(client, org)
    # Written before numbers were checked: the download must still be safe.
    await Employee.filter(id=org.emp_a1).update(employee_no='Q1"; filename="evil.exe\r\nX: 1')
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    assert r.status_code == 200
    header = r.headers["content-disposition"]
    assert header.count("filename=") == 1 and header.count('"') == 2 and "\r" not in header
    assert "x" not in r.headers


@pytest.mark.parametrize("pool", ["1E-999999999", "1E+3", "10.001", "-1", "NaN", "1e400",
                                  "1000000000000"])
async def test_money_is_plain_digits_with_two_places(
        client: AsyncClient, org: Org, pool: str) -> None:
    from tests.factories import closed_month

    await closed_month(client, org)
    h = org.h("hr")
    assert (await client.post("/api/v1/periods/2026-11/incentives", headers=h,
                              json={"pool": "10000.00"})).status_code == 201
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=h, json={"pool": pool})
    assert r.status_code == 422, r.text
    # The allocation made before stays in force.
    latest = (await client.get("/api/v1/periods/2026-11/incentives", headers=h)).json()
    assert latest["pool"] == "10000.00"


async def test_batch_zip_entries_are_built_from_safe_parts_only(
        client: AsyncClient, org: Org, tmp_path: object) -> None:
    import zipfile
    from pathlib import Path

    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch
    from appraisal.staff.models import Employee, Team
    from tests.factories import closed_month

    # Stored before names were checked: the batch must still be safe.
    await Employee.filter(id=org.emp_a1).update(employee_no="../../../../etc/x")
    await Team.filter(id=org.team_b).update(name="../../客服\r\n中心")
    await closed_month(client, org)
    out = Path(str(tmp_path)) / "batch.zip"
    await build_batch(await Period.get(month="2026-11"), out, workers=1)
    names = zipfile.ZipFile(out).namelist()
    parts = [part for name in names for part in name.split("/")]
    assert names and all(part and not part.startswith(".") and "\r" not in part
                         and "\n" not in part and "\\" not in part for part in parts), names
    assert "appraisals/前台组 Front desk/_.._.._.._etc_x-2026-11.pdf" in names, names


async def test_a_month_with_a_trailing_newline_is_no_month(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    before = await _nothing_written()
    r = await client.post("/api/v1/periods", headers=h, json={"month": "2026-01\n"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "month", r.text
    for url in ("/api/v1/periods/2026-12%0A/scores", "/api/v1/periods/2026-12%0A",
                "/api/v1/inspections?period=2026-12%0A", "/api/v1/complaints?period=2026-12%0A"):
        r = await client.get(url, headers=h)
        assert r.status_code == 422, (url, r.status_code, r.text)
    assert await _nothing_written() == before
