"""Calibration: do the supervisors judge alike, and how do the teams compare?

Two inspectors watching similar work should fail a similar share of the
checklist items they judge. For each inspector of the month, the share of
failed items (n.a. left out) is compared with the whole organisation's: the
difference in standard errors of a share of that many items (a z-score).
Beyond two standard errors, with enough items judged to tell, the inspector
is flagged as stricter or more lenient than the rest: a prompt for HR to
walk the floor together, not a verdict. Teams are compared by their average
final score and grade spread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, get
from tortoise import connections
from tortoise.functions import Count

from appraisal.accounts.models import User
from appraisal.actor import Actor
from appraisal.evidence.models import COUNTED, COUNTED_ITEMS, Inspection, InspectionItem
from appraisal.guards import HR
from appraisal.periods.service import require_period, rulebook_of
from appraisal.scoring.queries import first_param
from appraisal.scoring.schemas import CalibrationOut
from appraisal.scoring.service import period_scores

MIN_ITEMS = 30  # fewer judged items tell too little to flag anyone
Z_LIMIT = Decimal(2)


@dataclass(frozen=True, slots=True)
class InspectorTally:
    inspector_id: int | None
    inspector: str
    inspections: int
    employees: int
    passed: int
    failed: int


def _q(value: Decimal, places: str) -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def calibrate(tallies: list[InspectorTally], min_items: int = MIN_ITEMS,
              z_limit: Decimal = Z_LIMIT) -> dict[str, Any]:
    """Each inspector's fail share against everyone's, with a flag where it stands out."""
    judged = sum(t.passed + t.failed for t in tallies)
    failed = sum(t.failed for t in tallies)
    overall = Decimal(failed) / judged if judged else None
    inspectors = []
    for t in sorted(tallies, key=lambda t: (-(t.passed + t.failed), t.inspector)):
        n = t.passed + t.failed
        share = Decimal(t.failed) / n if n else None
        z = flag = None
        if share is not None and overall is not None and 0 < overall < 1:
            z = (share - overall) / (overall * (1 - overall) / n).sqrt()
            if n >= min_items and abs(z) > z_limit:
                flag = "stricter" if z > 0 else "more_lenient"
        inspectors.append({
            "inspector_id": t.inspector_id, "inspector": t.inspector,
            "inspections": t.inspections, "employees": t.employees,
            "items_judged": n, "failed": t.failed,
            "fail_rate": _q(share, "0.001") if share is not None else None,
            "z": _q(z, "0.01") if z is not None else None, "flag": flag,
        })
    return {"items_judged": judged, "failed": failed,
            "fail_rate": _q(overall, "0.001") if overall is not None else None,
            "min_items": min_items, "z_limit": str(z_limit), "inspectors": inspectors}


def team_spread(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per team: head count, graded, average final score of the graded, grades, vetoes."""
    teams: dict[int, dict[str, Any]] = defaultdict(lambda: {"scores": [], "grades": Counter(),
                                                            "employees": 0, "vetoes": 0})
    names: dict[int, str] = {}
    for row in rows:
        team = teams[row["team_id"]]
        names[row["team_id"]] = row["team"]
        team["employees"] += 1
        team["vetoes"] += bool(row["veto"])
        if row["status"] == "graded" and row["final_score"] is not None:
            team["scores"].append(Decimal(str(row["final_score"])))
            team["grades"][row["grade"]] += 1
    out = []
    for team_id, team in teams.items():
        scores = team["scores"]
        out.append({"team_id": team_id, "team": names[team_id], "employees": team["employees"],
                    "graded": len(scores), "vetoes": team["vetoes"],
                    "average_score": _q(sum(scores) / len(scores), "0.01") if scores else None,
                    "grades": dict(team["grades"])})
    return sorted(out, key=lambda t: (t["average_score"] is None,
                                      -Decimal(t["average_score"] or 0), t["team"]))


async def inspector_tallies(month: str) -> list[InspectorTally]:
    """Counted in the database: judged items by inspector and result, one query;
    inspections and employees seen by inspector, another."""
    results = await InspectionItem.filter(inspection__period__month=month, **COUNTED_ITEMS).group_by(
        "inspection__inspector_id", "result").annotate(n=Count("id")).values_list(
        "inspection__inspector_id", "result", "n")
    visits = await Inspection.filter(period__month=month, **COUNTED).group_by("inspector_id").annotate(
        n=Count("id"), employees=Count("employee_id", distinct=True)).values_list(
        "inspector_id", "n", "employees")
    counts: dict[int | None, Counter[str]] = defaultdict(Counter)
    for inspector_id, result, n in results:
        counts[inspector_id][str(getattr(result, "value", result))] += n
    ids = [i for i, _, _ in visits if i is not None]
    names = dict(await User.filter(id__in=ids).values_list("id", "username"))
    return [InspectorTally(inspector_id=i, inspector=names.get(i, "—") if i else "—",
                           inspections=n, employees=employees,
                           passed=counts[i]["pass"], failed=counts[i]["fail"])
            for i, n, employees in visits]


# Points earned and applicable results per team, touchpoint and item, summed in the
# database (as integer cents: SQLite would sum DECIMAL columns as floats).
TOUCHPOINT_SQL = """
SELECT e.team_id, t.name AS team, i.touchpoint, it.code,
       SUM(CAST(ROUND(it.points * 100) AS INTEGER)) AS cents, COUNT(*) AS n,
       SUM(CASE WHEN it.result = 'fail' THEN 1 ELSE 0 END) AS failed
FROM inspection_item it
JOIN inspection i ON i.id = it.inspection_id
JOIN employee e ON e.id = i.employee_id
JOIN team t ON t.id = e.team_id
WHERE i.period_id = {p} AND it.points IS NOT NULL AND i.voided_at IS NULL
GROUP BY e.team_id, t.name, i.touchpoint, it.code
"""


def touchpoint_scores(rows: list[dict[str, Any]], maxima: dict[str, Decimal]
                      ) -> dict[str, list[dict[str, Any]]]:
    """Where the standards slip: per touchpoint (and per team at each touchpoint) the
    points earned as a share of the points judged (× 100), lowest first."""
    def tally() -> dict[str, Any]:
        return {"earned": 0, "max": 0, "results": 0, "failed": 0}

    places: dict[str, dict[str, Any]] = defaultdict(tally)
    teams: dict[tuple[str, int], dict[str, Any]] = defaultdict(tally)
    names: dict[int, str] = {}
    for r in rows:
        if r["code"] not in maxima:
            continue
        names[r["team_id"]] = r["team"]
        for acc in (places[r["touchpoint"]], teams[(r["touchpoint"], r["team_id"])]):
            acc["earned"] += int(r["cents"])
            acc["max"] += int(maxima[r["code"]].scaleb(2)) * int(r["n"])
            acc["results"] += int(r["n"])
            acc["failed"] += int(r["failed"])

    def shaped(acc: dict[str, Any]) -> dict[str, Any]:
        score = Decimal(acc["earned"] * 100) / acc["max"] if acc["max"] else None
        return {"results": acc["results"], "failed": acc["failed"],
                "score": _q(score, "0.01") if score is not None else None}

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["score"] is None, Decimal(row["score"] or 0), row["touchpoint"])

    return {
        "touchpoints": sorted(({"touchpoint": tp, **shaped(acc)} for tp, acc in places.items()),
                              key=key),
        "team_touchpoints": sorted(({"touchpoint": tp, "team_id": team_id,
                                     "team": names[team_id], **shaped(acc)}
                                    for (tp, team_id), acc in teams.items()), key=key),
    }


async def calibration(month: str, actor: Actor) -> dict[str, Any]:
    period = await require_period(month)
    conn = connections.get("default")
    _, rows = await conn.execute_query(TOUCHPOINT_SQL.format(p=first_param()), [period.id])
    maxima = {i.code: i.points for i in rulebook_of(period).items}
    return {"month": period.month, "status": period.status.value,
            **calibrate(await inspector_tallies(period.month)),
            "teams": team_spread(await period_scores(period, actor)),
            **touchpoint_scores([dict(r) for r in rows], maxima)}


class CalibrationController(Controller):
    path = "/api/v1/periods/{month:str}/calibration"
    tags = ["scores"]
    guards = [HR]

    @get("/")
    async def calibration(self, request: Request[Actor, str, object], month: str
                          ) -> CalibrationOut:
        """Inspectors' fail shares against the organisation's; teams' averages and grades."""
        return msgspec.convert(await calibration(month, request.user), CalibrationOut)
