"""What the appraisal PDF shows, decided before layout: grouped failures and charts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

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
    # Dates (MM-DD), each once; the first touchpoint, "等" (etc.) when there are more.
    assert (v1["dates"], v1["where"]) == ("11-03, 11-12", "前台 等")
    assert (out["rows"][1]["dates"], out["rows"][1]["where"]) == ("11-03", "前台")
    assert (out["more"], out["total"]) == (0, 5)


def test_long_date_lists_are_shortened() -> None:
    out = failed_items([lost("V1", day, "前台") for day in range(1, 9)])
    assert out["rows"][0]["dates"] == "11-01, 11-02 …" and out["rows"][0]["count"] == 8


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
    # 服务措施 has no data: a note under its label, anchored as the label is.
    assert labels == [("middle", "服务态度"), ("end", "服务质量"), ("end", "服务措施"),
                      ("end", "暂无数据"), ("start", "工作效率"), ("start", "优美环境")]
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
    assert all('font-size="11px"' in t for t in re.findall(r"<text [^>]*>", radar)
               if "#999" not in t)  # the smaller grey "no data" note aside
    # Trend axes: scores right-aligned left of the axis, months centred under their tick.
    anchors = {text: anchor for anchor, text in
               re.findall(r'<text [^>]*text-anchor="(\w+)"[^>]*>([^<]+)<', trend)}
    assert {anchors[y] for y in ("0", "50", "100")} == {"end"}
    assert {anchors[m] for m in ("6月", "11月")} == {"middle"}
    assert 'stroke-dasharray="3,3"' in trend


MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
TREND = [Decimal("81.25"), None, Decimal(90), Decimal(78), Decimal(84), Decimal("83.89")]
DIMENSIONS = ["服务态度", "服务质量", "服务措施", "工作效率", "优美环境"]
SCORES = [Decimal(80), Decimal(70), None, Decimal(90), Decimal(60)]


def dots(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_trend_values_sit_centred_just_above_their_dots() -> None:
    trend = trend_svg(MONTHS, TREND)
    values = re.findall(r'<text text-anchor="middle" x="([\d.]+)" y="([\d.]+)"[^>]*>([\d.]+)<',
                        trend)
    # Two decimals, as the scores everywhere else on the page; none for the gap.
    assert [v for *_, v in values] == ["81.25", "90.00", "78.00", "84.00", "83.89"]
    for (cx, cy), (x, y, _) in zip(dots(trend), values, strict=True):
        assert abs(float(x) - cx) < 0.01 and abs(float(y) - (cy - 6)) < 0.01
    assert 'text-anchor="left"' not in trend


def test_charts_skip_pygal_screen_stylesheet_and_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    from pygal.svg import Svg

    def screen_only(self: Svg) -> None:
        raise AssertionError("screen stylesheet or script built for a printed chart")

    monkeypatch.setattr(Svg, "add_styles", screen_only)
    monkeypatch.setattr(Svg, "add_scripts", screen_only)
    assert "<text" in radar_svg(DIMENSIONS, SCORES) and "<text" in trend_svg(MONTHS, TREND)


def test_charts_are_drawn_in_few_nodes() -> None:
    """One group each; guides of one style one path (a web of spokes; dashed and
    solid grid lines), besides the data's area or line and its dots."""
    radar, trend = radar_svg(DIMENSIONS, SCORES), trend_svg(MONTHS, TREND)
    for svg, texts, paths in ((radar, 5 + 1, 2), (trend, 9 + 5, 3)):  # radar: + no-data note
        assert svg.count("<g") == 1
        assert svg.count("<text") == texts and svg.count("<path") == paths
    assert len(dots(radar)) == 4 and len(dots(trend)) == 5  # no dot where there is no data
    spokes = re.search(r'<path d="([^"]+)" fill="none" stroke-width=".7" stroke="#bbb"', radar)
    assert spokes and spokes.group(1).count("M") == 5
    # The translucent radar area is never merged with anything.
    assert re.search(r'<path d="[^"M]*M[^M"]*"[^>]*fill-opacity=".35"', radar)


def test_fewer_nodes_draw_the_same_picture(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    from appraisal.reporting import charts
    from tests.drawing import draw, raster

    merged = [radar_svg(DIMENSIONS, SCORES), trend_svg(MONTHS, TREND)]
    monkeypatch.setattr(charts, "_fewer_nodes", lambda root: None)
    plain = [radar_svg(DIMENSIONS, SCORES), trend_svg(MONTHS, TREND)]
    assert plain[0].count("<path") > merged[0].count("<path") and plain[1].count("<g") > 1
    for i, (a, b) in enumerate(zip(merged, plain, strict=True)):
        fewer = Image.open(raster(draw(a), tmp_path, f"m{i}")).convert("L")
        every = Image.open(raster(draw(b), tmp_path, f"p{i}")).convert("L")
        # One path for many may shift anti-aliasing, no more.
        diff = ImageChops.difference(fewer, every).point(lambda v: 255 if v > 96 else 0)
        assert diff.histogram()[255] <= 30, i


def test_failed_items_count_the_photos_behind_them() -> None:
    rows = [{**lost("V1", 3, "前台"), "inspection_id": 7}, {**lost("V1", 4, "大堂"), "inspection_id": 8},
            {**lost("H1", 4, "大堂"), "inspection_id": 8}]
    out = failed_items(rows, photos={(7, "V1"): 2, (8, "V1"): 1, (7, "H1"): 5})
    # H1 failed on inspection 8, whose H1 has no photo: inspection 7's H1 photos are not its.
    assert [(g["code"], g["photos"]) for g in out["rows"]] == [("V1", 3), ("H1", 0)]
    assert [g["photos"] for g in failed_items(rows)["rows"]] == [0, 0]
