"""A published month corrected in a real browser (chromium driven by Playwright, HTMX
swapping the pages): the employee appeals, HR upholds it (the month reopens), the
employee's result is shown as being corrected, HR closes it again through the confirm
step, finds the pool stale, discards it and publishes; the employee then reads the
corrected result beside the earlier version.

The server (tests/browser/conftest.py) has the demo organisation and last month
(2026-10, over at the frozen moment) closed and published.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Response

from tests.factories import log_in_browser

MONTH = "2026-10"


@asynccontextmanager
async def answered(page: Page, path: str | Callable[[str], bool], query: str = ""
                   ) -> AsyncIterator[None]:
    """Waits, after the block, for the answer to the request it causes for `path` (with
    `query` in its query string), and checks it is a success."""

    def wanted(response: Response) -> bool:
        url = urlsplit(response.url)
        hit = path(url.path) if callable(path) else url.path == path
        return hit and query in url.query

    async with page.expect_response(wanted) as answer:
        yield
    response = await answer.value
    assert response.ok, f"{response.status} for {response.url}"


async def test_a_published_month_corrected_end_to_end(browser: Browser, server: str) -> None:
    hr = await log_in_browser(browser, server, "hr", "hr-demo-1")
    emp = await log_in_browser(browser, server, "emp.zhang", "emp-demo-1")
    month_page = f"/months/{MONTH}"

    # A published month's pool changes only through a reopen: HR reopens last month,
    # closes it again and shares the pool; the ranking shows each bonus and links each
    # employee's breakdown; then HR publishes it again.
    await hr.goto(f"{server}{month_page}?confirm=reopen")
    await hr.fill("#reason", "发布前漏分配奖金池")
    async with answered(hr, month_page, "done=reopen"):
        await hr.click("#confirm button.primary")
    await hr.wait_for_selector(".done")
    async with answered(hr, month_page, "confirm=close"):
        await hr.click(f"a[href*='{month_page}?confirm=close']")
    async with answered(hr, month_page, "done=close"):
        await hr.click("#confirm button.primary")
    await hr.wait_for_selector(".done")
    await hr.fill("#pool", "10000.00")
    async with answered(hr, month_page, "done=incentives"):
        await hr.click(f"form[action='{month_page}/incentives'] button")
    await hr.wait_for_selector("text=已分配 10000.00")
    first = hr.locator("main table tbody tr").first
    name = (await first.locator("td a").first.inner_text()).strip()
    assert (await first.locator("td.num").nth(-2).inner_text()).strip() not in ("", "—")
    async with answered(hr, lambda p: p.startswith(f"{month_page}/employees/")):
        await first.locator("td a").first.click()
    await hr.wait_for_selector("text=各维度")
    assert name in await hr.inner_text("h1")
    await hr.goto(f"{server}{month_page}?confirm=publish")
    async with answered(hr, month_page, "done=publish"):
        await hr.click("#confirm button.primary")
    await hr.wait_for_selector("h1 >> text=已向员工发布")

    # The employee appeals the published result.
    async with answered(emp, "/me"):
        await emp.reload()
    card = emp.locator(f"#appraisal-{MONTH}")
    await card.locator("summary", has_text="申诉").click()
    await card.locator("textarea[name=reason]").fill("10月12日下午我在培训，不在前台。")
    async with answered(emp, "/me", "done=appealed"):
        await card.locator("button", has_text="提交申诉").click()
    await emp.wait_for_selector(".done")

    # HR upholds it: the page says the month is open again, and links it.
    async with answered(hr, "/appeals"):
        await hr.click("header a[href='/appeals']")
    await hr.fill("textarea[name=answer]", "培训签到表属实，已删除该次巡检记录。")
    # It is asked first: the month is reopened for everyone.
    async with answered(hr, lambda path: path.endswith("/answer")):
        await hr.click("button:has-text('申诉成立，重新打开本月')")
    await hr.wait_for_selector("#confirm")
    assert "将对所有人重新打开" in await hr.inner_text("#confirm")
    async with answered(hr, "/appeals", f"reopened={MONTH}"):
        await hr.click("#confirm button:has-text('申诉成立，重新打开本月')")
    await hr.wait_for_selector(".done")
    assert f"{MONTH} 已重新打开" in await hr.inner_text(".done")

    # The employee still sees the published result, being corrected, with HR's answer,
    # and is not offered to acknowledge it.
    async with answered(emp, "/me"):
        await emp.reload()
    await emp.wait_for_selector(f"#appraisal-{MONTH} .correction")
    text = await card.inner_text()
    assert "更正中" in text and "培训签到表属实" in text
    assert await card.locator("form[action$='/acknowledge']").count() == 0
    assert await card.locator("form[action$='/appeal']").count() == 0

    # HR closes it again, confirming first what the close will do.
    async with answered(hr, month_page):
        await hr.click(f".done a[href='{month_page}']")
    await hr.wait_for_selector(f"a[href*='{month_page}?confirm=close']")
    assert await hr.locator(f"form[action='{month_page}/close']").count() == 0
    async with answered(hr, month_page, "confirm=close"):
        await hr.click(f"a[href*='{month_page}?confirm=close']")
    await hr.wait_for_selector("#confirm")
    ask = await hr.inner_text("#confirm")
    assert f"确定结束 {MONTH} 的考核？" in ask and "员工：" in ask and "仍待核实的投诉" in ask
    async with answered(hr, month_page, "done=close"):
        await hr.click("#confirm button.primary")
    # The pool was shared on the superseded scores: shown so, and publishing waits.
    await hr.wait_for_selector(".stale")
    assert "已过时" in await hr.inner_text(".stale")
    assert await hr.locator("text=已分配 10000.00").count() == 0
    async with answered(hr, month_page, "confirm=publish"):
        await hr.click(f"a[href*='{month_page}?confirm=publish']")
    await hr.wait_for_selector("#confirm .error")
    assert await hr.locator(f"#confirm form[action='{month_page}/publish']").count() == 0
    async with answered(hr, month_page, "done=discard"):
        await hr.click("button:has-text('舍弃此分配')")
    await hr.wait_for_selector(".done")
    assert await hr.locator(".stale").count() == 0
    async with answered(hr, month_page, "confirm=publish"):
        await hr.click(f"a[href*='{month_page}?confirm=publish']")
    await hr.wait_for_selector(f"#confirm form[action='{month_page}/publish']")
    async with answered(hr, month_page, "done=publish"):
        await hr.click("#confirm button.primary")
    await hr.wait_for_selector("h1 >> text=已向员工发布")

    # The employee reads the corrected result, why, and the earlier version with the
    # appeal and HR's answer; the corrected one is theirs to acknowledge.
    async with answered(emp, "/me"):
        await emp.reload()
    await emp.wait_for_selector(f"#history-{MONTH}")
    assert "原因" in await card.locator(".correction").inner_text()
    assert await card.locator("form[action$='/acknowledge']").count() == 1
    history = await emp.inner_text(f"#history-{MONTH}")
    assert "10月12日下午我在培训" in history and "培训签到表属实" in history
