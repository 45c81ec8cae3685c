"""Errors on pages are pages: in the visitor's language, with the base layout, a plain
explanation and a link back; the API keeps answering problem documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpx import AsyncClient, Response
from tortoise.exceptions import IntegrityError

from appraisal.errors import Conflict
from appraisal.evidence import records
from tests.factories import Org, log_in

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FAVICON = Path(__file__).resolve().parents[2] / "templates" / "static" / "favicon.ico"


def assert_error_page(r: Response, status: int, *texts: str) -> None:
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert '<header class="bar">' in r.text and '<main data-page="error">' in r.text
    assert '<a class="button" href="/">' in r.text  # the way back
    assert f"{status}" in r.text
    for text in texts:
        assert text in r.text, text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_a_supervisor_opening_an_hr_page_reads_why(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.get("/months")
    assert_error_page(r, 403, "您的账号无权访问", "此页面或操作仅限其他角色使用", "返回首页")
    assert '<a href="/team">' in r.text  # the supervisor's own menu, to carry on
    assert "Role " not in r.text  # the guard's English words stay off a Chinese page
    r = await client.get("/months", params={"lang": "en"})
    assert_error_page(r, 403, "Not open to your account", "Go to the start page",
                      "may not do this")  # in English, what the guard said too
    # The API answers the same refusal as a problem document.
    r = await client.get("/api/v1/periods", headers=org.h("sup_a"))
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"


async def test_missing_things_and_bad_addresses_on_pages(client: AsyncClient, org: Org) -> None:
    await log_in(client, "hr")
    assert_error_page(await client.get("/months/2001-01"), 404, "页面不存在")
    r = await client.get("/months/2001-01", params={"lang": "en"})  # kept in a cookie
    assert_error_page(r, 404, "Page not found", "2001-01")  # the period that does not exist
    r = await client.get("/months/2026-13", params={"lang": "zh"})  # not a month: a 422
    assert_error_page(r, 422, "无法受理")
    r = await client.get("/inspect", params={"employee_id": "x", "lang": "en"})
    assert r.status_code in (200, 422)  # a bad query value: never raw JSON on a page
    assert r.headers["content-type"].startswith("text/html")


async def test_unknown_addresses_are_a_page_for_browsers_only(client: AsyncClient) -> None:
    r = await client.get("/no-such-page", headers=BROWSER)
    assert_error_page(r, 404, "页面不存在", "没有这个页面")
    r = await client.get("/no-such-page", params={"lang": "en"}, headers=BROWSER)
    assert_error_page(r, 404, "Page not found")
    assert "Not Found" not in r.text  # Litestar's bare phrase adds nothing to the heading
    r = await client.get("/no-such-page", params={"lang": "zh"},
                         headers={"hx-request": "true"})  # HTMX swaps it in
    assert_error_page(r, 404, "页面不存在")
    for headers in ({}, {"accept": "application/json"}):  # a program: the problem document
        r = await client.get("/no-such-page", headers=headers)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await client.get("/api/v1/no-such-thing", headers=BROWSER)  # the API, whoever asks
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_a_method_a_page_does_not_take(client: AsyncClient) -> None:
    r = await client.request("PUT", "/login", headers=BROWSER)
    assert_error_page(r, 405, "无法这样操作")
    assert "GET" in r.headers["allow"]  # what the API's answer says, the page says too
    r = await client.request("PUT", "/login")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


async def test_no_session_still_goes_to_the_login(client: AsyncClient) -> None:
    r = await client.get("/months", headers=BROWSER)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/months"


@pytest.mark.parametrize(("raised", "status", "zh", "en"), [
    (Conflict("month %(month)s is closed", month="2026-11"), 409, "与当前数据冲突",
     "This clashes with the data as it is now"),
    (IntegrityError("UNIQUE constraint failed"), 409, "与当前数据冲突", "Reload the page"),
    (RuntimeError("the database went away"), 500, "系统出错了", "Nothing was changed"),
])
async def test_conflicts_and_internal_errors_on_a_page(
        client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch,
        raised: Exception, status: int, zh: str, en: str) -> None:
    async def fails(*_: object) -> None:
        raise raised

    monkeypatch.setattr(records, "team_month", fails)
    await log_in(client, "sup_a")
    assert_error_page(await client.get("/team"), status, zh)
    r = await client.get("/team", params={"lang": "en"})
    assert_error_page(r, status, en)
    assert "the database went away" not in r.text and "UNIQUE" not in r.text  # nothing inside
    if isinstance(raised, Conflict):
        assert "month 2026-11 is closed" in r.text  # what the service said, for a person
    # The API's answer to the same failure is unchanged.
    monkeypatch.setattr(records, "list_inspections", fails)
    r = await client.get("/api/v1/inspections", headers=org.h("sup_a"))
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"


async def test_the_favicon_is_there(client: AsyncClient) -> None:
    for path in ("/favicon.ico", "/static/favicon.ico"):
        r = await client.get(path)
        assert r.status_code == 200 and r.content == FAVICON.read_bytes(), path
        assert r.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon"), path
    assert FAVICON.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = await client.get("/login")
    assert '<link rel="icon" href="/static/favicon.ico">' in page.text


async def test_pages_name_their_charset_once(client: AsyncClient) -> None:
    r = await client.get("/login")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
