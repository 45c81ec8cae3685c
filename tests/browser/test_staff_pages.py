"""HR's staff pages in a real browser (chromium driven by Playwright): a crew of 30 is
onboarded from one CSV, the one login it makes is used with its one-time password and
changed at once; a leaver is marked, evidence dated after their last day is refused on
the page, and their history stays.

The server (tests/browser/conftest.py) has the demo organisation at the frozen moment,
2026-11-20 15:00 in Asia/Shanghai.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Browser

from tests.factories import log_in_browser


def crew_csv(folder: Path) -> Path:
    rows = ["employee_no,name,team,position,hired_on,left_on,username,role"]
    for n in range(1, 31):
        login = "new.cleaner" if n == 1 else ""
        rows.append(f"N{n:03d},新员工{n:02d},夜班保洁组,保洁员,2026-11-16,,{login},")
    path = folder / "crew.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_onboarding_thirty_from_one_file(browser: Browser, server: str,
                                               tmp_path: Path) -> None:
    hr = await log_in_browser(browser, server, "hr", "hr-demo-1")
    await hr.goto(f"{server}/imports")
    await hr.set_input_files("#staff_file", str(crew_csv(tmp_path)))
    await hr.check("input[name=create_teams]")
    async with hr.expect_navigation():
        await hr.click("form[action='/imports/employees'] button.primary")
    done = await hr.inner_text("main .done")
    assert "新增 30 人" in done and "夜班保洁组" in done
    cells = hr.locator("table.logins-made tbody tr td")
    assert await cells.nth(2).inner_text() == "new.cleaner"
    once = (await cells.nth(4).inner_text()).strip()
    assert len(once) >= 10
    # The sheet to hand the passwords over is offered for download right away.
    async with hr.expect_download() as download:
        await hr.click("form[action='/imports/employees/logins.csv'] button")
    saved = await (await download.value).path()
    sheet = (await asyncio.to_thread(Path(saved).read_bytes)).decode("utf-8-sig")
    assert f"N001,新员工01,new.cleaner,employee,{once}" in sheet
    # The 30 are on the staff list, in their new team.
    await hr.goto(f"{server}/staff?q=新员工")
    assert "30 名员工" in await hr.inner_text("main")

    # The new cleaner logs in with the one-time password and must choose their own.
    me = await log_in_browser(browser, server, "new.cleaner", once)
    assert me.url.endswith("/password")
    await me.goto(f"{server}/me")
    assert me.url.endswith("/password")  # nothing else until it is changed
    await me.fill("#current", once)
    await me.fill("#new", "my-own-cleaner-pass")
    await me.fill("#repeat", "my-own-cleaner-pass")
    async with me.expect_navigation(url=lambda url: url.endswith("/me")):
        await me.click("main button.primary")
    await me.wait_for_selector("main h1")
    assert me.url.endswith("/me")


async def test_a_leaver_keeps_their_history(browser: Browser, server: str) -> None:
    hr = await log_in_browser(browser, server, "hr", "hr-demo-1")
    await hr.goto(f"{server}/staff?q=E1003")
    await hr.click("main table a[href^='/staff/']")
    await hr.wait_for_url(re.compile(r"/staff/\d+$"))  # HTMX swaps the page in place
    await hr.wait_for_selector("#leave_on")
    employee_page = hr.url
    name = (await hr.inner_text("main h1")).split()[0]
    await hr.fill("#leave_on", "2026-11-10")
    async with hr.expect_navigation(url=lambda url: "saved=1" in url):
        await hr.click("main button.danger")
    assert "2026-11-10" in await hr.inner_text("main")

    # Evidence after the last day is refused on the page, naming the employee.
    await hr.goto(f"{server}/commendations")
    await hr.select_option("#employee_id", label=await hr.locator(
        "#employee_id option", has_text=name).first.inner_text())
    await hr.fill("#received_at", "2026-11-12T10:00")
    await hr.fill("#source", "锦旗")
    async with hr.expect_response(lambda r: r.url.endswith("/commendations")
                                  and r.request.method == "POST") as answer:
        await hr.click("main form[action='/commendations'] button.primary")
    assert (await answer.value).status == 422
    error = await hr.inner_text("main .error")
    assert "离职" in error and "2026-11-10" in error

    # Their history stays: the months with their evidence, their team, on their page.
    await hr.goto(employee_page)
    history = hr.locator("main table.history tbody tr")
    assert await history.count() >= 2
    assert "2026-10" in await hr.inner_text("main table.history")
    await hr.goto(f"{server}/staff?state=left")
    assert name in await hr.inner_text("main table")
