"""Security headers on every response, and pages that need nothing inline under the CSP."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from tests.factories import Org

ALWAYS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
          "referrer-policy": "same-origin"}


def csp_directives(value: str) -> dict[str, list[str]]:
    return {parts[0]: parts[1:] for d in value.split(";") if (parts := d.split())}


@pytest.mark.parametrize(("path", "status"), [
    ("/login", 200),  # a page
    ("/healthz", 200),  # the API
    ("/api/v1/teams", 401),  # refused by the authentication middleware
    ("/api/v1/nothing-here", 404),  # no route at all
    ("/team", 303),  # a page's redirect to the login
    ("/static/htmx-2.0.11.min.js", 200),
])
async def test_every_response_carries_the_headers(
        client: AsyncClient, path: str, status: int) -> None:
    r = await client.get(path)
    assert r.status_code == status
    for name, value in ALWAYS.items():
        assert r.headers[name] == value, name
    csp = csp_directives(r.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]  # nothing inline
    assert csp["img-src"] == ["'self'", "data:"]  # the charts are data: SVG images


async def test_pages_of_a_logged_in_user_carry_them(client: AsyncClient, org: Org) -> None:
    for path in ("/team", "/inspect", "/months"):
        r = await client.get(path, headers=org.h("hr"))
        assert r.status_code == 200, path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"


async def test_the_api_docs_go_without_the_csp_but_are_never_framed(client: AsyncClient) -> None:
    for path in ("/schema", "/schema/openapi.json"):
        r = await client.get(path)
        assert r.status_code == 200
        assert "content-security-policy" not in r.headers  # CDN scripts, until replaced
        assert r.headers["x-frame-options"] == "DENY"


async def test_pages_link_the_stylesheet_and_inline_nothing(client: AsyncClient, org: Org) -> None:
    pages = [await client.get("/login")] + [
        await client.get(path, headers=org.h("hr"))
        for path in ("/team", "/inspect", "/surveys", "/complaints", "/months", "/audit")]
    for r in pages:
        assert r.status_code == 200
        assert not re.search(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", r.text), r.url
        href = re.search(r'<link rel="stylesheet" href="([^"]+)">', r.text)
        assert href and href.group(1).startswith("/static/app.css?v=")
    css = await client.get(href.group(1))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "main[data-page=inspect] .taps input:checked + label.fail" in css.text
    # Each page names itself, so that its own rules apply to it only.
    assert '<main data-page="inspect">' in pages[2].text
    assert '<main data-page="survey">' in pages[3].text
