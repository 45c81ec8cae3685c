"""What the appraisal PDF and the employee's page say, decided from the breakdown before
any layout: coaching only where points were lost, dates rather than days, no data
drawn as no data, and the points lost grouped by inspection with its notes."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from appraisal.reporting.charts import radar_svg
from appraisal.reporting.documents import coaching_points, failed_items
from appraisal.rulebook import get_rulebook
from appraisal.scoring.display import explained, inspection_losses, lost_by_inspection

DIMENSIONS = ["服务态度", "服务质量", "服务措施", "工作效率", "优美环境"]


def lost(code: str, points: str, inspection_id: int = 1,
         at: str = "2026-11-05T10:00:00+08:00") -> dict[str, Any]:
    item = get_rulebook("2026.1").item(code)
    return {"code": code, "standard_zh": item.standard_zh, "standard_en": item.standard_en,
            "inspection_id": inspection_id, "occurred_at": at, "touchpoint": "前台",
            "points_lost": points}


def dimension(code: str, score: str | None, survey: bool = False) -> dict[str, Any]:
    return {"code": code, "name_zh": code, "name_en": code, "weight": "20", "score": score,
            "inspection": {"earned": "65", "max": "70", "items": 7, "score": score,
                           "weight": "0.6"} if score else None,
            "survey": {"count": 3, "raw": "95.00", "organisation_mean": "80.25",
                       "prior_weight": "5", "shrunk": "85.78", "weight": "0.4"}
            if survey else None}


def breakdown(lost_points: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "final_score": "96.71", "base_score": "96.71", "deductions_total": "0",
        "inspections": 2, "min_inspections": 2, "rulebook_version": "2026.1",
        "bonus": {"points": "0", "per_commendation": "2", "max_points": "5",
                  "commendations": []},
        "deductions": [], "open_complaints": [], "lost_points": lost_points,
        # quality has the lowest score: the old coaching fell back to its items (H2…)
        "dimension_breakdown": [dimension("attitude", "98.00", survey=True),
                                dimension("quality", "60.00"), dimension("measures", None)],
    }


def test_coaching_is_only_for_items_that_lost_points() -> None:
    rulebook = get_rulebook("2026.1")
    # H3 alone lost points: no second point padded in from the weakest dimension (H2).
    assert [c["code"] for c in coaching_points(breakdown([lost("H3", "2")]), rulebook)] == ["H3"]
    # Nothing lost: nothing to coach.
    assert coaching_points(breakdown([]), rulebook) == []
    # Most points lost first, two at most.
    rows = [lost("V1", "5"), lost("N1", "10"), lost("H3", "2"), lost("V1", "5", 2)]
    assert [c["code"] for c in coaching_points(breakdown(rows), rulebook)] == ["V1", "N1"]


def test_points_lost_are_listed_with_their_dates_not_days_of_the_month() -> None:
    rows = [lost("V1", "5", 1, "2026-11-05T10:00:00+08:00"),
            lost("V1", "5", 2, "2026-11-26T18:00:00+08:00")]
    assert failed_items(rows)["rows"][0]["dates"] == "11-05, 11-26"


def test_a_dimension_without_data_is_no_point_of_the_radar() -> None:
    svg = radar_svg(DIMENSIONS, [Decimal(80), Decimal(70), None, Decimal(90), Decimal(60)])
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert len(dots) == 4  # not five, one of them at the centre (a score of 0)
    area = re.search(r'<path d="([^"]+)"[^>]*fill-opacity', svg)
    assert area
    numbers = [float(n) for n in re.findall(r"[\d.]+", area.group(1))]
    vertices = list(zip(numbers[::2], numbers[1::2], strict=True))
    assert len(vertices) == 4 and (102.0, 100.5) not in vertices  # the web's centre
    assert svg.count(">暂无数据<") == 1
    assert ">No data<" in radar_svg(DIMENSIONS, [Decimal(80), None, None, None, None],
                                    no_data="No data")
    # A full web has no note.
    assert "暂无数据" not in radar_svg(DIMENSIONS, [Decimal(80)] * 5)


def test_points_lost_are_grouped_by_inspection_with_the_inspectors_notes() -> None:
    rows = [lost("H1", "1.5", 7, "2026-11-09T19:07:00+08:00"),
            lost("E1", "10", 7, "2026-11-09T19:07:00+08:00"),
            lost("H3", "2", 9, "2026-11-26T18:38:00+08:00")]
    out = lost_by_inspection(rows, {7: "接待时表情冷淡"})
    assert [(i["inspection_id"], i["lost"], i["notes"]) for i in out] == [
        (7, Decimal("11.5"), "接待时表情冷淡"), (9, Decimal(2), "")]
    assert [(it["code"], it["points_lost"]) for it in out[0]["lost_items"]] == [
        ("H1", "1.5"), ("E1", "10")]
    assert out[0]["occurred_at"].strftime("%Y-%m-%d %H:%M") == "2026-11-09 19:07"


def test_the_values_behind_each_dimension_are_explained() -> None:
    x = explained(breakdown([lost("H3", "2")]), {})
    attitude, quality, measures = x["dimensions"]
    assert attitude["survey"] == {"count": 3, "mean": "95.00", "adjusted": "85.78",
                                  "organisation_mean": "80.25", "prior_weight": "5",
                                  "weight": "0.4"}
    assert attitude["mixed"] and not quality["mixed"]
    assert measures["score"] is None and measures["inspection"] is measures["survey"] is None
    assert x["prior_weight"] == "5"


def test_an_inspection_is_labelled_by_the_points_its_items_lost() -> None:
    def item(lost_points: str | None) -> SimpleNamespace:
        return SimpleNamespace(lost_points=Decimal(lost_points) if lost_points else None)

    partial = SimpleNamespace(id=1, items=[item(None), item("1.5"), item("2")])
    clean = SimpleNamespace(id=2, items=[item(None), item(None)])
    assert inspection_losses([partial, clean]) == {1: Decimal("3.5"), 2: Decimal(0)}
