"""gzip for text only, and long lifetimes for the static files whose address names their content."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Org

GZIP = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize(("content_type", "status", "gzip"), [
    ("text/html; charset=utf-8", 200, True),
    ("text/css; charset=utf-8", 200, True),
    ("text/javascript; charset=utf-8", 200, True),
    ("application/json", 200, True),
    ("application/problem+json", 400, True),
    ("text/csv; charset=utf-8", 200, True),
    ("image/svg+xml", 200, True),
    ("application/pdf", 200, False),
    ("application/zip", 200, False),
    ("image/jpeg", 200, False),
    ("image/x-icon", 200, False),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 200, False),
    ("text/css", 206, False),  # a byte range of the file as it is
])
def test_only_text_is_compressed(content_type: str, status: int, gzip: bool) -> None:
    from appraisal.headers import compressible

    message = {"type": "http.response.start", "status": status,
               "headers": [(b"content-type", content_type.encode())]}
    assert compressible(message) is gzip  # type: ignore[arg-type]


async def test_text_goes_gzipped(client: AsyncClient) -> None:
    r = await client.get("/schema/openapi.json", headers=GZIP)
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["vary"]
    r = await client.get("/static/htmx-2.0.11.min.js", headers=GZIP)
    assert r.headers["content-encoding"] == "gzip" and r.text.startswith("var htmx")


async def test_a_pdf_goes_as_it_is(client: AsyncClient, published: Org) -> None:
    r = await client.get(f"/api/v1/periods/2026-11/appraisals/{published.emp_a1}.pdf",
                         headers={**published.h("hr"), **GZIP})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(r.content)


async def test_versioned_static_files_are_kept_a_year(client: AsyncClient) -> None:
    from appraisal.web import stylesheet_version

    forever = "public, max-age=31536000, immutable"
    css = await client.get(f"/static/app.css?v={stylesheet_version()}")
    assert css.status_code == 200 and css.headers["cache-control"] == forever
    js = await client.get("/static/htmx-2.0.11.min.js")
    assert js.headers["cache-control"] == forever
    # An address that does not name the content asks again each time.
    for path in ("/static/app.css", "/static/app.css?v=0ld", "/static/api-docs.js"):
        r = await client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache", path
    # The icon, fetched after every cold page, is kept a week, wherever it is asked for.
    for path in ("/static/favicon.ico", "/favicon.ico"):
        r = await client.get(path)
        assert r.headers["cache-control"] == "public, max-age=604800", path
    assert "cache-control" not in (await client.get("/login")).headers
