"""The rules are open to everyone they judge (SPEC §2): the rulebooks as JSON and the
/standards page; and HR pins a new month to a rulebook version (SPEC §5)."""

from __future__ import annotations

import hashlib

from httpx import AsyncClient

from appraisal.audit.models import AuditEntry
from appraisal.periods.models import Period
from appraisal.rulebook import CRITERIA_DIR
from tests.factories import Org, form_of, log_in

ROLES = ("admin", "hr", "sup_a", "emp_a1")
SECTIONS = {"version", "name", "name_zh", "effective_from", "content_hash", "dimensions", "items",
            "touchpoints", "survey", "scoring", "complaints", "commendations", "grades",
            "rectification"}


def sha256(name: str) -> str:
    return hashlib.sha256((CRITERIA_DIR / name).read_bytes()).hexdigest()


# --- GET /api/v1/rulebooks ----------------------------------------------------------


async def test_every_logged_in_user_lists_the_versions(client: AsyncClient, org: Org) -> None:
    for who in ROLES:
        r = await client.get("/api/v1/rulebooks", headers=org.h(who))
        assert r.status_code == 200, (who, r.text)
        assert r.json() == [
            {"version": "2026.2", "effective_from": "2026-12",
             "content_hash": sha256("service_standards_2026_2.toml")},
            {"version": "2026.1", "effective_from": "2026-01",
             "content_hash": sha256("service_standards.toml")},
        ]


async def test_no_login_no_rules(client: AsyncClient) -> None:
    for path in ("/api/v1/rulebooks", "/api/v1/rulebooks/2026.1"):
        r = await client.get(path)
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_rulebook_2026_1_as_json(client: AsyncClient, org: Org) -> None:
    r = await client.get("/api/v1/rulebooks/2026.1", headers=org.h("emp_a1"))
    assert r.status_code == 200
    book = r.json()
    assert set(book) == SECTIONS
    assert book["touchpoints"] == [] and book["rectification"] is None
    assert book["dimensions"][0] == {"code": "attitude", "name_zh": "服务态度",
                                     "name_en": "Service attitude", "weight": "25"}
    assert [i["code"] for i in book["items"]][:3] == ["H1", "H2", "H3"] and len(book["items"]) == 15
    v1 = next(i for i in book["items"] if i["code"] == "V1")
    assert set(v1) == {"code", "group", "standard_zh", "standard_en", "dimension", "points",
                       "coaching_zh", "coaching_en", "rectify"}
    assert (v1["group"], v1["points"], v1["rectify"]) == ("三声", "5", False)
    assert book["survey"]["scale_min"] == 1 and book["survey"]["scale_max"] == 5
    assert book["survey"]["questions"][-1] == {"code": "overall", "dimension": None}
    assert book["scoring"] == {"source_weights": {"inspection": "0.6", "survey": "0.4"},
                               "survey_prior_weight": "5", "min_inspections": 2}
    assert book["complaints"] == {"deductions": {"minor": "2", "major": "5", "critical": "10"},
                                  "veto_severities": ["critical"], "late_response_hours": 24,
                                  "late_response_points": "1"}
    assert book["commendations"] == {"points": "2", "max_points": "5"}
    assert book["grades"] == [
        {"code": "excellent", "name_zh": "优秀", "min_score": "90", "coefficient": "1.5"},
        {"code": "good", "name_zh": "良好", "min_score": "80", "coefficient": "1.2"},
        {"code": "pass", "name_zh": "合格", "min_score": "60", "coefficient": "1.0"},
        {"code": "needs_improvement", "name_zh": "待改进", "min_score": None, "coefficient": "0"},
    ]


async def test_rulebook_2026_2_as_json(client: AsyncClient, org: Org) -> None:
    book = (await client.get("/api/v1/rulebooks/2026.2", headers=org.h("sup_a"))).json()
    assert set(book) == SECTIONS
    assert len(book["touchpoints"]) == 17
    phone = next(t for t in book["touchpoints"] if t["code"] == "telephone")
    assert phone["name_zh"] == "电话" and phone["posts"] == ["客服话务员"]
    assert "TL1" in phone["items"] and "S1" not in phone["items"]
    codes = {i["code"] for i in book["items"]}
    assert all(set(t["items"]) <= codes for t in book["touchpoints"])
    assert any(i["rectify"] for i in book["items"])
    assert book["rectification"] == {"due_hours": 24, "overdue_points": "1"}
    # the deadlines, under the file's own keys; no late-response point any more
    assert book["complaints"] == {
        "deductions": {"minor": "2", "major": "5", "critical": "10"},
        "veto_severities": ["critical"], "first_response_hours": 24,
        "resolve_working_days": 2, "update_every_hours": 24, "return_visit_days": 3,
        "missed_deadline_points": "1"}


async def test_unknown_version_is_a_404_problem(client: AsyncClient, org: Org) -> None:
    r = await client.get("/api/v1/rulebooks/2031.9", headers=org.h("emp_a1"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "rulebook_not_found"
    assert r.json()["params"] == {"version": "2031.9"}
    r = await client.get("/api/v1/rulebooks/" + "9" * 40, headers=org.h("emp_a1"))
    assert 400 <= r.status_code < 500


# --- POST /api/v1/periods with a version ---------------------------------------------


async def test_a_month_pinned_to_a_chosen_version(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    r = await client.post("/api/v1/periods", headers=h,
                          json={"month": "2026-10", "rulebook_version": "2026.2"})
    assert r.status_code == 201, r.text
    assert (r.json()["rulebook_version"], r.json()["rulebook_hash"]) == (
        "2026.2", sha256("service_standards_2026_2.toml"))
    entry = await AuditEntry.get(entity="period", entity_id="2026-10")
    assert entry.action == "create" and entry.after["rulebook_version"] == "2026.2"
    # an older version for a later month, too
    r = await client.post("/api/v1/periods", headers=h,
                          json={"month": "2027-01", "rulebook_version": "2026.1"})
    assert r.status_code == 201 and r.json()["rulebook_version"] == "2026.1"


async def test_without_a_version_the_one_in_effect(client: AsyncClient, org: Org) -> None:
    h = org.h("hr")
    for month, version in (("2026-10", "2026.1"), ("2026-12", "2026.2"), ("2027-03", "2026.2")):
        r = await client.post("/api/v1/periods", headers=h, json={"month": month})
        assert r.status_code == 201 and r.json()["rulebook_version"] == version, month
    r = await client.post("/api/v1/periods", headers=h,
                          json={"month": "2027-04", "rulebook_version": None})
    assert r.status_code == 201 and r.json()["rulebook_version"] == "2026.2"


async def test_unknown_version_refused_naming_the_field(client: AsyncClient, org: Org) -> None:
    before = await AuditEntry.all().count()
    r = await client.post("/api/v1/periods", headers=org.h("hr"),
                          json={"month": "2026-10", "rulebook_version": "2025.9"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "unknown_rulebook_version"
    assert problem["errors"][0]["field"] == "rulebook_version"
    assert problem["params"]["known"] == "2026.1, 2026.2"
    assert "2026.1, 2026.2" in problem["detail"]
    for bad in ("", "x" * 33, 7):
        r = await client.post("/api/v1/periods", headers=org.h("hr"),
                              json={"month": "2026-10", "rulebook_version": bad})
        assert r.status_code == 422, bad
    assert not await Period.filter(month="2026-10").exists()
    assert await AuditEntry.all().count() == before


# --- the months page ------------------------------------------------------------------


async def test_months_page_opens_a_month_with_a_version(client: AsyncClient, org: Org) -> None:
    await log_in(client, "hr")
    page = (await client.get("/months")).text
    sent = form_of(page, "/months")
    assert sent["month"] == "2026-12" and sent["rulebook_version"] == ""  # the one in effect
    assert '<option value="2026.1"' in page and '<option value="2026.2"' in page
    assert "该月施行的版本 (2026-12: 2026.2)" in page
    r = await client.post("/months", data={**sent, "month": "2026-09",
                                           "rulebook_version": "2026.2"})
    assert r.status_code == 303 and r.headers["location"] == "/months/2026-09"
    assert (await Period.get(month="2026-09")).rulebook_version == "2026.2"
    # by default: the version in effect for the month typed
    page = (await client.get("/months")).text
    r = await client.post("/months", data={**form_of(page, "/months"), "month": "2026-08"})
    assert r.status_code == 303
    assert (await Period.get(month="2026-08")).rulebook_version == "2026.1"


async def test_months_page_refuses_an_unknown_version(client: AsyncClient, org: Org) -> None:
    await log_in(client, "hr")
    sent = form_of((await client.get("/months")).text, "/months")
    r = await client.post("/months", data={**sent, "month": "2026-09",
                                           "rulebook_version": "1999.1"})
    assert r.status_code == 422
    assert "没有 1999.1 版考核规则（现有：2026.1, 2026.2）" in r.text
    assert 'value="2026-09"' in r.text  # what was typed is kept
    assert not await Period.filter(month="2026-09").exists()
    r = await client.post("/months", data={**sent, "month": "2026-13"})
    assert r.status_code == 422 and not await Period.filter(month="2026-13").exists()


async def test_months_page_is_hr_only(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    csrf = client.cookies["csrftoken"]
    r = await client.post("/months", data={"csrf": csrf, "month": "2026-09"})
    assert r.status_code == 403
    assert not await Period.filter(month="2026-09").exists()


# --- the /standards page -------------------------------------------------------------


async def test_everyone_reads_the_standards(client: AsyncClient, org: Org) -> None:
    for who in ROLES:
        client.cookies.clear()
        await log_in(client, who)
        page = (await client.get("/me" if who == "emp_a1" else "/team")).text
        assert '<a href="/standards">服务标准</a>' in page, who
        r = await client.get("/standards")
        assert r.status_code == 200, who
        # November pins 2026.1: its items by group, no touchpoints
        assert "<h2>四心</h2>" in r.text and "接待热心" in r.text
        assert "本月" in r.text and 'id="tp-' not in r.text


async def test_standards_by_touchpoint(client: AsyncClient, org: Org) -> None:
    await log_in(client, "emp_a1")
    page = (await client.get("/standards?version=2026.2")).text
    places = [p for p in ("tp-pedestrian_gate", "tp-car_park", "tp-lift", "tp-front_desk",
                          "tp-telephone", "tp-service_counter")]
    at = [page.index(f'id="{p}"') for p in places]
    assert at == sorted(at)
    car_park = page[page.index('id="tp-car_park"'):page.index('id="tp-boundary_wall"')]
    assert "车到人到" in car_park and "消防器材齐备" in car_park and "不合格需整改" in car_park
    phone = page[page.index('id="tp-telephone"'):page.index('id="tp-service_counter"')]
    assert "铃响三声内接听" in phone and 'href="#item-E1"' in phone
    assert 'href="#item-S1"' not in phone
    assert page.count('id="item-N2"') == 1  # shared items: in full once
    assert "发不过耳" not in page and "不盖住耳朵" in page
    english = (await client.get("/standards?version=2026.2&lang=en")).text
    assert "Car park" in english and "An attendant is there when a car arrives" in english
    assert "车到人到" not in english


async def test_unknown_version_shows_this_months(client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    r = await client.get("/standards?version=nope")
    assert r.status_code == 200
    assert "没有 nope 版考核规则" in r.text and "<h2>四心</h2>" in r.text


async def test_standards_need_a_login(client: AsyncClient) -> None:
    r = await client.get("/standards")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# --- the inspection form and the month an inspection is dated in ---------------------


async def test_inspection_form_dated_out_of_range_is_refused_not_failed(
        client: AsyncClient, org: Org) -> None:
    await log_in(client, "sup_a")
    sent = form_of((await client.get("/inspect")).text, "/inspect")
    for when in ("0001-01-01T00:00", "not a time"):
        r = await client.post("/inspect", data={**sent, "employee_id": str(org.emp_a1),
                                                "occurred_at": when})
        assert r.status_code == 422, (when, r.status_code)
