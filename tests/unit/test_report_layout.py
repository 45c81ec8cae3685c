"""What the appraisal PDF shows, decided before layout: grouped failures and charts."""

from __future__ import annotations

import re
from decimal import Decimal

from appraisal.reporting.charts import radar_svg, trend_svg
from appraisal.reporting.documents import failed_items


def lost(code: str, day: int, where: str, points: str = "5") -> dict[str, str]:
    return {"code": code, "standard_zh": f"标准{code}", "touchpoint": where,
            "occurred_at": f"2026-11-{day:02d}T10:00:00+08:00", "points_lost": points}


def test_failed_items_are_grouped_by_standard_with_their_dates_and_places() -> None:
    rows = [lost("V1", 12, "前台"), lost("N1", 3, "前台", "10"), lost("V1", 3, "大堂"),
            lost("V1", 12, "前台"), lost("H1", 5, "前台", "2.5")]
    out = failed_items(rows)
    assert [(g["code"], g["count"], g["lost"]) for g in out["rows"]] == [
        ("V1", 3, Decimal(15)), ("N1", 1, Decimal(10)), ("H1", 1, Decimal("2.5"))]
    v1 = out["rows"][0]
    # Days of the month, each once; the first touchpoint, "等" (etc.) when there are more.
    assert (v1["days"], v1["where"]) == ("3, 12", "前台 等")
    assert (out["rows"][1]["days"], out["rows"][1]["where"]) == ("3", "前台")
    assert (out["more"], out["total"]) == (0, 5)


def test_long_day_lists_are_shortened() -> None:
    out = failed_items([lost("V1", day, "前台") for day in range(1, 9)])
    assert out["rows"][0]["days"] == "1, 2, 3, 4 …" and out["rows"][0]["count"] == 8


def test_failed_items_beyond_the_limit_are_summed_in_one_row() -> None:
    rows = [lost(f"X{i}", 1 + i, "前台", str(20 - i)) for i in range(11)]
    out = failed_items(rows, limit=8)
    assert len(out["rows"]) == 8 and out["rows"][0]["code"] == "X0"
    # The three smallest losses (12, 11, 10) are folded into the last row.
    assert (out["more"], out["more_lost"]) == (3, Decimal(33))


def test_radar_labels_are_printed_level_and_anchored_away_from_the_web() -> None:
    svg = radar_svg(["服务态度", "服务质量", "服务措施", "工作效率", "优美环境"],
                    [Decimal(80), Decimal(70), None, Decimal(90), Decimal(60)])
    labels = re.findall(r'<text [^>]*text-anchor="(\w+)"[^>]*>([^<]+)<', svg)
    assert labels == [("middle", "服务态度"), ("end", "服务质量"), ("end", "服务措施"),
                      ("start", "工作效率"), ("start", "优美环境")]
    assert "rotate(" not in svg and "<script" not in svg


def test_printed_charts_carry_their_styles_on_the_nodes() -> None:
    """No stylesheet, scripts, tooltips or class names reach the PDF renderer: every
    drawn node carries its look as presentation attributes."""
    radar = radar_svg(["服务态度", "服务质量", "服务措施", "工作效率", "优美环境"],
                      [Decimal(80), Decimal(70), None, Decimal(90), Decimal(60)])
    trend = trend_svg(["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"],
                      [Decimal("81.25"), None, Decimal(90), Decimal(78), Decimal(84),
                       Decimal("83.89")])
    for svg in (radar, trend):
        for gone in ("<style", "<script", "<desc", "<title", "class=", "<!--", "tooltip"):
            assert gone not in svg, gone
        assert "<g>" not in svg  # groups passing nothing on are unwrapped
    # The radar's filled polygon, and every text, styled from the print rules.
    assert 'fill="#1f6f8b"' in radar and 'fill-opacity=".35"' in radar
    assert all('font-size="11px"' in t for t in re.findall(r"<text [^>]*>", radar))
    # Trend axes: scores right-aligned left of the axis, months centred under their tick.
    anchors = {text: anchor for anchor, text in
               re.findall(r'<text [^>]*text-anchor="(\w+)"[^>]*>([^<]+)<', trend)}
    assert {anchors[y] for y in ("0", "50", "100")} == {"end"}
    assert {anchors[m] for m in ("26-06", "26-11")} == {"middle"}
    assert 'stroke-dasharray="3,3"' in trend
