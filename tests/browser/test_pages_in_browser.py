"""The pages in a real browser (Debian's chromium driven by Playwright): what only a
browser shows, such as HTMX swapping pages in place and the one-tap checklist.

The server runs as a user would start it (`appraisal serve`), on its own
SQLite file with the demo organisation and last month closed and published.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import BACKEND

# The server keeps its own SQLite file: once is enough, whichever backend the suite runs.
pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="server on its own SQLite file")
CHROMIUM = shutil.which("chromium")
PHONE = {"width": 390, "height": 844}
FROZEN_CLI = "tests.browser.frozen_cli"  # the CLI at the suite's frozen moment


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "DATABASE_URL": f"sqlite://{folder / 'app.sqlite3'}",
           "APPRAISAL_REPORTS_DIR": str(folder / "reports")}

    root = Path(__file__).resolve().parents[2]  # where `-m tests...` resolves

    def cli(*args: str) -> None:
        subprocess.run([sys.executable, "-m", FROZEN_CLI, *args], env=env, cwd=root, check=True,
                       capture_output=True, timeout=300)

    cli("migrate")
    cli("demo")
    cli("close")  # last month
    cli("publish")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", FROZEN_CLI, "serve", "--port", str(port)],
                            env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM, (
        "chromium is needed for the browser tests: `make test` installs it as root, "
        "otherwise run `sudo apt-get install -y chromium`")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        await b.close()


async def log_in(browser: Browser, base: str, username: str, password: str) -> Page:
    page = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    # Wait for the navigation the login causes, not merely for a quiet network.
    async with page.expect_navigation(url=lambda url: not url.endswith("/login")):
        await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def test_supervisor_records_an_inspection_in_taps(browser: Browser, server: str) -> None:
    page = await log_in(browser, server, "sup.front", "sup-demo-1")
    assert page.url.endswith("/team")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    await page.click("table a[href^='/inspect?employee_id=']")  # the first employee's row
    await page.wait_for_selector("#i-V1-fail", state="attached")
    await page.click("label[for=i-V1-fail]")
    await page.click("label[for=i-N1-na]")
    # One tap turned the item red; the page's own styles survived HTMX's swap.
    colour = await page.eval_on_selector(
        "label[for=i-V1-fail]", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    await page.click("button.primary")
    await page.wait_for_selector(".done")
    assert "1 项不合格" in await page.inner_text(".done")
    assert loads == []  # swapped in place by HTMX, never reloaded


async def test_employee_reads_charts_and_acknowledges(browser: Browser, server: str) -> None:
    page = await log_in(browser, server, "emp.zhang", "emp-demo-1")
    assert page.url.endswith("/me")
    widths = await page.eval_on_selector_all(".charts img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths)  # both charts drawn
    await page.click("text=确认考核结果")
    await page.wait_for_selector(".done")
    assert "考核结果已确认" in await page.inner_text(".done")
    await page.click("text=English")
    await page.wait_for_selector("text=My appraisals")
    assert "Acknowledged on" in await page.inner_text("main")
