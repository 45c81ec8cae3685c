"""The scoring rules of SPEC §4 as pure functions over plain data.

Everything is computed with Fractions, so results are exact and do not
depend on the order evidence arrives in; only published figures are
rounded (half-up, 2 decimals). The database layer feeds these functions
with per-employee aggregates (see scoring.queries).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

from appraisal.rulebook import RuleBook

HUNDRED = Fraction(100)
SUBSTANTIATED = "substantiated"


def publish(value: Fraction | None) -> Decimal | None:
    """Round half-up (away from zero) to 2 decimals, exactly."""
    if value is None:
        return None
    sign = -1 if value < 0 else 1
    cents = floor(abs(value) * 100 + Fraction(1, 2))
    return (Decimal(sign * cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def frac(value: Decimal | int | str) -> Fraction:
    return Fraction(Decimal(value)) if not isinstance(value, int) else Fraction(value)


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class ItemTally:
    """One employee's results for one checklist item over the period."""

    earned: Decimal  # sum of earned points, n.a. excluded
    applicable: int  # results that were not n.a.


@dataclass(frozen=True, slots=True)
class SurveyTally:
    """One employee's answers to one survey question over the period."""

    count: int
    total: int  # sum of the 1–5 answers


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    id: int
    severity: str
    status: str
    received_at: datetime
    first_response_at: datetime | None


@dataclass(frozen=True, slots=True)
class EmployeeEvidence:
    employee_id: int
    inspections: int = 0
    items: Mapping[str, ItemTally] = field(default_factory=dict)
    surveys: Mapping[str, SurveyTally] = field(default_factory=dict)
    complaints: Sequence[ComplaintFact] = ()
    commendation_ids: Sequence[int] = ()


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class InspectionSource:
    earned: Fraction
    maximum: Fraction
    items: int  # applicable results
    score: Fraction


@dataclass(frozen=True, slots=True)
class SurveySource:
    count: int
    raw: Fraction  # the employee's own mean on the 0–100 scale
    organisation_mean: Fraction
    shrunk: Fraction


@dataclass(frozen=True, slots=True)
class DimensionScore:
    code: str
    weight: Fraction
    inspection: InspectionSource | None
    survey: SurveySource | None
    score: Fraction | None


@dataclass(frozen=True, slots=True)
class Deduction:
    complaint_id: int
    severity: str
    points: Fraction  # severity points
    late: bool
    late_points: Fraction
    veto: bool

    @property
    def total(self) -> Fraction:
        return self.points + self.late_points


@dataclass(frozen=True, slots=True)
class EmployeeScore:
    employee_id: int
    rulebook_version: str
    inspections: int
    dimensions: Mapping[str, DimensionScore]
    base: Fraction | None
    deductions: Sequence[Deduction]
    open_complaints: Sequence[int]
    bonus: Fraction
    commendations_counted: Sequence[int]
    final: Fraction | None
    final_score: Decimal | None  # published (rounded) figure
    status: str  # graded | insufficient_evidence
    grade: str | None
    veto: bool


# ---------------------------------------------------------------- rules


def survey_value(answer_total: int, count: int) -> Fraction:
    """Sum of answers mapped to 0–100: Σ (a − 1)/4 × 100."""
    return Fraction(answer_total - count, 4) * HUNDRED


def organisation_means(
    rulebook: RuleBook, evidence: Iterable[EmployeeEvidence]
) -> dict[str, Fraction]:
    """μ per dimension: the mean of all answers of all employees in the period."""
    totals: dict[str, list[int]] = {}
    for ev in evidence:
        for q in rulebook.survey_questions:
            if q.dimension is None or q.code not in ev.surveys:
                continue
            t = ev.surveys[q.code]
            acc = totals.setdefault(q.dimension, [0, 0])
            acc[0] += t.count
            acc[1] += t.total
    return {d: survey_value(total, n) / n for d, (n, total) in totals.items() if n}


def is_late(c: ComplaintFact, hours: int) -> bool:
    if c.first_response_at is None:
        return True
    return c.first_response_at - c.received_at > timedelta(hours=hours)


def grade_for(rulebook: RuleBook, published: Decimal) -> str:
    for grade, threshold in rulebook.grade_thresholds:
        if published >= threshold:
            return grade
    return rulebook.lowest_grade


def score_employee(
    rulebook: RuleBook, ev: EmployeeEvidence, means: Mapping[str, Fraction]
) -> EmployeeScore:
    k = frac(rulebook.survey_prior_weight)
    w_insp = frac(rulebook.source_weights["inspection"])
    w_surv = frac(rulebook.source_weights["survey"])
    item_rules = {item.code: item for item in rulebook.items}

    # 1. inspection points per dimension
    earned: dict[str, Fraction] = {}
    maximum: dict[str, Fraction] = {}
    applicable: dict[str, int] = {}
    for code, tally in ev.items.items():
        rule = item_rules.get(code)
        if rule is None or tally.applicable == 0:
            continue
        d = rule.dimension
        earned[d] = earned.get(d, Fraction(0)) + frac(tally.earned)
        maximum[d] = maximum.get(d, Fraction(0)) + frac(rule.points) * tally.applicable
        applicable[d] = applicable.get(d, 0) + tally.applicable

    # 2. survey answers per dimension
    survey_by_dim: dict[str, tuple[int, int]] = {}
    for q in rulebook.survey_questions:
        if q.dimension is None or q.code not in ev.surveys:
            continue
        t = ev.surveys[q.code]
        n, total = survey_by_dim.get(q.dimension, (0, 0))
        survey_by_dim[q.dimension] = (n + t.count, total + t.total)

    # 3.–4. dimension scores and the renormalised base
    dimensions: dict[str, DimensionScore] = {}
    weighted = Fraction(0)
    weight_sum = Fraction(0)
    for dim in rulebook.dimensions:
        d = dim.code
        insp = None
        if maximum.get(d):
            insp = InspectionSource(
                earned=earned[d], maximum=maximum[d], items=applicable[d],
                score=earned[d] / maximum[d] * HUNDRED,
            )
        surv = None
        n, total = survey_by_dim.get(d, (0, 0))
        if n:
            mu = means.get(d, survey_value(total, n) / n)
            surv = SurveySource(
                count=n, raw=survey_value(total, n) / n, organisation_mean=mu,
                shrunk=(survey_value(total, n) + k * mu) / (n + k),
            )
        parts = [(w_insp, insp.score)] if insp else []
        if surv:
            parts.append((w_surv, surv.shrunk))
        score = (
            sum((w * s for w, s in parts), Fraction(0)) / sum(w for w, _ in parts)
            if parts else None
        )
        weight = frac(dim.weight)
        dimensions[d] = DimensionScore(d, weight, insp, surv, score)
        if score is not None:
            weighted += weight * score
            weight_sum += weight
    base = weighted / weight_sum if weight_sum else None

    # 5. complaints, commendations, clamping
    deductions: list[Deduction] = []
    open_complaints: list[int] = []
    veto = False
    for c in sorted(ev.complaints, key=lambda c: (c.received_at, c.id)):
        if c.status == "pending":
            open_complaints.append(c.id)
        if c.status != SUBSTANTIATED:
            continue
        late = is_late(c, rulebook.late_response_hours)
        is_veto = c.severity in rulebook.veto_severities
        veto = veto or is_veto
        deductions.append(Deduction(
            complaint_id=c.id, severity=c.severity,
            points=frac(rulebook.complaint_deductions[c.severity]), late=late,
            late_points=frac(rulebook.late_response_points) if late else Fraction(0),
            veto=is_veto,
        ))
    counted = sorted(ev.commendation_ids)[: rulebook.commendation_max]
    bonus = frac(rulebook.commendation_points) * len(counted)
    final = None
    if base is not None:
        final = min(HUNDRED, max(Fraction(0), base - sum((d.total for d in deductions),
                                                         Fraction(0)) + bonus))
    published = publish(final)

    # 6. status and grade
    if ev.inspections < rulebook.min_inspections or published is None:
        status, grade = "insufficient_evidence", None
    else:
        status = "graded"
        grade = rulebook.lowest_grade if veto else grade_for(rulebook, published)
    return EmployeeScore(
        employee_id=ev.employee_id, rulebook_version=rulebook.version,
        inspections=ev.inspections, dimensions=dimensions, base=base,
        deductions=tuple(deductions), open_complaints=tuple(open_complaints), bonus=bonus,
        commendations_counted=tuple(counted), final=final, final_score=published,
        status=status, grade=grade, veto=veto,
    )


def score_period(
    rulebook: RuleBook, evidence: Sequence[EmployeeEvidence]
) -> list[EmployeeScore]:
    means = organisation_means(rulebook, evidence)
    return [score_employee(rulebook, ev, means) for ev in evidence]
