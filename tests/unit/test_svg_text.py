"""SVG chart labels drawn as whole runs, measured once, anchored in place
(appraisal.reporting.svg_text), against WeasyPrint's own drawing."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint.svg as weasy_svg
from weasyprint.text import line_break

from appraisal.reporting import pdf, svg_text
from tests.drawing import draw, per_glyph, raster

FONT = 'font-family="Noto Sans CJK SC" font-size="14"'
LABELS = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
          f'<text x="10" y="20" {FONT}>服务态度 26-11</text>'
          f'<text x="290" y="45" text-anchor="end" {FONT}>83.89 得分</text>'
          f'<text x="150" y="95" text-anchor="middle" {FONT}>26-06</text>'
          # Placed glyph by glyph, or anchored and nudged: WeasyPrint's drawing.
          f'<text x="10 30 50" y="70" {FONT}>ABC</text>'
          f'<text x="290" y="70" dx="-4" text-anchor="end" {FONT}>dx 5</text>'
          "</svg>")


def shaped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts SVG drawing lays out (it imports split_first_line at call time)."""
    seen: list[str] = []
    real = line_break.split_first_line

    def counting(text: str, *args: object, **kwargs: object) -> object:
        seen.append(str(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(line_break, "split_first_line", counting)
    return seen


def test_installed_for_this_weasyprint() -> None:
    """Active with the WeasyPrint this project installs: should an upgrade change
    SVG text drawing, this fails and svg_text is checked again."""
    pdf._style()
    assert svg_text.install() is True
    assert getattr(weasy_svg.TAGS["text"], "whole_runs", False)
    assert weasy_svg.text is weasy_svg.TAGS["text"] is weasy_svg.TAGS["tspan"]
    assert getattr(weasy_svg.SVG.draw_node, "anchored_in_place", False)


def test_simple_labels_are_measured_once_as_whole_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf._style()
    svg_text._MEASURED.clear()
    seen = shaped(monkeypatch)
    draw(LABELS)
    draw(LABELS)  # the next appraisal's same axis labels: measured already
    for label in ("服务态度 26-11", "83.89 得分", "26-06"):
        assert seen.count(label) == 1, label
    assert "服" not in seen and "8" not in seen
    # Text placed glyph by glyph stays WeasyPrint's, per glyph, every time.
    assert [t for t in seen if t in ("A", "B", "C")] == ["A", "B", "C"] * 2


def test_weasyprint_alone_shapes_every_character(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = shaped(monkeypatch)
    with per_glyph():
        draw(LABELS)
    assert "服" in seen and "8" in seen  # what the whole runs save


def test_simple_labels_need_no_drawing_group() -> None:
    """WeasyPrint draws an anchored label into a form XObject; in place, only the
    label it still draws itself (anchored and nudged by dx) needs one."""
    import io

    import pikepdf

    def groups(data: bytes) -> int:
        with pikepdf.open(io.BytesIO(data)) as doc:
            return len(doc.pages[0].Resources.get("/XObject", {}))

    with per_glyph():
        assert groups(draw(LABELS)) == 3
    assert groups(draw(LABELS)) == 1


def test_whole_runs_look_the_same(tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    fast = Image.open(raster(draw(LABELS), tmp_path, "fast")).convert("L")
    with per_glyph():
        slow = Image.open(raster(draw(LABELS), tmp_path, "slow")).convert("L")
    assert fast.size == slow.size
    # Whole-run shaping may move a glyph by a fraction of a pixel (kerning), no more.
    diff = ImageChops.difference(fast, slow).point(lambda v: 255 if v > 96 else 0)
    assert diff.histogram()[255] <= 20
    assert ImageChops.difference(fast, Image.new("L", fast.size, 255)).getbbox()  # drawn
