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


async def test_the_api_docs_carry_the_csp_with_a_nonce_for_their_styles(
        client: AsyncClient) -> None:
    nonces = []
    for _ in range(2):
        r = await client.get("/schema")
        assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"
        csp = csp_directives(r.headers["content-security-policy"])
        assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
        # Redoc's <style> elements: allowed by this response's nonce, nothing else inline.
        self_, nonce = csp["style-src"]
        assert self_ == "'self'" and nonce.startswith("'nonce-")
        assert f'data-style-nonce="{nonce[7:-1]}"' in r.text
        assert '<script src="/static/redoc-2.5.4/redoc.standalone.js"' in r.text
        assert not re.search(r"https?://", r.text)  # nothing from another site
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # fresh for each response
    r = await client.get("/schema/openapi.json")
    assert csp_directives(r.headers["content-security-policy"])["style-src"] == ["'self'"]


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
