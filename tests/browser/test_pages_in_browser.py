"""The pages in a real browser (Debian's chromium driven by Playwright): what only a
browser shows, such as HTMX swapping pages in place and the one-tap checklist.

The server (tests/browser/conftest.py) runs as a user would start it, on its own
SQLite file with the demo organisation and last month closed and published.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Response

from tests.factories import PHONE
from tests.factories import log_in_browser as log_in

# Every click below that loads or swaps a page waits for what it causes: the answer
# to its own request, then what only the new page shows. Never a fixed sleep, never
# merely a quiet network (HTMX swaps leave the document's load state as it was).


@asynccontextmanager
async def answered(page: Page, path: str, query: str = "") -> AsyncIterator[None]:
    """Waits, after the block, for the answer to the request it causes for `path` (with
    `query` in its query string), and checks it is a success."""

    def wanted(response: Response) -> bool:
        url = urlsplit(response.url)
        return url.path == path and query in url.query

    async with page.expect_response(wanted) as answer:
        yield
    response = await answer.value
    assert response.ok, f"{response.status} for {response.url}"


async def test_supervisor_records_an_inspection_in_taps(browser: Browser, server: str) -> None:
    page = await log_in(browser, server, "sup.front", "sup-demo-1")
    assert page.url.endswith("/team")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    async with answered(page, "/inspect", "employee_id="):
        await page.click("table a[href^='/inspect?employee_id=']")  # the first employee's row
    # Then where: the first of the post's usual touchpoints (the front desk).
    async with answered(page, "/inspect", "touchpoint="):
        await page.click("ul.places.usual a")
    await page.wait_for_selector("#i-V1-fail", state="attached")
    await page.click("label[for=i-V1-fail]")
    await page.click("label[for=i-N1-na]")
    # One tap turned the item red; the page's own styles survived HTMX's swap.
    colour = await page.eval_on_selector(
        "label[for=i-V1-fail]", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    async with answered(page, "/inspect", "saved="):  # where the POST redirects
        await page.click("button.primary")
    await page.wait_for_selector(".done")
    assert "1 项不合格" in await page.inner_text(".done")
    assert loads == []  # swapped in place by HTMX, never reloaded


async def test_employee_reads_charts_and_acknowledges(browser: Browser, server: str) -> None:
    page = await log_in(browser, server, "emp.zhang", "emp-demo-1")
    assert page.url.endswith("/me")
    # Swapped-in images load after the swap: wait until both charts are done loading.
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.charts img')].every(i => i.complete)")
    widths = await page.eval_on_selector_all(".charts img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths)  # both charts drawn
    async with answered(page, "/me", "done=acknowledged"):  # the redirect
        await page.click("text=确认考核结果")
    await page.wait_for_selector(".done")
    assert "考核结果已确认" in await page.inner_text(".done")
    async with answered(page, "/me", "lang=en"):
        await page.click("text=English")
    await page.wait_for_selector("text=My appraisals")
    assert "Acknowledged on" in await page.inner_text("main")


async def test_styles_apply_under_the_content_security_policy(browser: Browser, server: str) -> None:
    page = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    refused: list[str] = []  # what the browser refused to apply or run, were anything inline
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
            else None)
    response = await page.goto(f"{server}/login")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    def style(selector: str, prop: str) -> str:
        return f"() => getComputedStyle(document.querySelector({selector!r})).{prop}"

    # The stylesheet applies: the bar's colour, the login card (styled inline before).
    assert await page.evaluate(style("header.bar", "backgroundColor")) == "rgb(31, 95, 122)"
    assert await page.evaluate(style(".card", "maxWidth")) == "384px"
    await page.fill("#username", "sup.front")
    await page.fill("#password", "sup-demo-1")
    async with page.expect_navigation(url=lambda url: not url.endswith("/login")):
        await page.click("button[type=submit]")
    await page.wait_for_selector("form[action='/logout']")
    # Each page's own rules, page after page swapped in by HTMX: the survey's answer
    # buttons are narrower (2.9rem) than the inspection's (4.2rem).
    async with answered(page, "/surveys"):
        await page.click("header a[href='/surveys']")
    await page.wait_for_selector("fieldset.q")
    assert await page.evaluate(style(".taps label", "minWidth")) == "46.4px"
    async with answered(page, "/inspect"):
        await page.click("header a[href='/inspect']")
    # Who, then where (rulebook 2026.2), then the checklist.
    await page.select_option("select#employee_id", index=1)
    async with answered(page, "/inspect", "employee_id="):
        await page.click("form[action='/inspect'] button[type=submit]")
    async with answered(page, "/inspect", "touchpoint="):
        await page.click("ul.places a")
    await page.wait_for_selector("fieldset.item")
    assert await page.evaluate(style(".taps label", "minWidth")) == "67.2px"
    assert refused == []
