"""Photos on the pages (SPEC §3.3): the correction page takes a photo of a failed item
from the camera, through the service the API uses; the employee's page and the
correction page show the thumbnails, each opening the full photo."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from httpx import AsyncClient
from PIL import Image

from tests.factories import Org, inspection, log_in


@pytest.fixture
def media(tmp_path: Path, setting: Callable[[str, str], None]) -> Path:
    folder = tmp_path / "media"
    setting("APPRAISAL_MEDIA_DIR", str(folder))
    return folder


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (90, 90, 200)).save(out, "JPEG")
    return out.getvalue()


def photo_form(html: str, action: str, code: str) -> dict[str, str]:
    """The hidden fields of the photo form of item `code`."""
    for form in re.findall(rf'<form method="post" action="{re.escape(action)}"[^>]*>.*?</form>',
                           html, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        if fields.get("item_code") == code:
            assert 'enctype="multipart/form-data"' in form
            assert re.search(r'<input type="file" [^>]*name="file" accept="image/\*" '
                             r'capture="environment"', form)
            return fields
    raise AssertionError(f"no photo form for {code}")


async def recorded(client: AsyncClient, org: Org) -> int:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a1, ("V1", "H2")))
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_a_supervisor_adds_a_photo_to_a_failed_item(client: AsyncClient, org: Org,
                                                          media: Path) -> None:
    insp = await recorded(client, org)
    await log_in(client, "sup_a")
    page = (await client.get(f"/inspections/{insp}")).text
    action = f"/inspections/{insp}/photos"
    assert page.count(f'action="{action}"') == 2  # one form for each failed item: V1, H2
    fields = photo_form(page, action, "V1")
    assert fields["csrf"] and fields["idempotency_key"]
    r = await client.post(action, data=fields, files={"file": ("IMG_0001.JPG", jpeg(),
                                                               "image/jpeg")})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/inspections/{insp}?photo_added=1#photos"
    # Sent again (a retry on a weak signal): the same answer, one photo.
    again = await client.post(action, data=fields, files={"file": ("IMG_0001.JPG", jpeg(),
                                                                   "image/jpeg")})
    assert again.status_code == 303
    shown = (await client.get(f"/api/v1/inspections/{insp}", headers=org.h("hr"))).json()
    assert [p["item_code"] for p in shown["photos"]] == ["V1"]
    photo = shown["photos"][0]["id"]
    page = (await client.get(f"/inspections/{insp}?photo_added=1")).text
    assert "照片已添加" in page
    assert f'<a href="/api/v1/photos/{photo}"' in page
    assert f'<img src="/api/v1/photos/{photo}?size=thumb"' in page
    thumb = await client.get(f"/api/v1/photos/{photo}?size=thumb")  # the session's cookie
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    listed = (await client.get("/inspect")).text  # the month's list counts them
    row = re.search(rf'<li class="">.*?href="/inspections/{insp}".*?</li>', listed, re.S)
    assert row and "照片 1 张" in row.group(0)


async def test_a_bad_file_is_said_on_the_page_in_its_language(client: AsyncClient, org: Org,
                                                              media: Path) -> None:
    insp = await recorded(client, org)
    await log_in(client, "sup_a")
    action = f"/inspections/{insp}/photos"
    fields = photo_form((await client.get(f"/inspections/{insp}")).text, action, "H2")
    r = await client.post(action, data=fields, files={"file": ("notes.jpg", b"shopping list",
                                                               "image/jpeg")})
    assert r.status_code == 422
    assert "文件不是可读取的照片" in r.text
    fields = photo_form(r.text, action, "H2")  # the page again, with fresh forms
    r = await client.post(action, data=fields, files={"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 422 and "请选择要添加的照片" in r.text
    client.cookies.set("lang", "en")
    fields = photo_form(r.text, action, "H2")
    r = await client.post(action, data=fields, files={"file": ("big.jpg", b"\xff" * (11 << 20),
                                                               "image/jpeg")})
    assert r.status_code == 413 and "at most 10 MB" in r.text
    assert stored(media) == []  # nothing written by any of these


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def test_the_employee_sees_the_photos_of_their_failed_items(
        client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    r = await client.post(f"/api/v1/inspections/{insp}/photos", headers=org.h("sup_a"),
                          files={"file": ("a.jpg", jpeg(), "image/jpeg")}, data={"item_code": "H2"})
    photo = r.json()["id"]
    await log_in(client, "emp_a1")
    page = (await client.get("/me")).text
    item = re.search(r"<li><strong>H2</strong>.*?</li>", page, re.S)
    assert item, page
    assert f'<a href="/api/v1/photos/{photo}" target="_blank" rel="noopener">' in item.group(0)
    assert f'src="/api/v1/photos/{photo}?size=thumb"' in item.group(0)
    assert "/api/v1/photos" not in re.search(r"<li><strong>V1</strong>.*?</li>", page,
                                             re.S).group(0)  # type: ignore[union-attr]
    assert (await client.get(f"/api/v1/photos/{photo}")).status_code == 200


async def test_a_void_or_closed_inspection_offers_no_upload(client: AsyncClient, org: Org,
                                                            media: Path) -> None:
    insp = await recorded(client, org)
    await client.delete(f"/api/v1/inspections/{insp}?reason=twice", headers=org.h("sup_a"))
    await log_in(client, "sup_a")
    page = (await client.get(f"/inspections/{insp}")).text
    assert f'action="/inspections/{insp}/photos"' not in page
