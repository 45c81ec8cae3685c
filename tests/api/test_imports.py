"""Bulk survey import: CSV and XLSX, all or nothing, idempotent."""

from __future__ import annotations

import io

from httpx import AsyncClient
from openpyxl import Workbook

from tests.factories import SURVEY_HEADER, Org, csv_file


async def upload(client: AsyncClient, org: Org, name: str, data: bytes, who: str = "hr"):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/imports/surveys", headers=org.h(who),
                             files={"data": (name, data)})


async def test_csv_import_and_reimport_adds_nothing(client: AsyncClient, org: Org) -> None:
    data = csv_file(
        "A001,2026-11-05 10:00,5,4,,3,5,服务很热情,Q-1",
        "A002,2026-11-06T09:30:00+08:00,4,4,4,4,4,,",  # no external_id: fingerprinted
        "",
        "B001,2026/11/07 12:00,3,,,,,,Q-3",
    )
    r = await upload(client, org, "surveys.csv", data)
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 3, "skipped_duplicates": 0}
    r = await upload(client, org, "surveys.csv", data)
    assert r.json() == {"imported": 0, "skipped_duplicates": 3}
    rows = (await client.get("/api/v1/surveys", headers=org.h("hr"))).json()
    assert len(rows) == 3
    first = next(s for s in rows if s["external_id"] == "Q-1")
    assert (first["attitude"], first["efficiency"], first["comment"]) == (5, None, "服务很热情")
    assert first["received_at"] == "2026-11-05T10:00:00+08:00"
    audit = (await client.get("/api/v1/audit", headers=org.h("hr"),
                              params={"entity": "survey"})).json()
    assert audit[0]["action"] == "import" and audit[0]["after"]["imported"] == 0


async def test_xlsx_import(client: AsyncClient, org: Org) -> None:
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(SURVEY_HEADER.split(","))
    ws.append(["A001", datetime(2026, 11, 5, 10, 0), 5, 5.0, None, 4, 5, "好", "X-1"])
    ws.append(["B001", "2026-11-06 11:00", 2, 3, 3, 3, 2, None, "X-2"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(client, org, "surveys.xlsx", buf.getvalue())
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2


async def test_bad_rows_reject_the_whole_file(client: AsyncClient, org: Org) -> None:
    data = csv_file(
        "A001,2026-11-05 10:00,5,4,4,4,4,ok,E-1",
        "ZZZ,2026-11-05 10:00,5,,,,,,E-2",
        "A002,yesterday,6,x,,,,,E-3",
        "A002,2026-11-05 10:00,,,,,,,E-4",
        "A001,2026-11-05 11:00,4,,,,,,E-1",
    )
    r = await upload(client, org, "bad.csv", data)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert errors == {(3, "employee_no"), (4, "received_at"), (4, "attitude"), (4, "quality"),
                      (5, "attitude"), (6, "external_id")}
    assert "nothing was imported" in r.json()["detail"]
    assert (await client.get("/api/v1/surveys", headers=org.h("hr"))).json() == []
    assert (await client.get("/api/v1/periods", headers=org.h("hr"))).json() == []


async def test_rows_in_a_closed_period_are_rejected(client: AsyncClient, org: Org) -> None:
    from appraisal.periods.models import Period, PeriodStatus

    await client.post("/api/v1/periods", json={"month": "2026-10"}, headers=org.h("hr"))
    await Period.filter(month="2026-10").update(status=PeriodStatus.closed)
    r = await upload(client, org, "s.csv", csv_file("A001,2026-10-05 10:00,5,,,,,,C-1",
                                                    "A001,2026-11-05 10:00,5,,,,,,C-2"))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"row": 2, "column": "received_at",
                                   "message": "period 2026-10 is closed",
                                   "code": "period_not_open",
                                   "params": {"month": "2026-10", "period_status": "closed"}}]
    assert (await client.get("/api/v1/surveys", headers=org.h("hr"))).json() == []


async def test_file_checks(client: AsyncClient, org: Org) -> None:
    r = await upload(client, org, "surveys.txt", b"hello")
    assert r.status_code == 415
    r = await upload(client, org, "surveys.xlsx", b"not a zip")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = await upload(client, org, "surveys.csv", b"employee_no,received_at\nA001,2026-11-05\n")
    assert r.status_code == 422
    assert {e["column"] for e in r.json()["errors"]} >= {"attitude", "external_id"}
    r = await upload(client, org, "big.csv", SURVEY_HEADER.encode() + b"\n" + b"x" * (6 * 1024 * 1024))
    assert r.status_code == 413
    r = await upload(client, org, "s.csv", csv_file("A001,2026-11-05 10:00,5,,,,,,S-1"),
                     who="sup_a")
    assert r.status_code == 403
