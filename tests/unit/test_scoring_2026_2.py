"""SPEC §4 on rulebook 2026.2, hand-computed: the formula is unchanged, an item is an
item whichever touchpoint it is checked at; only the late-response point is gone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from appraisal.rulebook import get_rulebook
from appraisal.scoring.engine import ComplaintFact, EmployeeEvidence, ItemTally, score_period

RB1 = get_rulebook("2026.1")
RB2 = get_rulebook("2026.2")
T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def test_two_touchpoints_points_and_na() -> None:
    # Inspection A at the car park: CP1 pass (10, efficiency), CP3 fail (10, measures),
    # CP7 pass (5, environment), V1 pass (5, attitude), M1 pass (5, measures), N2 n.a.
    # Inspection B at the front desk: FD1 fail (10, attitude), FD4 7 of 10 (quality),
    # H2 pass (10, quality), E1 pass (10, efficiency), N1 pass (10, environment), FD7 n.a.
    assert {RB2.item(c).dimension for c in ("CP1", "E1")} == {"efficiency"}
    assert RB2.item("FD4").points == 10 and RB2.item("CP7").points == 5
    items = {
        "CP1": ItemTally.of(10, 1), "CP3": ItemTally.of(0, 1), "CP7": ItemTally.of(5, 1),
        "V1": ItemTally.of(5, 1), "M1": ItemTally.of(5, 1), "N2": ItemTally.of(0, 0),
        "FD1": ItemTally.of(0, 1), "FD4": ItemTally.of(7, 1), "H2": ItemTally.of(10, 1),
        "E1": ItemTally.of(10, 1), "N1": ItemTally.of(10, 1), "FD7": ItemTally.of(0, 0),
    }
    (s,) = score_period(RB2, [EmployeeEvidence(1, inspections=2, items=items)])
    dims = {d: s.dimensions[d].score for d in RB2.dimension_codes}
    # attitude 5/15, quality 17/20, measures 5/15, efficiency 20/20, environment 15/15
    assert dims == {"attitude": Fraction(100, 3), "quality": 85, "measures": Fraction(100, 3),
                    "efficiency": 100, "environment": 100}
    assert s.dimensions["environment"].inspection.maximum == 15  # type: ignore[union-attr]
    # (25·100/3 + 25·85 + 15·100/3 + 20·100 + 15·100) / 100 = 69.58333…
    assert s.base == Fraction(20875, 300)
    assert (s.final_score, s.grade, s.status) == (Decimal("69.58"), "pass", "graded")


def test_the_same_evidence_on_2026_1_and_2026_2() -> None:
    # SPEC §4's worked example (96.714…) and a substantiated major complaint never
    # answered. 2026.1: 5 + 1 late point; 2026.2: 5 (its deadlines are deducted apart).
    items = {c: ItemTally.of(RB1.item(c).points * 2, 2) for c in RB1.item_codes}
    items["V1"] = ItemTally.of(5, 2)
    items["N2"] = ItemTally.of(5, 2)
    complaint = ComplaintFact(7, "major", "substantiated", T0, None)
    ev = EmployeeEvidence(1, inspections=2, items=items, complaints=[complaint])
    (old,) = score_period(RB1, [ev])
    (new,) = score_period(RB2, [ev])
    # attitude 65/70: (25·650/7 + 25·100 + 15·100 + 20·100 + 15·90) / 100 = 677/7
    assert old.base == new.base == Fraction(677, 7)
    assert (old.final_score, old.grade) == (Decimal("90.71"), "excellent")
    assert (new.final_score, new.grade) == (Decimal("91.71"), "excellent")
    assert [(d.late, d.total) for d in old.deductions] == [(True, 6)]
    assert [(d.late, d.total) for d in new.deductions] == [(False, 5)]


def test_facility_checks_only() -> None:
    # A lift and a corridor inspected for an engineer: nothing but measures and
    # environment has data, so the base is renormalised over those two.
    # measures: LF1 fail (10), LF3 pass (10), CR3 pass (10), CR4 4 of 10 → 24/40 = 60
    # environment: LF5 pass (5), CR1 n.a. → 5/5 = 100
    items = {"LF1": ItemTally.of(0, 1), "LF3": ItemTally.of(10, 1), "CR3": ItemTally.of(10, 1),
             "CR4": ItemTally.of(4, 1), "LF5": ItemTally.of(5, 1), "CR1": ItemTally.of(0, 0)}
    (s,) = score_period(RB2, [EmployeeEvidence(2, inspections=2, items=items)])
    assert s.dimensions["measures"].score == 60 and s.dimensions["environment"].score == 100
    assert s.dimensions["attitude"].score is None
    # (15·60 + 15·100) / 30 = 80
    assert s.base == 80 and (s.final_score, s.grade) == (Decimal("80.00"), "good")

