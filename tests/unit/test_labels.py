"""Every code people see has one label in each language, from one table that the pages,
the PDFs and the payroll export share."""

from __future__ import annotations

from enum import StrEnum

import pytest

from appraisal import labels
from appraisal.actor import Role
from appraisal.appeals.models import AppealStatus
from appraisal.evidence.models import (
    SURVEY_QUESTIONS,
    ComplaintStatus,
    InspectionMethod,
    ItemResult,
    Severity,
)
from appraisal.periods.models import PeriodStatus
from appraisal.reporting import documents
from appraisal.reporting.models import JobStatus
from appraisal.rulebook import get_rulebook
from appraisal.rulebook.store import available_rulebooks

ENUMS: dict[str, type[StrEnum]] = {
    "method": InspectionMethod, "severity": Severity, "complaint_status": ComplaintStatus,
    "item_result": ItemResult, "period_status": PeriodStatus, "appeal_status": AppealStatus,
    "job_status": JobStatus, "role": Role,
}


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_code_of_the_models_has_both_labels(kind: str) -> None:
    codes = {member.value for member in ENUMS[kind]}
    assert set(labels.codes(kind)) == codes
    for code in codes:
        zh, en = labels.label(kind, code, "zh"), labels.label(kind, code, "en")
        assert zh != code and en != code, (kind, code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (kind, code, zh)
        assert en.isascii(), (kind, code, en)


def test_grades_scores_and_checklists_of_the_rulebooks_have_labels() -> None:
    for version in available_rulebooks():
        book = get_rulebook(version)
        assert set(book.grade_names) == set(labels.codes("grade"))
        # The rulebook names its grades in Chinese: the labels say the same.
        assert {g: labels.label("grade", g) for g in book.grade_names} == dict(book.grade_names)
        for item in book.items:
            assert labels.label("item_group", item.group, "en").isascii(), item.group
    assert set(labels.codes("survey_question")) == set(SURVEY_QUESTIONS)
    assert set(labels.codes("score_status")) == {"graded", "insufficient_evidence"}


def test_a_label_reads_the_same_on_pages_and_pdfs() -> None:
    # The pages said 较重/严重 for major/critical, the PDFs 严重/重大: one table now.
    assert (labels.label("severity", "major"), labels.label("severity", "critical")) == (
        "较重", "严重")
    assert documents.SEVERITY_ZH == labels.table("severity", "zh")
    assert documents.STATUS_ZH == labels.table("complaint_status", "zh")
    assert documents.GRADE_EN == labels.table("grade", "en")
    assert documents.GRADE_LABEL["excellent"] == "优秀 Excellent"
    assert labels.bilingual("score_status", "insufficient_evidence") == "证据不足 Insufficient evidence"


def test_a_code_without_a_label_is_shown_as_it_is() -> None:
    assert labels.label("method", InspectionMethod.mystery_shopper, "en") == "Mystery shopper"
    assert labels.label("item_group", "新的分组", "en") == "新的分组"
    assert labels.label("field", "items[1].points", "zh") == "items[1].points"
    assert labels.label("field", "description", "zh") == "经过"
    assert get_rulebook("2026.1").items[0].group == "四心"
    assert labels.label("item_group", "四心", "en") == "Four hearts"
