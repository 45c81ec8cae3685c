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
from decimal import Decimal
from fractions import Fraction

from appraisal.figures import publish
from appraisal.rulebook import RuleBook

HUNDRED = Fraction(100)
ZERO = Fraction(0)
SUBSTANTIATED = "substantiated"


def frac(value: Decimal | int | str) -> Fraction:
    return Fraction(Decimal(value)) if not isinstance(value, int) else Fraction(value)


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class ItemTally:
    """One employee's results for one checklist item over the period.

    Points are kept as integer cents (they have at most 2 decimals), which
    keeps the arithmetic exact and fast.
    """

    earned_cents: int  # sum of earned points × 100, n.a. excluded
    applicable: int  # results that were not n.a.

    @classmethod
    def of(cls, earned: Decimal | int | str, applicable: int) -> ItemTally:
        return cls(int(Decimal(earned).scaleb(2)), applicable)

    @property
    def earned(self) -> Decimal:
        return Decimal(self.earned_cents).scaleb(-2)


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
    carried_from: str | None = None  # its own month, when its outcome counts in a later one


@dataclass(frozen=True, slots=True)
class MissedDeadline:
    """A complaint deadline (SPEC §3.4) due in the period and missed by its handler."""

    complaint_id: int
    kind: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class EmployeeEvidence:
    employee_id: int
    inspections: int = 0
    items: Mapping[str, ItemTally] = field(default_factory=dict)
    surveys: Mapping[str, SurveyTally] = field(default_factory=dict)
    complaints: Sequence[ComplaintFact] = ()
    commendation_ids: Sequence[int] = ()
    # Corrective actions due in the period and not verified by their due time (§3.5).
    overdue_action_ids: Sequence[int] = ()
    # Complaint deadlines due in the period that this employee, their handler, missed.
    missed_deadlines: Sequence[MissedDeadline] = ()


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class InspectionSource:
    earned_cents: int
    maximum_cents: int
    items: int  # applicable results
    score: Fraction

    @property
    def earned(self) -> Fraction:
        return Fraction(self.earned_cents, 100)

    @property
    def maximum(self) -> Fraction:
        return Fraction(self.maximum_cents, 100)


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
    carried_from: str | None = None

    @property
    def total(self) -> Fraction:
        return self.points + self.late_points


@dataclass(frozen=True, slots=True)
class Penalty:
    """A deduction for follow-up not done in time, beside the complaints' own:
    `overdue_action` (SPEC §3.5) names a corrective action, `missed_deadline` (§3.4) a
    complaint, with the deadline and when it was due."""

    kind: str
    ref_id: int
    points: Fraction
    deadline: str | None = None
    due_at: datetime | None = None


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
    commendations_counted: Sequence[int]  # the commendations that added points
    commendation_points: Mapping[int, Fraction]  # what each of those added
    final: Fraction | None
    final_score: Decimal | None  # published (rounded) figure
    status: str  # graded | insufficient_evidence
    grade: str | None
    veto: bool
    penalties: Sequence[Penalty] = ()

    @property
    def deducted(self) -> Fraction:
        """Everything taken off the base: complaints and penalties."""
        return (sum((d.total for d in self.deductions), Fraction(0))
                + sum((p.points for p in self.penalties), Fraction(0)))


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class _Constants:
    """A rulebook's numbers converted once per scoring run, not per employee."""

    item_dimension: Mapping[str, str]
    item_max_cents: Mapping[str, int]
    dimensions: tuple[tuple[str, Fraction], ...]
    question_dimension: Mapping[str, str]
    k: Fraction
    w_inspection: Fraction
    w_survey: Fraction
    deductions: Mapping[str, Fraction]
    late_points: Fraction
    commendation_points: Fraction
    commendation_max_points: Fraction
    overdue_points: Fraction  # per corrective action not verified in time (0: none)
    missed_deadline_points: Fraction  # per complaint deadline missed (0: none)
    survey_low: int  # the rulebook's survey scale: lowest answer, and its span
    survey_span: int


def _constants(rulebook: RuleBook) -> _Constants:
    return _Constants(
        item_dimension={i.code: i.dimension for i in rulebook.items},
        item_max_cents={i.code: int(i.points.scaleb(2)) for i in rulebook.items},
        dimensions=tuple((d.code, frac(d.weight)) for d in rulebook.dimensions),
        question_dimension={q.code: q.dimension for q in rulebook.survey_questions
                            if q.dimension is not None},
        k=frac(rulebook.survey_prior_weight),
        w_inspection=frac(rulebook.source_weights["inspection"]),
        w_survey=frac(rulebook.source_weights["survey"]),
        deductions={s: frac(v) for s, v in rulebook.complaint_deductions.items()},
        late_points=frac(rulebook.late_response_points),
        commendation_points=frac(rulebook.commendation_points),
        commendation_max_points=frac(rulebook.commendation_max_points),
        overdue_points=(frac(rulebook.rectification.overdue_points)
                        if rulebook.rectification else Fraction(0)),
        missed_deadline_points=(frac(rulebook.complaint_deadlines.missed_deadline_points)
                                if rulebook.complaint_deadlines else Fraction(0)),
        survey_low=rulebook.survey_scale[0],
        survey_span=rulebook.survey_scale[1] - rulebook.survey_scale[0],
    )


def weighted_mean(w1: Fraction, x1: Fraction, w2: Fraction, x2: Fraction) -> Fraction:
    """(w1·x1 + w2·x2) / (w1 + w2), exactly, constructing a single Fraction."""
    a, b, c, d = w1.numerator, w1.denominator, x1.numerator, x1.denominator
    e, f, g, h = w2.numerator, w2.denominator, x2.numerator, x2.denominator
    return Fraction(a * c * f * h + e * g * b * d, d * h * (a * f + e * b))


def survey_value(answer_total: int, count: int, scale: tuple[int, int]) -> Fraction:
    """Sum of answers mapped to 0–100 on the rulebook's scale: Σ (a − low)/(high − low) × 100."""
    low, high = scale
    return Fraction(100 * (answer_total - count * low), high - low)


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
    return {d: survey_value(total, n, rulebook.survey_scale) / n
            for d, (n, total) in totals.items() if n}


def is_late(c: ComplaintFact, hours: int) -> bool:
    if c.first_response_at is None:
        return True
    return c.first_response_at - c.received_at > timedelta(hours=hours)


def _inspection_cents(
    c: _Constants, items: Mapping[str, ItemTally]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Step 1: earned and maximum points (integer cents) and applicable results per dimension."""
    earned: dict[str, int] = {}
    maximum: dict[str, int] = {}
    applicable: dict[str, int] = {}
    for code, tally in items.items():
        d = c.item_dimension.get(code)
        if d is None or tally.applicable == 0:
            continue
        earned[d] = earned.get(d, 0) + tally.earned_cents
        maximum[d] = maximum.get(d, 0) + c.item_max_cents[code] * tally.applicable
        applicable[d] = applicable.get(d, 0) + tally.applicable
    return earned, maximum, applicable


def _survey_answers(
    c: _Constants, surveys: Mapping[str, SurveyTally]
) -> dict[str, tuple[int, int]]:
    """Step 2: (answers, sum of answers) per dimension; questions without one are left out."""
    survey_by_dim: dict[str, tuple[int, int]] = {}
    for code, t in surveys.items():
        d = c.question_dimension.get(code)
        if d is None:
            continue
        n, total = survey_by_dim.get(d, (0, 0))
        survey_by_dim[d] = (n + t.count, total + t.total)
    return survey_by_dim


def _dimensions_and_base(
    c: _Constants, means: Mapping[str, Fraction], earned: Mapping[str, int],
    maximum: Mapping[str, int], applicable: Mapping[str, int],
    survey_by_dim: Mapping[str, tuple[int, int]],
) -> tuple[dict[str, DimensionScore], Fraction | None]:
    """Steps 3.–4.: each dimension's score from its sources, and the base renormalised
    over the dimensions that have one."""
    dimensions: dict[str, DimensionScore] = {}
    # Σ w·s and Σ w kept as plain numerator/denominator integers: one Fraction at the end.
    top_n, top_d, w_n, w_d = 0, 1, 0, 1
    for d, weight in c.dimensions:
        insp = None
        if maximum.get(d):
            insp = InspectionSource(
                earned_cents=earned[d], maximum_cents=maximum[d],
                items=applicable[d], score=Fraction(earned[d] * 100, maximum[d]),
            )
        surv = None
        n, total = survey_by_dim.get(d, (0, 0))
        if n:
            # Σ (a − low)/span × 100 = sn/sd, integers (25·(total − n) on a 1–5 scale)
            sn, sd = 100 * (total - n * c.survey_low), c.survey_span
            mu = means.get(d, Fraction(sn, sd * n))
            # (n·x + k·μ)/(n + k) with k = kn/kd and μ = p/q, built as one Fraction
            kn, kd = c.k.numerator, c.k.denominator
            p, q = mu.numerator, mu.denominator
            surv = SurveySource(
                count=n, raw=Fraction(sn, sd * n), organisation_mean=mu,
                shrunk=Fraction(sn * q * kd + kn * p * sd, sd * q * (n * kd + kn)),
            )
        if insp and surv:
            score: Fraction | None = weighted_mean(
                c.w_inspection, insp.score, c.w_survey, surv.shrunk)
        elif insp:
            score = insp.score
        elif surv:
            score = surv.shrunk
        else:
            score = None
        dimensions[d] = DimensionScore(d, weight, insp, surv, score)
        if score is not None:
            xn, xd = weight.numerator * score.numerator, weight.denominator * score.denominator
            top_n, top_d = top_n * xd + xn * top_d, top_d * xd
            w_n, w_d = w_n * weight.denominator + weight.numerator * w_d, w_d * weight.denominator
    base = Fraction(top_n * w_d, top_d * w_n) if w_n else None
    return dimensions, base


def _complaints(
    rulebook: RuleBook, c: _Constants, complaints: Sequence[ComplaintFact]
) -> tuple[list[Deduction], list[int], bool]:
    """Step 5, complaints: a deduction per substantiated one (oldest first), the
    pending ones listed, and whether any deduction is a veto."""
    deductions: list[Deduction] = []
    open_complaints: list[int] = []
    veto = False
    for complaint in sorted(complaints, key=lambda x: (x.received_at, x.id)):
        if complaint.status == "pending":
            open_complaints.append(complaint.id)
        if complaint.status != SUBSTANTIATED:
            continue
        # A rulebook with follow-up deadlines (2026.2 on) has no late-response point:
        # its missed deadlines are deductions of their own.
        late = rulebook.complaint_deadlines is None and is_late(complaint,
                                                                 rulebook.late_response_hours)
        is_veto = complaint.severity in rulebook.veto_severities
        veto = veto or is_veto
        deductions.append(Deduction(
            complaint_id=complaint.id, severity=complaint.severity,
            points=c.deductions[complaint.severity], late=late,
            late_points=c.late_points if late else Fraction(0),
            veto=is_veto, carried_from=complaint.carried_from,
        ))
    return deductions, open_complaints, veto


@dataclass(frozen=True, slots=True)
class CommendationBonus:
    """What a period's commendations add: each counted one's points, and the total."""

    points: Mapping[int, Fraction]  # commendation id → points it added, lowest id first
    total: Fraction

    @property
    def counted(self) -> tuple[int, ...]:
        return tuple(self.points)


def commendation_bonus(
    per_commendation: Fraction, max_points: Fraction, commendation_ids: Iterable[int]
) -> CommendationBonus:
    """Step 5, the bonus (SPEC §2.1): `per_commendation` points for each commendation,
    lowest id first, up to `max_points` in all; the one that reaches the cap adds what
    is left (2 each, at most 5: the third adds 1), any after it nothing."""
    points: dict[int, Fraction] = {}
    total = Fraction(0)
    for cid in sorted(commendation_ids):
        added = min(per_commendation, max_points - total)
        if added <= 0:
            break
        points[cid] = added
        total += added
    return CommendationBonus(points, total)


def _penalties(c: _Constants, ev: EmployeeEvidence) -> list[Penalty]:
    """Step 5, follow-up not done in time: each overdue corrective action, oldest first,
    then each missed complaint deadline in the order they fell due."""
    out = []
    if c.overdue_points:
        out += [Penalty("overdue_action", aid, c.overdue_points)
                for aid in sorted(ev.overdue_action_ids)]
    if c.missed_deadline_points:
        out += [Penalty("missed_deadline", m.complaint_id, c.missed_deadline_points,
                        deadline=m.kind, due_at=m.due_at)
                for m in sorted(ev.missed_deadlines, key=lambda m: (m.due_at, m.complaint_id))]
    return out


def _final(
    c: _Constants, base: Fraction | None,
    deductions: Sequence[Deduction], penalties: Sequence[Penalty],
    commendation_ids: Sequence[int],
) -> tuple[CommendationBonus, Fraction | None]:
    """Step 5, commendations and clamping: the bonus, and the final score within 0–100."""
    bonus = commendation_bonus(c.commendation_points, c.commendation_max_points,
                               commendation_ids)
    final = None
    if base is not None:
        final = base
        # Most people have nothing taken or added: no Fraction arithmetic for them.
        if deductions or penalties or bonus.points:
            taken = (sum((d.total for d in deductions), ZERO)
                     + sum((p.points for p in penalties), ZERO))
            final = base - taken + bonus.total
        final = HUNDRED if final > HUNDRED else ZERO if final < 0 else final
    return bonus, final


def _status_and_grade(
    rulebook: RuleBook, inspections: int, published: Decimal | None, veto: bool
) -> tuple[str, str | None]:
    """Step 6: too few inspections or no score is insufficient evidence; a veto
    takes the lowest grade whatever the score."""
    if inspections < rulebook.min_inspections or published is None:
        return "insufficient_evidence", None
    return "graded", rulebook.lowest_grade if veto else rulebook.grade_for(published)


def score_employee(
    rulebook: RuleBook, ev: EmployeeEvidence, means: Mapping[str, Fraction],
    constants: _Constants | None = None,
) -> EmployeeScore:
    c = constants or _constants(rulebook)
    # The steps hand plain dicts, lists and tuples to each other: this runs for
    # every employee of a period (up to 50,000), so no objects in between.
    # 1. inspection points per dimension, in integer cents
    earned, maximum, applicable = _inspection_cents(c, ev.items)
    # 2. survey answers per dimension
    survey_by_dim = _survey_answers(c, ev.surveys)
    # 3.–4. dimension scores and the renormalised base
    dimensions, base = _dimensions_and_base(c, means, earned, maximum, applicable, survey_by_dim)
    # 5. complaints, commendations, clamping
    deductions, open_complaints, veto = _complaints(rulebook, c, ev.complaints)
    penalties = _penalties(c, ev)
    bonus, final = _final(c, base, deductions, penalties, ev.commendation_ids)
    published = publish(final)
    # 6. status and grade
    status, grade = _status_and_grade(rulebook, ev.inspections, published, veto)
    return EmployeeScore(
        employee_id=ev.employee_id, rulebook_version=rulebook.version,
        inspections=ev.inspections, dimensions=dimensions, base=base,
        deductions=tuple(deductions), open_complaints=tuple(open_complaints),
        bonus=bonus.total, commendations_counted=bonus.counted,
        commendation_points=bonus.points, final=final, final_score=published,
        status=status, grade=grade, veto=veto, penalties=tuple(penalties),
    )


def score_period(
    rulebook: RuleBook, evidence: Sequence[EmployeeEvidence],
    organisation: Mapping[str, SurveyTally] | None = None,
) -> list[EmployeeScore]:
    """Everyone's score; `organisation`: every answer of the period per question, when
    `evidence` holds only some of the employees (their means are everyone's)."""
    means = organisation_means(rulebook, evidence if organisation is None else [
        EmployeeEvidence(employee_id=0, surveys=organisation)])
    constants = _constants(rulebook)
    return [score_employee(rulebook, ev, means, constants) for ev in evidence]
