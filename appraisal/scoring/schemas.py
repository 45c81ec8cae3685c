"""Response shapes of scores, breakdowns and calibration (SPEC §8).

Scores, points and weights travel as strings of decimals ("96.71", "0.6"),
timestamps as ISO 8601 with the organisation's offset. The breakdown is
built as a dict by `explain.breakdown` (and stored as such in snapshots);
these Structs type it at the API boundary.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from appraisal.params import Grade, Score, Timestamp

ScoreStatus = Literal["graded", "insufficient_evidence"]
Severity = Literal["minor", "major", "critical"]
Points = Annotated[str, msgspec.Meta(description="points or a weight, as written: a decimal",
                                     examples=["5", "0.6"])]
Dimensions = Annotated[dict[str, Score], msgspec.Meta(
    description="{dimension code: score}; codes without data are absent",
    examples=[{"attitude": "92.86", "quality": "100.00"}])]


class ScoredEmployee(msgspec.Struct):
    """Who a row is about, and their published final score: the first fields of every
    ranking, share and star row."""

    employee_id: int
    employee_no: str
    name: str
    team_id: int
    team: str
    final_score: Score | None


class ScoreSummary(ScoredEmployee):
    """One row of the period's ranking."""

    grade: Grade | None
    status: ScoreStatus
    veto: bool
    inspections: int
    dimensions: Dimensions


class InspectionSourceOut(msgspec.Struct):
    earned: Points
    max: Points
    items: int
    score: Score
    weight: Points


class SurveySourceOut(msgspec.Struct):
    count: int
    raw: Score
    organisation_mean: Score
    prior_weight: Points
    shrunk: Score
    weight: Points


class DimensionBreakdown(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    weight: Points
    score: Score | None
    inspection: InspectionSourceOut | None
    survey: SurveySourceOut | None


class DeductionOut(msgspec.Struct):
    complaint_id: int
    severity: Severity
    points: Points
    late: bool
    late_points: Points
    total: Points
    veto: bool
    received_at: Timestamp | None
    first_response_at: Timestamp | None
    channel: str | None
    description: str | None
    # Its own month, when its outcome was recorded after that month closed (SPEC §3.4).
    carried_from: str | None = None


class OpenComplaintOut(msgspec.Struct):
    complaint_id: int
    severity: Severity | None
    received_at: Timestamp | None


class BonusCommendation(msgspec.Struct):
    commendation_id: int
    source: str
    received_at: Timestamp | None
    counted: bool  # it added points
    # What it added ("2"; "1" for the one that reaches the cap; "0" after it). Null only
    # in breakdowns stored before the cap was in points.
    points: Points | None = None


class BonusOut(msgspec.Struct):
    """The commendation bonus: `counted` commendations added `points` of at most
    `max_points` (`per_commendation` each, the last one up to the cap)."""

    points: Points
    per_commendation: Points
    # Null only in breakdowns stored before the cap was in points (they hold
    # `max_counted`, a number of commendations, instead).
    max_points: Points | None = None
    counted: int | None = None
    commendations: list[BonusCommendation] = msgspec.field(default_factory=list)


class LostPointOut(msgspec.Struct):
    """An item result that lost points, with its inspection and the coaching."""

    code: str
    standard_zh: str
    standard_en: str
    dimension: str
    inspection_id: int
    occurred_at: Timestamp | None
    touchpoint: str
    result: str
    points_lost: Points
    coaching_zh: str
    coaching_en: str


class TouchpointLossOut(msgspec.Struct):
    """Where the standards slipped: the points lost at one touchpoint, and on which items."""

    touchpoint: str
    results: int  # failed (or part-scored) results there
    points_lost: Points
    items: list[str]


class PenaltyOut(msgspec.Struct):
    """A deduction for follow-up not done in time: `overdue_action`, a corrective action
    (SPEC §3.5) not verified by its due time, with the failed check behind it;
    `missed_deadline`, a complaint deadline (§3.4) missed by the complaint's handler."""

    kind: str
    points: Points
    action_id: int | None = None
    item_code: str | None = None
    standard_zh: str | None = None
    standard_en: str | None = None
    touchpoint: str | None = None
    inspection_id: int | None = None
    due_at: Timestamp | None = None
    verified_at: Timestamp | None = None
    complaint_id: int | None = None
    deadline: Literal["first_response", "promise", "update", "resolution",
                      "return_visit"] | None = None
    met_at: Timestamp | None = None  # done, but after due_at (null: not done by then)


class SnapshotInfo(msgspec.Struct):
    id: int
    sequence: int
    content_hash: str
    rulebook_version: str
    rulebook_hash: str
    created_at: Timestamp


class ScoreBreakdown(ScoreSummary):
    """Everything behind one score. `snapshot` is there once the period is closed."""

    grade_zh: str | None
    period: str
    rulebook_version: str
    rulebook_hash: str
    min_inspections: int
    base_score: Score | None
    dimension_breakdown: list[DimensionBreakdown]
    deductions: list[DeductionOut]
    # Complaint deductions and penalties together: base − this + bonus = final.
    deductions_total: Points
    open_complaints: list[OpenComplaintOut]
    bonus: BonusOut
    lost_points: list[LostPointOut]
    # Absent from breakdowns stored before penalties and touchpoint losses existed.
    penalties: list[PenaltyOut] = msgspec.field(default_factory=list)
    lost_by_touchpoint: list[TouchpointLossOut] = msgspec.field(default_factory=list)
    snapshot: SnapshotInfo | msgspec.UnsetType = msgspec.UNSET


class InspectorCalibration(msgspec.Struct):
    inspector_id: int | None
    inspector: str
    inspections: int
    employees: int
    items_judged: int
    failed: int
    fail_rate: Annotated[str, msgspec.Meta(examples=["0.067"])] | None
    z: Annotated[str, msgspec.Meta(examples=["2.35"])] | None
    flag: Literal["stricter", "more_lenient"] | None


class TeamSpread(msgspec.Struct):
    team_id: int
    team: str
    employees: int
    graded: int
    vetoes: int
    average_score: Score | None
    grades: Annotated[dict[str, int], msgspec.Meta(description="{grade: head count}")]


class TouchpointScore(msgspec.Struct):
    """Points earned at a touchpoint as a share of the points judged there (× 100)."""

    touchpoint: str
    results: int  # applicable results judged
    failed: int
    score: Score | None


class TeamTouchpointScore(TouchpointScore):
    team_id: int = 0
    team: str = ""


class CalibrationOut(msgspec.Struct):
    month: str
    status: Literal["open", "closed", "published"]
    items_judged: int
    failed: int
    fail_rate: Annotated[str, msgspec.Meta(examples=["0.067"])] | None
    min_items: int
    z_limit: str
    inspectors: list[InspectorCalibration]
    teams: list[TeamSpread]
    # Where the standards slip, lowest first: each touchpoint, and each team at each.
    touchpoints: list[TouchpointScore] = msgspec.field(default_factory=list)
    team_touchpoints: list[TeamTouchpointScore] = msgspec.field(default_factory=list)


def score_summaries(rows: list[dict[str, Any]]) -> list[ScoreSummary]:
    return msgspec.convert(rows, list[ScoreSummary])


def score_breakdown(row: dict[str, Any]) -> ScoreBreakdown:
    return msgspec.convert(row, ScoreBreakdown)
