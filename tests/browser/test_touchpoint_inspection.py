"""A supervisor on a phone (390×844) records a car-park (停车场) inspection with one
failed check and its photo in a handful of taps; the employee sees the failed check,
its coaching, the photo and the corrective action, marks it done; the supervisor
verifies it and the month's breakdown shows where the point was lost.

The server (tests/browser/conftest.py) runs the demo site on rulebook 2026.2.
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from PIL import Image
from playwright.async_api import Browser, Page

from tests.factories import log_in_browser

GUARD_PASSWORD = "car-park-night-7"
SHOTS = Path(__file__).resolve().parents[1] / "browser" / "screens"


def photo(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 60, 40)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


class Taps:
    """Counts what the supervisor does with a finger: taps and picks, not typing."""

    def __init__(self, page: Page) -> None:
        self.page, self.n = page, 0

    async def tap(self, selector: str) -> None:
        self.n += 1
        await self.page.click(selector)

    async def pick(self, selector: str, **option: object) -> None:
        self.n += 1
        await self.page.select_option(selector, **option)  # type: ignore[arg-type]


async def guard_login(server: str) -> tuple[int, str]:
    """HR gives a 安全员 of the demo a login (through the API), so that the employee's
    side can be seen too."""
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post("/api/v1/auth/login", json={"username": "hr", "password": "hr-demo-1"})
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        staff = (await api.get("/api/v1/employees", headers=h)).json()
        guard = next(e for e in staff if e["position"] == "安全员")
        r = await api.post("/api/v1/users", headers=h, json={
            "username": "guard.one", "password": "guard-demo-12", "role": "employee",
            "employee_id": guard["id"]})
        assert r.status_code == 201, r.text
        # A login HR made must change its password first.
        r = await api.post("/api/v1/auth/login", json={"username": "guard.one",
                                                       "password": "guard-demo-12"})
        assert r.json().get("must_change_password") is True
        r = await api.post("/api/v1/auth/password", json={
            "current": "guard-demo-12", "new": GUARD_PASSWORD},
            headers={"Authorization": f"Bearer {r.json()['token']}"})
        assert r.status_code in (200, 204), r.text
        return guard["id"], guard["name"]


async def test_a_car_park_inspection_with_a_photo_in_a_few_taps(
        browser: Browser, server: str, tmp_path: Path) -> None:
    guard_id, guard_name = await guard_login(server)
    sup = await log_in_browser(browser, server, "sup.security", "sup-demo-1")
    taps = Taps(sup)
    await taps.tap("nav a[href='/inspect']")
    await sup.wait_for_selector("select#employee_id")
    await taps.pick("select#employee_id", value=str(guard_id))
    await taps.tap("form[action='/inspect'] button[type=submit]")
    # The guard's usual touchpoints come first; the car park is one of them.
    await sup.wait_for_selector("ul.places")
    usual = sup.locator("ul.places.usual a", has_text="停车场")
    assert await usual.count() == 1
    await taps.tap("ul.places.usual a:has-text('停车场')")
    await sup.wait_for_selector("fieldset.item")
    # Only the car park's checks: no standing-up item.
    assert await sup.locator("input[name='item-S1']").count() == 0
    await taps.tap("label[for='i-CP3-fail']")
    camera = sup.locator("input#photo-CP3")
    assert await camera.get_attribute("capture") == "environment"
    assert await camera.is_visible()  # offered once the check is failed
    await camera.set_input_files(str(photo(tmp_path / "fire.jpg")))
    taps.n += 1  # the shutter
    await taps.tap("form[action='/inspect'] button.primary")
    await sup.wait_for_selector("p.done")
    saved = await sup.inner_text("p.done")
    assert "1 张照片" in saved, saved
    SHOTS.mkdir(parents=True, exist_ok=True)
    await sup.screenshot(path=str(SHOTS / "inspect-car-park-390.png"), full_page=False)
    # Nine taps in all: at a couple of seconds a tap, well under half a minute.
    assert taps.n <= 9, taps.n

    # The guard sees the failed check, its coaching, the photo and the action.
    emp = await log_in_browser(browser, server, "guard.one", GUARD_PASSWORD)
    await emp.goto(f"{server}/me")
    text = await emp.inner_text("main")
    assert "消防器材" in text and "待整改" in text, text[:400]
    assert await emp.locator("img[src*='/api/v1/photos/']").count() >= 1
    await emp.screenshot(path=str(SHOTS / "me-action-390.png"), full_page=True)
    form = emp.locator("li.action form[action$='/done']").first
    await form.locator("input[name=note]").fill("已补齐灭火器并除锈")
    await form.locator("button").click()
    await emp.wait_for_selector("p.done, .done")

    # The supervisor checks it: verified.
    await sup.goto(f"{server}/actions")
    card = sup.locator("li.action", has_text="已补齐灭火器并除锈")
    await card.locator("button[value=yes]").click()
    await sup.wait_for_selector("li.action.verified, h2:has-text('验收通过')")
    assert "已验收" in await sup.inner_text("main")

    # HR's breakdown of the month shows the point lost at the car park.
    hr = await log_in_browser(browser, server, "hr", "hr-demo-1")
    await hr.goto(f"{server}/months/2026-11/employees/{guard_id}")
    shown = await hr.inner_text("main")
    assert "停车场" in shown and "CP3" in shown and guard_name in shown
