"""Nothing from the internet: every page of each role, and the API reference, load all
they need from this server. Where the service runs (mainland China among others) a
CDN or Google Fonts may be out of reach, and a page that waits for one is blank.

Every request the browser makes is caught: one to an address off this machine fails
the test (and is stopped before it leaves)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Route

from tests.factories import DEMO_LOGINS, PHONE, REACHED, every_page
from tests.factories import log_in_browser as log_in


def on_this_machine(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: resolving it would already ask the network


async def catch_outside(context: BrowserContext) -> list[str]:
    """Stops every request of `context` to another machine; returns the list of them."""
    outside: list[str] = []

    async def handle(route: Route) -> None:
        if on_this_machine(route.request.url):
            await route.continue_()
        else:
            outside.append(f"{route.request.url} (from {route.request.frame.url})")
            await route.abort()

    await context.route("**/*", handle)
    return outside


def test_loopback_is_this_machine() -> None:
    assert on_this_machine("http://127.0.0.1:8000/x") and on_this_machine("http://[::1]/")
    assert on_this_machine("data:image/svg+xml;base64,AA==")
    assert not on_this_machine("https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js")
    assert not on_this_machine("https://fonts.googleapis.com/css?family=Roboto")
    assert not on_this_machine("http://10.0.0.5/")


async def test_no_page_of_any_role_asks_another_machine(
        browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    outside = await catch_outside(context)
    page = await context.new_page()
    await page.goto(f"{server}/login")  # before any login
    await page.wait_for_load_state("networkidle")
    for role, (username, password) in DEMO_LOGINS.items():
        page = await log_in(browser, server, username, password)
        outside += await catch_outside(page.context)
        visited = set()
        async for path in every_page(page, server):
            visited.add(path)
            await page.wait_for_load_state("networkidle")  # images, fonts, what scripts load
        assert REACHED[role] <= visited, f"{role}: the walk missed {REACHED[role] - visited}"
    assert outside == []


async def test_the_api_reference_runs_from_this_machine_under_the_csp(
        browser: Browser, server: str) -> None:
    problems: list[str] = []  # what the browser refused (CSP) or failed to run

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    for viewport in (PHONE, {"width": 1280, "height": 800}):
        context = await browser.new_context(viewport=viewport)
        outside = await catch_outside(context)
        page = await context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda e: problems.append(str(e)))
        response = await page.goto(f"{server}/schema")
        assert response is not None and response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # Redoc drew the document: its title and the operations, from /schema/openapi.json.
        await page.wait_for_selector("h1:has-text('Service appraisal & incentive API')")
        await page.wait_for_selector('text="/api/v1/inspections"', state="attached")
        await page.wait_for_load_state("networkidle")
        assert outside == [] and problems == []
        # Redoc's styles applied (they come with a nonce): the headings use system fonts.
        font = await page.eval_on_selector("h1", "h => getComputedStyle(h).fontFamily")
        assert "Montserrat" not in font and "Noto Sans CJK SC" in font
        await context.close()
