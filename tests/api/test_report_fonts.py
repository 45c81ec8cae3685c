"""Appraisal PDFs embed their CJK font compact (appraisal.reporting.cid_fonts):
small, their text extractable, their pages drawn as WeasyPrint's own embedding draws them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from httpx import AsyncClient

from tests.drawing import font_files, raster, weasyprint_embedding
from tests.factories import Org


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


async def test_an_appraisal_pdf_is_small_and_its_text_extracts(client: AsyncClient,
                                                               published: Org) -> None:
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{published.emp_a1}.pdf",
                         headers=published.h("hr"))
    assert r.status_code == 200
    assert len(r.content) < 80_000  # WeasyPrint's own embedding: some 180 KB
    assert [types for name, (*types, _) in font_files(r.content).items()] == [
        ["/CIDFontType0", "/CIDFontType0C"]]
    text = pdftotext(r.content)
    for expected in ("张伟", "A001", "优秀", "员工签字", "主管签字"):
        assert expected in text, expected


async def test_appraisals_split_from_a_batch_are_small_and_look_the_same(
        published: Org, tmp_path: Path) -> None:
    from appraisal.periods.models import Period
    from appraisal.reporting import pdf
    from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports

    period = await Period.get(month="2026-11")
    snapshot = await snapshot_for_reports(period)
    contexts = await appraisal_contexts(period, snapshot, [published.emp_a1, published.emp_b1])
    ours = pdf.appraisal_pdfs(contexts)
    with weasyprint_embedding():
        theirs = pdf.appraisal_pdfs(contexts)
    for i, (compact, whole) in enumerate(zip(ours, theirs, strict=True)):
        assert len(compact) < 80_000 < 150_000 < len(whole)
        assert pdftotext(compact) == pdftotext(whole)
        assert (raster(compact, tmp_path, f"compact{i}", dpi=80).read_bytes()
                == raster(whole, tmp_path, f"whole{i}", dpi=80).read_bytes())
    assert "张伟" in pdftotext(ours[0])
