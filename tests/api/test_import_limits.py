"""Survey imports at the edges: long cells, 50,000 rows, zip bombs, damaged files, odd dates,
and a refusal that leaves nothing behind. Every refusal is a 422 (never a 500) and stores
nothing: no survey, no period, no audit row."""

from __future__ import annotations

import asyncio
import io
import struct
import time
import zipfile
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import SURVEY_HEADER, Org, csv_file

COLUMNS = SURVEY_HEADER.split(",")


async def upload(client: AsyncClient, org: Org, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/imports/surveys", headers=org.h("hr"),
                             files={"data": (name, data)})


async def nothing_stored(client: AsyncClient, org: Org) -> None:
    from appraisal.audit.models import AuditEntry
    from appraisal.evidence.models import SurveyResponse
    from appraisal.periods.models import Period

    assert await SurveyResponse.all().count() == 0
    assert await Period.all().count() == 0
    assert await AuditEntry.all().count() == 0


# --- A minimal XLSX, written by hand so that a test can shape its XML --------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>'),
}


def cell(value: Any) -> str:
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def row_xml(values: list[Any], r: int | None = None) -> str:
    return (f'<row r="{r}">' if r else "<row>") + "".join(cell(v) for v in values) + "</row>"


def xlsx(sheet_data: str, *, tail: str = "</sheetData></worksheet>") -> bytes:
    """A one-sheet workbook whose <sheetData> holds `sheet_data` (no <dimension>, as some
    writers leave it out)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                   f"<sheetData>{row_xml(COLUMNS)}{sheet_data}{tail}")
    return buf.getvalue()


def survey_rows(count: int) -> list[list[Any]]:
    """`count` good surveys, spread over the three employees and the days of November."""
    return [[("A001", "A002", "B001")[i % 3], f"2026-11-{1 + i % 19:02d} {8 + i % 10:02d}:{i % 60:02d}",
             1 + i % 5, 1 + (i // 5) % 5, "", 4, 5, "", f"S-{i}"] for i in range(count)]


# --- 1. A cell too long ------------------------------------------------------------------


async def test_a_cell_longer_than_the_csv_reader_takes_is_a_row_error(
        client: AsyncClient, org: Org) -> None:
    # Python's csv module refuses a field over 131,072 characters: that was a 500.
    data = csv_file("A001,2026-11-05 10:00,5,,,,,ok,L-1",
                    "A002,2026-11-05 11:00,4,,,,,\"" + "很" * 200_000 + "\",L-2",
                    "B001,2026-11-05 12:00,3,,,,,,L-3")
    r = await upload(client, org, "long.csv", data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 3, "column": "comment",
                                   "message": "longer than 10,000 characters",
                                   "code": "cell_too_long", "params": {"max": "10,000"}}]
    assert "nothing was imported" in r.json()["detail"]
    # Below the csv module's limit but above the import's: named the same way.
    data = csv_file("A001,2026-11-05 10:00,5,,,,,ok,L-1", "A002,2026-11-05 11:00,4,,,,,,"
                    + "x" * 20_000)
    r = await upload(client, org, "long.csv", data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 3, "column": "external_id",
                                   "message": "longer than 10,000 characters",
                                   "code": "cell_too_long", "params": {"max": "10,000"}}]
    await nothing_stored(client, org)


async def test_a_long_comment_is_kept_to_4000_characters(client: AsyncClient, org: Org) -> None:
    r = await upload(client, org, "c.csv", csv_file("A001,2026-11-05 10:00,5,,,,," + "好" * 9000
                                                    + ",K-1"))
    assert r.status_code == 200, r.text
    rows = (await client.get("/api/v1/surveys", headers=org.h("hr"))).json()
    assert rows[0]["comment"] == "好" * 4000


# --- 2. 50,000 rows on either database ----------------------------------------------------


async def test_fifty_thousand_rows_import_at_once_and_again_add_nothing(
        client: AsyncClient, org: Org) -> None:
    # PostgreSQL takes at most 32,767 values a statement: the look-up of 50,000
    # external ids in one IN (...) was a 500 there.
    from appraisal.evidence.models import SurveyResponse

    rows = survey_rows(50_000)
    rows[7][1] = "2026-10-31 23:59"  # last month opens by itself, in the same transaction
    data = csv_file(*(",".join(str(v) for v in row) for row in rows))
    started = time.monotonic()
    r = await upload(client, org, "fifty.csv", data)
    took = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 50_000, "skipped_duplicates": 0}
    assert await SurveyResponse.all().count() == 50_000
    print(f"50,000 rows imported in {took:.1f} s")
    r = await upload(client, org, "fifty.csv", data)
    assert r.json() == {"imported": 0, "skipped_duplicates": 50_000}
    assert await SurveyResponse.all().count() == 50_000


async def test_one_row_more_than_fifty_thousand_is_refused(client: AsyncClient, org: Org) -> None:
    data = csv_file(*(",".join(str(v) for v in row) for row in survey_rows(50_001)))
    r = await upload(client, org, "many.csv", data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 50_002, "column": None,
                                   "message": "at most 50,000 rows a file",
                                   "code": "too_many_rows", "params": {"max": "50,000"}}]
    await nothing_stored(client, org)


async def test_the_last_of_several_months_refused_leaves_no_other_month_open(
        client: AsyncClient, org: Org) -> None:
    data = csv_file("A001,2026-10-05 10:00,5,,,,,,M-1", "A001,2026-11-05 10:00,5,,,,,,M-2",
                    "A001,2026-08-05 10:00,5,,,,,,M-3")
    r = await upload(client, org, "m.csv", data)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["row"], error["column"]) == (4, "received_at")
    assert "there is no period 2026-08" in error["message"]
    await nothing_stored(client, org)


# --- 3. Zip bombs, damaged files, the event loop ------------------------------------------


async def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(client: AsyncClient, org: Org) -> None:
    # A million tiny rows pack into a few dozen KB: this stalled the server for 21 s.
    bomb = xlsx(row_xml([5]) * 1_000_000)
    assert len(bomb) < 100_000
    started = time.monotonic()
    r = await upload(client, org, "bomb.xlsx", bomb)
    assert r.status_code == 422, r.text
    assert time.monotonic() - started < 5
    assert r.json()["errors"][0]["field"] == "file"
    assert "too large when unpacked" in r.json()["detail"]
    await nothing_stored(client, org)


def declaring(data: bytes, member: str, size: int) -> bytes:
    """`data` (a zip) with the central directory claiming `member` unpacks to `size` bytes."""
    patched = bytearray(data)
    pos = 0
    while (pos := patched.find(b"PK\x01\x02", pos)) >= 0:  # a central directory entry
        name_len = struct.unpack_from("<H", patched, pos + 28)[0]
        if patched[pos + 46: pos + 46 + name_len] == member.encode():
            struct.pack_into("<I", patched, pos + 24, size)  # its uncompressed size
            return bytes(patched)
        pos += 4
    raise AssertionError(member)


async def test_an_xlsx_declaring_gigabytes_is_refused(client: AsyncClient, org: Org) -> None:
    data = declaring(xlsx(row_xml(["A001", "2026-11-05 10:00", 5, "", "", "", "", "", "G-1"])),
                     "xl/worksheets/sheet1.xml", 3_000_000_000)
    r = await upload(client, org, "big.xlsx", data)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "unpacks_too_large")
    assert "too large when unpacked" in r.json()["detail"]
    await nothing_stored(client, org)


async def test_an_xlsx_is_read_no_further_than_the_row_limit(client: AsyncClient, org: Org) -> None:
    # 60,000 rows, then the XML breaks off: a reader that went on past the 50,000th data
    # row (or looked for the sheet's size first, as openpyxl does) would call it damaged.
    rows = "".join(row_xml(row) for row in survey_rows(60_000))
    data = xlsx(rows, tail="<row><c><v>1</v></c></ro")
    r = await upload(client, org, "long.xlsx", data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 50_002, "column": None,
                                   "message": "at most 50,000 rows a file",
                                   "code": "too_many_rows", "params": {"max": "50,000"}}]
    await nothing_stored(client, org)


async def test_rows_far_down_the_sheet_are_not_waited_for(client: AsyncClient, org: Org) -> None:
    # One cell in row 1,048,576: openpyxl fills in the million empty rows before it.
    data = xlsx(row_xml(["A001", "2026-11-05 10:00", 5], r=1_048_576))
    started = time.monotonic()
    r = await upload(client, org, "far.xlsx", data)
    assert r.status_code == 422, r.text
    assert time.monotonic() - started < 10
    [error] = r.json()["errors"]
    assert error["row"] == 100_002 and "at most 50,000 rows" in error["message"]
    # So many columns, likewise.
    wide = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    r = await upload(client, org, "wide.xlsx", xlsx(wide))
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"row": 2, "column": None, "message": "at most 50 columns a row",
                                   "code": "too_many_columns", "params": {"max": 50}}]
    await nothing_stored(client, org)


async def test_too_many_cells_are_refused(client: AsyncClient, org: Org) -> None:
    # 25,000 rows of 45 columns: each row within bounds, the file not.
    extra = ",".join(f"x{i}" for i in range(36))
    header = SURVEY_HEADER + "," + extra
    body = "\n".join(f"A001,2026-11-05 10:00,5,,,,,,C-{i}," + "1," * 35 + "1" for i in range(25_000))
    r = await upload(client, org, "cells.csv", (header + "\n" + body + "\n").encode())
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["column"] is None and error["message"] == "at most 1,000,000 cells a file"
    await nothing_stored(client, org)


@pytest.mark.parametrize("name, data", [
    ("random.xlsx", bytes(range(256)) * 40),
    ("notes.xlsx", b"zip"),  # replaced below by a zip that holds no workbook
    ("damaged.xlsx", b"sheet"),  # replaced below by a workbook whose sheet XML breaks off
    ("bad.csv", b"\xff\xfe\x00\x81\x30"),
])
async def test_a_file_that_is_no_spreadsheet_is_a_422_naming_file(
        client: AsyncClient, org: Org, name: str, data: bytes) -> None:
    if data == b"zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("notes.txt", "hello")
        data = buf.getvalue()
    elif data == b"sheet":
        data = xlsx(row_xml(["A001", "2026-11-05 10:00", 5]), tail="<row><c><v>1</v></c></ro")
    r = await upload(client, org, name, data)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "file"
    await nothing_stored(client, org)


async def test_the_event_loop_keeps_answering_while_a_big_xlsx_is_read(
        client: AsyncClient, org: Org) -> None:
    data = xlsx("".join(row_xml(row) for row in survey_rows(50_000)))
    loop = asyncio.get_running_loop()
    importing = asyncio.ensure_future(upload(client, org, "big.xlsx", data))
    lags: list[float] = []
    started = loop.time()
    while not importing.done():
        before = loop.time()
        await asyncio.sleep(0.01)
        lags.append(loop.time() - before - 0.01)
    r = await importing
    took = loop.time() - started
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 50_000
    # Reading the sheet is most of the import's time (it was all one wait of the loop);
    # measured against the import itself, as a busy machine slows both alike.
    assert max(lags) < took / 4, (max(lags), took)
    assert len(lags) > 10


# --- 4. Dates: far past, far future, months nobody opened ---------------------------------


async def test_implausible_dates_and_unopened_months_are_row_errors(
        client: AsyncClient, org: Org) -> None:
    data = csv_file(
        "A001,2026-11-05 10:00,5,,,,,,D-1",
        "A001,0001-01-01T00:00:00+08:00,5,,,,,,D-2",
        "A001,9999-12-31T23:59:59-12:00,5,,,,,,D-3",
        "A001,1999-12-31 23:59,5,,,,,,D-4",
        "A001,2030-01-01 10:00,5,,,,,,D-5",
        "A001,2026-11-20 15:30,5,,,,,,D-6",  # half an hour ahead of the clock
        "A001,2026-08-05 10:00,5,,,,,,D-7",  # older than last month, no period
    )
    r = await upload(client, org, "dates.csv", data)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "received_at"), (4, "received_at"), (5, "received_at"), (6, "received_at"),
        (7, "received_at"), (8, "received_at")]
    messages = [e["message"] for e in errors]
    assert "not a plausible time" in messages[0] and "not a plausible time" in messages[1]
    assert "before 2000" in messages[2]
    assert "in the future" in messages[3] and "in the future" in messages[4]
    assert "there is no period 2026-08" in messages[5]
    await nothing_stored(client, org)  # neither 2030 nor 2026-11 became a month

    # Once HR opens the old month, its rows import; last month opens by itself.
    assert (await client.post("/api/v1/periods", json={"month": "2026-08"},
                              headers=org.h("hr"))).status_code == 201
    r = await upload(client, org, "dates.csv", csv_file("A001,2026-08-05 10:00,5,,,,,,D-7",
                                                        "A001,2026-10-05 10:00,5,,,,,,D-8"))
    assert r.status_code == 200, r.text
    months = {p["month"] for p in (await client.get("/api/v1/periods", headers=org.h("hr"))).json()}
    assert months == {"2026-08", "2026-10"}


async def test_an_xlsx_date_in_the_future_is_a_row_error(client: AsyncClient, org: Org) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append(["A001", datetime(2030, 1, 1, 10, 0), 5, None, None, None, None, None, "X-1"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(client, org, "future.xlsx", buf.getvalue())
    assert r.status_code == 422, r.text
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "received_at")]
    await nothing_stored(client, org)


# --- 5. Nothing half-written ---------------------------------------------------------------


async def test_a_refusal_at_the_last_step_leaves_no_period_and_no_audit_row(
        client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from appraisal.errors import Conflict
    from appraisal.evidence import imports

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise Conflict("refused at the last step")

    monkeypatch.setattr(imports, "record", refuse)
    r = await upload(client, org, "s.csv", csv_file("A001,2026-11-05 10:00,5,,,,,,H-1",
                                                    "A001,2026-10-05 10:00,5,,,,,,H-2"))
    assert r.status_code == 409, r.text
    await nothing_stored(client, org)


async def test_a_file_of_bad_rows_lists_its_first_thousand_problems(
        client: AsyncClient, org: Org) -> None:
    data = csv_file(*(f"ZZZ,2026-11-05 10:00,5,,,,,,B-{i}" for i in range(1500)))
    r = await upload(client, org, "bad.csv", data)
    assert r.status_code == 422, r.text[:300]
    assert len(r.json()["errors"]) == 1000
    assert r.json()["detail"].startswith("1500 problem(s) (the first 1000 listed); nothing was "
                                         "imported. First: row 2, employee_no: no employee")
    await nothing_stored(client, org)
