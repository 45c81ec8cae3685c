"""Turning an EmployeeScore into the published, explainable breakdown (JSON)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from appraisal.clock import local
from appraisal.figures import figure as fig
from appraisal.figures import num
from appraisal.rulebook import RuleBook
from appraisal.scoring.engine import EmployeeScore


def ts(value: datetime | None) -> str | None:
    return local(value).isoformat() if value else None


def dimension_figures(score: EmployeeScore) -> dict[str, str]:
    """{code: "92.86"} for dimensions with data; absent codes have none."""
    return {code: fig(d.score) for code, d in score.dimensions.items()  # type: ignore[misc]
            if d.score is not None}


def summary(score: EmployeeScore, employee: Mapping[str, Any],
            dimensions: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "employee_id": score.employee_id,
        "employee_no": employee["employee_no"],
        "name": employee["name"],
        "team_id": employee["team_id"],
        "team": employee["team"],
        "final_score": str(score.final_score) if score.final_score is not None else None,
        "grade": score.grade,
        "status": score.status,
        "veto": score.veto,
        "inspections": score.inspections,
        "dimensions": dimension_figures(score) if dimensions is None else dimensions,
    }


_HEADS: dict[str, tuple[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]], ...]] = {}


def _dimension_heads(rulebook: RuleBook) -> tuple[tuple[str, dict[str, Any], dict[str, Any],
                                                        dict[str, Any]], ...]:
    """What every employee's dimension rows repeat of the rulebook, written once a
    rulebook (a close explains up to 50,000 employees)."""
    if (heads := _HEADS.get(rulebook.content_hash)) is None:
        heads = _HEADS[rulebook.content_hash] = _heads(rulebook)
    return heads


def _heads(rulebook: RuleBook) -> tuple[tuple[str, dict[str, Any], dict[str, Any],
                                              dict[str, Any]], ...]:
    insp_w = num(rulebook.source_weights["inspection"])
    surv_w = num(rulebook.source_weights["survey"])
    prior = num(rulebook.survey_prior_weight)
    return tuple((dim.code, {"code": dim.code, "name_zh": dim.name_zh, "name_en": dim.name_en,
                             "weight": num(dim.weight)},
                  {"weight": insp_w}, {"prior_weight": prior, "weight": surv_w})
                 for dim in rulebook.dimensions)


_MEANS: dict[int, tuple[Fraction, str | None]] = {}


def _mean_figure(mean: Fraction) -> str | None:
    """An organisation's mean of a dimension: the same Fraction object for every
    employee of a scoring run, written once (kept with the object, so an id reused
    by another object is never mistaken for it)."""
    kept = _MEANS.get(id(mean))
    if kept is None or kept[0] is not mean:
        if len(_MEANS) > 64:
            _MEANS.clear()
        kept = _MEANS[id(mean)] = (mean, fig(mean))
    return kept[1]


def _dimension_rows(score: EmployeeScore, rulebook: RuleBook) -> list[dict[str, Any]]:
    """Each dimension in rulebook order: its score and the sources behind it."""
    dims = []
    for code, head, insp_head, surv_head in _dimension_heads(rulebook):
        d = score.dimensions[code]
        dims.append({
            **head,
            "score": fig(d.score),
            "inspection": None if d.inspection is None else {
                "earned": num(d.inspection.earned),
                "max": num(d.inspection.maximum),
                "items": d.inspection.items,
                "score": fig(d.inspection.score),
                **insp_head,
            },
            "survey": None if d.survey is None else {
                "count": d.survey.count,
                "raw": fig(d.survey.raw),
                "organisation_mean": _mean_figure(d.survey.organisation_mean),
                "prior_weight": surv_head["prior_weight"],
                "shrunk": fig(d.survey.shrunk),
                "weight": surv_head["weight"],
            },
        })
    return dims


def _deduction_rows(
    score: EmployeeScore, complaints: Mapping[int, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Each deduction with the complaint it comes from."""
    deductions = []
    for ded in score.deductions:
        c = complaints.get(ded.complaint_id, {})
        deductions.append({
            "complaint_id": ded.complaint_id,
            "severity": ded.severity,
            "points": num(ded.points),
            "late": ded.late,
            "late_points": num(ded.late_points),
            "total": num(ded.total),
            "veto": ded.veto,
            "received_at": ts(c.get("received_at")),
            "first_response_at": ts(c.get("first_response_at")),
            "channel": c.get("channel"),
            "description": c.get("description"),
            "carried_from": ded.carried_from,
        })
    return deductions


def _penalty_rows(
    score: EmployeeScore, rulebook: RuleBook, actions: Mapping[int, Mapping[str, Any]],
    missed: Mapping[tuple[int, str], Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Each penalty with the evidence it comes from: an overdue corrective action names
    its item, touchpoint, due time and inspection; a missed complaint deadline its
    complaint, the deadline, when it was due and when (late) it was met."""
    rows = []
    for pen in score.penalties:
        if pen.kind == "missed_deadline":
            m = missed.get((pen.ref_id, pen.deadline or ""), {})
            rows.append({"kind": pen.kind, "points": num(pen.points), "complaint_id": pen.ref_id,
                         "deadline": pen.deadline, "due_at": ts(pen.due_at),
                         "met_at": ts(m.get("met_at"))})
            continue
        a = actions.get(pen.ref_id, {})
        code = a.get("item_code")
        rule = next((i for i in rulebook.items if i.code == code), None)
        rows.append({
            "kind": pen.kind,
            "action_id": pen.ref_id,
            "points": num(pen.points),
            "item_code": code,
            "standard_zh": rule.standard_zh if rule else None,
            "standard_en": rule.standard_en if rule else None,
            "touchpoint": a.get("inspection__touchpoint"),
            "inspection_id": a.get("inspection_id"),
            "due_at": ts(a.get("due_at")),
            "verified_at": ts(a.get("verified_at")),
        })
    return rows


def _open_complaint_rows(
    score: EmployeeScore, complaints: Mapping[int, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    return [
        {"complaint_id": cid, "severity": complaints.get(cid, {}).get("severity"),
         "received_at": ts(complaints.get(cid, {}).get("received_at"))}
        for cid in score.open_complaints
    ]


def _bonus_figures(
    score: EmployeeScore, rulebook: RuleBook, commendations: Mapping[int, Mapping[str, Any]]
) -> dict[str, Any]:
    """The bonus and every commendation of the period, counted or not."""
    all_commendations = sorted(commendations.values(), key=lambda c: c["id"])
    added = score.commendation_points
    return {
        "points": num(score.bonus),
        "per_commendation": num(rulebook.commendation_points),
        "max_points": num(rulebook.commendation_max_points),
        "counted": len(score.commendations_counted),
        "commendations": [
            {"commendation_id": c["id"], "source": c["source"],
             "received_at": ts(c["received_at"]), "counted": c["id"] in added,
             "points": num(added.get(c["id"], Fraction(0)))}
            for c in all_commendations
        ],
    }


def breakdown(
    score: EmployeeScore,
    rulebook: RuleBook,
    employee: Mapping[str, Any],
    month: str,
    *,
    complaints: Mapping[int, Mapping[str, Any]],
    commendations: Mapping[int, Mapping[str, Any]],
    lost: Iterable[Mapping[str, Any]],
    actions: Mapping[int, Mapping[str, Any]] | None = None,
    missed: Mapping[tuple[int, str], Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything behind a score: sources, counts, raw and shrunk values, evidence."""
    dims = _dimension_rows(score, rulebook)
    return {
        # The summary's dimension figures are the rows' own (each figure written once).
        **summary(score, employee, {d["code"]: d["score"] for d in dims
                                    if d["score"] is not None}),
        "grade_zh": rulebook.grade_names.get(score.grade) if score.grade else None,
        "period": month,
        "rulebook_version": rulebook.version,
        "rulebook_hash": rulebook.content_hash,
        "min_inspections": rulebook.min_inspections,
        "base_score": fig(score.base),
        "dimension_breakdown": dims,
        "deductions": _deduction_rows(score, complaints),
        "penalties": _penalty_rows(score, rulebook, actions or {}, missed or {}),
        "deductions_total": num(score.deducted),
        "open_complaints": _open_complaint_rows(score, complaints),
        "bonus": _bonus_figures(score, rulebook, commendations),
        "lost_points": [dict(row) for row in lost],
    }


def lost_by_touchpoint(lost: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Derived when read, not stored (the lost points hold it): the points lost at each
    touchpoint (where the standards slipped), most first: its
    failed results and the points they lost in all."""
    places: dict[str, dict[str, Any]] = {}
    for row in lost:
        place = places.setdefault(row.get("touchpoint") or "", {
            "touchpoint": row.get("touchpoint") or "", "results": 0, "points_lost": Fraction(0),
            "items": []})
        place["results"] += 1
        place["points_lost"] += Fraction(row["points_lost"])
        if row["code"] not in place["items"]:
            place["items"].append(row["code"])
    ordered = sorted(places.values(), key=lambda p: (-p["points_lost"], p["touchpoint"]))
    return [{**p, "points_lost": num(p["points_lost"])} for p in ordered]


def with_rules(b: Mapping[str, Any], rulebook: RuleBook) -> dict[str, Any]:
    """A breakdown whole: each lost point with its item's standard, dimension and
    coaching. A breakdown does not keep what the rulebook says (a snapshot names its
    rulebook by version and hash); snapshots stored whole before are returned as they
    are."""
    lost = []
    for row in b["lost_points"]:
        if "standard_zh" not in row:
            try:
                rule = rulebook.item(row["code"])
            except KeyError:
                pass
            else:
                row = {**row, "standard_zh": rule.standard_zh, "standard_en": rule.standard_en,
                       "dimension": rule.dimension, "coaching_zh": rule.coaching_zh,
                       "coaching_en": rule.coaching_en}
        lost.append(row)
    return {**b, "lost_points": lost}
