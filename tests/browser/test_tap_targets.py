"""On a phone (390×844) every page is used with a thumb: whatever one taps is at least
44×44 px, and no page is wider than the screen. Every page of each role is measured
(tests.factories.every_page walks them), the supervisor's in English too."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page

from tests.factories import DEMO_LOGINS, PHONE, REACHED, every_page
from tests.factories import log_in_browser as log_in

SMALLEST = 44  # px, each way (WCAG 2.5.5)
# What one taps, as measured: a checkbox or radio by its label when it has one (the
# label takes the tap), so is an input drawn by its label (the one-tap checklists).
SMALL_TARGETS = """(smallest) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const targets = new Set();
  const picked = 'a[href], button, select, textarea, summary, input:not([type=hidden])';
  for (const el of document.querySelectorAll(picked)) {
    const byLabel = el.type === 'checkbox' || el.type === 'radio'
      || getComputedStyle(el).opacity === '0';
    if (byLabel && el.labels && el.labels.length) el.labels.forEach(l => targets.add(l));
    else targets.add(el);
  }
  const name = el => {
    const classes = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const attrs = ['id', 'href', 'for', 'name', 'type'].filter(a => el.getAttribute(a))
      .map(a => `[${a}="${el.getAttribute(a)}"]`).join('');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
    return `${el.tagName.toLowerCase()}${classes}${attrs} "${text}"`;
  };
  const small = [];
  for (const el of targets) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.display === 'none' || style.visibility === 'hidden' || !box.width || !box.height)
      continue;
    if (box.width < smallest - 0.01 || box.height < smallest - 0.01)
      small.push(`${name(el)} ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
  }
  return small;
}"""
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# Table headers of one short CJK word ("状态", "服务态度") set on one line, not "状/态".
BROKEN_HEADERS = """() => [...document.querySelectorAll('th')].filter(th => {
  const text = th.innerText.trim();
  if (!/^[\\u2e80-\\u9fff]{2,4}$/.test(text) || !th.getClientRects().length) return false;
  const range = document.createRange();
  range.selectNodeContents(th);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return lines.size > 1;
}).map(th => th.innerText.trim())"""


async def _measure(page: Page, path: str, small: dict[str, str], wide: list[str],
                   broken: list[str] | None = None) -> None:
    for target in await page.evaluate(SMALL_TARGETS, SMALLEST):
        small.setdefault(re.sub(r"\d+", "N", target), f"{target} on {path}")
    if (width := await page.evaluate(PAGE_WIDTH)) > PHONE["width"]:
        wide.append(f"{path} is {width} px wide")
    if broken is not None and (headers := await page.evaluate(BROKEN_HEADERS)):
        broken.append(f"{path}: {headers}")


@pytest.mark.parametrize(("role", "lang"), [
    ("supervisor", "zh"), ("supervisor", "en"), ("hr", "zh"), ("hr", "en"),
    ("employee", "zh"), ("employee", "en")])
async def test_every_tap_target_is_44_px_on_a_phone(
        browser: Browser, server: str, role: str, lang: str) -> None:
    page = await log_in(browser, server, *DEMO_LOGINS[role])
    if lang == "en":
        await page.context.add_cookies([{"name": "lang", "value": "en", "url": server}])
    small: dict[str, str] = {}  # one line per kind of element
    wide: list[str] = []
    broken: list[str] = []  # English pages too: a closed month's ranking was 442 px wide
    visited = set()
    async for path in every_page(page, server):
        visited.add(path)
        await _measure(page, path, small, wide, broken)
    assert REACHED[role] <= visited, f"the walk missed {REACHED[role] - visited}"
    assert not small, "smaller than 44×44 px at 390×844:\n" + "\n".join(sorted(small.values()))
    assert not wide, "wider than the phone:\n" + "\n".join(wide)
    assert not broken, "table headers broken inside a word:\n" + "\n".join(broken)


async def test_the_login_and_error_pages_too(browser: Browser, server: str) -> None:
    small: dict[str, str] = {}
    wide: list[str] = []
    page = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await page.goto(f"{server}/login")
    await _measure(page, "/login", small, wide)
    page = await log_in(browser, server, *DEMO_LOGINS["supervisor"])
    for path, status in (("/months", 403), ("/no-such-page", 404)):  # an HR page; nothing
        response = await page.goto(server + path)
        assert response is not None and response.status == status
        await _measure(page, path, small, wide)
    assert not small, "smaller than 44×44 px at 390×844:\n" + "\n".join(sorted(small.values()))
    assert not wide, "wider than the phone:\n" + "\n".join(wide)


async def test_the_team_on_a_phone_one_line_a_team_and_zero_for_none(
        browser: Browser, server: str) -> None:
    page = await log_in(browser, server, *DEMO_LOGINS["supervisor"])
    assert page.url.endswith("/team")
    lines = await page.eval_on_selector_all(
        "td.team", "cells => cells.map(c => c.getBoundingClientRect().height"
                   " / parseFloat(getComputedStyle(c).lineHeight))")
    assert lines and max(lines) < 1.5, lines  # "前台礼宾部" wrapped onto three lines before
    counts = await page.eval_on_selector_all(
        "td[data-label]", "cells => cells.map(c => c.textContent.trim())")
    assert counts and all(re.match(r"^\d+\b", c) for c in counts), counts
    assert "0" in counts  # an employee without complaints this month shows 0, not a blank
