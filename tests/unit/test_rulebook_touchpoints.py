"""Rulebook sections of 2026.2: touchpoints, `rectify`, [rectification] and the
complaint deadlines, each problem refused with its file, line and dotted key."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from appraisal.rulebook import RulebookError, check_file, get_rulebook, loads_rulebook
from appraisal.rulebook.model import ComplaintDeadlines, Rectification, Touchpoint
from appraisal.scoring.engine import ComplaintFact, EmployeeEvidence, ItemTally, score_period

CRITERIA = Path(__file__).resolve().parents[2] / "criteria"
BASE = (CRITERIA / "service_standards.toml").read_text("utf-8")
SRC = "criteria/tp.toml"
ALL15 = '"H1", "H2", "H3", "H4", "V1", "V2", "V3", "S1", "S2", "M1", "E1", "E2", "N1", "N2", "N3"'

TOUCHPOINTS = f'''
[[touchpoints]]
code = "front_desk"
name_zh = "前台"
name_en = "Front desk"
items = [{ALL15}]
posts = ["前台接待"]

[[touchpoints]]
code = "telephone"
name_zh = "电话"
name_en = "Telephone"
items = ["H1", "V1", "E1"]
posts = ["客服话务员"]
'''
RECTIFICATION = '''
[rectification]
due_hours = 24
overdue_points = 1
'''
DEADLINES = '''first_response_hours = 24
resolve_working_days = 2
update_every_hours = 24
return_visit_days = 3
missed_deadline_points = 1
'''
LATE = "late_response_hours = 24\nlate_response_points = 1\n"
TEXT = BASE + TOUCHPOINTS


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRAISAL_CRITERIA_DIR", raising=False)


def swap(old: str, new: str, text: str = TEXT) -> str:
    assert old in text, f"fixture out of date: {old!r}"
    return text.replace(old, new, 1)


def refused(text: str, key: str, reason: str) -> RulebookError:
    with pytest.raises(RulebookError) as info:
        loads_rulebook(text, SRC)
    err = info.value
    assert (err.file, err.key) == (SRC, key), str(err)
    assert re.search(reason, err.reason), err.reason
    assert err.line is not None and str(err).startswith(f"{SRC}:{err.line}: {key}")
    return err


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[nth - 1]


# --- what a file with touchpoints reads as ---------------------------------


def test_touchpoints_read_in_file_order_with_items_and_posts() -> None:
    book = loads_rulebook(TEXT, SRC)
    assert [t.code for t in book.touchpoints] == ["front_desk", "telephone"]
    assert book.touchpoint("telephone") == Touchpoint(
        "telephone", "电话", "Telephone", ("H1", "V1", "E1"), ("客服话务员",))
    assert len(book.touchpoint("front_desk").items) == 15
    assert [t.code for t in book.touchpoints_for_post("客服话务员")] == ["telephone", "front_desk"]
    with pytest.raises(KeyError):
        book.touchpoint("lobby")
    # none of the 2026.2 sections: no rectification, no deadlines, no rectify items
    assert book.rectification is None and book.complaint_deadlines is None
    assert not any(i.rectify for i in book.items)


def test_posts_are_optional() -> None:
    book = loads_rulebook(swap('posts = ["客服话务员"]\n', ""), SRC)
    assert book.touchpoint("telephone").posts == ()


def test_2026_1_has_no_touchpoints() -> None:
    book = get_rulebook("2026.1")
    assert book.touchpoints == () and book.rectification is None
    assert book.complaint_deadlines is None and book.late_response_points == 1


def test_rectify_and_rectification() -> None:
    text = swap('code = "N3"\n', 'code = "N3"\nrectify = true\n', TEXT + RECTIFICATION)
    book = loads_rulebook(text, SRC)
    assert book.item("N3").rectify and not book.item("N1").rectify
    assert book.rectification == Rectification(due_hours=24, overdue_points=Decimal(1))
    assert type(book.rectification.overdue_points) is Decimal
    # rectify = false is allowed, with or without the section
    assert not loads_rulebook(swap('code = "N3"\n', 'code = "N3"\nrectify = false\n'),
                              SRC).item("N3").rectify


def test_complaint_deadlines_replace_the_late_response_point() -> None:
    text = swap(LATE, DEADLINES)
    book = loads_rulebook(text, SRC)
    assert book.complaint_deadlines == ComplaintDeadlines(24, 2, 24, 3, Decimal(1))
    assert book.late_response_points == 0
    # given anyway, the late-response keys are read but the engine uses none of them
    both = loads_rulebook(swap(LATE, LATE + DEADLINES), SRC)
    assert both.complaint_deadlines is not None and both.late_response_points == 1


# --- each problem, located -------------------------------------------------


def test_duplicate_touchpoint_code() -> None:
    text = swap('code = "telephone"', 'code = "front_desk"')
    err = refused(text, "touchpoints[1].code", "duplicate touchpoint code 'front_desk'")
    assert err.line == line_of(text, "[[touchpoints]]", 2) + 1


def test_invalid_touchpoint_code() -> None:
    refused(swap('code = "telephone"', 'code = "tele phone"'), "touchpoints[1].code",
            "not a valid code")


def test_unknown_item_in_a_touchpoint() -> None:
    text = swap('items = ["H1", "V1", "E1"]', 'items = ["H1", "V1", "X9"]')
    err = refused(text, "touchpoints[1].items[2]", "unknown item 'X9'")
    assert err.line == line_of(text, '"X9"')
    assert err.code == "telephone"


def test_item_listed_twice_in_one_touchpoint() -> None:
    refused(swap('items = ["H1", "V1", "E1"]', 'items = ["H1", "V1", "H1"]'),
            "touchpoints[1].items[2]", "'H1' is listed twice")


def test_item_code_must_be_a_string() -> None:
    refused(swap('items = ["H1", "V1", "E1"]', 'items = ["H1", 7]'),
            "touchpoints[1].items[1]", "must be an item code, got an integer")


def test_touchpoint_without_items() -> None:
    refused(swap('items = ["H1", "V1", "E1"]', "items = []"), "touchpoints[1].items",
            "at least one item")


def test_touchpoint_items_must_be_a_list() -> None:
    refused(swap('items = ["H1", "V1", "E1"]', 'items = "H1"'), "touchpoints[1].items",
            "must be a list")


def test_touchpoint_missing_name() -> None:
    refused(swap('name_en = "Telephone"\n', ""), "touchpoints[1].name_en", "required")


def test_unknown_key_in_a_touchpoint() -> None:
    refused(swap('name_en = "Telephone"\n', 'name_en = "Telephone"\nitem = ["H1"]\n'),
            "touchpoints[1].item", "unknown key")


def test_posts_must_be_names() -> None:
    refused(swap('posts = ["客服话务员"]', 'posts = "客服话务员"'), "touchpoints[1].posts",
            "must be a list")
    refused(swap('posts = ["客服话务员"]', 'posts = ["客服话务员", ""]'),
            "touchpoints[1].posts[1]", "must be a position name")


def test_every_item_must_be_in_a_touchpoint() -> None:
    without_n2 = ALL15.replace(', "N2"', "")
    text = swap(f"items = [{ALL15}]", f"items = [{without_n2}]")
    err = refused(text, "items[13].code", "item 'N2' is in no touchpoint")
    assert err.line == line_of(text, 'code = "N2"') and err.code == "N2"


def test_touchpoints_may_not_be_empty() -> None:
    text = BASE.replace('version = "2026.1"', 'version = "2026.1"\ntouchpoints = []')
    refused(text, "touchpoints", "at least one touchpoint")


def test_rectify_needs_a_rectification_section() -> None:
    text = swap('code = "N3"\n', 'code = "N3"\nrectify = true\n')
    err = refused(text, "items[14].rectify", r"needs a \[rectification\] section")
    assert err.line == line_of(text, "rectify = true")


def test_rectify_must_be_true_or_false() -> None:
    refused(swap('code = "N3"\n', 'code = "N3"\nrectify = 1\n', TEXT + RECTIFICATION),
            "items[14].rectify", "must be true or false, got an integer")


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ("due_hours = 24", "due_hours = 0", "rectification.due_hours", "must be ≥ 1, got 0"),
    ("due_hours = 24", 'due_hours = "24"', "rectification.due_hours", "must be an integer"),
    ("due_hours = 24\n", "", "rectification.due_hours", "required"),
    ("overdue_points = 1", "overdue_points = -1", "rectification.overdue_points", "≥ 0"),
    ("overdue_points = 1", "overdue_points = true", "rectification.overdue_points",
     "must be a number"),
    ("overdue_points = 1", "overdue_points = 1\ngrace_hours = 2",
     "rectification.grace_hours", "unknown key"),
])
def test_rectification_values(old: str, new: str, key: str, reason: str) -> None:
    refused(swap(old, new, TEXT + RECTIFICATION), key, reason)


def test_rectification_must_be_a_table() -> None:
    refused(BASE.replace('version = "2026.1"', 'version = "2026.1"\nrectification = 24'),
            "rectification", "must be a table")


@pytest.mark.parametrize("missing", ["first_response_hours", "resolve_working_days",
                                     "update_every_hours", "return_visit_days",
                                     "missed_deadline_points"])
def test_deadlines_all_or_none(missing: str) -> None:
    deadlines = "\n".join(line for line in DEADLINES.splitlines() if not line.startswith(missing))
    refused(swap(LATE, deadlines + "\n"), f"complaints.{missing}",
            "required with the other deadline keys")


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ("resolve_working_days = 2", "resolve_working_days = 0",
     "complaints.resolve_working_days", "must be ≥ 1"),
    ("first_response_hours = 24", 'first_response_hours = "24"',
     "complaints.first_response_hours", "must be an integer"),
    ("return_visit_days = 3", "return_visit_days = 2.5",
     "complaints.return_visit_days", "must be an integer"),
    ("missed_deadline_points = 1", "missed_deadline_points = -2",
     "complaints.missed_deadline_points", "≥ 0"),
])
def test_deadline_values(old: str, new: str, key: str, reason: str) -> None:
    refused(swap(old, new, swap(LATE, DEADLINES)), key, reason)


def test_without_deadlines_the_late_response_keys_stay_required() -> None:
    refused(swap("late_response_points = 1\n", ""), "complaints.late_response_points",
            "required")


def test_check_file_counts_touchpoints(tmp_path: Path) -> None:
    path = tmp_path / "tp.toml"
    path.write_text(TEXT, "utf-8")
    assert ", 15 items, 2 touchpoints, sha256 " in check_file(path)
    assert ", 15 items, 0 touchpoints, " in check_file(CRITERIA / "service_standards.toml")


# --- the scoring engine with deadlines ---------------------------------------


def test_no_late_response_point_with_deadlines() -> None:
    t0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    never_answered = ComplaintFact(1, "major", "substantiated", t0, None)
    slow = ComplaintFact(2, "minor", "substantiated", t0, t0 + timedelta(hours=30))
    ev = EmployeeEvidence(1, inspections=2, items={"H1": ItemTally.of(20, 2)},
                          complaints=[never_answered, slow])
    old = loads_rulebook(TEXT, SRC)
    new = loads_rulebook(swap(LATE, DEADLINES), SRC)
    # 2026.1's rule: both late, one more point each (5 + 1, 2 + 1)
    (s_old,) = score_period(old, [ev])
    assert [(d.late, d.total) for d in s_old.deductions] == [(True, 6), (True, 3)]
    assert s_old.final_score == Decimal("91.00")
    # with deadlines: only the severity points (their misses are deductions of their own)
    (s_new,) = score_period(new, [ev])
    assert [(d.late, d.total) for d in s_new.deductions] == [(False, 5), (False, 2)]
    assert s_new.final_score == Decimal("93.00")
