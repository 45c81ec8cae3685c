"""Aggregate queries that feed the scoring engine.

The database does the summing: per employee and item code, and per
employee and survey question, so memory grows with employees × codes,
never with the number of item rows. Points are summed as integer cents,
because SQLite would otherwise sum DECIMAL columns as floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from appraisal.clock import month_start, now, shift_month
from appraisal.evidence.deadlines import MISSED
from appraisal.evidence.followup import deadlines_now, facts_of
from appraisal.evidence.models import (
    COUNTED,
    ActionState,
    Commendation,
    Complaint,
    ComplaintUpdate,
    CorrectiveAction,
)
from appraisal.evidence.models import SURVEY_QUESTIONS as QUESTIONS
from appraisal.periods.models import Period
from appraisal.rulebook import get_rulebook
from appraisal.scoring.engine import (
    ComplaintFact,
    EmployeeEvidence,
    ItemTally,
    MissedDeadline,
    SurveyTally,
)
from appraisal.staff.models import Employee

# Per-employee tallies kept by the evidence writes (evidence.tallies): one row per
# employee and item code, one per employee, whatever the number of results.
ITEM_SQL = """
SELECT employee_id, code, earned_cents AS cents, applicable AS n FROM item_tally
WHERE period_id = {p} AND applicable > 0{only}
"""
EVIDENCE_SQL = (
    "SELECT employee_id, inspections, "
    + ", ".join(f"n_{q}, s_{q}" for q in QUESTIONS)
    + " FROM evidence_tally WHERE period_id = {p}{only}"
)
# The whole organisation's answers: the prior every survey score is shrunk towards.
ORGANISATION_SQL = (
    "SELECT " + ", ".join(f"COALESCE(SUM(n_{q}), 0) AS n_{q}, COALESCE(SUM(s_{q}), 0) AS s_{q}"
                          for q in QUESTIONS)
    + " FROM evidence_tally WHERE period_id = {p}"
)


def first_param() -> str:
    """The placeholder of a raw query's first parameter in the connected database."""
    return "$1" if connections.get("default").capabilities.dialect == "postgres" else "?"


def id_list(ids: Iterable[int]) -> str:
    """Ids written into a statement's IN (…): ints, so thousands of them never meet the
    parameter limit (and the indexes find them); "NULL" for none (matches nothing)."""
    return ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"


def among(column: str, ids: Iterable[int] | None) -> str:
    """ " AND column IN (…)" for a statement's `{only}`, or "" (ids: None)."""
    return "" if ids is None else f" AND {column} IN ({id_list(ids)})"


async def _rows(sql: str, period_id: int, employee_ids: list[int] | None = None) -> list[Any]:
    """Rows that index by column name (sqlite3.Row / asyncpg.Record); only those of
    `employee_ids` when given."""
    conn = connections.get("default")
    only = among("employee_id", employee_ids)
    _, rows = await conn.execute_query(sql.format(p=first_param(), only=only), [period_id])
    return list(rows)


def _survey_tallies(row: Any) -> dict[str, SurveyTally]:
    return {q: SurveyTally(int(row[f"n_{q}"]), int(row[f"s_{q}"]))
            for q in QUESTIONS if int(row[f"n_{q}"])}


async def organisation_surveys(period_id: int) -> dict[str, SurveyTally]:
    """Every counted answer of the period per question, summed in the database."""
    return _survey_tallies((await _rows(ORGANISATION_SQL, period_id))[0])


async def overdue_actions(month: str, employee_ids: list[int] | None = None
                          ) -> list[dict[str, Any]]:
    """Corrective actions due in `month` that were not verified by their due time
    (SPEC §3.5): not verified at all, or verified late. An action due later than now is
    not overdue yet (live scores); at the close every due time of the month has passed.
    Cancelled actions and those of void inspections count for nothing."""
    start, end = month_start(month), month_start(shift_month(month, 1))
    due = CorrectiveAction.filter(
        due_at__gte=start, due_at__lt=min(end, now()), inspection__voided_at__isnull=True,
        state__in=[ActionState.open, ActionState.done, ActionState.verified],
    )
    if employee_ids is not None:
        due = due.filter(assignee_id__in=employee_ids)
    rows = await due.order_by("due_at", "id").values(
        "id", "assignee_id", "item_code", "due_at", "verified_at", "state", "inspection_id",
        "description", "inspection__touchpoint")
    return [r for r in rows if r["verified_at"] is None or r["verified_at"] > r["due_at"]]


def counted_complaints(period_id: int) -> QuerySet[Complaint]:
    """The complaints whose outcome counts in the period (SPEC §3.4): its own, but those
    decided after it closed, and those of earlier months decided while it was open."""
    return Complaint.filter(
        Q(period_id=period_id, counted_in_id__isnull=True) | Q(counted_in_id=period_id),
        **COUNTED)


# How far back a complaint may still have a deadline falling due in a month.
DEADLINE_REACH = timedelta(days=400)


async def missed_deadlines(month: str, employee_ids: list[int] | None = None
                           ) -> list[dict[str, Any]]:
    """The complaint deadlines due in `month` and missed (SPEC §3.4), as they stand now,
    each with the employee who handles its complaint; in the order they fell due (only
    those handled by `employee_ids`, when given)."""
    start, end = month_start(month), month_start(shift_month(month, 1))
    handled = Complaint.filter(received_at__lt=end, received_at__gte=start - DEADLINE_REACH,
                               **COUNTED)
    if employee_ids is not None:
        handled = handled.filter(Q(handler_id__in=employee_ids) | Q(
            handler_id__isnull=True, employee_id__in=employee_ids))
    rows = await handled.values(
        "id", "employee_id", "handler_id", "received_at", "first_response_at",
        "promised_reply_at", "resolved_at", "return_visit_at", "period__rulebook_version")
    times: dict[int, list[datetime]] = defaultdict(list)
    for cid, at in await ComplaintUpdate.filter(
            complaint_id__in=[r["id"] for r in rows]).values_list("complaint_id", "at"):
        times[cid].append(at)
    out = []
    for r in rows:
        rules = get_rulebook(r["period__rulebook_version"]).complaint_deadlines
        for d in deadlines_now(facts_of(r, times[r["id"]]), rules):
            if d.state == MISSED and start <= d.due_at < end:
                out.append({"complaint_id": r["id"], "handler_id": r["handler_id"] or
                            r["employee_id"], "kind": d.kind, "due_at": d.due_at,
                            "met_at": d.met_at})
    return sorted(out, key=lambda m: (m["due_at"], m["complaint_id"]))


async def period_evidence(
    period_id: int, employee_ids: list[int] | None = None, month: str | None = None,
    deadlines: bool = False,
) -> list[EmployeeEvidence]:
    """Aggregated evidence of every employee who is active or has evidence in the period
    (only those of `employee_ids`, when given: read for them alone)."""
    items: dict[int, dict[str, ItemTally]] = defaultdict(dict)
    for r in await _rows(ITEM_SQL, period_id, employee_ids):
        items[r["employee_id"]][r["code"]] = ItemTally(int(r["cents"]), int(r["n"]))
    counts: dict[int, int] = {}
    surveys: dict[int, dict[str, SurveyTally]] = {}
    for r in await _rows(EVIDENCE_SQL, period_id, employee_ids):
        if int(r["inspections"]):
            counts[r["employee_id"]] = int(r["inspections"])
        if answered := _survey_tallies(r):
            surveys[r["employee_id"]] = answered
    complaints: dict[int, list[ComplaintFact]] = defaultdict(list)
    found = counted_complaints(period_id)
    if employee_ids is not None:
        found = found.filter(employee_id__in=employee_ids)
    for c in await found.values(
        "id", "employee_id", "severity", "status", "received_at", "first_response_at",
        "counted_in_id", "period__month",
    ):
        complaints[c["employee_id"]].append(ComplaintFact(
            id=c["id"], severity=str(c["severity"].value if hasattr(c["severity"], "value")
                                     else c["severity"]),
            status=str(c["status"].value if hasattr(c["status"], "value") else c["status"]),
            received_at=c["received_at"], first_response_at=c["first_response_at"],
            carried_from=c["period__month"] if c["counted_in_id"] == period_id else None,
        ))
    commendations: dict[int, list[int]] = defaultdict(list)
    praised = Commendation.filter(period_id=period_id, **COUNTED)
    if employee_ids is not None:
        praised = praised.filter(employee_id__in=employee_ids)
    for cid, eid in await praised.values_list("id", "employee_id"):
        commendations[eid].append(cid)

    overdue: dict[int, list[int]] = defaultdict(list)
    for a in await overdue_actions(month, employee_ids) if month else []:
        overdue[a["assignee_id"]].append(a["id"])
    missed: dict[int, list[MissedDeadline]] = defaultdict(list)
    for m in await missed_deadlines(month, employee_ids) if month and deadlines else []:
        missed[m["handler_id"]].append(MissedDeadline(m["complaint_id"], m["kind"], m["due_at"]))

    with_evidence = (set(items) | set(counts) | set(surveys) | set(complaints)
                     | set(commendations) | set(overdue) | set(missed))
    # Someone who left before the month began is appraised for it only with evidence.
    if month is None:
        found_month = await Period.filter(id=period_id).values_list("month", flat=True)
        month = found_month[0] if found_month else None
    began = month_start(month).date() if month else None
    staff = Employee.filter(active=True).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=began) if began else Q())
    if employee_ids is not None:
        staff = staff.filter(id__in=employee_ids)
    active = set(await staff.values_list("id", flat=True))
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
            missed_deadlines=tuple(missed.get(eid, ())),
        )
        for eid in ids
    ]
