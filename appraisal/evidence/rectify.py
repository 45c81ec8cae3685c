"""Corrective actions a failed check opens by itself (SPEC §3.5).

An item a fix can make good (`rectify = true`: a broken light, litter) that is
recorded as failed opens an action for the inspected employee, due the
rulebook's `due_hours` after it was recorded. Kept apart from the action
service so that recording an inspection can open them in its own statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from appraisal.evidence.models import ActionState, CorrectiveAction, ItemResult
from appraisal.rulebook import RuleBook


def failed_rectify_codes(rulebook: RuleBook, rows: Iterable[dict[str, Any]]) -> list[str]:
    """The items of a checklist that failed (or lost points) and that a fix makes good."""
    if rulebook.rectification is None:
        return []
    codes = []
    for row in rows:
        if row["result"] == ItemResult.na:
            continue
        rule = rulebook.item(row["code"])
        if rule.rectify and rule.lost(str(row["result"]), row["points"]) > 0:
            codes.append(rule.code)
    return codes


def automatic_actions(rulebook: RuleBook, inspection_id: int, employee_id: int,
                      codes: Iterable[str], opened_by: int, at: datetime) -> list[CorrectiveAction]:
    """New (unsaved) actions for failed rectify items, due `due_hours` after `at`."""
    if rulebook.rectification is None:
        return []
    due = at + timedelta(hours=rulebook.rectification.due_hours)
    return [CorrectiveAction(
        inspection_id=inspection_id, item_code=code, assignee_id=employee_id, due_at=due,
        description="", state=ActionState.open, automatic=True, opened_by_id=opened_by,
    ) for code in codes]


def action_state(a: CorrectiveAction) -> dict[str, Any]:
    """An action as the audit trail records it."""
    return {"inspection_id": a.inspection_id, "item_code": a.item_code,
            "assignee_id": a.assignee_id, "due_at": a.due_at.isoformat(),
            "description": a.description, "state": str(a.state), "automatic": a.automatic}
