"""Gathering what an appraisal or summary PDF shows, in bulk queries.

Everything here is read from the period's current snapshot (immutable), so
a PDF always matches the scores and the SHA-256 printed in its footer.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from tortoise.functions import Avg, Count

from appraisal import labels
from appraisal.clock import local, local_now
from appraisal.config import get_settings
from appraisal.downloads import path_part
from appraisal.errors import Conflict, NotFound
from appraisal.evidence.models import COUNTED, Complaint, SurveyResponse
from appraisal.evidence.photos import item_photo_counts
from appraisal.figures import exact, figure, tidy
from appraisal.incentives.models import IncentiveAllocation
from appraisal.incentives.service import employee_amounts, stars_of
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import rulebook_of
from appraisal.reporting.charts import radar_svg, trend_svg
from appraisal.rulebook import get_rulebook, touchpoint_names
from appraisal.scoring.explain import lost_by_touchpoint, with_rules
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore
from appraisal.scoring.service import current_snapshot, snapshot_summaries
from appraisal.staff.models import Employee

# Labels of codes: appraisal.labels. Complaint rows stay on one line (Chinese only);
# the column headers carry the English.
GRADE_EN = labels.table("grade", "en")
SEVERITY_ZH = labels.table("severity", "zh")
STATUS_ZH = labels.table("complaint_status", "zh")
# An appraisal is one A4 page: failed items beyond these rows, and complaints beyond
# these, are summed up in a last row (the full list is in the score breakdown API).
MAX_FAILED_ROWS = 8
MAX_COMPLAINT_ROWS = 5
MAX_DATES = 2  # dates (MM-DD) listed per failed item: the row stays one line
MAX_PLACES = 1  # touchpoints listed per failed item


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def with_charts(context: dict[str, Any]) -> dict[str, Any]:
    data = context["chart_data"]
    return {**context, "radar": svg_uri(radar_svg(data["labels"], data["values"])),
            "trend": svg_uri(trend_svg(data["months"], data["trend"]))}


def failed_items(lost_points: list[dict[str, Any]], limit: int = MAX_FAILED_ROWS,
                 photos: Mapping[tuple[int, str], int] | None = None,
                 names: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """Failed inspection items grouped by standard, most points lost first: each
    row keeps the dates (MM-DD, the organisation's calendar) and the touchpoints
    of its failures, so every lost point still traces to when and where it was
    observed, and how many photos back it (`photos`: by (inspection id, item code)).
    Long lists are shortened (the breakdown API has them all) so a row stays one line."""
    photos = photos or {}
    names = touchpoint_names() if names is None else names
    groups: dict[str, dict[str, Any]] = {}
    for row in lost_points:
        g = groups.setdefault(row["code"], {
            "code": row["code"], "standard_zh": row["standard_zh"], "count": 0,
            "dates": set(), "where": [], "lost": Decimal(0), "photos": 0})
        g["photos"] += photos.get((row.get("inspection_id", 0), row["code"]), 0)
        g["dates"].add(row["occurred_at"][5:10])  # a local ISO time: "2026-11-05T…" → 11-05
        place = names.get(row.get("touchpoint") or "", (row.get("touchpoint"),))[0]
        if place and place not in g["where"]:
            g["where"].append(place)
        g["count"] += 1
        g["lost"] += Decimal(row["points_lost"])
    # sorted() is stable: equal losses keep the order of their first failure.
    ranked = sorted(groups.values(), key=lambda g: -g["lost"])
    shown, rest = ranked[:limit], ranked[limit:]
    rows = []
    for g in shown:
        dates = sorted(g["dates"])
        rows.append({
            "code": g["code"], "standard_zh": g["standard_zh"], "count": g["count"],
            "photos": g["photos"],
            "dates": ", ".join(dates[:MAX_DATES]) + (" …" if len(dates) > MAX_DATES else ""),
            "where": "、".join(g["where"][:MAX_PLACES]) + (
                " 等" if len(g["where"]) > MAX_PLACES else ""),
            "lost": tidy(g["lost"])})
    places = [f"{names.get(t['touchpoint'], (t['touchpoint'],))[0]} −{t['points_lost']}"
              for t in lost_by_touchpoint(lost_points) if t["touchpoint"]]
    return {"rows": rows, "more": len(rest),
            "more_lost": tidy(sum((g["lost"] for g in rest), Decimal(0))),
            "total": len(lost_points),
            # Where the points were lost, most first (one line: "停车场 −20 · 电话 −5").
            "places": " · ".join(places) if len(places) > 1 else ""}


def penalty_rows(breakdown: Mapping[str, Any],
                 names: Mapping[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Penalties as printed: what was not followed up in time, where and when it was due
    (`names`: the touchpoints' names, read once a batch)."""
    rows = []
    for p in breakdown.get("penalties", []):
        if p["kind"] != "overdue_action":
            continue  # missed complaint deadlines are printed beside the complaints
        place = names.get(p.get("touchpoint") or "", (p.get("touchpoint") or "",))[0]
        rows.append({"kind": p["kind"], "points": p["points"],
                     "what": " ".join(x for x in (p.get("item_code"), p.get("standard_zh"))
                                      if x),
                     "where": place, "due": (p.get("due_at") or "")[5:10]})
    return rows


async def snapshot_for_reports(period: Period) -> ScoreSnapshot:
    if period.status == PeriodStatus.open:
        raise Conflict("period %(month)s is open; appraisals are printed once it is closed",
                       code="period_open", month=period.month)
    snapshot = await current_snapshot(period)
    if snapshot is None:
        raise NotFound("period %(month)s has no score snapshot", code="no_snapshot",
                       month=period.month)
    return snapshot


async def _trends(period: Period, employee_ids: list[int]) -> tuple[list[str], dict[int, dict[str, Any]]]:
    snaps = await ScoreSnapshot.filter(
        superseded_at__isnull=True, period__month__lte=period.month
    ).select_related("period").order_by("-period__month").limit(6)
    months = {s.id: s.period.month for s in snaps}
    trend: dict[int, dict[str, Any]] = defaultdict(dict)
    for sid, eid, score in await SnapshotScore.filter(
        snapshot_id__in=list(months), employee_id__in=employee_ids
    ).values_list("snapshot_id", "employee_id", "final_score"):
        trend[eid][months[sid]] = score
    return sorted(months.values()), trend


async def snapshot_incentives(period: Period, snapshot: ScoreSnapshot, employee_ids: list[int]
                              ) -> dict[int, dict[str, Any]]:
    """employee_id → the share paid on this snapshot. The one answer for a report to
    "is there an allocation for this snapshot, and what does it pay": the appraisal's
    amount, the summary's ranking and its incentive box all come from it."""
    amounts = await employee_amounts([period.id], employee_ids, [snapshot.id])
    return {eid: share for (_, eid), share in amounts.items()}


_STARS: dict[int, dict[int, int]] = {}


async def service_star_ids(snapshot: ScoreSnapshot) -> dict[int, int]:
    """employee_id → team_id of each team's 服务之星, from the (immutable) snapshot."""
    if snapshot.id not in _STARS:
        _STARS[snapshot.id] = stars_of(await snapshot_summaries(snapshot.id))
    return _STARS[snapshot.id]


def coaching_points(breakdown: dict[str, Any], rulebook: Any) -> list[dict[str, str]]:
    """Up to two coaching points: the items that lost the most points. Only items that
    lost points (the breakdown's lost_points, decided by ItemRule.lost) are coached,
    as on the employee's page: an item met in full gets no advice to do better."""
    lost: dict[str, Decimal] = defaultdict(Decimal)
    for row in breakdown["lost_points"]:
        lost[row["code"]] += Decimal(row["points_lost"])
    order = sorted((c for c in lost if lost[c] > 0),
                   key=lambda c: (-lost[c], rulebook.item_codes.index(c)))
    points = []
    for code in order[:2]:
        item = rulebook.item(code)
        points.append({"code": code, "standard_zh": item.standard_zh,
                       "standard_en": item.standard_en, "coaching_zh": item.coaching_zh,
                       "coaching_en": item.coaching_en})
    return points


async def _corrections(period: Period, snapshot: ScoreSnapshot, employee_ids: list[int]
                       ) -> dict[int, dict[str, Any]]:
    """employee_id → what an earlier published snapshot of the month said: this
    appraisal then replaces one the employee was shown (the month was reopened after
    publication). The reopen's reason is not printed: it may be someone else's appeal."""
    earlier = await ScoreSnapshot.filter(
        period_id=period.id, sequence__lt=snapshot.sequence, published_at__isnull=False
    ).order_by("-sequence").first()
    if earlier is None:
        return {}
    reopened = local(earlier.superseded_at).strftime("%Y-%m-%d") if earlier.superseded_at else ""
    return {eid: {"was": b["final_score"], "reopened": reopened}
            for eid, b in await SnapshotScore.filter(
                snapshot_id=earlier.id, employee_id__in=employee_ids).values_list(
                "employee_id", "breakdown")}


async def _complaints(period: Period, employee_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each employee's complaints of the period, oldest first."""
    complaints: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in await Complaint.filter(period_id=period.id, employee_id__in=employee_ids,
                                    **COUNTED).order_by(
            "received_at").values("id", "employee_id", "severity", "status", "received_at",
                                  "customer_satisfied"):
        complaints[c["employee_id"]].append(c)
    return complaints


async def _surveys(period: Period, employee_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each employee's survey count and mean overall answer, in one grouped query."""
    return {r["employee_id"]: r for r in await SurveyResponse.filter(
        period_id=period.id, employee_id__in=employee_ids, **COUNTED).annotate(
        n=Count("id"), overall=Avg("overall")).group_by("employee_id").values(
        "employee_id", "n", "overall")}


def _shaped_complaints(breakdown: dict[str, Any], complaints: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
    """Complaint rows as printed, with lateness and deduction from the snapshot's breakdown."""
    deductions = {d["complaint_id"]: d for d in breakdown["deductions"]}
    return [
        {"severity": getattr(c["severity"], "value", c["severity"]),
         "status": getattr(c["status"], "value", c["status"]),
         "received_at": local(c["received_at"]).isoformat(),
         "customer_satisfied": c["customer_satisfied"],
         "late": deductions.get(c["id"], {}).get("late", False),
         "deduction": deductions.get(c["id"], {}).get("total")}
        for c in complaints
    ]


def _chart_data(breakdown: dict[str, Any], months: list[str], trend: dict[str, Any]
                ) -> dict[str, Any]:
    # Only the data: charts are drawn where the PDF is rendered (a worker process in batches).
    return {"labels": [f"{d['name_zh']}" for d in breakdown["dimension_breakdown"]],
            "values": [Decimal(d["score"]) if d["score"] else None
                       for d in breakdown["dimension_breakdown"]],
            "months": months,
            "trend": [trend.get(m) for m in months]}


async def appraisal_contexts(
    period: Period, snapshot: ScoreSnapshot, employee_ids: Iterable[int]
) -> list[dict[str, Any]]:
    ids = list(employee_ids)
    rulebook = rulebook_of(period)
    # A few bulk queries for the whole chunk, none per employee.
    # The rulebook the snapshot was scored with says what its lost points were.
    scored_with = get_rulebook(snapshot.rulebook_version)
    rows = {eid: with_rules(b, scored_with) for eid, b in await SnapshotScore.filter(
        snapshot_id=snapshot.id, employee_id__in=ids).values_list("employee_id", "breakdown")}
    positions = dict(await Employee.filter(id__in=ids).values_list("id", "position"))
    months, trends = await _trends(period, ids)
    incentives = await snapshot_incentives(period, snapshot, ids)
    stars = await service_star_ids(snapshot)
    complaints = await _complaints(period, ids)
    surveys = await _surveys(period, ids)
    corrections = await _corrections(period, snapshot, ids)
    photos = await item_photo_counts(row["inspection_id"] for b in rows.values()
                                     for row in b["lost_points"] if row.get("inspection_id"))
    generated_at = local_now().strftime("%Y-%m-%d %H:%M %z")
    places = touchpoint_names()
    contexts = []
    for eid in ids:
        b = rows.get(eid)
        if b is None:
            continue
        survey = surveys.get(eid)
        contexts.append({
            "organisation": get_settings().organisation,
            "period": period.month,
            "e": {"name": b["name"], "employee_no": b["employee_no"], "team": b["team"],
                  "position": positions.get(eid, "")},
            "s": b,
            "chart_data": _chart_data(b, months, trends[eid]),
            "complaints": _shaped_complaints(b, complaints[eid]),
            "survey_count": survey["n"] if survey else 0,
            "survey_overall": (figure(Decimal(str(survey["overall"])))
                               if survey and survey["overall"] is not None else None),
            "incentive": incentives.get(eid),
            "service_star": eid in stars,
            "correction": corrections.get(eid),
            "coaching": coaching_points(b, rulebook),
            # k of the survey adjustment, explained under the table when a survey counted.
            "survey_adjustment": next((d["survey"]["prior_weight"]
                                       for d in b["dimension_breakdown"] if d["survey"]), None),
            "snapshot_hash": snapshot.content_hash,
            "generated_at": generated_at,
            "grade_en": GRADE_EN,
            "severity_zh": SEVERITY_ZH,
            "status_zh": STATUS_ZH,
            "failed": failed_items(b["lost_points"], photos=photos, names=places),
            "penalties": penalty_rows(b, places),
            "max_complaint_rows": MAX_COMPLAINT_ROWS,
            "file_name": f"{path_part(b['employee_no'], 'employee')}-{period.month}.pdf",
        })
    return contexts


async def _incentive_totals(shares: dict[int, dict[str, Any]], team_id: int | None
                            ) -> dict[str, Any] | None:
    """The allocations that pay the people of a summary (from their shares, so the box
    and the ranking never disagree), and what this summary's people received of them.
    None: nobody in it is paid from an allocation of this snapshot."""
    if not shares:
        return None
    allocations = await IncentiveAllocation.filter(
        id__in={s["allocation_id"] for s in shares.values()}).select_related("team").order_by(
        "team_id", "id")
    paid = list(shares.values())
    return {
        "currency": paid[0]["currency"],
        "pools": [{"scope": a.team.name if a.team else "全机构 Whole organisation",
                   "pool": a.pool, "allocated": a.allocated, "unallocated": a.unallocated,
                   "cap": a.cap} for a in allocations],
        # A team's summary paid from the organisation's pool: what its people received.
        "part_of_larger_pool": any(a.team_id != team_id for a in allocations),
        "total": sum((Decimal(s["amount"]) for s in paid), Decimal(0)),
    }


GRADE_LABEL = {g: labels.bilingual("grade", g) for g in labels.codes("grade")}


async def summary_context(
    period: Period, snapshot: ScoreSnapshot, team_id: int | None = None,
    team_name: str | None = None,
) -> dict[str, Any]:
    """Ranking, grade distribution, dimension averages, stars and incentive totals."""
    rulebook = rulebook_of(period)
    rows = await snapshot_summaries(snapshot.id, team_id)
    rows.sort(key=lambda r: (-(Decimal(r["final_score"]) if r["final_score"] else Decimal(-1)),
                             r["employee_no"]))
    incentives = await snapshot_incentives(period, snapshot, [r["employee_id"] for r in rows])
    counts: dict[str | None, int] = defaultdict(int)
    for r in rows:
        counts[r["grade"]] += 1
    total = len(rows) or 1
    distribution = [
        {"label": GRADE_LABEL[g] if g else labels.bilingual("score_status", "insufficient_evidence"),
         "count": counts[g],
         "share": f"{Decimal(counts[g] * 100) / total:.1f}"}
        for g in (*GRADE_LABEL, None)
    ]
    dims = []
    for d in rulebook.dimensions:
        values = [Decimal(r["dimensions"][d.code]) for r in rows if d.code in r["dimensions"]]
        dims.append({"name_zh": d.name_zh, "name_en": d.name_en, "count": len(values),
                     "average": figure(exact(sum(values)) / len(values)) if values else None})
    star_ids = await service_star_ids(snapshot)
    stars = [
        {"team": r["team"], "name": r["name"], "employee_no": r["employee_no"],
         "final_score": r["final_score"]}
        for r in sorted(rows, key=lambda r: r["team"]) if r["employee_id"] in star_ids
    ]
    return {
        "organisation": get_settings().organisation,
        "scope": team_name or "全机构 Whole organisation",
        "period": period.month,
        "rows": [{**r, "amount": incentives.get(r["employee_id"], {}).get("amount")}
                 for r in rows],
        "distribution": distribution,
        "dimensions": dims,
        "stars": stars,
        "incentive": await _incentive_totals(incentives, team_id),
        "grade_label": GRADE_LABEL,
        "rulebook_version": rulebook.version,
        "snapshot_hash": snapshot.content_hash,
        "generated_at": local_now().strftime(
            "%Y-%m-%d %H:%M %z"),
    }
