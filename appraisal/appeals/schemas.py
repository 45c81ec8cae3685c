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


class MyAppraisalOut(msgspec.Struct):
    """One published month's appraisal, and what the employee said of it."""

    month: Month
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
    score_url: str
    pdf_url: str
    acknowledged_at: Timestamp | None
    acknowledgement_comment: str | None
    appeal: AppealOut | None


class AcknowledgementOut(msgspec.Struct):
    month: Month
    employee_id: int
    acknowledged_at: Timestamp | None
    comment: str
