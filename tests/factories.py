"""Test data, built in one place: the small organisation, evidence bodies, a closed
month, a logged-in page client, CSV uploads, hostile input, and for the browser tests
a logged-in page and the walk through every page of a role.

Test modules import what they need from here (or from tests.drawing for PDF and
SVG pictures), never from one another; tests/unit/test_test_layout.py checks it.
Application modules are imported inside the helpers, once the test database is set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import time_machine
from httpx import AsyncClient

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

# --- The small organisation -------------------------------------------------------------

PASSWORD = "correct-horse-1"  # every user of the small organisation has it

_HASH: list[str] = []


async def password_hash() -> str:
    """PASSWORD hashed once per process (Argon2 is slow on purpose)."""
    if not _HASH:
        from appraisal.accounts.security import hash_password

        _HASH.append(await hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class Org:
    """A small organisation: two teams with a supervisor each, HR, admin, employees."""

    team_a: int = 0
    team_b: int = 0
    emp_a1: int = 0
    emp_a2: int = 0
    emp_b1: int = 0
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


async def make_org() -> Org:
    from appraisal import clock as app_clock
    from appraisal.accounts.models import ApiToken, User
    from appraisal.accounts.security import new_token, token_digest
    from appraisal.actor import Role
    from appraisal.staff.models import Employee, Team

    org = Org()
    a = await Team.create(name="前台组 Front desk")
    b = await Team.create(name="客服中心 Call centre")
    org.team_a, org.team_b = a.id, b.id
    a1 = await Employee.create(employee_no="A001", name="张伟", team=a, position="前台接待")
    a2 = await Employee.create(employee_no="A002", name="王芳", team=a, position="前台接待")
    b1 = await Employee.create(employee_no="B001", name="李娜", team=b, position="话务员")
    org.emp_a1, org.emp_a2, org.emp_b1 = a1.id, a2.id, b1.id
    specs = [
        ("admin", Role.admin, None, None),
        ("hr", Role.hr, None, None),
        ("sup_a", Role.supervisor, None, a),
        ("sup_b", Role.supervisor, None, b),
        ("emp_a1", Role.employee, a1, None),
        ("emp_b1", Role.employee, b1, None),
    ]
    expires = app_clock.now() + timedelta(days=400)  # tests may move the clock a year on
    for username, role, emp, team in specs:
        user = await User.create(
            username=username, password_hash=await password_hash(), role=role, employee=emp
        )
        if team is not None:
            await user.supervised_teams.add(team)
        token = new_token()
        await ApiToken.create(token_hash=token_digest(token), user=user, expires_at=expires)
        org.users[username] = user.id
        org.tokens[username] = token
    return org


# --- Inspections -----------------------------------------------------------------------

NOV = "2026-11-05T10:00:00+08:00"  # a weekday in the frozen month
# Every checklist item of the rulebook (criteria/service_standards.toml).
ALL_ITEMS = ["H1", "H2", "H3", "H4", "V1", "V2", "V3", "S1", "S2", "M1", "E1", "E2", "N1", "N2",
             "N3"]


def inspection(emp: int, fails: tuple[str, ...] = (), day: int = 5, **over: Any) -> dict[str, Any]:
    """An inspection body judging every item on 2026-11-`day`: pass, but for `fails`."""
    return {
        "employee_id": emp, "occurred_at": f"2026-11-{day:02d}T10:00:00+08:00",
        "touchpoint": "前台", "method": "onsite",
        "items": [{"code": c, "result": "fail" if c in fails else "pass"} for c in ALL_ITEMS],
    } | over


def mixed_inspection(employee_id: int, **over: Any) -> dict[str, Any]:
    """An inspection body with one item of each kind: a fail, points, n/a and a pass."""
    body = {
        "employee_id": employee_id,
        "occurred_at": NOV,
        "touchpoint": "前台",
        "method": "onsite",
        "items": [{"code": "V1", "result": "fail"}, {"code": "H1", "points": "8"},
                  {"code": "N2", "result": "na"}, {"code": "S1", "result": "pass"}],
        "notes": "<b>未起立</b>",
    }
    body.update(over)
    return body


# --- A closed month --------------------------------------------------------------------

# November's last day is over: it may be closed (SPEC §5). Tests that close it through
# the API move their `clock` here first.
NOVEMBER_OVER = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def closed_month(client: AsyncClient, org: Org) -> None:
    """A1 excellent (100), A2 good (~85), B1 excellent (96.71); then close.

    The close itself happens on the morning after the month (a month closes only once it
    is over); the test then goes on at its own moment, with November closed."""
    from appraisal import clock as app_clock

    h = org.h("hr")
    for emp, fails in ((org.emp_a1, ()), (org.emp_a2, ("H1", "H2", "H3")),
                       (org.emp_b1, ("V1", "N2"))):
        for day in (3, 4):
            body = inspection(emp, fails if day == 4 else (), day, touchpoint="大堂")
            r = await client.post("/api/v1/inspections", json=body, headers=h)
            assert r.status_code == 201, r.text
    with time_machine.travel(max(NOVEMBER_OVER, app_clock.now()), tick=True):
        r = await client.post("/api/v1/periods/2026-11/close", headers=h)
    assert r.status_code == 200, r.text


# --- The pages --------------------------------------------------------------------------


async def log_in(client: AsyncClient, username: str) -> str:
    """Log in through the form; returns the CSRF token the pages' forms carry."""
    await client.get("/login")
    csrf = client.cookies["csrftoken"]
    r = await client.post("/login", data={"csrf": csrf, "username": username,
                                          "password": PASSWORD, "next": ""})
    assert r.status_code == 303, r.text
    return csrf


# --- Survey imports ---------------------------------------------------------------------

SURVEY_HEADER = ("employee_no,received_at,attitude,quality,efficiency,environment,overall,comment,"
                 "external_id")


def csv_file(*rows: str, bom: bool = True) -> bytes:
    """A survey CSV file as a spreadsheet saves it: the header, `rows`, UTF-8 with a BOM."""
    text = "\n".join([SURVEY_HEADER, *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


# --- Hostile input ----------------------------------------------------------------------

# Values put in place of any one JSON field.
HOSTILE: list[Any] = [
    None, "", "x" * 5000, -1, 0, 2**63, -(2**63) - 1, 1.5, 1e308, "NaN", "Infinity", "-0",
    [], {}, [1, "a"], {"a": {"b": []}}, True, "2026-13-45T99:99:99", "\x00", "<script>x</script>",
    "１２", "1e999", "9" * 400,
]
# Whole request bodies sent as application/json.
GARBAGE = [b"", b"null", b"[]", b"{", b'{"a":', b"\xff\xfe", b"1" * 10000, b'"str"']


# --- The browser (tests/browser): the demo organisation in chromium ---------------------

PHONE = {"width": 390, "height": 844}  # the supervisor's phone, the size the pages fit
# The demo organisation's logins (appraisal/demo.py), one of each role.
DEMO_LOGINS = {"hr": ("hr", "hr-demo-1"), "supervisor": ("sup.front", "sup-demo-1"),
               "employee": ("emp.zhang", "emp-demo-1")}
# What a role's walk through its pages reaches at least: a walk that found less proves nothing.
REACHED = {
    "hr": {"/team", "/inspect", "/complaints", "/surveys", "/appeals", "/months", "/imports",
           "/audit"},
    "supervisor": {"/team", "/inspect", "/complaints", "/surveys", "/appeals"},
    "employee": {"/me"},
}
PAGES_OF_A_KIND = 2  # an open and a closed month, say
MOST_PAGES = 60  # a walk visits at most
# Not pages: the API (PDFs, payroll files), the API reference, files, the logout.
NOT_PAGES = re.compile(r"^/(api|schema|static)(/|$)|^/logout$")


async def log_in_browser(browser: Browser, base: str, username: str, password: str) -> Page:
    """A new phone-sized page, logged in through the form, on the page the login leads to."""
    page = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    # Wait for the navigation the login causes, not merely for a quiet network...
    async with page.expect_navigation(url=lambda url: not url.endswith("/login")):
        await page.click("button[type=submit]")
    # ...and for the page it leads to: HTMX pushes the new address just before the swap.
    await page.wait_for_selector("form[action='/logout']")
    return page


def address_kind(url: str) -> str:
    """An address without its numbers and query values: `/months/N-N?done`."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


async def every_page(page: Page, base: str, start: str = "/") -> AsyncIterator[str]:
    """Every page a visitor reaches from `start`, as a person finds them: along the menu
    and every link on the way, PAGES_OF_A_KIND of each kind of address, so that a page
    added later is visited too. Opens each (a full load) and yields its path."""
    queue, queued, kinds = [base + start], {base + start}, Counter[str]()
    visited = 0
    while queue and visited < MOST_PAGES:
        url = queue.pop(0)
        response = await page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        visited += 1
        queued.add(page.url)  # where a redirect led (`/` to the role's start page)
        yield urlsplit(page.url).path
        links = await page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)")
        for link in (link.split("#")[0] for link in links):
            parts = urlsplit(link)
            if (link in queued or not link.startswith(base + "/") or NOT_PAGES.search(parts.path)
                    or "lang" in dict(parse_qsl(parts.query))):  # the language: a cookie
                continue
            queued.add(link)
            if kinds[address_kind(link)] < PAGES_OF_A_KIND:
                kinds[address_kind(link)] += 1
                queue.append(link)


# --- Page forms ------------------------------------------------------------------------


def form_of(html: str, action: str) -> dict[str, str]:
    """What a browser sends for the page's form posting to `action`, untouched: hidden
    fields, text inputs, checked radios, selected options and textareas."""
    found = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert found, f"no form posting to {action}"
    form, sent = found.group(0), {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or ('type="radio"' in tag and " checked" not in tag):
            continue
        if 'type="checkbox"' in tag:
            continue
        sent[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', options)
        sent[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        sent[name] = text
    return sent


def form_key(html: str, action: str) -> str:
    """The hidden idempotency_key of the page's form posting to `action`."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, action
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form.group(0))
    assert found, f"no idempotency_key in the form of {action}"
    return found.group(1)
