"""Photos on inspections (SPEC §3.3): accepted formats re-encoded as plain JPEGs without
metadata, bounded uploads, the inspection's scope for reading, retries that write once,
and refusals that write nothing."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from PIL import Image

from tests.factories import Org, inspection

PHOTOS = "/api/v1/inspections/{}/photos"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def media(tmp_path: Path, setting: Callable[[str, str], None]) -> Path:
    folder = tmp_path / "media"
    setting("APPRAISAL_MEDIA_DIR", str(folder))
    return folder


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    """A small image with a little detail, saved in `fmt`."""
    im = Image.new("RGB", size, (200, 40, 40))
    im.paste((30, 120, 220), (0, 0, size[0] // 2, size[1] // 2))
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A JPEG taken 'on a phone': GPS position, camera make, a comment, rotated 90°."""
    im = Image.new("RGB", (60, 30), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = 6  # shown turned 90° clockwise
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at the front desk")
    return out.getvalue()


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def recorded(client: AsyncClient, org: Org, who: str = "sup_a", emp: int | None = None,
                   fails: tuple[str, ...] = ("V1", "H2"), **over: Any) -> int:
    r = await client.post("/api/v1/inspections", headers=org.h(who),
                          json=inspection(emp or org.emp_a1, fails, **over))
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def upload(client: AsyncClient, org: Org, insp: int, content: bytes, who: str = "sup_a",
                 item_code: str | None = "V1", name: str = "photo.jpg",
                 headers: dict[str, str] | None = None) -> Any:
    data = {} if item_code is None else {"item_code": item_code}
    return await client.post(PHOTOS.format(insp), headers={**org.h(who), **(headers or {})},
                             files={"file": (name, content, "image/jpeg")}, data=data)


async def photo_rows() -> tuple[int, int]:
    from appraisal.audit.models import AuditEntry
    from appraisal.evidence.models import Photo

    return await Photo.all().count(), await AuditEntry.filter(entity="photo").count()


def opened(content: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(content))
    im.load()
    return im


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
async def test_each_accepted_format_is_stored_as_a_jpeg(client: AsyncClient, org: Org,
                                                       media: Path, fmt: str) -> None:
    insp = await recorded(client, org)
    r = await upload(client, org, insp, picture(fmt), name=f"photo.{fmt.lower()}")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["inspection_id"] == insp and body["item_code"] == "V1"
    assert (body["content_type"], body["width"], body["height"]) == ("image/jpeg", 64, 48)
    got = await client.get(f"/api/v1/photos/{body['id']}", headers=org.h("sup_a"))
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"].startswith("private")
    assert len(got.content) == body["bytes"]
    im = opened(got.content)
    assert (im.format, im.size, im.mode) == ("JPEG", (64, 48), "RGB")
    # Named by the hash of what is stored, in a folder of its first two digits.
    import hashlib

    digest = hashlib.sha256(got.content).hexdigest()
    assert (media / digest[:2] / f"{digest}.jpg").read_bytes() == got.content


async def test_transparency_is_laid_on_white(client: AsyncClient, org: Org, media: Path) -> None:
    im = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    out = io.BytesIO()
    im.save(out, "PNG")
    insp = await recorded(client, org)
    r = await upload(client, org, insp, out.getvalue())
    assert r.status_code == 201, r.text
    got = await client.get(f"/api/v1/photos/{r.json()['id']}", headers=org.h("hr"))
    assert min(opened(got.content).getpixel((10, 10))) > 240  # white, not black


async def test_metadata_is_removed_and_the_photo_turned_upright(
        client: AsyncClient, org: Org, media: Path) -> None:
    sent = gps_jpeg()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # it does carry GPS
    insp = await recorded(client, org)
    r = await upload(client, org, insp, sent)
    assert r.status_code == 201, r.text
    assert (r.json()["width"], r.json()["height"]) == (30, 60)  # orientation applied
    for size in ("full", "thumb"):
        got = await client.get(f"/api/v1/photos/{r.json()['id']}?size={size}",
                               headers=org.h("sup_a"))
        im = opened(got.content)
        assert dict(im.getexif()) == {}
        assert not im.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(im.info)
        assert b"Exif" not in got.content and b"PhoneMaker" not in got.content
        assert b"front desk" not in got.content


async def test_long_edge_and_thumbnail_sizes(client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    r = await upload(client, org, insp, picture("PNG", (3000, 1000)))
    assert r.status_code == 201, r.text
    assert (r.json()["width"], r.json()["height"]) == (2048, 683)
    photo = r.json()["id"]
    full = await client.get(f"/api/v1/photos/{photo}", headers=org.h("hr"))
    thumb = await client.get(f"/api/v1/photos/{photo}?size=thumb", headers=org.h("hr"))
    assert opened(full.content).size == (2048, 683)
    assert opened(thumb.content).size == (320, 107)
    assert (await client.get(f"/api/v1/photos/{photo}?size=huge",
                             headers=org.h("hr"))).status_code == 422


async def test_what_is_no_image_is_a_422_naming_file_and_writes_nothing(
        client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    for content in (b"this is a shopping list, not a photo\n", b"", picture("GIF"),
                    picture("JPEG")[:200]):
        r = await upload(client, org, insp, content, name="photo.jpg")
        assert r.status_code == 422, (content[:20], r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["file"]
    assert files_in(media) == []
    assert await photo_rows() == (0, 0)


@pytest.mark.parametrize("side", [9000, 20000])  # over our 64 MP; over Pillow's own limit
async def test_a_decompression_bomb_is_refused_undecoded(client: AsyncClient, org: Org,
                                                         media: Path, side: int) -> None:
    # A PNG declaring side × side pixels in a few hundred bytes.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    insp = await recorded(client, org)
    r = await upload(client, org, insp, bomb)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "photo_too_many_pixels"
    assert r.json()["errors"][0]["field"] == "file"
    assert await photo_rows() == (0, 0)


async def test_a_12_mb_file_is_told_the_limit(client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    r = await upload(client, org, insp, b"\xff\xd8" + b"\x00" * (12 * 1024 * 1024))
    assert r.status_code == 413, r.text
    problem = r.json()
    assert problem["code"] == "photo_too_large"
    assert problem["errors"][0]["field"] == "file"
    assert "at most 10 MB" in problem["detail"]
    assert files_in(media) == [] and await photo_rows() == (0, 0)


async def test_the_eleventh_photo_is_refused(client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    for n in range(10):
        r = await upload(client, org, insp, picture("PNG", (20 + n, 20)), item_code=None)
        assert r.status_code == 201, r.text
    kept = files_in(media)
    r = await upload(client, org, insp, picture("PNG", (50, 50)))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "photo_limit"
    assert r.json()["errors"][0]["field"] == "file"
    assert files_in(media) == kept
    assert await photo_rows() == (10, 10)


async def test_item_code_must_be_recorded_on_the_inspection(
        client: AsyncClient, org: Org, media: Path) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json={
        **inspection(org.emp_a1), "items": [{"code": "V1", "result": "fail"}]})
    insp = r.json()["id"]
    for code in ("H1", "ZZ9", "x" * 40):
        r = await upload(client, org, insp, picture(), item_code=code)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "item_code"
    r = await upload(client, org, insp, picture(), item_code="v1")
    assert r.status_code == 201 and r.json()["item_code"] == "V1"
    assert await photo_rows() == (1, 1)


async def test_scope_for_uploading(client: AsyncClient, org: Org, media: Path) -> None:
    theirs = await recorded(client, org, "sup_b", org.emp_b1)
    r = await upload(client, org, theirs, picture(), who="sup_a")
    assert r.status_code == 404  # another team's inspection: not even there
    by_hr = await recorded(client, org, "hr", org.emp_a1)
    r = await upload(client, org, by_hr, picture(), who="sup_a")
    assert r.status_code == 403  # seen, but recorded by someone else (as corrections)
    r = await upload(client, org, theirs, picture(), who="emp_b1")
    assert r.status_code == 403  # employees read photos, they do not add them
    r = await upload(client, org, by_hr, picture(), who="hr")
    assert r.status_code == 201
    assert (await upload(client, org, 999999, picture(), who="hr")).status_code == 404
    assert await photo_rows() == (1, 1)


async def test_who_reads_a_photo(client: AsyncClient, org: Org, media: Path) -> None:
    a1 = await recorded(client, org)
    r = await upload(client, org, a1, picture())
    photo = r.json()["id"]
    for who, status in (("emp_a1", 200), ("sup_a", 200), ("hr", 200), ("admin", 200),
                        ("emp_b1", 404), ("sup_b", 404)):
        for size in ("full", "thumb"):
            got = await client.get(f"/api/v1/photos/{photo}?size={size}", headers=org.h(who))
            assert got.status_code == status, (who, size)
    assert (await client.get("/api/v1/photos/999999", headers=org.h("hr"))).status_code == 404
    assert (await client.get(f"/api/v1/photos/{photo}")).status_code == 401


async def test_the_inspection_lists_its_photos_per_item(client: AsyncClient, org: Org,
                                                        media: Path) -> None:
    insp = await recorded(client, org)
    first = (await upload(client, org, insp, picture(), item_code="V1")).json()["id"]
    second = (await upload(client, org, insp, picture("PNG"), item_code=None)).json()["id"]
    one = (await client.get(f"/api/v1/inspections/{insp}", headers=org.h("hr"))).json()
    assert one["photos"] == [{"id": first, "item_code": "V1"}, {"id": second, "item_code": None}]
    listed = (await client.get(f"/api/v1/inspections?employee_id={org.emp_a1}",
                               headers=org.h("sup_a"))).json()
    assert listed[0]["photos"] == one["photos"]
    feedback = (await client.get("/api/v1/me/feedback", headers=org.h("emp_a1"))).json()
    assert feedback["inspections"][0]["photos"] == one["photos"]


async def test_a_retry_with_the_same_key_writes_once(client: AsyncClient, org: Org,
                                                     media: Path) -> None:
    insp = await recorded(client, org)
    key = {"Idempotency-Key": "photo-retry-1"}
    first = await upload(client, org, insp, picture(), headers=key)
    again = await upload(client, org, insp, picture(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await photo_rows() == (1, 1)
    other = await upload(client, org, insp, picture("PNG"), headers=key)
    assert other.status_code == 422
    assert await photo_rows() == (1, 1)


async def test_a_void_inspection_keeps_its_photos_and_takes_no_more(
        client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    photo = (await upload(client, org, insp, picture())).json()["id"]
    r = await client.delete(f"/api/v1/inspections/{insp}?reason=entered twice",
                            headers=org.h("sup_a"))
    assert r.status_code == 204
    r = await upload(client, org, insp, picture("PNG"))
    assert r.status_code == 409 and r.json()["code"] == "evidence_void"
    assert (await client.get(f"/api/v1/photos/{photo}", headers=org.h("emp_a1"))).status_code == 200
    one = (await client.get(f"/api/v1/inspections/{insp}", headers=org.h("hr"))).json()
    assert one["void"] is not None and one["photos"] == [{"id": photo, "item_code": "V1"}]
    assert await photo_rows() == (1, 1)


async def test_a_month_not_open_takes_no_photo(client: AsyncClient, org: Org, media: Path) -> None:
    from tests.factories import closed_month

    await closed_month(client, org)
    from appraisal.evidence.models import Inspection

    insp = (await Inspection.filter(employee_id=org.emp_a1).first()).id  # type: ignore[union-attr]
    r = await upload(client, org, insp, picture(), who="hr", item_code=None)
    assert r.status_code == 409 and r.json()["code"] == "period_not_open"
    assert files_in(media) == [] and await photo_rows() == (0, 0)


async def test_the_upload_is_audited(client: AsyncClient, org: Org, media: Path) -> None:
    insp = await recorded(client, org)
    photo = (await upload(client, org, insp, gps_jpeg())).json()
    trail = (await client.get(f"/api/v1/audit?entity=photo&entity_id={photo['id']}",
                              headers=org.h("hr"))).json()
    assert len(trail) == 1
    entry = trail[0]
    assert (entry["action"], entry["actor"]) == ("create", "sup_a")
    assert entry["after"]["inspection_id"] == insp and entry["after"]["item_code"] == "V1"


async def test_a_photo_is_attached_right_after_the_inspection_is_recorded(
        org: Org, media: Path) -> None:
    """What the new-inspection form does in one request: record, then attach."""
    import msgspec

    from appraisal.actor import Actor, Role
    from appraisal.evidence.photos import attach_photo
    from appraisal.evidence.schemas import InspectionIn
    from appraisal.evidence.service import create_inspection

    sup = Actor(org.users["sup_a"], "sup_a", Role.supervisor, None, frozenset({org.team_a}))
    written = await create_inspection(sup, msgspec.convert(inspection(org.emp_a1, ("V1",)),
                                                           InspectionIn))
    photo = await attach_photo(sup, written.inspection, gps_jpeg(), "V1")
    assert (photo.inspection_id, photo.item_code, photo.width, photo.height) == (
        written.inspection.id, "V1", 30, 60)
    by_id = await attach_photo(sup, written.inspection.id, picture("WEBP"))
    assert by_id.item_code is None
    other = Actor(org.users["sup_b"], "sup_b", Role.supervisor, None, frozenset({org.team_b}))
    from appraisal.errors import NotFound

    with pytest.raises(NotFound):
        await attach_photo(other, written.inspection.id, picture())
    assert await photo_rows() == (2, 2)


async def test_sixteen_bit_grey_keeps_its_shade(client: AsyncClient, org: Org,
                                                media: Path) -> None:
    out = io.BytesIO()
    Image.new("I;16", (20, 20), 30000).save(out, "PNG")  # 30000 of 65535: a mid grey
    insp = await recorded(client, org)
    r = await upload(client, org, insp, out.getvalue())
    got = await client.get(f"/api/v1/photos/{r.json()['id']}", headers=org.h("hr"))
    assert 110 <= opened(got.content).getpixel((10, 10))[0] <= 122
