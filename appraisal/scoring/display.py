"""A published score explained on the employee's page, from the same breakdown the
appraisal PDF prints: what each dimension's score is made of (inspection points,
survey count, mean and adjustment), the points lost in each inspection with the
inspector's notes, the complaints and commendations counted, base to final.

Only published months are explained: the breakdown is read through
`employee_score`, which applies the one rule of who may read a score when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from appraisal.actor import Actor
from appraisal.clock import local
from appraisal.errors import NotFound
from appraisal.evidence.models import Inspection
from appraisal.figures import tidy
from appraisal.periods.models import Period
from appraisal.scoring.service import employee_score


def _when(value: str | None) -> datetime | None:
    return local(datetime.fromisoformat(value)) if value else None


def _dimension(d: Mapping[str, Any]) -> dict[str, Any]:
    inspection, survey = d.get("inspection"), d.get("survey")
    return {
        "code": d["code"], "name_zh": d["name_zh"], "name_en": d["name_en"],
        "weight": d["weight"], "score": d["score"],
        "inspection": None if inspection is None else {
            "earned": inspection["earned"], "max": inspection["max"],
            "score": inspection["score"], "weight": inspection.get("weight")},
        "survey": None if survey is None else {
            "count": survey["count"], "mean": survey["raw"], "adjusted": survey["shrunk"],
            "organisation_mean": survey["organisation_mean"],
            "prior_weight": survey["prior_weight"], "weight": survey.get("weight")},
        # Both sources: the dimension is their weighted mix (one alone is the score).
        "mixed": inspection is not None and survey is not None,
    }


def lost_by_inspection(lost_points: Iterable[Mapping[str, Any]],
                       notes: Mapping[int, str]) -> list[dict[str, Any]]:
    """The breakdown's lost points (ItemRule.lost decided them) grouped by inspection,
    oldest first, each with its items, the points lost in all and the inspector's notes."""
    inspections: dict[int, dict[str, Any]] = {}
    for row in lost_points:
        i = inspections.setdefault(row["inspection_id"], {
            "inspection_id": row["inspection_id"], "occurred_at": _when(row["occurred_at"]),
            "touchpoint": row.get("touchpoint") or "",
            "notes": notes.get(row["inspection_id"], ""), "lost_items": [], "lost": Decimal(0)})
        i["lost_items"].append({"code": row["code"], "standard_zh": row["standard_zh"],
                           "standard_en": row["standard_en"],
                           "points_lost": row["points_lost"]})
        i["lost"] += Decimal(row["points_lost"])
    for i in inspections.values():
        i["lost"] = tidy(i["lost"])
    return list(inspections.values())  # the breakdown lists them in time order


def explained(b: Mapping[str, Any], notes: Mapping[int, str]) -> dict[str, Any]:
    """One breakdown as the page explains it (figures as published: strings)."""
    bonus = b.get("bonus") or {}
    return {
        "final_score": b["final_score"], "base_score": b["base_score"],
        "deductions_total": b["deductions_total"], "bonus_points": bonus.get("points", "0"),
        "inspections_count": b["inspections"], "min_inspections": b["min_inspections"],
        "rulebook_version": b["rulebook_version"],
        "dimensions": [_dimension(d) for d in b["dimension_breakdown"]],
        # k of the survey adjustment, said once under the table when a survey counted.
        "prior_weight": next((d["survey"]["prior_weight"] for d in b["dimension_breakdown"]
                              if d.get("survey")), None),
        "inspections": lost_by_inspection(b["lost_points"], notes),
        "deductions": [{**d, "received_at": _when(d.get("received_at"))}
                       for d in b["deductions"]],
        "open_complaints": [{**c, "received_at": _when(c.get("received_at"))}
                            for c in b.get("open_complaints", [])],
        "overdue_actions": [{**p, "due_at": _when(p.get("due_at"))}
                            for p in b.get("penalties", []) if p["kind"] == "overdue_action"],
        "lost_by_touchpoint": b.get("lost_by_touchpoint", []),
        "missed_deadlines": [{**p, "due_at": _when(p.get("due_at"))}
                             for p in b.get("penalties", []) if p["kind"] == "missed_deadline"],
        "commendations": [{**c, "received_at": _when(c.get("received_at"))}
                          for c in bonus.get("commendations", [])],
        "commendation_points": bonus.get("per_commendation"),
        "commendation_max_points": bonus.get("max_points"),
    }


async def published_explanations(actor: Actor, months: Iterable[str]) -> dict[str, dict[str, Any]]:
    """month → the caller's own published score explained. A month that is not
    published (HR is correcting it) is left out: its score is not theirs to read yet."""
    if actor.employee_id is None:
        return {}
    breakdowns: dict[str, dict[str, Any]] = {}
    for period in await Period.filter(month__in=list(months)):
        try:
            breakdowns[period.month] = await employee_score(period, actor, actor.employee_id)
        except NotFound:
            continue
    ids = {row["inspection_id"] for b in breakdowns.values() for row in b["lost_points"]}
    notes = dict(await Inspection.filter(id__in=ids, employee_id=actor.employee_id)
                 .values_list("id", "notes")) if ids else {}
    return {month: explained(b, notes) for month, b in breakdowns.items()}


def inspection_losses(inspections: Iterable[Any]) -> dict[int, Decimal]:
    """inspection id → the points its items lost (ItemOut.lost_points, from ItemRule.lost):
    the one figure the page labels an inspection by (above zero: not "all passed")."""
    return {i.id: tidy(sum((it.lost_points for it in i.items if it.lost_points), Decimal(0)))
            for i in inspections}
