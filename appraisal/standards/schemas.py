"""The rulebooks as the API sends them (SPEC §2): every section under the file's own
keys, numbers as the decimal strings they were written as."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from appraisal.rulebook import RuleBook

Number = Annotated[str, msgspec.Meta(description="a decimal, as written in the rulebook",
                                     examples=["5", "0.6"])]


class RulebookListed(msgspec.Struct):
    version: str
    effective_from: Annotated[str, msgspec.Meta(description="the first month (YYYY-MM) "
                                                "a new period pins it")]
    content_hash: Annotated[str, msgspec.Meta(description="sha256 of the file's bytes")]


class DimensionOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    weight: Number


class ItemOut(msgspec.Struct):
    code: str
    group: str
    standard_zh: str
    standard_en: str
    dimension: str
    points: Annotated[Number, msgspec.Meta(description="the item's maximum")]
    coaching_zh: str
    coaching_en: str
    rectify: Annotated[bool, msgspec.Meta(description="failing it opens a corrective action")]


class TouchpointOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    items: Annotated[list[str], msgspec.Meta(description="codes of the items checked there")]
    posts: Annotated[list[str], msgspec.Meta(description="positions usually inspected there")]


class QuestionOut(msgspec.Struct):
    code: str
    dimension: Annotated[str | None, msgspec.Meta(description="null: shown, feeds no score")]


class SurveyRules(msgspec.Struct):
    scale_min: int
    scale_max: int
    questions: list[QuestionOut]


class GradeOut(msgspec.Struct):
    code: str
    name_zh: str
    min_score: Annotated[Number | None, msgspec.Meta(
        description="the lowest published score of the grade; null for the lowest grade")]
    coefficient: Number


class SourceWeights(msgspec.Struct):
    inspection: Number
    survey: Number


class ScoringRules(msgspec.Struct):
    source_weights: SourceWeights
    survey_prior_weight: Number
    min_inspections: int


class Deductions(msgspec.Struct):
    minor: Number
    major: Number
    critical: Number


class ComplaintRules(msgspec.Struct, omit_defaults=True):
    """2026.1 has the late-response point; 2026.2 on, the follow-up deadlines instead."""

    deductions: Deductions
    veto_severities: list[str]
    late_response_hours: int | None = None
    late_response_points: Number | None = None
    first_response_hours: int | None = None
    resolve_working_days: int | None = None
    update_every_hours: int | None = None
    return_visit_days: int | None = None
    missed_deadline_points: Number | None = None


class CommendationRules(msgspec.Struct):
    points: Number
    max_points: Annotated[Number, msgspec.Meta(description="the most a period's "
                                               "commendations add")]


class RectificationRules(msgspec.Struct):
    due_hours: int
    overdue_points: Number


class RulebookOut(msgspec.Struct):
    version: str
    name: str
    name_zh: str
    effective_from: str
    content_hash: str
    dimensions: list[DimensionOut]
    items: list[ItemOut]
    touchpoints: Annotated[list[TouchpointOut], msgspec.Meta(description="empty for 2026.1")]
    survey: SurveyRules
    scoring: ScoringRules
    complaints: ComplaintRules
    commendations: CommendationRules
    grades: list[GradeOut]
    rectification: Annotated[RectificationRules | None, msgspec.Meta(
        description="corrective actions; null for a rulebook without them")]


def _n(value: Decimal) -> str:
    return format(value, "f")


def rulebook_listed(book: RuleBook) -> RulebookListed:
    return RulebookListed(book.version, book.effective_from, book.content_hash)


def rulebook_out(book: RuleBook) -> RulebookOut:
    deadlines = book.complaint_deadlines
    if deadlines is None:
        complaints = ComplaintRules(
            deductions=Deductions(**{s: _n(v) for s, v in book.complaint_deductions.items()}),
            veto_severities=sorted(book.veto_severities),
            late_response_hours=book.late_response_hours,
            late_response_points=_n(book.late_response_points))
    else:
        complaints = ComplaintRules(
            deductions=Deductions(**{s: _n(v) for s, v in book.complaint_deductions.items()}),
            veto_severities=sorted(book.veto_severities),
            first_response_hours=deadlines.first_response_hours,
            resolve_working_days=deadlines.resolve_working_days,
            update_every_hours=deadlines.update_every_hours,
            return_visit_days=deadlines.return_visit_days,
            missed_deadline_points=_n(deadlines.missed_deadline_points))
    thresholds = dict(book.grade_thresholds)
    return RulebookOut(
        version=book.version, name=book.name, name_zh=book.name_zh,
        effective_from=book.effective_from, content_hash=book.content_hash,
        dimensions=[DimensionOut(d.code, d.name_zh, d.name_en, _n(d.weight))
                    for d in book.dimensions],
        items=[ItemOut(i.code, i.group, i.standard_zh, i.standard_en, i.dimension, _n(i.points),
                       i.coaching_zh, i.coaching_en, i.rectify) for i in book.items],
        touchpoints=[TouchpointOut(t.code, t.name_zh, t.name_en, list(t.items), list(t.posts))
                     for t in book.touchpoints],
        survey=SurveyRules(book.survey_scale[0], book.survey_scale[1],
                           [QuestionOut(q.code, q.dimension) for q in book.survey_questions]),
        scoring=ScoringRules(
            source_weights=SourceWeights(_n(book.source_weights["inspection"]),
                                         _n(book.source_weights["survey"])),
            survey_prior_weight=_n(book.survey_prior_weight),
            min_inspections=book.min_inspections),
        complaints=complaints,
        commendations=CommendationRules(_n(book.commendation_points),
                                        _n(book.commendation_max_points)),
        grades=[GradeOut(g, book.grade_names[g],
                         _n(thresholds[g]) if g in thresholds else None,
                         _n(book.incentive_coefficients[g]))
                for g in book.incentive_coefficients],
        rectification=RectificationRules(book.rectification.due_hours,
                                         _n(book.rectification.overdue_points))
        if book.rectification else None,
    )
