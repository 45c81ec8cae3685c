"""Incentive pool allocation (SPEC §6), hand-computed cases and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal.incentives.allocation import (
    Candidate,
    StarCandidate,
    allocate_pool,
    service_stars,
)
from appraisal.rulebook import get_rulebook

COEF = get_rulebook("2026.1").incentive_coefficients
D = Decimal


def person(i: int, grade: str | None, score: str = "85", status: str = "graded") -> Candidate:
    return Candidate(i, f"E{i:03d}", D(score), grade, status)


def amounts(alloc) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {s.employee_id: str(s.amount) for s in alloc.shares}


def test_shares_follow_coefficients() -> None:
    people = [person(1, "excellent"), person(2, "good"), person(3, "pass"),
              person(4, "needs_improvement"), person(5, None, status="insufficient_evidence")]
    a = allocate_pool(D("3700.00"), people, COEF)
    # Σc = 1.5 + 1.2 + 1.0 = 3.7 → 1500, 1200, 1000
    assert amounts(a) == {1: "1500.00", 2: "1200.00", 3: "1000.00", 4: "0.00"}
    assert (a.allocated, a.unallocated) == (D("3700.00"), D("0.00"))
    assert 5 not in amounts(a)  # insufficient evidence does not share


def test_cents_by_largest_remainder_with_tie_breaks() -> None:
    # 100.00 over three equal coefficients: 33.333… each, one cent left
    people = [person(1, "pass", "70"), person(2, "pass", "75"), person(3, "pass", "75")]
    a = allocate_pool(D("100.00"), people, COEF)
    # equal remainders → higher final score first, then lower employee_no
    assert amounts(a) == {1: "33.33", 2: "33.34", 3: "33.33"}
    b = allocate_pool(D("0.05"), [person(i, "pass", "80") for i in range(1, 4)], COEF)
    assert amounts(b) == {1: "0.02", 2: "0.02", 3: "0.01"}


def test_pool_not_divisible_into_cents() -> None:
    people = [person(1, "excellent"), person(2, "good"), person(3, "good")]
    a = allocate_pool(D("1000.00"), people, COEF)
    # Σc = 3.9: 384.615…, 307.692…, 307.692… → floors 384.61, 307.69, 307.69 (+1 cent left)
    assert amounts(a) == {1: "384.62", 2: "307.69", 3: "307.69"}
    assert a.allocated == D("1000.00")


def test_cap_redistributes_over_several_rounds() -> None:
    people = [person(1, "excellent"), person(2, "good"), person(3, "pass"), person(4, "pass")]
    a = allocate_pool(D("1000.00"), people, COEF, cap=D("280.00"))
    # round 1: Σc 4.7 → 319.15 (>cap), 255.32, 212.77, 212.77; 1 capped
    # round 2: 720 over 3.2 → 270.00 (good), 225, 225: nobody over → done
    assert amounts(a) == {1: "280.00", 2: "270.00", 3: "225.00", 4: "225.00"}
    b = allocate_pool(D("1000.00"), people, COEF, cap=D("260.00"))
    # round 2: 740/3.2·1.2 = 277.5 > 260 → capped; round 3: 480 over 2.0 → 240 each
    assert amounts(b) == {1: "260.00", 2: "260.00", 3: "240.00", 4: "240.00"}
    assert b.unallocated == 0


def test_everyone_capped_leaves_the_rest_unallocated() -> None:
    people = [person(1, "excellent"), person(2, "pass"), person(3, "needs_improvement")]
    a = allocate_pool(D("1000.00"), people, COEF, cap=D("300.00"))
    assert amounts(a) == {1: "300.00", 2: "300.00", 3: "0.00"}
    assert (a.allocated, a.unallocated) == (D("600.00"), D("400.00"))


def test_single_eligible_employee_takes_all() -> None:
    a = allocate_pool(D("8888.88"), [person(1, "pass"), person(2, "needs_improvement")], COEF)
    assert amounts(a) == {1: "8888.88", 2: "0.00"}


def test_nobody_eligible() -> None:
    a = allocate_pool(D("500.00"), [person(1, "needs_improvement"),
                                    person(2, None, status="insufficient_evidence")], COEF)
    assert a.allocated == 0 and a.unallocated == D("500.00")
    assert allocate_pool(D("500.00"), [], COEF).unallocated == D("500.00")


def test_bad_pools() -> None:
    for pool in ("-1", "10.005"):
        with pytest.raises(ValueError):
            allocate_pool(D(pool), [person(1, "pass")], COEF)
    with pytest.raises(ValueError):
        allocate_pool(D("10"), [person(1, "pass")], COEF, cap=D("-5"))


def test_service_stars() -> None:
    people = [
        StarCandidate(1, "E001", 1, D("98.00"), "excellent", 1),  # complaint → no star
        StarCandidate(2, "E002", 1, D("95.00"), "excellent", 0),
        StarCandidate(3, "E003", 1, D("95.00"), "excellent", 0),  # tie → lower employee_no
        StarCandidate(4, "E004", 2, D("89.99"), "good", 0),  # no excellent in team 2
        StarCandidate(5, "E005", 3, D("99.00"), "needs_improvement", 0),  # veto
    ]
    stars = service_stars(people)
    assert {t: s.employee_id for t, s in stars.items()} == {1: 2}


GRADES = ["excellent", "good", "pass", "needs_improvement"]
candidates = st.lists(
    st.tuples(st.sampled_from([*GRADES, None]), st.integers(0, 10000)), max_size=30
).map(lambda rows: [
    Candidate(i, f"E{i:04d}", D(score) / 100, grade,
              "graded" if grade else "insufficient_evidence")
    for i, (grade, score) in enumerate(rows)
])
pools = st.integers(0, 10**9).map(lambda c: D(c) / 100)


@settings(max_examples=300, deadline=None)
@given(pools, candidates, st.one_of(st.none(), st.integers(0, 10**7).map(lambda c: D(c) / 100)))
def test_sum_is_the_pool_to_the_cent_and_caps_hold(pool, people, cap) -> None:  # type: ignore[no-untyped-def]
    a = allocate_pool(pool, people, COEF, cap)
    assert a.allocated + a.unallocated == pool
    assert sum((s.amount for s in a.shares), D(0)) == a.allocated
    assert all(s.amount >= 0 and s.amount == s.amount.quantize(D("0.01")) for s in a.shares)
    eligible = [s for s in a.shares if s.coefficient > 0]
    if cap is not None:
        assert all(s.amount <= cap for s in a.shares)
    if a.unallocated > 0:
        # only when nobody is eligible or everyone eligible is at the cap
        assert not eligible or (cap is not None and all(s.amount == cap for s in eligible))


@settings(max_examples=300, deadline=None)
@given(pools, candidates)
def test_a_higher_grade_never_gets_less_without_a_cap(pool, people) -> None:  # type: ignore[no-untyped-def]
    a = allocate_pool(pool, people, COEF)
    rank = {g: i for i, g in enumerate(GRADES)}
    for x in a.shares:
        for y in a.shares:
            if rank[x.grade] < rank[y.grade]:  # x has the higher grade
                assert x.amount >= y.amount
