"""Rulebook 2026.2 (SPEC §2.2): 2026.1 plus checklists per touchpoint, corrective
actions and complaint deadlines."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from appraisal.rulebook import RuleBook, load_rulebook
from appraisal.rulebook.model import ComplaintDeadlines, Rectification

CRITERIA = Path(__file__).resolve().parents[2] / "criteria"
BEHAVIOUR = ("H1", "H2", "H3", "H4", "V1", "V2", "V3", "S1", "S2", "M1", "E1", "E2",
             "N1", "N2", "N3")
TOUCHPOINTS = [
    ("pedestrian_gate", "人行出入口"), ("vehicle_gate", "车行出入口"), ("roads", "道路广场"),
    ("water_feature", "水景"), ("car_park", "停车场"), ("boundary_wall", "围墙"),
    ("notice_board", "宣传栏"), ("unit_door", "苑门单元门"), ("courtyard", "苑落内"),
    ("bins", "垃圾筒"), ("lobby", "大堂(电梯厅)"), ("lift", "电梯内"), ("corridor", "楼道"),
    ("shops", "商铺"), ("front_desk", "前台"), ("telephone", "电话"),
    ("service_counter", "客服中心"),
]
POSTS = {"安全员", "保洁员", "前台接待", "客服话务员", "工程维修"}


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook(CRITERIA / "service_standards_2026_2.toml")


@pytest.fixture(scope="module")
def old() -> RuleBook:
    return load_rulebook(CRITERIA / "service_standards.toml")


def own(book: RuleBook, code: str) -> list[str]:
    return [c for c in book.touchpoint(code).items if c not in BEHAVIOUR]


def test_identity(book: RuleBook) -> None:
    assert (book.version, book.effective_from) == ("2026.2", "2026-12")


def test_seventeen_touchpoints_in_order(book: RuleBook) -> None:
    assert [(t.code, t.name_zh) for t in book.touchpoints] == TOUCHPOINTS
    for t in book.touchpoints:
        assert t.name_en.strip() and t.name_en.isascii(), t.code
        assert set(t.posts) <= POSTS, t.code


def test_each_touchpoint_has_its_own_checks(book: RuleBook) -> None:
    for t in book.touchpoints:
        mine = own(book, t.code)
        assert len(mine) >= 3, t.code
        prefixes = {re.fullmatch(r"([A-Z]{2})\d+", c).group(1) for c in mine}  # type: ignore[union-attr]
        assert len(prefixes) == 1, (t.code, mine)
        for code in mine:
            item = book.item(code)
            assert item.group == t.name_zh, code
            assert item.points in (Decimal(5), Decimal(10)), code
        # a touchpoint's own checks are its own: no other touchpoint lists them
        others = {c for o in book.touchpoints if o is not t for c in o.items}
        assert not set(mine) & others, t.code


def test_every_item_is_reachable_and_written_in_both_languages(book: RuleBook) -> None:
    reached = {c for t in book.touchpoints for c in t.items}
    assert reached == set(book.item_codes)
    for item in book.items:
        for text in (item.standard_zh, item.standard_en, item.coaching_zh, item.coaching_en):
            assert text.strip(), item.code
        assert re.search(r"[\u4e00-\u9fff]", item.standard_zh + item.coaching_zh), item.code
        assert not re.search(r"[\u4e00-\u9fff]", item.standard_en + item.coaching_en), item.code


def test_behaviour_items_kept_codes_points_and_dimensions(book: RuleBook, old: RuleBook) -> None:
    assert book.item_codes[:15] == BEHAVIOUR == old.item_codes
    for code in BEHAVIOUR:
        a, b = old.item(code), book.item(code)
        assert (a.group, a.dimension, a.points) == (b.group, b.dimension, b.points), code
        assert not b.rectify, code  # behaviour is coached, never "rectified"
        if code not in ("N2", "N3"):
            assert a == b, code


def test_n2_coaching_says_what_the_standard_says(book: RuleBook, old: RuleBook) -> None:
    n2 = book.item("N2")
    assert "淡妆" in old.item("N2").coaching_zh and "淡妆" not in n2.coaching_zh
    assert "make-up" not in n2.coaching_en
    assert "耳" in n2.coaching_zh and "脸" in n2.coaching_zh
    assert "ears" in n2.coaching_en and "face" in n2.coaching_en


def test_n3_is_the_employees_own_post(book: RuleBook) -> None:
    n3 = book.item("N3")
    assert "岗位" in n3.standard_zh and "own post" in n3.standard_en.lower()


def test_which_behaviour_each_touchpoint_can_observe(book: RuleBook) -> None:
    behaviour = {t.code: {c for c in t.items if c in BEHAVIOUR} for t in book.touchpoints}
    # nobody sees a caller's standing, badge or grooming
    assert behaviour["telephone"] == {"H1", "H2", "H3", "H4", "V1", "V2", "V3", "E1", "E2"}
    assert behaviour["front_desk"] == behaviour["service_counter"] == set(BEHAVIOUR)
    for gate in ("pedestrian_gate", "vehicle_gate"):
        assert {"V1", "S1", "M1", "N2"} <= behaviour[gate] <= {"V1", "V2", "S1", "M1", "N2", "N3"}
    for place in ("water_feature", "boundary_wall", "notice_board", "bins"):
        assert behaviour[place] == set(), place


def test_posts(book: RuleBook) -> None:
    posts = {t.code: set(t.posts) for t in book.touchpoints}
    for code in ("pedestrian_gate", "vehicle_gate", "car_park"):
        assert "安全员" in posts[code]
    for code in ("bins", "corridor", "courtyard", "roads"):
        assert "保洁员" in posts[code]
    for code in ("lift", "water_feature"):
        assert "工程维修" in posts[code]
    assert "前台接待" in posts["front_desk"] and "前台接待" in posts["service_counter"]
    assert posts["telephone"] == {"客服话务员"}
    assert next(t.code for t in book.touchpoints_for_post("客服话务员")) == "telephone"


def test_the_seeds_named_checks_are_there(book: RuleBook) -> None:
    def find(touchpoint: str, *words: str) -> list[str]:
        return [c for c in own(book, touchpoint)
                if all(w in book.item(c).standard_zh for w in words)]

    (arrive,) = find("car_park", "车到人到")
    assert book.item(arrive).dimension == "efficiency"
    (fire,) = find("car_park", "消防器材")
    assert book.item(fire).rectify and "锈蚀" in book.item(fire).standard_zh
    (cert,) = find("lift", "年检合格证")
    assert book.item(cert).rectify and "有效期" in book.item(cert).standard_zh
    assert find("corridor", "消防栓箱")
    (smile,) = find("front_desk", "见面微笑", "主动问好", "起身服务")
    assert book.item(smile).dimension == "attitude" and not book.item(smile).rectify
    (step_aside,) = find("corridor", "暂停", "让行")
    assert book.item(step_aside).dimension in ("attitude", "quality")
    phone = {c: book.item(c).standard_zh for c in own(book, "telephone")}
    for words in ("三声", "公司名称", "帮", "转接", "第二个工作日", "约定时间", "先挂机"):
        assert any(words in s for s in phone.values()), words
    assert not any(book.item(c).rectify for c in phone)


def test_dimensions_of_the_new_checks(book: RuleBook) -> None:
    for item in book.items:
        if item.rectify:  # facilities and safety
            assert item.dimension in ("measures", "environment"), item.code
    speed = [i.code for i in book.items if i.dimension == "efficiency"]
    assert {"E1", "E2"} < set(speed)


def test_everything_else_is_2026_1(book: RuleBook, old: RuleBook) -> None:
    assert book.dimensions == old.dimensions
    assert (book.survey_questions, book.survey_scale) == (old.survey_questions, old.survey_scale)
    assert dict(book.source_weights) == dict(old.source_weights)
    assert (book.survey_prior_weight, book.min_inspections) == (
        old.survey_prior_weight, old.min_inspections)
    assert dict(book.complaint_deductions) == dict(old.complaint_deductions)
    assert book.veto_severities == old.veto_severities
    assert (book.commendation_points, book.commendation_max_points) == (
        old.commendation_points, old.commendation_max_points)
    assert book.grade_thresholds == old.grade_thresholds
    assert dict(book.incentive_coefficients) == dict(old.incentive_coefficients)
    assert dict(book.grade_names) == dict(old.grade_names)


def test_rectification_and_deadlines(book: RuleBook) -> None:
    assert book.rectification == Rectification(due_hours=24, overdue_points=Decimal(1))
    assert book.complaint_deadlines == ComplaintDeadlines(
        first_response_hours=24, resolve_working_days=2, update_every_hours=24,
        return_visit_days=3, missed_deadline_points=Decimal(1))
    text = (CRITERIA / "service_standards_2026_2.toml").read_text("utf-8")
    assert "late_response" not in text.split("[complaints]")[1].split("[commendations]")[0]
    assert any(i.rectify for i in book.items)
