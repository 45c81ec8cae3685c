"""Scoring a period: live from the evidence, or the stored snapshot once closed."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise import connections

from appraisal.actor import Actor, Role
from appraisal.clock import local
from appraisal.errors import NotFound
from appraisal.evidence.models import COUNTED, COUNTED_SQL, Commendation
from appraisal.figures import figure
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import rulebook_of
from appraisal.rulebook import RuleBook
from appraisal.scoring import explain
from appraisal.scoring.access import require_appraisal_access
from appraisal.scoring.engine import EmployeeScore, score_period
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore
from appraisal.scoring.queries import (
    counted_complaints,
    first_param,
    missed_deadlines,
    overdue_actions,
    period_evidence,
)
from appraisal.staff.models import Employee, Team
from appraisal.staff.service import teams_in_month

LOST_SQL = """
SELECT i.employee_id, i.id AS inspection_id, i.occurred_at, i.touchpoint, it.code, it.result,
       it.points
FROM inspection_item it
JOIN inspection i ON i.id = it.inspection_id
WHERE i.period_id = {p} AND it.result IN ('fail', 'points') AND i.""" + COUNTED_SQL + """
ORDER BY i.occurred_at, i.id, it.code
"""


async def employee_directory(
    ids: Iterable[int] | None = None, month: str | None = None
) -> dict[int, dict[str, Any]]:
    """Who each employee is; with `month`, in the team they were in during that month
    (an appraisal, its summaries and pools count someone who moved in their old team
    for the months before the move)."""
    qs = Employee.all() if ids is None else Employee.filter(id__in=list(ids))
    rows = await qs.values("id", "employee_no", "name", "team_id", "team__name")
    directory = {r["id"]: {**r, "team": r["team__name"]} for r in rows}
    if month is not None:
        then = await teams_in_month(directory, month)
        names = dict(await Team.filter(id__in=set(then.values())).values_list("id", "name"))
        for eid, team_id in then.items():
            directory[eid].update(team_id=team_id, team=names[team_id])
    return directory


async def compute(period: Period) -> tuple[RuleBook, list[EmployeeScore]]:
    rulebook = rulebook_of(period)
    return rulebook, score_period(rulebook, await period_evidence(
        period.id, month=period.month, deadlines=rulebook.complaint_deadlines is not None))


async def lost_points(
    period: Period, rulebook: RuleBook, employee_ids: set[int] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Each item result that lost points, with its inspection: the evidence behind a score."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(LOST_SQL.format(p=first_param()), [period.id])
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        eid = r["employee_id"]
        if employee_ids is not None and eid not in employee_ids:
            continue
        try:
            rule = rulebook.item(r["code"])
        except KeyError:
            continue
        lost = rule.lost(r["result"], None if r["points"] is None else Decimal(str(r["points"])))
        if not lost:
            continue
        occurred = r["occurred_at"]
        if isinstance(occurred, str):  # SQLite hands back text
            occurred = datetime.fromisoformat(occurred)
        out[eid].append({
            "code": rule.code,
            "standard_zh": rule.standard_zh,
            "standard_en": rule.standard_en,
            "dimension": rule.dimension,
            "inspection_id": r["inspection_id"],
            "occurred_at": explain.ts(occurred),
            "touchpoint": r["touchpoint"],
            "result": str(r["result"]),
            "points_lost": explain.num(lost),
            "coaching_zh": rule.coaching_zh,
            "coaching_en": rule.coaching_en,
        })
    return out


async def breakdowns(
    period: Period, rulebook: RuleBook, scores: list[EmployeeScore],
    directory: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    ids = {s.employee_id for s in scores}
    complaints: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for c in await counted_complaints(period.id).filter(employee_id__in=list(ids)).values(
        "id", "employee_id", "severity", "status", "received_at", "first_response_at", "channel",
        "description",
    ):
        c["severity"] = getattr(c["severity"], "value", c["severity"])
        complaints[c["employee_id"]][c["id"]] = c
    commendations: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for c in await Commendation.filter(period_id=period.id, employee_id__in=list(ids), **COUNTED
                                       ).values(
        "id", "employee_id", "source", "received_at"
    ):
        commendations[c["employee_id"]][c["id"]] = c
    lost = await lost_points(period, rulebook, ids)
    actions = {a["id"]: a for a in await overdue_actions(period.month)}
    missed = ({(m["complaint_id"], m["kind"]): m for m in await missed_deadlines(period.month)}
              if rulebook.complaint_deadlines else {})
    return [
        explain.breakdown(
            s, rulebook, directory[s.employee_id], period.month,
            complaints=complaints[s.employee_id], commendations=commendations[s.employee_id],
            lost=lost.get(s.employee_id, []), actions=actions, missed=missed,
        )
        for s in scores
    ]


def content_hash(month: str, rulebook: RuleBook, rows: list[dict[str, Any]]) -> str:
    canonical = json.dumps(
        {"period": month, "rulebook_version": rulebook.version,
         "rulebook_hash": rulebook.content_hash, "scores": rows},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def current_snapshot(period: Period) -> ScoreSnapshot | None:
    return await ScoreSnapshot.filter(period_id=period.id, superseded_at__isnull=True).order_by(
        "-sequence").first()


def _visible(actor: Actor, row_employee: dict[str, Any]) -> bool:
    if actor.is_hr:
        return True
    if actor.role == Role.supervisor:
        return row_employee["team_id"] in actor.team_ids
    return False


async def period_scores(
    period: Period, actor: Actor, *, status: str | None = None, team_id: int | None = None
) -> list[dict[str, Any]]:
    """Live scores while open; the current snapshot once closed. Scoped to the caller,
    ranked, optionally only one status or one team (live scores are computed for the
    whole organisation all the same: its survey means belong to everyone's score)."""
    if period.status == PeriodStatus.open:
        _, scores = await compute(period)
        directory = await employee_directory((s.employee_id for s in scores), period.month)
        rows = [explain.summary(s, directory[s.employee_id]) for s in scores]
    else:
        snapshot = await current_snapshot(period)
        if snapshot is None:
            return []
        rows = [{k: r[k] for k in SUMMARY_KEYS} for r in await snapshot_summaries(snapshot.id)]
    rows = [r for r in rows if _visible(actor, r)
            and (status is None or r["status"] == status)
            and (team_id is None or r["team_id"] == team_id)]
    return sorted(rows, key=_rank_key)


SUMMARY_KEYS = ("employee_id", "employee_no", "name", "team_id", "team", "final_score", "grade",
                "status", "veto", "inspections", "dimensions")


def _rank_key(row: dict[str, Any]) -> tuple[Any, ...]:
    score = Decimal(row["final_score"]) if row["final_score"] is not None else Decimal(-1)
    return (-score, row["employee_no"])


async def employee_score(period: Period, actor: Actor, employee_id: int) -> dict[str, Any]:
    """The full breakdown for one employee, with the caller's scope and publication rules."""
    await require_appraisal_access(actor, period, employee_id)
    if period.status == PeriodStatus.open:
        rulebook, scores = await compute(period)
        score = next((s for s in scores if s.employee_id == employee_id), None)
        if score is None:
            raise NotFound("employee %(employee_id)s has no score in %(month)s", code="no_score",
                           employee_id=employee_id, month=period.month)
        directory = await employee_directory([employee_id], period.month)
        return _with_places((await breakdowns(period, rulebook, [score], directory))[0])
    snapshot = await current_snapshot(period)
    row = await SnapshotScore.filter(
        snapshot_id=snapshot.id if snapshot else -1, employee_id=employee_id
    ).first()
    if row is None or snapshot is None:
        raise NotFound("employee %(employee_id)s has no score in %(month)s", code="no_score",
                       employee_id=employee_id, month=period.month)
    return _with_places({**row.breakdown, "snapshot": snapshot_info(snapshot)})


def _with_places(b: dict[str, Any]) -> dict[str, Any]:
    return {**b, "lost_by_touchpoint": explain.lost_by_touchpoint(b["lost_points"])}


def snapshot_info(snapshot: ScoreSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "sequence": snapshot.sequence,
        "content_hash": snapshot.content_hash,
        "rulebook_version": snapshot.rulebook_version,
        "rulebook_hash": snapshot.rulebook_hash,
        "created_at": local(snapshot.created_at).isoformat(),
    }


def _json(column: str, key: str, dialect: str, as_int: bool = False) -> str:
    if dialect == "postgres":
        expr = f"({column}::jsonb ->> '{key}')"
        return f"{expr}::int" if as_int else expr
    return f"json_extract({column}, '$.{key}')"


async def snapshot_summaries(snapshot_id: int, team_id: int | None = None) -> list[dict[str, Any]]:
    """The summary fields of every row of a snapshot, extracted in the database.

    Reports over thousands of employees need these few fields, not each
    breakdown's evidence lists, so memory stays small.
    """
    conn = connections.get("default")
    d = conn.capabilities.dialect
    arr = ("jsonb_array_length(breakdown::jsonb -> 'deductions')" if d == "postgres"
           else "json_array_length(breakdown, '$.deductions')")
    sql = (
        "SELECT employee_id, final_score, grade, status, veto, dimensions, "
        f"{_json('breakdown', 'employee_no', d)} AS employee_no, "
        f"{_json('breakdown', 'name', d)} AS name, "
        f"{_json('breakdown', 'team_id', d, True)} AS team_id, "
        f"{_json('breakdown', 'team', d)} AS team, "
        f"{_json('breakdown', 'inspections', d, True)} AS inspections, "
        f"{arr} AS substantiated "
        "FROM snapshot_score WHERE snapshot_id = " + first_param()
    )
    rows = await conn.execute_query_dict(sql, [snapshot_id])
    out = []
    for r in rows:
        if team_id is not None and int(r["team_id"]) != team_id:
            continue
        dims = r["dimensions"]
        out.append({
            **r,
            "team_id": int(r["team_id"]),
            "inspections": int(r["inspections"]),
            "substantiated": int(r["substantiated"] or 0),
            "veto": bool(r["veto"]),
            "final_score": (figure(Decimal(str(r["final_score"])))
                            if r["final_score"] is not None else None),
            "dimensions": json.loads(dims) if isinstance(dims, str) else dims,
        })
    return out
