"""Test data, built in one place: the small organisation, evidence bodies, a closed
month, a logged-in page client, CSV uploads and hostile input.

Test modules import what they need from here (or from tests.drawing for PDF and
SVG pictures), never from one another; tests/unit/test_test_layout.py checks it.
Application modules are imported inside the helpers, once the test database is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

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


async def closed_month(client: AsyncClient, org: Org) -> None:
    """A1 excellent (100), A2 good (~85), B1 excellent (96.71); then close."""
    h = org.h("hr")
    for emp, fails in ((org.emp_a1, ()), (org.emp_a2, ("H1", "H2", "H3")),
                       (org.emp_b1, ("V1", "N2"))):
        for day in (3, 4):
            body = inspection(emp, fails if day == 4 else (), day, touchpoint="大堂")
            r = await client.post("/api/v1/inspections", json=body, headers=h)
            assert r.status_code == 201, r.text
    assert (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code == 200


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
