"""SVG text drawn as whole runs (appraisal.reporting.svg_text)."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import weasyprint.svg as weasy_svg
from weasyprint.text import line_break

from appraisal.reporting import pdf, svg_text

LABELS = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80">'
          '<text x="10" y="20" font-family="Noto Sans CJK SC" font-size="14">服务态度 26-11</text>'
          '<text x="290" y="45" text-anchor="end" font-family="Noto Sans CJK SC" '
          'font-size="14">83.89 得分</text>'
          '<text x="10 30 50" y="70" font-family="Noto Sans CJK SC" font-size="14">ABC</text>'
          "</svg>")


@contextmanager
def per_glyph() -> Iterator[None]:
    """WeasyPrint's own SVG text drawing, for comparison."""
    pdf._style()
    fast = weasy_svg.TAGS["text"]
    tags = [tag for tag, draw in weasy_svg.TAGS.items() if draw is fast]
    weasy_svg.text = fast.__wrapped__
    weasy_svg.TAGS.update(dict.fromkeys(tags, fast.__wrapped__))
    try:
        yield
    finally:
        weasy_svg.text = fast
        weasy_svg.TAGS.update(dict.fromkeys(tags, fast))


def draw(svg: str) -> bytes:
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    css, fonts = pdf._style()
    return pdf.report_html(f'<img src="{uri}" style="width:120mm">').render(
        stylesheets=[css], font_config=fonts).write_pdf()


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


def test_simple_text_is_shaped_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf._style()
    seen = shaped(monkeypatch)
    draw(LABELS)
    # Measured, then drawn, as whole runs; text placed glyph by glyph stays per glyph.
    assert seen.count("服务态度 26-11") == 2 and seen.count("83.89 得分") == 2
    assert "服" not in seen and "8" not in seen
    assert [t for t in seen if t in ("A", "B", "C")] == ["A", "B", "C"]


def test_weasyprint_alone_shapes_every_character(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = shaped(monkeypatch)
    with per_glyph():
        draw(LABELS)
    assert "服" in seen and "8" in seen  # what the whole runs save


def raster(data: bytes, tmp: Path, name: str) -> Path:
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp / f"{name}.pdf"),
                    str(tmp / name)], check=True)
    return tmp / f"{name}.png"


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
