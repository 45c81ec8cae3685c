"""Odd photo uploads a phone, a script or an attacker may send: each answered with a
4xx naming what is wrong, never a 5xx, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from httpx import AsyncClient

from tests.factories import Org, inspection


@pytest.fixture
def media(tmp_path: Path, setting: Callable[[str, str], None]) -> Path:
    folder = tmp_path / "media"
    setting("APPRAISAL_MEDIA_DIR", str(folder))
    return folder


async def test_odd_uploads_are_4xx_and_write_nothing(client: AsyncClient, org: Org,
                                                     media: Path) -> None:
    from appraisal.evidence.models import Photo

    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a1, ("V1",)))
    url = f"/api/v1/inspections/{r.json()['id']}/photos"
    h = org.h("sup_a")
    odd = [
        {},  # no body at all
        {"json": {"file": "aGVsbG8="}},
        {"data": {"file": "not a file but a text field"}},
        {"data": {"item_code": "V1"}},  # no file
        {"files": {"item_code": ("x.txt", b"V1", "text/plain")}},
        {"files": {"file": ("a.jpg", b"GIF89a\x01\x00", "image/jpeg")}, "data": {"item_code": ""}},
        {"files": {"file": ("a.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png")}},
        {"files": {"file": ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image/jpeg")}},
        {"files": {"file": ("a.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "image/heic")}},
        {"files": {"file": ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8,
                            "image/webp")}},
        {"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    ]
    for extra in odd:
        headers = {**h, **extra.pop("headers", {})}  # type: ignore[arg-type]
        r = await client.post(url, headers=headers, **extra)  # type: ignore[arg-type]
        assert 400 <= r.status_code < 500, (extra, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
    assert await Photo.all().count() == 0
    assert stored(media) == []


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def test_a_body_far_over_the_limit_is_refused_unread(client: AsyncClient, org: Org,
                                                           media: Path) -> None:
    r = await client.post("/api/v1/inspections", headers=org.h("hr"),
                          json=inspection(org.emp_a1, ("V1",)))
    url = f"/api/v1/inspections/{r.json()['id']}/photos"
    for headers in ({}, {"Idempotency-Key": "huge-1"}):
        r = await client.post(url, headers={**org.h("hr"), **headers},
                              files={"file": ("a.jpg", b"\xff" * (20 << 20), "image/jpeg")})
        assert r.status_code == 413, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert stored(media) == []
