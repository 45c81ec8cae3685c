"""PDF appraisals, summaries and the batch job, read back with pypdf."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from httpx import AsyncClient
from pypdf import PdfReader

from appraisal.reporting import jobs
from tests.conftest import BACKEND
from tests.drawing import per_glyph, raster
from tests.factories import ALL_ITEMS, NOVEMBER_OVER, Org, closed_month, inspection


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> list[str]:
    fonts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            desc = desc.get_object()
            if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.append(str(font["/BaseFont"]))
    return fonts


async def test_appraisal_pdf_content(client: AsyncClient, published: Org) -> None:
    org = published
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert len(r.content) < 300_000
    text = text_of(r.content)
    snapshot = (await client.get("/api/v1/periods/2026-11", headers=org.h("hr"))).json()["snapshot"]
    for expected in ("张伟", "A001", "100.00", "优秀", "Excellent", "1500.00", "2026-11",
                     "2026.1", snapshot["content_hash"], "服务之星", "员工签字", "主管签字"):
        assert expected in text.replace("\n", ""), expected
    fonts = embedded_fonts(r.content)
    assert fonts and all("CJK" in f for f in fonts)


async def test_pdf_escapes_customer_text(client: AsyncClient, org: Org,
                                         clock: time_machine.TimeMachineFixture) -> None:
    h = org.h("hr")
    for day in (3, 4):
        body = inspection(org.emp_a1, ("V1",), day, touchpoint="大堂")
        await client.post("/api/v1/inspections", json=body, headers=h)
    await client.post("/api/v1/complaints", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-05T10:00:00+08:00",
        "channel": "<b>微信</b>", "severity": "minor", "description": "<script>x</script>"})
    await client.post("/api/v1/commendations", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-05T10:00:00+08:00",
        "source": "<i>锦旗</i>"})
    clock.move_to(NOVEMBER_OVER)
    await client.post("/api/v1/periods/2026-11/close", headers=h)
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=h)
    assert "<i>锦旗</i>" in text_of(r.content).replace("\n", "")


async def test_heavy_appraisal_stays_on_one_page(client: AsyncClient, org: Org,
                                                 clock: time_machine.TimeMachineFixture) -> None:
    """Many failures and complaints: the lists are summed up, never pushed onto a
    second page (signatures alone on page two were a real defect)."""
    h = org.h("hr")
    for day in range(3, 9):
        body = inspection(org.emp_a1, tuple(ALL_ITEMS), day)
        body["touchpoint"] = ("前台大堂", "客房走廊", "停车场出入口")[day % 3]
        assert (await client.post("/api/v1/inspections", json=body, headers=h)).status_code == 201
    for day in range(10, 20):
        r = await client.post("/api/v1/complaints", headers=h, json={
            "employee_id": org.emp_a1, "received_at": f"2026-11-{day}T10:00:00+08:00",
            "channel": "电话", "severity": "major", "description": "等候过久",
            "status": "substantiated", "customer_satisfied": True})
        assert r.status_code == 201, r.text
    clock.move_to(NOVEMBER_OVER)
    await client.post("/api/v1/periods/2026-11/close", headers=h)
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf", headers=h)
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 1
    text = text_of(r.content).replace("\n", "")
    for expected in ("另有", "项 more items", "件 more", "员工签字", "人事签字", "前台大堂 等"):
        assert expected in text, expected


async def test_lean_user_agent_sheet_draws_the_same_pages(published: Org, tmp_path: Path) -> None:
    """reports/user_agent.css replaces WeasyPrint's full user-agent sheet for speed;
    the pages must come out pixel for pixel the same."""
    from weasyprint import HTML

    from appraisal.periods.models import Period
    from appraisal.reporting import pdf
    from appraisal.reporting.documents import (
        appraisal_contexts,
        snapshot_for_reports,
        summary_context,
        with_charts,
    )

    period = await Period.get(month="2026-11")
    snapshot = await snapshot_for_reports(period)
    appraisal = with_charts((await appraisal_contexts(period, snapshot, [published.emp_a1]))[0])
    css, fonts = pdf._style()
    for template, context in (("appraisal.html", appraisal),
                              ("summary.html", await summary_context(period, snapshot))):
        html = pdf.render_html(template, context)
        lean = pdf.report_html(html)
        assert [s.base_url for s in lean._ua_stylesheets()] == [
            (pdf.REPORTS_DIR / "user_agent.css").as_uri()]
        full = HTML(string=html, base_url=str(pdf.REPORTS_DIR))
        lean_png = raster(lean.render(stylesheets=[css], font_config=fonts).write_pdf(), tmp_path,
                          "lean", dpi=80)
        full_png = raster(full.render(stylesheets=[css], font_config=fonts).write_pdf(), tmp_path,
                          "full", dpi=80)
        assert lean_png.read_bytes() == full_png.read_bytes(), template


async def test_appraisal_pdf_access(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    url = f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf"
    assert (await client.get(url, headers=org.h("emp_a1"))).status_code == 404  # not published
    assert (await client.get(url, headers=org.h("sup_a"))).status_code == 200
    assert (await client.get(url, headers=org.h("sup_b"))).status_code == 404
    await client.post("/api/v1/periods/2026-11/publish", headers=org.h("hr"))
    assert (await client.get(url, headers=org.h("emp_a1"))).status_code == 200
    assert (await client.get(url, headers=org.h("emp_b1"))).status_code == 404
    bad = await client.get("/api/v1/periods/2026-11/appraisals/x.pdf", headers=org.h("hr"))
    assert bad.status_code == 404


async def test_pdf_of_open_period_is_409(client: AsyncClient, org: Org) -> None:
    await client.post("/api/v1/periods", json={"month": "2026-11"}, headers=org.h("hr"))
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    assert r.status_code == 409


async def test_summary_pdf(client: AsyncClient, published: Org) -> None:
    org = published
    r = await client.get("/api/v1/periods/2026-11/summary.pdf", headers=org.h("hr"))
    assert r.status_code == 200
    text = text_of(r.content).replace("\n", "")
    for expected in ("等级分布", "服务之星", "张伟", "李娜", "4200.00", "全机构"):
        assert expected in text, expected
    r = await client.get("/api/v1/periods/2026-11/summary.pdf", headers=org.h("sup_a"),
                         params={"team_id": org.team_a})
    assert r.status_code == 200 and "李娜" not in text_of(r.content)
    r = await client.get("/api/v1/periods/2026-11/summary.pdf", headers=org.h("sup_a"),
                         params={"team_id": org.team_b})
    assert r.status_code == 404


async def test_batch_job_zip(
    client: AsyncClient, published: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = published
    h = org.h("hr")
    if BACKEND == "postgres":
        from appraisal.reporting import queue

        monkeypatch.setattr(queue, "PART_SIZE", 1)  # three parts for two workers
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)
    assert r.status_code == 202
    job_id = r.json()["id"]
    if BACKEND == "postgres":
        # The queue path: two workers share the parts; the last part queues the assembly.
        app = queue.queue_app()
        async with app.open_async():
            await asyncio.gather(
                app.run_worker_async(queues=[queue.QUEUE], wait=False, name="w1"),
                app.run_worker_async(queues=[queue.QUEUE], wait=False, name="w2"))
            from procrastinate.jobs import Status

            jobs_done = await app.job_manager.list_jobs_async(status=Status.SUCCEEDED.value)
            assert {j.task_name for j in jobs_done} == {"appraisal.render_part",
                                                        "appraisal.assemble"}
            assert len(jobs_done) == 4
    await jobs.wait_all()
    status = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=h)).json()
    assert status["status"] == "done", status
    assert (status["done"], status["total"]) == (3 + 1 + 2, 3 + 1 + 2)
    r = await client.get(status["download"], headers=h)
    assert r.status_code == 200
    names = set(zipfile.ZipFile(io.BytesIO(r.content)).namelist())
    assert {"appraisals/前台组 Front desk/A001-2026-11.pdf", "summary-2026-11.pdf",
            "payroll/incentives-2026-11.csv", "payroll/incentives-2026-11.xlsx",
            "SNAPSHOT-SHA256.txt"} <= names
    assert len([n for n in names if n.startswith("appraisals/")]) == 3
    # Batch PDFs are laid out together and split: each holds its own employee only.
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    own = {"appraisals/前台组 Front desk/A001-2026-11.pdf": ("张伟", "王芳"),
           "appraisals/前台组 Front desk/A002-2026-11.pdf": ("王芳", "张伟"),
           "appraisals/客服中心 Call centre/B001-2026-11.pdf": ("李娜", "张伟")}
    for name, (mine, other) in own.items():
        data = archive.read(name)
        text = text_of(data).replace("\n", "")
        assert mine in text and other not in text, name
        assert len(PdfReader(io.BytesIO(data)).pages) == 1
        assert len(data) < 300_000 and embedded_fonts(data)
    assert (await client.post("/api/v1/periods/2026-11/report-jobs",
                              headers=org.h("sup_a"))).status_code == 403


async def test_batch_keeps_order_across_chunks_and_groups(
    published: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One appraisal a chunk and a group, one group in flight: the pipeline refills
    and drains across chunk boundaries, and the ZIP keeps employee order."""
    from concurrent.futures import ThreadPoolExecutor

    from appraisal.periods.models import Period
    from appraisal.reporting import batch

    monkeypatch.setattr(batch, "CHUNK", 1)
    monkeypatch.setattr(batch, "GROUP", 1)
    monkeypatch.setattr(batch, "in_flight", lambda workers: 1)
    seen: list[tuple[int, int]] = []
    with ThreadPoolExecutor(1) as pool:
        result = await batch.build_batch(
            await Period.get(month="2026-11"), tmp_path / "b.zip", pool=pool,
            summaries_included=False, progress=lambda done, total: seen.append((done, total)))
    names = [n for n in zipfile.ZipFile(result.path).namelist() if n.startswith("appraisals/")]
    assert [n.rsplit("/", 1)[1] for n in names] == [
        "A001-2026-11.pdf", "A002-2026-11.pdf", "B001-2026-11.pdf"]
    assert seen == [(1, 3), (2, 3), (3, 3)] and result.appraisals == 3


async def test_interrupted_in_process_jobs_are_failed_at_start_up(
    client: AsyncClient, org: Org
) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting.models import JobStatus, ReportJob

    await client.post("/api/v1/periods", json={"month": "2026-11"}, headers=org.h("hr"))
    period = await Period.get(month="2026-11")
    job = await ReportJob.create(period_id=period.id, status=JobStatus.running)
    changed = await jobs.fail_interrupted()
    await job.refresh_from_db()
    if BACKEND == "postgres":
        assert changed == 0 and job.status == JobStatus.running
    else:
        assert changed == 1 and job.status == JobStatus.failed and "restarted" in job.error


async def test_split_appraisals_carry_only_their_own_page_resources(published: Org) -> None:
    """Appraisals laid out as one document share a resource dictionary; each PDF
    split from it must keep only the drawings its own page uses. Charts draw no
    form XObjects; WeasyPrint's own SVG text anchoring does, one a label."""
    import re

    import pikepdf

    from appraisal.periods.models import Period
    from appraisal.reporting import pdf
    from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports

    def drawings(data: bytes) -> tuple[set[str], set[str]]:
        with pikepdf.open(io.BytesIO(data)) as doc:
            (page,) = doc.pages
            content = page.obj.Contents.read_bytes()
            drawn = {f"/{n.decode()}" for n in re.findall(rb"/([^\s/]+)\s+Do\b", content)}
            return drawn, set(page.obj.Resources.get("/XObject", {}).keys())

    period = await Period.get(month="2026-11")
    snapshot = await snapshot_for_reports(period)
    ids = [published.emp_a1, published.emp_a2, published.emp_b1]
    contexts = await appraisal_contexts(period, snapshot, ids)
    for data in pdf.appraisal_pdfs(contexts):
        assert drawings(data) == (set(), set())
    with per_glyph():
        split = pdf.appraisal_pdfs(contexts)
    for data in split:
        drawn, carried = drawings(data)
        assert drawn and carried == drawn
