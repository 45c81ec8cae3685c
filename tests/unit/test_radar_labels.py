"""Every radar label lies inside the chart's viewBox, in Chinese and English: a label
cut off ("ervice quality") names no dimension."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PIL import ImageFont

from appraisal.reporting.charts import label_boxes, radar_svg, trend_svg
from appraisal.rulebook.store import get_rulebook

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("missing", [(), (0, 1, 4)])
def test_every_label_lies_inside_the_viewbox(lang: str, missing: tuple[int, ...]) -> None:
    rulebook = get_rulebook("2026.1")
    names = [d.name_zh if lang == "zh" else d.name_en for d in rulebook.dimensions]
    values = [None if i in missing else Decimal(80) for i in range(len(names))]
    (left, top, width, height), labels = label_boxes(
        radar_svg(names, values, "暂无数据" if lang == "zh" else "No data"))
    assert len(labels) >= len(names)
    font = ImageFont.truetype(FONT, 11, index=2)  # measured as drawn, not as estimated
    for text, x, baseline, shift in labels:
        w = font.getlength(text)
        start = x - w * shift
        assert left <= start and start + w <= left + width, (text, start, w, left, width)
        assert top <= baseline - 11 and baseline <= top + height, (text, baseline)


def test_trend_months_read_as_months() -> None:
    """"26-11" read as a date of the 26th: the columns say 11月, Nov."""
    months = ["2026-10", "2026-11", "2026-12"]
    values = [Decimal(80), None, Decimal(90)]
    zh, en = trend_svg(months, values), trend_svg(months, values, "en")
    assert all(f">{m}<" in zh for m in ("10月", "11月", "12月")) and "26-11" not in zh
    assert all(f">{m}<" in en for m in ("Oct", "Nov", "Dec"))
