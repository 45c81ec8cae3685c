"""The scoring rules of SPEC §4, hand-computed, without a database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal.figures import publish
from appraisal.rulebook import get_rulebook
from appraisal.scoring.engine import (
    ComplaintFact,
    EmployeeEvidence,
    ItemTally,
    SurveyTally,
    commendation_bonus,
    score_employee,
    score_period,
)

RB = get_rulebook("2026.1")
MAX = {i.code: i.points for i in RB.items}
T0 = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)


def all_pass(n: int, **overrides: tuple[str, int]) -> dict[str, ItemTally]:
    """n inspections of every item passing; overrides give (code → (earned, applicable))."""
    items = {code: ItemTally.of(MAX[code] * n, n) for code in MAX}
    for code, (earned, applicable) in overrides.items():
        items[code] = ItemTally.of(earned, applicable)
    return items


def one(ev: EmployeeEvidence, others: list[EmployeeEvidence] | None = None):
    scores = score_period(RB, [ev, *(others or [])])
    return scores[0]


def complaint(cid: int, severity: str, status: str = "substantiated",
              response_hours: float | None = 2) -> ComplaintFact:
    first = None if response_hours is None else T0 + timedelta(hours=response_hours)
    return ComplaintFact(cid, severity, status, T0, first)


def test_spec_worked_example() -> None:
    # two inspections; the second fails V1 (5) and N2 (5)
    ev = EmployeeEvidence(1, inspections=2, items=all_pass(2, V1=(5, 2), N2=(5, 2)))
    s = one(ev)
    assert s.dimensions["attitude"].score == Fraction(65, 70) * 100
    assert s.dimensions["environment"].score == 90
    assert s.base == (25 * Fraction(6500, 70) + 25 * 100 + 15 * 100 + 20 * 100 + 15 * 90) / 100
    assert s.final_score == Decimal("96.71")
    assert (s.status, s.grade, s.veto) == ("graded", "excellent", False)


def test_na_results_are_excluded_from_the_maximum() -> None:
    # H1 n.a. (no applicable result), V1 failed: attitude = (10 + 0 + 5 + 5) / 25
    items = {"H3": ItemTally.of(10, 1), "V1": ItemTally.of(0, 1),
             "V2": ItemTally.of(5, 1), "V3": ItemTally.of(5, 1),
             "H1": ItemTally.of(0, 0)}
    s = one(EmployeeEvidence(1, inspections=2, items=items))
    assert s.dimensions["attitude"].score == 80
    assert s.dimensions["attitude"].inspection.maximum == 25  # type: ignore[union-attr]
    # only attitude has data → base is attitude alone
    assert s.base == 80 and s.final_score == Decimal("80.00") and s.grade == "good"


def test_point_valued_items() -> None:
    items = {"H1": ItemTally.of("8", 1), "H3": ItemTally.of(10, 1),
             "V1": ItemTally.of("2.5", 1), "V2": ItemTally.of(5, 1),
             "V3": ItemTally.of(5, 1)}
    s = one(EmployeeEvidence(1, inspections=2, items=items))
    assert s.dimensions["attitude"].score == Fraction(305, 350) * 100
    assert publish(s.dimensions["attitude"].score) == Decimal("87.14")


def test_survey_shrinkage_across_several_employees() -> None:
    e1 = EmployeeEvidence(1, surveys={"attitude": SurveyTally(2, 10)})  # two 5s → 100 each
    e2 = EmployeeEvidence(2, surveys={"attitude": SurveyTally(10, 30)})  # ten 3s → 50 each
    e3 = EmployeeEvidence(3, surveys={"attitude": SurveyTally(1, 4)})  # one 4 → 75
    scores = {s.employee_id: s for s in score_period(RB, [e1, e2, e3])}
    mu = Fraction(200 + 500 + 75, 13)
    assert scores[1].dimensions["attitude"].survey.organisation_mean == mu  # type: ignore[union-attr]
    assert scores[1].dimensions["attitude"].survey.shrunk == Fraction(925, 13)  # type: ignore[union-attr]
    assert scores[2].dimensions["attitude"].survey.shrunk == Fraction(2075, 39)  # type: ignore[union-attr]
    assert scores[3].dimensions["attitude"].survey.shrunk == Fraction(4850, 78)  # type: ignore[union-attr]
    assert [publish(scores[i].dimensions["attitude"].score) for i in (1, 2, 3)] == [
        Decimal("71.15"), Decimal("53.21"), Decimal("62.18")]
    # no inspections → insufficient evidence, but a score is still shown
    assert scores[1].status == "insufficient_evidence" and scores[1].grade is None
    assert scores[1].final_score == Decimal("71.15")


def test_overall_feeds_no_dimension() -> None:
    s = one(EmployeeEvidence(1, inspections=2, items=all_pass(2),
                             surveys={"overall": SurveyTally(3, 3)}))
    assert s.final_score == Decimal("100.00")


def test_source_weights_renormalise_over_present_sources() -> None:
    # attitude: inspection 80 and survey (only employee: μ = own mean 100 → shrunk 100)
    # quality: survey only; environment: nothing → excluded from base
    items = {"H3": ItemTally.of(8, 1)}
    surveys = {"attitude": SurveyTally(1, 5), "quality": SurveyTally(2, 6)}
    s = one(EmployeeEvidence(1, inspections=2, items=items, surveys=surveys))
    att = s.dimensions["attitude"]
    assert att.score == Fraction(6, 10) * 80 + Fraction(4, 10) * 100
    assert s.dimensions["quality"].score == 50  # survey alone, μ = own mean
    assert s.dimensions["environment"].score is None
    assert s.base == (25 * att.score + 25 * 50) / 50  # type: ignore[operator]


def test_no_dimension_with_data_means_no_score() -> None:
    s = one(EmployeeEvidence(1, inspections=3))
    assert s.base is None and s.final is None and s.final_score is None
    assert s.status == "insufficient_evidence" and s.grade is None


def test_complaint_deductions_and_late_response() -> None:
    complaints = [
        complaint(1, "minor", response_hours=2),  # 2
        complaint(2, "major", response_hours=30),  # 5 + 1 late
        complaint(3, "minor", response_hours=24),  # exactly 24 h is not late: 2
        complaint(4, "minor", response_hours=None),  # never answered: 2 + 1
        complaint(5, "critical", status="unsubstantiated"),  # nothing
        complaint(6, "major", status="pending"),  # nothing, listed open
    ]
    s = one(EmployeeEvidence(1, inspections=2, items=all_pass(2), complaints=complaints))
    assert [(d.complaint_id, d.total, d.late) for d in s.deductions] == [
        (1, 2, False), (2, 6, True), (3, 2, False), (4, 3, True)]
    assert s.final_score == Decimal("87.00") and s.grade == "good"
    assert list(s.open_complaints) == [6] and s.veto is False


def test_veto_forces_needs_improvement() -> None:
    s = one(EmployeeEvidence(1, inspections=2, items=all_pass(2),
                             complaints=[complaint(1, "critical")]))
    assert s.final_score == Decimal("90.00")  # would be excellent
    assert s.veto is True and s.grade == "needs_improvement" and s.status == "graded"


def test_commendation_bonus_is_capped_and_final_clamped() -> None:
    items = all_pass(2, H1=(0, 2), H3=(0, 2))  # attitude 30/70, base 85.71
    s = one(EmployeeEvidence(1, inspections=2, items=items, commendation_ids=range(1, 8)))
    # At most 5 points (SPEC §2.1), not 5 commendations: 2 + 2 + 1, the rest add nothing.
    assert s.bonus == 5 and list(s.commendations_counted) == [1, 2, 3]
    assert s.commendation_points == {1: 2, 2: 2, 3: 1}
    assert s.final == s.base + 5  # type: ignore[operator]
    full = one(EmployeeEvidence(1, inspections=2, items=all_pass(2), commendation_ids=[1, 2]))
    assert full.final_score == Decimal("100.00")  # clamped at 100


def test_the_third_commendation_adds_one_point() -> None:
    assert RB.commendation_points == 2 and RB.commendation_max_points == 5
    for ids, total, counted in (([], 0, ()), ([7], 2, (7,)), ([9, 4], 4, (4, 9)),
                                ([3, 1, 2], 5, (1, 2, 3)), ([5, 1, 4, 2], 5, (1, 2, 4))):
        bonus = commendation_bonus(Fraction(2), Fraction(5), ids)
        assert (bonus.total, bonus.counted) == (total, counted), ids
        assert sum(bonus.points.values()) == bonus.total
    # Exact with any numbers: 1.5 each, at most 4 → 1.5 + 1.5 + 1.
    assert commendation_bonus(Fraction(3, 2), Fraction(4), [1, 2, 3, 4]).points == {
        1: Fraction(3, 2), 2: Fraction(3, 2), 3: Fraction(1)}


def test_final_is_clamped_at_zero() -> None:
    items = {"H1": ItemTally.of(1, 2)}  # attitude 5
    s = one(EmployeeEvidence(1, inspections=2, items=items,
                             complaints=[complaint(i, "major") for i in range(3)]))
    assert s.final == 0 and s.final_score == Decimal("0.00")
    assert s.grade == "needs_improvement"


def test_minimum_inspections() -> None:
    s = one(EmployeeEvidence(1, inspections=1, items=all_pass(1)))
    assert s.status == "insufficient_evidence" and s.grade is None
    assert s.final_score == Decimal("100.00")


def test_grade_boundaries_apply_to_the_rounded_score() -> None:
    # twenty H1 results (max 200): attitude score = earned / 2
    cases = [("119.98", "59.99", "needs_improvement"), ("119.99", "60.00", "pass"),
             ("120", "60.00", "pass"), ("159.98", "79.99", "pass"), ("160", "80.00", "good"),
             ("179.98", "89.99", "good"), ("180", "90.00", "excellent")]
    for earned, published, grade in cases:
        s = one(EmployeeEvidence(1, inspections=20, items={"H1": ItemTally.of(earned, 20)}))
        assert (str(s.final_score), s.grade) == (published, grade), earned


def test_publish_rounds_half_up() -> None:
    assert publish(Fraction(59995, 1000)) == Decimal("60.00")
    assert publish(Fraction(59994999, 1000000)) == Decimal("59.99")
    assert publish(Fraction(-1, 200)) == Decimal("-0.01")
    assert publish(None) is None


# ---------------------------------------------------------------- properties

codes = st.sampled_from(sorted(MAX))


@st.composite
def evidence(draw: st.DrawFn, employee_id: int = 1) -> EmployeeEvidence:
    items = {}
    for code in draw(st.lists(codes, unique=True, max_size=15)):
        n = draw(st.integers(0, 6))
        cents = draw(st.integers(0, int(MAX[code] * 100) * n))
        items[code] = ItemTally(cents, n) if n else ItemTally(0, 0)
    surveys = {}
    for q in draw(st.lists(st.sampled_from(["attitude", "quality", "efficiency", "environment",
                                            "overall"]), unique=True)):
        n = draw(st.integers(1, 30))
        surveys[q] = SurveyTally(n, draw(st.integers(n, 5 * n)))
    complaints = [
        ComplaintFact(i, draw(st.sampled_from(["minor", "major", "critical"])),
                      draw(st.sampled_from(["pending", "substantiated", "unsubstantiated"])), T0,
                      draw(st.one_of(st.none(), st.just(T0 + timedelta(hours=30)))))
        for i in range(draw(st.integers(0, 4)))
    ]
    return EmployeeEvidence(employee_id, inspections=draw(st.integers(0, 8)), items=items,
                            surveys=surveys, complaints=complaints,
                            commendation_ids=list(range(draw(st.integers(0, 8)))))


@settings(max_examples=150, deadline=None)
@given(st.lists(evidence(), min_size=1, max_size=5))
def test_scores_always_within_0_and_100(evs: list[EmployeeEvidence]) -> None:
    evs = [EmployeeEvidence(i, e.inspections, e.items, e.surveys, e.complaints,
                            e.commendation_ids) for i, e in enumerate(evs)]
    for s in score_period(RB, evs):
        if s.final is not None:
            assert 0 <= s.final <= 100
            assert Decimal(0) <= s.final_score <= Decimal(100)  # type: ignore[operator]
        for d in s.dimensions.values():
            assert d.score is None or 0 <= d.score <= 100
        if s.grade is not None:
            assert s.status == "graded"


@settings(max_examples=150, deadline=None)
@given(evidence())
def test_a_passing_inspection_never_lowers_attitude(ev: EmployeeEvidence) -> None:
    attitude = [i.code for i in RB.items if i.dimension == "attitude"]
    better = dict(ev.items)
    for code in attitude:
        t = better.get(code, ItemTally.of(0, 0))
        better[code] = ItemTally(t.earned_cents + int(MAX[code] * 100), t.applicable + 1)
    after = EmployeeEvidence(ev.employee_id, ev.inspections + 1, better, ev.surveys,
                             ev.complaints, ev.commendation_ids)
    means = {}
    before_s = score_employee(RB, ev, means)
    after_s = score_employee(RB, after, means)
    b = before_s.dimensions["attitude"].inspection
    a = after_s.dimensions["attitude"].inspection
    assert a is not None
    assert b is None or a.score >= b.score
    if before_s.dimensions["attitude"].score is not None:
        assert after_s.dimensions["attitude"].score >= before_s.dimensions["attitude"].score  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(st.lists(evidence(), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_order_of_evidence_never_matters(evs: list[EmployeeEvidence], rnd: random.Random) -> None:
    evs = [EmployeeEvidence(i, e.inspections, e.items, e.surveys, e.complaints,
                            e.commendation_ids) for i, e in enumerate(evs)]
    shuffled = []
    for e in evs:
        items = list(e.items.items())
        rnd.shuffle(items)
        complaints = list(e.complaints)
        rnd.shuffle(complaints)
        comm = list(e.commendation_ids)
        rnd.shuffle(comm)
        shuffled.append(EmployeeEvidence(e.employee_id, e.inspections, dict(items), e.surveys,
                                         complaints, comm))
    rnd.shuffle(shuffled)
    a = {s.employee_id: s for s in score_period(RB, evs)}
    b = {s.employee_id: s for s in score_period(RB, shuffled)}
    assert a == b


def test_survey_answers_map_onto_the_rulebooks_own_scale() -> None:
    from appraisal.errors import Unprocessable
    from appraisal.evidence.service import check_answers
    from appraisal.rulebook import CRITERIA_DIR, loads_rulebook

    text = (CRITERIA_DIR / "service_standards.toml").read_text(encoding="utf-8")
    assert "scale_min = 1\nscale_max = 5" in text
    ten = loads_rulebook(text.replace("scale_min = 1\nscale_max = 5", "scale_min = 0\nscale_max = 10"))
    assert ten.survey_scale == (0, 10)
    # Two employees: one 10 and one 5 on a 0–10 scale are 100 and 50.
    evidence = [EmployeeEvidence(1, surveys={"attitude": SurveyTally(1, 10)}),
                EmployeeEvidence(2, surveys={"attitude": SurveyTally(1, 5)})]
    raw = {s.employee_id: s.dimensions["attitude"].survey.raw for s in score_period(ten, evidence)}
    assert raw == {1: 100, 2: 50}
    # On the 1–5 scale of 2026.1 the same answers are out of range; 0–10 takes them.
    check_answers(ten, {"attitude": 0, "quality": 10})
    with pytest.raises(Unprocessable) as err:
        check_answers(RB, {"attitude": 4, "quality": 10})
    assert err.value.errors == [{"field": "quality", "message": "must be a whole number from 1 to 5, got 10"}]


def test_overdue_corrective_actions_deduct_the_rulebooks_points() -> None:
    """SPEC §3.5/§4.5: each action not verified by its due time costs `overdue_points`,
    listed with the action; a rulebook without [rectification] deducts nothing."""
    from dataclasses import replace

    from appraisal.rulebook.model import Rectification

    book = replace(RB, rectification=Rectification(due_hours=24, overdue_points=Decimal("1.5")))
    ev = EmployeeEvidence(1, inspections=2, items=all_pass(2, V1=(5, 2), N2=(5, 2)),
                          complaints=(complaint(9, "minor"),), overdue_action_ids=(12, 7))
    s = score_period(book, [ev])[0]
    assert [(p.kind, p.ref_id, p.points) for p in s.penalties] == [
        ("overdue_action", 7, Fraction(3, 2)), ("overdue_action", 12, Fraction(3, 2))]
    # 96.714… − 2 (minor complaint) − 2 × 1.5 = 91.714…
    assert s.final == s.base - 2 - 3
    assert s.deducted == 5 and s.final_score == Decimal("91.71")
    plain = score_period(RB, [ev])[0]
    assert plain.penalties == () and plain.final == plain.base - 2


def test_a_snapshot_hash_fed_in_chunks_is_the_hash_of_the_whole() -> None:
    import hashlib
    import json

    from appraisal.rulebook import get_rulebook
    from appraisal.scoring.service import SnapshotDigest, content_hash

    rulebook = get_rulebook("2026.1")
    rows = [{"employee_id": i, "name": f"员工{i}", "final_score": "90.50", "lost_points": [
        {"code": "V1", "points_lost": "10"}] * i} for i in range(5)]
    whole = hashlib.sha256(json.dumps(
        {"period": "2026-11", "rulebook_version": rulebook.version,
         "rulebook_hash": rulebook.content_hash, "scores": rows},
        sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    digest = SnapshotDigest("2026-11", rulebook)
    digest.update(rows[:2])
    digest.update([])
    digest.update(rows[2:])
    assert digest.hexdigest() == whole == content_hash("2026-11", rulebook, rows)
    assert SnapshotDigest("2026-11", rulebook).hexdigest() == content_hash("2026-11", rulebook, [])
