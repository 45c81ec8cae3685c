"""The rulebook: the default file matches SPEC 2.1, and bad files are refused clearly."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal.rulebook import (
    CRITERIA_DIR,
    DEFAULT_VERSION,
    Dimension,
    ItemRule,
    RuleBook,
    RulebookError,
    SurveyQuestion,
    available_rulebooks,
    check_file,
    get_rulebook,
    load_rulebook,
    loads_rulebook,
)

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "criteria" / "service_standards.toml"
TEXT = DEFAULT_FILE.read_text("utf-8")
SRC = "criteria/x.toml"

# SPEC 2.1, verbatim.
SPEC_DIMENSIONS = [
    ("attitude", "服务态度", 25),
    ("quality", "服务质量", 25),
    ("measures", "服务措施", 15),
    ("efficiency", "工作效率", 20),
    ("environment", "优美环境", 15),
]
SPEC_ITEMS = [
    ("H1", "四心", "接待热心", "attitude", 10),
    ("H2", "四心", "帮助诚心", "quality", 10),
    ("H3", "四心", "解答耐心", "attitude", 10),
    ("H4", "四心", "办理细心", "quality", 10),
    ("V1", "三声", "来有迎声", "attitude", 5),
    ("V2", "三声", "问有答声", "attitude", 5),
    ("V3", "三声", "走有送声", "attitude", 5),
    ("S1", "二站", "来时站立相迎", "measures", 5),
    ("S2", "二站", "走时站立相送", "measures", 5),
    ("M1", "一监督", "持牌上岗", "measures", 5),
    ("E1", "效率", "迅速响应", "efficiency", 10),
    ("E2", "效率", "准确办理", "efficiency", 10),
    ("N1", "环境", "工作区整洁", "environment", 10),
    ("N2", "环境", "仪容仪表", "environment", 5),
    ("N3", "环境", "设施完好清洁", "environment", 10),
]


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRAISAL_CRITERIA_DIR", raising=False)


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook(DEFAULT_FILE)


def variant(old: str, new: str, text: str = TEXT, count: int = 1) -> str:
    """The default file with `old` (which must occur) replaced by `new`."""
    assert old in text, f"test fixture out of date: {old!r} not in the rulebook"
    return text.replace(old, new, count)


def line_of(text: str, pattern: str, after: str | None = None) -> int:
    """1-based line of the first line matching `pattern` (after one matching `after`)."""
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if re.search(after, line)) + 1
    return next(i for i in range(start, len(lines)) if re.search(pattern, lines[i])) + 1


def refused(text: str) -> RulebookError:
    with pytest.raises(RulebookError) as info:
        loads_rulebook(text, SRC)
    err = info.value
    assert err.file == SRC
    assert str(err).startswith(f"{SRC}:{err.line}: " if err.line else f"{SRC}: ")
    return err


# --- the default rulebook is SPEC 2.1 -------------------------------------


def test_default_identity(book: RuleBook) -> None:
    assert book.version == DEFAULT_VERSION == "2026.1"
    assert book.effective_from == "2026-01"
    assert book.name and book.name_zh
    assert book.source == str(DEFAULT_FILE)


def test_default_dimensions_match_spec(book: RuleBook) -> None:
    assert [(d.code, d.name_zh, d.weight) for d in book.dimensions] == [
        (code, zh, Decimal(w)) for code, zh, w in SPEC_DIMENSIONS
    ]
    assert all(isinstance(d, Dimension) and d.name_en for d in book.dimensions)
    assert sum(d.weight for d in book.dimensions) == 100
    assert book.dimension_codes == tuple(code for code, _, _ in SPEC_DIMENSIONS)


def test_default_items_match_spec(book: RuleBook) -> None:
    got = [(i.code, i.group, i.standard_zh, i.dimension, i.points) for i in book.items]
    want = [(c, g, zh, d, Decimal(p)) for c, g, zh, d, p in SPEC_ITEMS]
    # M1's standard reads 持牌上岗，接受顾客监督: compare up to the comma
    got = [(c, g, zh.split("，")[0], d, p) for c, g, zh, d, p in got]
    assert got == want
    assert book.item_codes == tuple(row[0] for row in SPEC_ITEMS)
    assert all(isinstance(i.points, Decimal) for i in book.items)


def test_every_item_has_standard_and_coaching_in_both_languages(book: RuleBook) -> None:
    for item in book.items:
        for text in (item.standard_zh, item.standard_en, item.coaching_zh, item.coaching_en):
            assert text.strip(), item.code
        assert re.search(r"[\u4e00-\u9fff]", item.coaching_zh), item.code
        assert re.fullmatch(r"[ -~’—–]+", item.coaching_en), item.code
    v1 = book.item("V1")
    assert "three seconds" in v1.coaching_en and "smile" in v1.coaching_en
    assert "三秒" in v1.coaching_zh
    assert "three rings" in book.item("E1").coaching_en


def test_default_survey(book: RuleBook) -> None:
    assert book.survey_scale == (1, 5)
    assert book.survey_questions == (
        SurveyQuestion("attitude", "attitude"),
        SurveyQuestion("quality", "quality"),
        SurveyQuestion("efficiency", "efficiency"),
        SurveyQuestion("environment", "environment"),
        SurveyQuestion("overall", None),
    )


def test_default_parameters_match_spec(book: RuleBook) -> None:
    assert dict(book.source_weights) == {"inspection": Decimal("0.6"), "survey": Decimal("0.4")}
    assert book.survey_prior_weight == 5
    assert book.min_inspections == 2
    assert dict(book.complaint_deductions) == {"minor": 2, "major": 5, "critical": 10}
    assert book.late_response_hours == 24
    assert book.late_response_points == 1
    assert book.veto_severities == frozenset({"critical"})
    assert book.commendation_points == 2
    assert book.commendation_max_points == 5  # points, not commendations (SPEC §2.1)
    assert book.grade_thresholds == (
        ("excellent", Decimal(90)), ("good", Decimal(80)), ("pass", Decimal(60)),
    )
    assert book.lowest_grade == "needs_improvement"
    assert dict(book.incentive_coefficients) == {
        "excellent": Decimal("1.5"), "good": Decimal("1.2"),
        "pass": Decimal("1.0"), "needs_improvement": Decimal(0),
    }
    assert dict(book.grade_names) == {
        "excellent": "优秀", "good": "良好", "pass": "合格", "needs_improvement": "待改进",
    }


def test_every_number_is_exact(book: RuleBook) -> None:
    numbers = [d.weight for d in book.dimensions] + [i.points for i in book.items]
    numbers += [*book.source_weights.values(), *book.complaint_deductions.values(),
                *book.incentive_coefficients.values(), book.survey_prior_weight,
                book.late_response_points, book.commendation_points]
    numbers += [t for _, t in book.grade_thresholds]
    assert all(type(n) is Decimal for n in numbers)
    assert book.source_weights["inspection"].as_tuple() == Decimal("0.6").as_tuple()


def test_content_hash_is_sha256_of_the_file_bytes(book: RuleBook) -> None:
    assert book.content_hash == hashlib.sha256(DEFAULT_FILE.read_bytes()).hexdigest()
    assert loads_rulebook(TEXT).content_hash == book.content_hash
    assert loads_rulebook(TEXT + "\n").content_hash != book.content_hash


def test_rulebook_is_immutable_and_hashable(book: RuleBook) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        book.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        book.source_weights["survey"] = Decimal(1)  # type: ignore[index]
    with pytest.raises(TypeError):
        book.incentive_coefficients["pass"] = Decimal(9)  # type: ignore[index]
    again = load_rulebook(DEFAULT_FILE)
    assert again == book and hash(again) == hash(book)
    assert {book: 1}[again] == 1


def test_item_lookup(book: RuleBook) -> None:
    assert book.item("N2") == ItemRule(
        code="N2", group="环境", standard_zh="仪容仪表", standard_en=book.item("N2").standard_en,
        dimension="environment", points=Decimal(5),
        coaching_zh=book.item("N2").coaching_zh, coaching_en=book.item("N2").coaching_en,
    )
    with pytest.raises(KeyError):
        book.item("X9")
    with pytest.raises(KeyError):
        book.item("v1")  # codes are exact
    # Every item by its code, the same rule as in `items`, and nothing else.
    assert [book.item(code) for code in book.item_codes] == list(book.items)
    assert all(book.has_item(code) for code in book.item_codes)
    assert not book.has_item("X9") and not book.has_item("v1")
    assert book.item_codes is book.item_codes  # worked out once, not at each look


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("0", "needs_improvement"),
        ("59.99", "needs_improvement"),
        ("60", "pass"),
        ("60.00", "pass"),
        ("79.99", "pass"),
        ("80", "good"),
        ("89.99", "good"),
        ("90", "excellent"),
        ("100", "excellent"),
    ],
)
def test_grade_for_boundaries(book: RuleBook, score: str, grade: str) -> None:
    assert book.grade_for(Decimal(score)) == grade


@settings(max_examples=200, database=None)
@given(st.decimals(min_value=0, max_value=100, places=2))
def test_grade_for_agrees_with_thresholds(score: Decimal) -> None:
    book = get_rulebook()
    want = ("excellent" if score >= 90 else "good" if score >= 80
            else "pass" if score >= 60 else "needs_improvement")
    assert book.grade_for(score) == want


# --- validation: every rule, with the key and the line --------------------


def test_weights_must_sum_to_100() -> None:
    text = variant('code = "measures"\nname_zh = "服务措施"\nname_en = "Service measures"\n'
                   "weight = 15",
                   'code = "measures"\nname_zh = "服务措施"\nname_en = "Service measures"\n'
                   "weight = 14")
    err = refused(text)
    assert err.key == "dimensions"
    assert "sum to 100" in err.reason and "99" in err.reason
    assert err.line == line_of(text, r"^\[\[dimensions\]\]")


def test_dimension_weight_must_be_positive() -> None:
    text = variant("weight = 25\n\n[[dimensions]]\ncode = \"quality\"",
                   "weight = 0\n\n[[dimensions]]\ncode = \"quality\"")
    text = variant("weight = 25\n\n[[dimensions]]\ncode = \"measures\"",
                   "weight = 50\n\n[[dimensions]]\ncode = \"measures\"", text)
    err = refused(text)
    assert err.key == "dimensions[0].weight" and err.code == "attitude"
    assert err.line == line_of(text, r"^weight = 0")


def test_item_with_unknown_dimension() -> None:
    text = variant('dimension = "quality"\npoints = 10\ncoaching_zh = "办理前',
                   'dimension = "qualty"\npoints = 10\ncoaching_zh = "办理前')
    err = refused(text)
    assert err.key == "items[3].dimension" and err.code == "H4"
    assert "unknown dimension 'qualty'" in err.reason
    assert err.line == line_of(text, r'^dimension = "qualty"')
    assert str(err) == (f'{SRC}:{err.line}: items[3].dimension (code "H4"): '
                        f"{err.reason}")


def test_duplicate_item_code() -> None:
    text = variant('code = "V3"', 'code = "V2"')
    err = refused(text)
    assert err.key == "items[6].code"
    assert "duplicate item code 'V2'" in err.reason
    # the second occurrence is the one reported
    assert err.line == line_of(text, r'^code = "V2"', after=r'^code = "V2"')


def test_duplicate_dimension_code() -> None:
    text = variant('code = "efficiency"\nname_zh', 'code = "quality"\nname_zh')
    err = refused(text)
    assert err.key == "dimensions[3].code"
    assert "duplicate dimension code 'quality'" in err.reason
    assert err.line == line_of(text, r'^code = "quality"', after=r'^code = "quality"')


@pytest.mark.parametrize("points", ["0", "-5", '"-0.5"', '"0.00"'])
def test_points_must_be_positive(points: str) -> None:
    text = variant('dimension = "attitude"\npoints = 5\ncoaching_zh = "顾客进入',
                   f'dimension = "attitude"\npoints = {points}\ncoaching_zh = "顾客进入')
    err = refused(text)
    assert err.key == "items[4].points" and err.code == "V1"
    assert "points must be > 0" in err.reason
    assert err.line == line_of(text, rf"^points = {re.escape(points)}$")
    assert str(err).startswith(f'{SRC}:{err.line}: items[4].points (code "V1"): points must be > 0')


@pytest.mark.parametrize("points", ["true", '"ten"', '"NaN"', '"Infinity"', "[5]"])
def test_points_must_be_a_finite_number(points: str) -> None:
    head = 'standard_en = "Tidy workstation"\ndimension = "environment"\n'
    text = variant(f"{head}points = 10", f"{head}points = {points}")
    err = refused(text)
    assert err.key == "items[12].points" and err.code == "N1"
    assert err.line == line_of(text, rf"^points = {re.escape(points)}$")


def test_missing_item_key_points_at_the_item() -> None:
    text = variant('dimension = "attitude"\npoints = 10\n', 'dimension = "attitude"\n')
    err = refused(text)
    assert err.key == "items[0].points" and err.code == "H1"
    assert err.reason == "is required but missing"
    assert err.line == line_of(text, r"^\[\[items\]\]")


@pytest.mark.parametrize(
    ("old", "key", "line"),
    [
        # a missing top-level key has no line to point at
        ('version = "2026.1"\n', "version", None),
        ("min_inspections = 2\n", "scoring.min_inspections", r"^\[scoring\]"),
        ("late_response_hours = 24\n", "complaints.late_response_hours", r"^\[complaints\]"),
        ('coaching_en = "Greet every customer', "items[4].coaching_en", r'^code = "V1"'),
    ],
)
def test_missing_keys_are_named(old: str, key: str, line: str | None) -> None:
    if key.startswith("items"):
        start = TEXT.index(old)
        old = TEXT[start:TEXT.index("\n", start) + 1]
    text = variant(old, "")
    err = refused(text)
    assert err.key == key
    assert err.reason == "is required but missing"
    if line is None:
        assert err.line is None
    elif key.startswith("items"):
        # the [[items]] header just above the item's code
        assert err.line == line_of(text, line) - 1
    else:
        assert err.line == line_of(text, line)


def test_the_commendation_cap_is_in_points() -> None:
    # The file says max_points; the older form capped a number of commendations
    # (max_per_period) and still reads, as that many times the points it meant.
    assert "\nmax_points = 5\n" in TEXT
    old = loads_rulebook(variant("max_points = 5", "max_per_period = 3"), SRC)
    assert (old.commendation_points, old.commendation_max_points) == (2, 6)
    err = refused(variant("max_points = 5", "max_points = 5\nmax_per_period = 3"))
    assert err.key == "commendations.max_per_period" and "max_points only" in err.reason
    err = refused(variant("max_points = 5", "max_points = -1"))
    assert err.key == "commendations.max_points" and err.line == line_of(TEXT, "^max_points")
    err = refused(variant("max_points = 5\n", ""))
    assert err.key == "commendations.max_points" and "missing" in err.reason


def test_missing_section() -> None:
    start = TEXT.index("\n[commendations]\n")
    end = TEXT.index("# Thresholds")
    err = refused(TEXT[:start] + TEXT[end:])
    assert err.key == "commendations" and "missing" in err.reason


def test_misspelt_key_is_refused() -> None:
    text = variant("min_inspections = 2", "min_inspection = 2")
    err = refused(text)
    assert err.key == "scoring.min_inspection"
    assert "unknown key" in err.reason and "min_inspections" in err.reason
    assert err.line == line_of(text, r"^min_inspection = 2")


def test_malformed_toml_reports_tomllib_line() -> None:
    text = variant('standard_en = "Sincere help"', 'standard_en = "Sincere help')
    err = refused(text)
    assert err.key == ""
    assert "not valid TOML" in err.reason
    assert err.line == line_of(text, r'^standard_en = "Sincere help$')
    assert str(err).startswith(f"{SRC}:{err.line}: not valid TOML")


def test_source_weights_must_sum_to_one() -> None:
    text = variant('inspection = "0.6"', 'inspection = "0.7"')
    err = refused(text)
    assert err.key == "scoring.source_weights" and "sum to 1" in err.reason
    assert err.line == line_of(text, r"^source_weights")


def test_float_literals_are_read_exactly() -> None:
    text = variant('{ inspection = "0.6", survey = "0.4" }', "{ inspection = 0.6, survey = 0.4 }")
    book = loads_rulebook(text)
    assert book.source_weights == {"inspection": Decimal("0.6"), "survey": Decimal("0.4")}


def test_survey_question_with_unknown_dimension() -> None:
    text = variant('code = "efficiency"\ndimension = "efficiency"',
                   'code = "efficiency"\ndimension = "speed"')
    err = refused(text)
    # not confused with the dimension whose code is also "efficiency"
    assert err.key == "survey.questions[2].dimension" and err.code == "efficiency"
    assert err.line == line_of(text, r'^dimension = "speed"')


def test_negative_complaint_deduction() -> None:
    err = refused(variant("major = 5", "major = -5"))
    assert err.key == "complaints.deductions.major" and "≥ 0" in err.reason


def test_missing_complaint_severity() -> None:
    err = refused(variant("minor = 2, ", ""))
    assert err.key == "complaints.deductions.minor" and "missing" in err.reason


def test_unknown_veto_severity() -> None:
    err = refused(variant('veto_severities = ["critical"]', 'veto_severities = ["fatal"]'))
    assert err.key == "complaints.veto_severities" and "fatal" in err.reason


def test_grade_thresholds_must_descend() -> None:
    text = variant("min_score = 80", "min_score = 90")
    err = refused(text)
    assert err.key == "grades[1].min_score" and err.code == "good"
    assert "descend" in err.reason
    assert err.line == line_of(text, r"^min_score = 90", after=r"^min_score = 90")


def test_grade_threshold_within_0_100() -> None:
    err = refused(variant("min_score = 90", "min_score = 101"))
    assert err.key == "grades[0].min_score" and "0..100" in err.reason


def test_grade_coefficient_not_negative() -> None:
    err = refused(variant('coefficient = "1.2"', 'coefficient = "-1.2"'))
    assert err.key == "grades[1].coefficient" and "≥ 0" in err.reason


def test_every_grade_needs_a_coefficient() -> None:
    start = TEXT.index('[[grades]]\ncode = "pass"')
    end = TEXT.index('[[grades]]\ncode = "needs_improvement"')
    err = refused(TEXT[:start] + TEXT[end:])
    assert err.key == "grades" and "pass" in err.reason


def test_lowest_grade_takes_no_threshold() -> None:
    err = refused(variant('code = "needs_improvement"\n', 'code = "needs_improvement"\n'
                                                          "min_score = 0\n"))
    assert err.key == "grades[3].min_score"


def test_error_survives_pickling() -> None:
    err = refused(variant("major = 5", "major = -5"))
    again = pickle.loads(pickle.dumps(err))
    assert (again.file, again.key, again.line, again.reason, str(again)) == (
        err.file, err.key, err.line, err.reason, str(err))


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=5, max_size=5))
def test_any_positive_weights_summing_to_100_load(weights: list[int]) -> None:
    text = TEXT
    for (code, _, w), new in zip(SPEC_DIMENSIONS, weights, strict=True):
        old = f'code = "{code}"\nname_zh'
        head, tail = text.split(old, 1)
        tail = tail.replace(f"weight = {w}", f"weight = {new}", 1)
        text = head + old + tail
    if sum(weights) == 100:
        assert [d.weight for d in loads_rulebook(text).dimensions] == weights
    else:
        err = refused(text)
        assert err.key == "dimensions" and str(sum(weights)) in err.reason


# --- files and the criteria directory ------------------------------------


def test_check_file_summary() -> None:
    summary = check_file(DEFAULT_FILE)
    digest = hashlib.sha256(DEFAULT_FILE.read_bytes()).hexdigest()
    assert summary.startswith(f"OK {DEFAULT_FILE}: version 2026.1, 5 dimensions, 15 items, ")
    assert digest[:12] in summary and "\n" not in summary


def test_check_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(variant("points = 10", "points = 0"), "utf-8")
    with pytest.raises(RulebookError) as info:
        check_file(bad)
    assert info.value.file == str(bad) and info.value.key == "items[0].points"
    assert str(info.value).startswith(f"{bad}:{info.value.line}: items[0].points")
    with pytest.raises(RulebookError, match="cannot read"):
        check_file(tmp_path / "missing.toml")
    (tmp_path / "latin1.toml").write_bytes(TEXT.encode("gb18030"))
    with pytest.raises(RulebookError, match="not UTF-8"):
        load_rulebook(tmp_path / "latin1.toml")


def test_criteria_dir_is_the_repositorys() -> None:
    if not os.environ.get("APPRAISAL_CRITERIA_DIR"):
        assert CRITERIA_DIR.resolve() == DEFAULT_FILE.parent.resolve()
    assert available_rulebooks()[DEFAULT_VERSION].resolve() == DEFAULT_FILE.resolve()
    assert get_rulebook().version == DEFAULT_VERSION
    assert get_rulebook(None) is get_rulebook(DEFAULT_VERSION)


@pytest.fixture()
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "service_standards.toml").write_text(TEXT, "utf-8")
    (tmp_path / "service_standards_2027.toml").write_text(
        variant('version = "2026.1"', 'version = "2027.1"').replace(
            "min_inspections = 2", "min_inspections = 3"), "utf-8")
    (tmp_path / "notes.txt").write_text("not a rulebook", "utf-8")
    monkeypatch.setenv("APPRAISAL_CRITERIA_DIR", str(tmp_path))
    return tmp_path


def test_available_rulebooks(two_versions: Path) -> None:
    assert available_rulebooks() == {
        "2026.1": two_versions / "service_standards.toml",
        "2027.1": two_versions / "service_standards_2027.toml",
    }
    assert available_rulebooks(two_versions) == available_rulebooks()


def test_get_rulebook_by_version(two_versions: Path) -> None:
    new = get_rulebook("2027.1")
    assert new.version == "2027.1" and new.min_inspections == 3
    assert new.source == str(two_versions / "service_standards_2027.toml")
    old = get_rulebook()
    assert old.version == "2026.1" and old.min_inspections == 2
    assert get_rulebook("2027.1") is new  # cached
    with pytest.raises(KeyError, match=r"2030\.1.*available: 2026\.1, 2027\.1"):
        get_rulebook("2030.1")


def test_get_rulebook_sees_a_changed_file(two_versions: Path) -> None:
    path = two_versions / "service_standards_2027.toml"
    first = get_rulebook("2027.1")
    path.write_text(path.read_text("utf-8").replace("max_points = 5", "max_points = 4"),
                    "utf-8")
    os.utime(path, ns=(1, 1))  # make sure the change is visible even on coarse clocks
    second = get_rulebook("2027.1")
    assert second.commendation_max_points == 4 and first.commendation_max_points == 5
    assert second.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert second.content_hash != first.content_hash


def test_duplicate_versions_are_refused(two_versions: Path) -> None:
    (two_versions / "copy.toml").write_text(TEXT, "utf-8")
    with pytest.raises(RulebookError, match="also defined in") as info:
        available_rulebooks()
    assert info.value.key == "version" and info.value.line == line_of(TEXT, r"^version = ")
    with pytest.raises(RulebookError):
        get_rulebook()


def test_invalid_file_in_criteria_dir(two_versions: Path) -> None:
    (two_versions / "draft.toml").write_text('version = "2028.1"\nname = \n', "utf-8")
    with pytest.raises(RulebookError, match="not valid TOML") as info:
        available_rulebooks()
    assert info.value.line == 2
    # a file that parses but fails validation is refused when it is loaded
    (two_versions / "draft.toml").write_text('version = "2028.1"\n', "utf-8")
    assert "2028.1" in available_rulebooks()
    with pytest.raises(RulebookError) as info:
        get_rulebook("2028.1")
    assert info.value.key == "name"


def test_the_wire_grade_codes_are_the_rulebooks() -> None:
    from typing import get_args

    from appraisal.params import Grade
    from appraisal.rulebook.model import GRADES

    assert get_args(Grade) == GRADES
