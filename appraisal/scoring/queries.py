"""Aggregate queries that feed the scoring engine.

The database does the summing: per employee and item code, and per
employee and survey question, so memory grows with employees × codes,
never with the number of item rows. Points are summed as integer cents,
because SQLite would otherwise sum DECIMAL columns as floats.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise import connections
from tortoise.expressions import Q

from appraisal.clock import month_start, now, shift_month
from appraisal.evidence.models import (
    COUNTED,
    COUNTED_SQL,
    ActionState,
    Commendation,
    Complaint,
    CorrectiveAction,
)
from appraisal.evidence.models import SURVEY_QUESTIONS as QUESTIONS
from appraisal.periods.models import Period
from appraisal.scoring.engine import ComplaintFact, EmployeeEvidence, ItemTally, SurveyTally
from appraisal.staff.models import Employee

ITEM_SQL = """
SELECT i.employee_id, it.code,
       SUM(CAST(ROUND(it.points * 100) AS INTEGER)) AS cents,
       COUNT(*) AS n
FROM inspection_item it
JOIN inspection i ON i.id = it.inspection_id
WHERE i.period_id = {p} AND it.points IS NOT NULL AND i.""" + COUNTED_SQL + """
GROUP BY i.employee_id, it.code
"""

# Void inspections, and any with nothing applicable (all n.a.: no inspection, SPEC §3),
# never count toward the minimum.
INSPECTION_COUNT_SQL = """
SELECT i.employee_id, COUNT(*) AS n FROM inspection i
WHERE i.period_id = {p} AND i.""" + COUNTED_SQL + """
  AND EXISTS (SELECT 1 FROM inspection_item it WHERE it.inspection_id = i.id
              AND it.points IS NOT NULL)
GROUP BY i.employee_id
"""

SURVEY_SQL = (
    "SELECT employee_id, "
    + ", ".join(f"COUNT({q}) AS n_{q}, COALESCE(SUM({q}), 0) AS s_{q}" for q in QUESTIONS)
    + " FROM survey_response WHERE period_id = {p} AND " + COUNTED_SQL + " GROUP BY employee_id"
)


def first_param() -> str:
    """The placeholder of a raw query's first parameter in the connected database."""
    return "$1" if connections.get("default").capabilities.dialect == "postgres" else "?"


async def _rows(sql: str, period_id: int) -> list[Any]:
    """Rows that index by column name (sqlite3.Row / asyncpg.Record)."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(sql.format(p=first_param()), [period_id])
    return list(rows)


async def overdue_actions(month: str) -> list[dict[str, Any]]:
    """Corrective actions due in `month` that were not verified by their due time
    (SPEC §3.5): not verified at all, or verified late. An action due later than now is
    not overdue yet (live scores); at the close every due time of the month has passed.
    Cancelled actions and those of void inspections count for nothing."""
    start, end = month_start(month), month_start(shift_month(month, 1))
    rows = await CorrectiveAction.filter(
        due_at__gte=start, due_at__lt=min(end, now()), inspection__voided_at__isnull=True,
        state__in=[ActionState.open, ActionState.done, ActionState.verified],
    ).order_by("due_at", "id").values(
        "id", "assignee_id", "item_code", "due_at", "verified_at", "state", "inspection_id",
        "description", "inspection__touchpoint")
    return [r for r in rows if r["verified_at"] is None or r["verified_at"] > r["due_at"]]


async def period_evidence(
    period_id: int, employee_ids: list[int] | None = None, month: str | None = None
) -> list[EmployeeEvidence]:
    """Aggregated evidence of every employee who is active or has evidence in the period."""
    items: dict[int, dict[str, ItemTally]] = defaultdict(dict)
    for r in await _rows(ITEM_SQL, period_id):
        items[r["employee_id"]][r["code"]] = ItemTally(int(r["cents"]), int(r["n"]))
    counts = {r["employee_id"]: int(r["n"]) for r in await _rows(INSPECTION_COUNT_SQL, period_id)}
    surveys: dict[int, dict[str, SurveyTally]] = defaultdict(dict)
    for r in await _rows(SURVEY_SQL, period_id):
        for q in QUESTIONS:
            if int(r[f"n_{q}"]):
                surveys[r["employee_id"]][q] = SurveyTally(int(r[f"n_{q}"]), int(r[f"s_{q}"]))
    complaints: dict[int, list[ComplaintFact]] = defaultdict(list)
    for c in await Complaint.filter(period_id=period_id, **COUNTED).values(
        "id", "employee_id", "severity", "status", "received_at", "first_response_at"
    ):
        complaints[c["employee_id"]].append(ComplaintFact(
            id=c["id"], severity=str(c["severity"].value if hasattr(c["severity"], "value")
                                     else c["severity"]),
            status=str(c["status"].value if hasattr(c["status"], "value") else c["status"]),
            received_at=c["received_at"], first_response_at=c["first_response_at"],
        ))
    commendations: dict[int, list[int]] = defaultdict(list)
    for cid, eid in await Commendation.filter(period_id=period_id, **COUNTED).values_list(
        "id", "employee_id"
    ):
        commendations[eid].append(cid)

    overdue: dict[int, list[int]] = defaultdict(list)
    for a in await overdue_actions(month) if month else []:
        overdue[a["assignee_id"]].append(a["id"])

    with_evidence = (set(items) | set(counts) | set(surveys) | set(complaints)
                     | set(commendations) | set(overdue))
    # Someone who left before the month began is appraised for it only with evidence.
    if month is None:
        found = await Period.filter(id=period_id).values_list("month", flat=True)
        month = found[0] if found else None
    began = month_start(month).date() if month else None
    active = set(await Employee.filter(active=True).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=began) if began else Q()
    ).values_list("id", flat=True))
    ids = sorted(with_evidence | active)
    if employee_ids is not None:
        wanted = set(employee_ids)
        ids = [i for i in ids if i in wanted]
    return [
        EmployeeEvidence(
            employee_id=eid, inspections=counts.get(eid, 0), items=items.get(eid, {}),
            surveys=surveys.get(eid, {}), complaints=tuple(complaints.get(eid, ())),
            commendation_ids=tuple(commendations.get(eid, ())),
            overdue_action_ids=tuple(overdue.get(eid, ())),
        )
        for eid in ids
    ]
