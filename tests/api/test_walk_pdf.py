"""What the walk through a month found in the batch ZIP and the appraisal PDFs."""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import time_machine
from httpx import AsyncClient

from tests.factories import NOVEMBER_OVER, Org, closed_month, inspection, log_in


async def test_zip_entries_carry_the_organisations_local_time(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    """A ZIP's times have no zone: people read them beside the local times in the PDFs."""
    await closed_month(client, org)
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch

    clock.move_to(NOVEMBER_OVER + timedelta(hours=1), tick=False)  # 10:00 Shanghai, 02:00 UTC
    await build_batch(await Period.get(month="2026-11"), tmp_path / "batch.zip", workers=1,
                      limit=1)
    infos = zipfile.ZipFile(tmp_path / "batch.zip").infolist()
    assert infos
    for info in infos:
        assert datetime(*info.date_time) == datetime(2026, 12, 1, 10, 0), info.filename


def footer_words(data: bytes, tmp: Path) -> list[tuple[str, float, float, float]]:
    """The words in the first page's bottom margin: (text, x min, x max, y max) in pt."""
    (tmp / "a.pdf").write_bytes(data)
    subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp / "a.pdf"),
                    str(tmp / "a.html")], check=True)
    words = [(html.unescape(w), float(x0), float(x1), float(y1)) for x0, x1, y1, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" '
                        r'yMax="([\d.]+)">([^<]*)</word>', (tmp / "a.html").read_text("utf-8"))]
    return [w for w in words if w[3] > 842 - 16 * 72 / 25.4]  # A4 is 842 pt; 16 mm margin


async def test_the_batch_footer_keeps_the_hash_clear_of_the_employee_number(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    await closed_month(client, org)
    from appraisal.periods.models import Period
    from appraisal.reporting.batch import build_batch

    await build_batch(await Period.get(month="2026-11"), tmp_path / "batch.zip", workers=1,
                      limit=1, summaries_included=False)
    with zipfile.ZipFile(tmp_path / "batch.zip") as zf:
        name = next(n for n in zf.namelist() if n.startswith("appraisals/"))
        data = zf.read(name)
    words = footer_words(data, tmp_path)
    number = next(w for w in words if w[0].endswith("A001"))
    # Its own word, on the footer's line, a clear gap (pt) after the hash: not "…52FA001".
    assert number[0] == "A001", words
    line = [w for w in words if abs(w[3] - number[3]) < 2 and w is not number]
    assert line, words
    assert number[1] - max(w[2] for w in line) >= 8, words


def pdf_text(data: bytes, tmp: Path, name: str) -> str:
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftotext", str(tmp / f"{name}.pdf"), str(tmp / f"{name}.txt")], check=True)
    return re.sub(r"\s+", " ", (tmp / f"{name}.txt").read_text("utf-8"))


async def test_a_corrected_appraisal_says_which_published_score_it_replaces(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture,
        tmp_path: Path) -> None:
    await closed_month(client, org)
    hr = org.h("hr")
    url = "/api/v1/periods/2026-11/appraisals/{}.pdf"
    first = pdf_text((await client.get(url.format(org.emp_a1), headers=hr)).content,
                     tmp_path, "first")
    assert "更正" not in first and "Corrected" not in first  # nothing published before
    assert (await client.post("/api/v1/periods/2026-11/publish", headers=hr)).status_code == 200
    r = await client.post("/api/v1/periods/2026-11/reopen", headers=hr,
                          json={"reason": "申诉成立"})
    assert r.status_code == 200, r.text
    r = await client.post("/api/v1/inspections", headers=hr,
                          json=inspection(org.emp_a1, ("H1",), 10))
    assert r.status_code == 201, r.text
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close", headers=hr)).status_code == 200

    a1 = pdf_text((await client.get(url.format(org.emp_a1), headers=hr)).content, tmp_path, "a1")
    m = re.search(r"更正：原 ([\d.]+) → ([\d.]+)（2026-11-20 重新开放后复核）", a1)
    assert m and m.group(1) != m.group(2), a1
    assert f"Corrected from {m.group(1)}: this appraisal replaces the one published" in a1
    assert "申诉成立" not in a1  # the reopen's reason may be someone else's appeal
    # Reopened after publication, A2's score stayed: the appraisal says that too.
    a2 = pdf_text((await client.get(url.format(org.emp_a2), headers=hr)).content, tmp_path, "a2")
    m = re.search(r"更正：原 ([\d.]+) → ([\d.]+)（2026-11-20 重新开放后复核，得分不变）", a2)
    assert m and m.group(1) == m.group(2), a2
    assert "Corrected (score unchanged)" in a2


async def test_counts_on_the_employee_page_take_their_plural_in_english(
        client: AsyncClient, org: Org) -> None:
    hr = org.h("hr")
    for fails, day in ((("H1",), 3), (("H1", "H2", "H3"), 4)):
        r = await client.post("/api/v1/inspections", headers=hr,
                              json=inspection(org.emp_a1, fails, day))
        assert r.status_code == 201, r.text
    await log_in(client, "emp_a1")
    en = (await client.get("/me?lang=en")).text
    one = re.search(r"Lost ([\d.]+) (points?) on 1 item<", en)
    assert one, en
    assert one.group(2) == ("point" if one.group(1) == "1" else "points")
    assert re.search(r"Lost [\d.]+ points? on 3 items<", en)
    assert "on 1 items" not in en and "Lost 1 points" not in en
    zh = (await client.get("/me?lang=zh")).text
    assert "1 项失" in zh and "3 项失" in zh


async def test_a_failed_batch_is_explained_in_the_pages_language(
        client: AsyncClient, org: Org) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.models import JobStatus, ReportJob

    await closed_month(client, org)
    period = await Period.get(month="2026-11")
    await ReportJob.create(period=period, status=JobStatus.failed,
                           error="part 2 of 4 could not be rendered (3 tries): MemoryError")
    await log_in(client, "hr")
    page = (await client.get("/months/2026-11/report-job")).text
    assert "这次批量生成没有完成" in page and "MemoryError" in page
    english = (await client.get("/months/2026-11/report-job?lang=en")).text
    assert "The batch did not finish" in english
