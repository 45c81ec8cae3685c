"""Sharing an incentive pool by grade coefficients, exactly to the cent (SPEC §6).

Pure functions over plain data: exact shares are Fractions; a per-person
cap is applied by water-filling (the excess goes to the uncapped in
proportion, repeatedly); then every share is floored to a cent and the
remaining cents are handed out one each by largest remainder (ties:
higher final score, then lower employee_no). allocated + unallocated is
the pool to the cent, always.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Candidate:
    employee_id: int
    employee_no: str
    final_score: Decimal | None
    grade: str | None
    status: str  # graded | insufficient_evidence


@dataclass(frozen=True, slots=True)
class Share:
    employee_id: int
    employee_no: str
    grade: str | None
    final_score: Decimal | None
    coefficient: Decimal
    amount: Decimal  # 2 decimals


@dataclass(frozen=True, slots=True)
class Allocation:
    pool: Decimal
    cap: Decimal | None
    allocated: Decimal
    unallocated: Decimal
    shares: tuple[Share, ...]


def to_cents(value: Decimal) -> int:
    cents = value.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} has more than 2 decimal places")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(Decimal("0.01"))


def exact_shares(
    pool: Fraction, weights: Mapping[int, Fraction], cap: Fraction | None
) -> dict[int, Fraction]:
    """Pool × c_i / Σc over the uncapped, capping and redistributing until stable."""
    shares: dict[int, Fraction] = {}
    uncapped = {i: w for i, w in weights.items() if w > 0}
    remaining = pool
    while uncapped:
        total = sum(uncapped.values(), Fraction(0))
        tentative = {i: remaining * w / total for i, w in uncapped.items()}
        over = [i for i, s in tentative.items() if cap is not None and s > cap]
        if not over:
            shares.update(tentative)
            return shares
        for i in over:
            assert cap is not None
            shares[i] = cap
            remaining -= cap
            del uncapped[i]
    return shares  # everyone with a coefficient is at the cap


def allocate_pool(
    pool: Decimal,
    candidates: Sequence[Candidate],
    coefficients: Mapping[str, Decimal],
    cap: Decimal | None = None,
) -> Allocation:
    if pool < 0:
        raise ValueError("pool must not be negative")
    if cap is not None and cap < 0:
        raise ValueError("cap must not be negative")
    pool_cents = to_cents(pool)
    if cap is not None:
        to_cents(cap)
    graded = [c for c in candidates if c.status == "graded" and c.grade is not None]
    coef = {c.employee_id: Decimal(coefficients.get(c.grade, 0)) for c in graded}  # type: ignore[arg-type]
    exact = exact_shares(
        Fraction(pool_cents), {i: Fraction(v) for i, v in coef.items()},
        Fraction(to_cents(cap)) if cap is not None else None,
    )
    # Work in cents: floor, then largest remainder.
    floors = {i: s.numerator // s.denominator for i, s in exact.items()}
    target = sum(exact.values(), Fraction(0))
    leftover = int(target) - sum(floors.values())
    by_id = {c.employee_id: c for c in graded}

    def order(i: int) -> tuple[Fraction, Decimal, str]:
        c = by_id[i]
        return (-(exact[i] - floors[i]), -(c.final_score or Decimal(0)), c.employee_no)

    for i in sorted((i for i in exact if exact[i] > floors[i]), key=order)[:leftover]:
        floors[i] += 1
    allocated = sum(floors.values())
    shares = tuple(
        Share(c.employee_id, c.employee_no, c.grade, c.final_score, coef[c.employee_id],
              from_cents(floors.get(c.employee_id, 0)))
        for c in sorted(graded, key=lambda c: c.employee_no)
    )
    return Allocation(
        pool=from_cents(pool_cents), cap=from_cents(to_cents(cap)) if cap is not None else None,
        allocated=from_cents(allocated), unallocated=from_cents(pool_cents - allocated),
        shares=shares,
    )


@dataclass(frozen=True, slots=True)
class StarCandidate:
    employee_id: int
    employee_no: str
    team_id: int
    final_score: Decimal | None
    grade: str | None
    substantiated_complaints: int


def service_stars(people: Sequence[StarCandidate]) -> dict[int, StarCandidate]:
    """服务之星 per team: the highest final score among excellent employees without a
    substantiated complaint in the period (ties: lower employee_no)."""
    stars: dict[int, StarCandidate] = {}
    for p in sorted(people, key=lambda p: (-(p.final_score or 0), p.employee_no)):
        if p.grade != "excellent" or p.substantiated_complaints or p.final_score is None:
            continue
        stars.setdefault(p.team_id, p)
    return stars
