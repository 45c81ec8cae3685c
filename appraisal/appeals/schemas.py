"""Request and response shapes of self-service appraisals and appeals (SPEC §8)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from appraisal.params import Grade, Score, Timestamp

Month = Annotated[str, msgspec.Meta(examples=["2026-11"])]


class AcknowledgeIn(msgspec.Struct, forbid_unknown_fields=True):
    comment: str = ""


class AppealIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["upheld", "rejected"]
    answer: str


class AppealOut(msgspec.Struct):
    id: int
    month: Month
    employee_id: int
    snapshot_id: int
    current: Annotated[bool, msgspec.Meta(
        description="false once the month was reopened and closed again")]
    status: Literal["open", "upheld", "rejected"]
    reason: str
    filed_at: Timestamp | None
    answer: Annotated[str, msgspec.Meta(description="HR's answer; empty until answered")]
    answered_at: Timestamp | None
    reopened_month: Annotated[bool, msgspec.Meta(
        description="upholding it reopened the month to correct it")]


class StaffAppealOut(AppealOut):
    """An appeal as HR and supervisors read it: with whose it is."""

    employee_no: str
    name: str
    team_id: int
    team: str


class IncentiveOut(msgspec.Struct):
    amount: Annotated[str, msgspec.Meta(description="2 decimals", examples=["1500.00"])]
    currency: str
    service_star: bool


class AppraisalSnapshot(msgspec.Struct):
    sequence: int
    content_hash: str


class CorrectionReason(msgspec.Struct):
    """Why HR reopened a published month."""

    kind: Annotated[Literal["your_appeal", "appeal", "reopen"], msgspec.Meta(
        description="your_appeal: your appeal was upheld (`reason` is HR's answer); appeal: "
                    "another appeal was upheld (whose and why stay theirs); reopen: HR "
                    "reopened the month (`reason` is HR's)")]
    reopened_at: Timestamp
    reason: str
    appeal_id: int | None


class CorrectionOut(msgspec.Struct):
    """How this version differs from the one published before it, and why."""

    previous_final_score: Score | None
    previous_grade: Grade | None
    previous_sequence: int
    previous_published_at: Timestamp | None
    corrected_at: Annotated[Timestamp | None, msgspec.Meta(
        description="when the corrected result was published")]
    reasons: Annotated[list[CorrectionReason], msgspec.Meta(
        description="every reopen between the two publications, oldest first")]


class MyAppraisalOut(msgspec.Struct):
    """One published version of a month's appraisal, and what the employee said of it.

    Each month lists every version its employee was published in, the one that counts
    first: `current` (the published result), or `being_corrected` (HR reopened the
    month after publishing it; the corrected result follows), then the `superseded`
    ones. Only a current version is acknowledged or appealed."""

    month: Month
    state: Literal["current", "being_corrected", "superseded"]
    published_at: Timestamp | None
    final_score: Score | None
    grade: Grade | None
    status: Literal["graded", "insufficient_evidence"]
    veto: bool
    dimensions: Annotated[dict[str, Score], msgspec.Meta(
        description="{dimension code: score}; codes without data are absent")]
    incentive: IncentiveOut | None
    snapshot: AppraisalSnapshot
    rulebook_version: str
    score_url: Annotated[str | None, msgspec.Meta(
        description="the breakdown; current versions only (the API keeps the current one)")]
    pdf_url: Annotated[str | None, msgspec.Meta(description="current versions only")]
    acknowledged_at: Timestamp | None
    acknowledgement_comment: str | None
    appeal: AppealOut | None
    can_acknowledge: bool
    can_appeal: bool
    correction: Annotated[CorrectionOut | None, msgspec.Meta(
        description="set when this version corrected an earlier published one")]
    reopened: Annotated[CorrectionReason | None, msgspec.Meta(
        description="set once HR reopened the month after this version")]


class AcknowledgementOut(msgspec.Struct):
    month: Month
    employee_id: int
    acknowledged_at: Timestamp | None
    comment: str
