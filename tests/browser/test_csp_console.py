"""The pages run under their CSP without a violation: HTMX is told not to inject its
indicator <style> (base.html's htmx-config), so a boosted form post logs nothing. And
the audit trail, on a phone, is a column of cards no wider than the screen."""

from __future__ import annotations

from playwright.async_api import Browser, ConsoleMessage

from tests.factories import DEMO_LOGINS, PHONE


async def test_an_htmx_form_post_logs_no_csp_violation(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    said: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        said.append(message.text)

    page.on("console", heard)
    await page.goto(f"{server}/login")
    await page.wait_for_function("() => window.htmx !== undefined")
    username, password = DEMO_LOGINS["hr"]
    await page.fill("#username", username)
    await page.fill("#password", password)
    async with page.expect_navigation(url=lambda url: not url.endswith("/login")):
        await page.click("button[type=submit]")  # a boosted form: HTMX posts it
    await page.wait_for_selector("form[action='/logout']")
    # The audit filter, then the logout: more forms HTMX sends.
    await page.goto(f"{server}/audit")
    await page.select_option("#entity", "period")
    await page.click(".filters button[type=submit]")
    await page.wait_for_selector("#entity option[value=period][selected]", state="attached")
    # On a phone each entry is a card, the page no wider than the screen.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the audit page is {width} px wide on a {PHONE['width']} px phone"
    shape = await page.evaluate(
        "getComputedStyle(document.querySelector('table.trail tbody tr')).display")
    assert shape == "block"
    violations = [m for m in said if "Content Security Policy" in m or "violates" in m]
    assert not violations, violations
    await context.close()
