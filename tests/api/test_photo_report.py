"""The appraisal PDF says how many photos back each lost point (SPEC §3.3, §7): a count
beside each failed item, photos of a void inspection left out, still one A4 page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from httpx import AsyncClient
from PIL import Image
from pypdf import PdfReader

from tests.factories import ALL_ITEMS, NOVEMBER_OVER, Org, inspection


@pytest.fixture
def media(tmp_path: Path, setting: Callable[[str, str], None]) -> Path:
    folder = tmp_path / "media"
    setting("APPRAISAL_MEDIA_DIR", str(folder))
    return folder


def png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (shade, 100, 100)).save(out, "PNG")
    return out.getvalue()


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(
        "\n", "")


async def recorded(client: AsyncClient, org: Org, fails: tuple[str, ...], day: int) -> int:
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=inspection(org.emp_a1, fails, day))
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def photographed(client: AsyncClient, org: Org, insp: int, code: str, n: int) -> None:
    for k in range(n):
        r = await client.post(f"/api/v1/inspections/{insp}/photos", headers=org.h("hr"),
                              files={"file": ("p.png", png(k * 20), "image/png")},
                              data={"item_code": code})
        assert r.status_code == 201, r.text


async def test_each_failed_item_says_how_many_photos_back_it(
        client: AsyncClient, org: Org, media: Path, clock: time_machine.TimeMachineFixture) -> None:
    first = await recorded(client, org, ("V1", "H2"), 3)
    second = await recorded(client, org, ("V1",), 4)
    await recorded(client, org, ("N1",), 5)  # no photo: no count
    void = await recorded(client, org, ("E1",), 6)
    await photographed(client, org, first, "V1", 2)
    await photographed(client, org, second, "V1", 1)
    await photographed(client, org, first, "H2", 1)
    await photographed(client, org, void, "E1", 2)
    r = await client.delete(f"/api/v1/inspections/{void}?reason=wrong person",
                            headers=org.h("hr"))
    assert r.status_code == 204
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post("/api/v1/periods/2026-11/close",
                              headers=org.h("hr"))).status_code == 200
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    assert r.status_code == 200
    text = text_of(r.content)
    # V1 failed twice, with 2 + 1 photos; H2 once with 1; N1 without; E1's are void.
    assert re.search(r"V1 [^ ]+ ×2 ?11-03, 11-04 照片 3 张 / 3 photos", text), text
    assert re.search(r"H2 [^ ]+ ?11-03 照片 1 张 / 1 photo(?!s)", text), text
    assert text.count("照片") == 2
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 1


async def test_photos_on_every_row_keep_one_page(
        client: AsyncClient, org: Org, media: Path, clock: time_machine.TimeMachineFixture) -> None:
    # Every item failed twice and photographed (10 an inspection at most)...
    for day, codes in ((3, ALL_ITEMS[:10]), (4, ALL_ITEMS[5:])):
        insp = await recorded(client, org, tuple(ALL_ITEMS), day)
        for code in codes:
            await photographed(client, org, insp, code, 1)
    # ...and M1, whose standard takes two lines, five times more: it loses the most.
    for day in range(5, 10):
        await photographed(client, org, await recorded(client, org, ("M1",), day), "M1", 1)
    clock.move_to(NOVEMBER_OVER)
    await client.post("/api/v1/periods/2026-11/close", headers=org.h("hr"))
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{org.emp_a1}.pdf",
                         headers=org.h("hr"))
    (media.parent / "heavy.pdf").write_bytes(r.content)
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 1
    text = text_of(r.content)
    assert text.count("照片") == 8 and "另有" in text  # 8 rows, the rest summed up
    assert re.search(r"M1 持牌上岗，接受顾客监督 ×7 ?11-03, 11-04 … 照片 7 张 / 7 photos", text), text
