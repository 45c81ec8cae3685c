"""Pictures for the report tests: SVG drawn into a PDF the way the reports draw it,
with WeasyPrint's own per-glyph SVG text for comparison, and PDF pages rasterised."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import weasyprint.svg as weasy_svg

from appraisal.reporting import pdf


@contextmanager
def per_glyph() -> Iterator[None]:
    """WeasyPrint's own SVG text drawing, for comparison."""
    pdf._style()
    fast, draw_node = weasy_svg.TAGS["text"], weasy_svg.SVG.draw_node
    tags = [tag for tag, draw in weasy_svg.TAGS.items() if draw is fast]
    weasy_svg.text = fast.__wrapped__
    weasy_svg.TAGS.update(dict.fromkeys(tags, fast.__wrapped__))
    weasy_svg.SVG.draw_node = draw_node.__wrapped__
    try:
        yield
    finally:
        weasy_svg.text = fast
        weasy_svg.TAGS.update(dict.fromkeys(tags, fast))
        weasy_svg.SVG.draw_node = draw_node


def draw(svg: str) -> bytes:
    """A one-page PDF showing `svg` as an image 120 mm wide, styled as the reports are."""
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    css, fonts = pdf._style()
    return pdf.report_html(f'<img src="{uri}" style="width:120mm">').render(
        stylesheets=[css], font_config=fonts).write_pdf()


def raster(data: bytes, tmp: Path, name: str, dpi: int = 100) -> Path:
    """The PDF's first page as a PNG (poppler's pdftoppm) in `tmp`."""
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(tmp / f"{name}.pdf"),
                    str(tmp / name)], check=True)
    return tmp / f"{name}.png"


@contextmanager
def weasyprint_embedding() -> Iterator[None]:
    """WeasyPrint's own font subsetting and embedding, for comparison."""
    import weasyprint.pdf as weasy_pdf
    from weasyprint.pdf.fonts import Font

    pdf._style()
    build, subset = weasy_pdf.build_fonts_dictionary, Font._harfbuzz_subset
    weasy_pdf.build_fonts_dictionary = build.__wrapped__
    Font._harfbuzz_subset = subset.__wrapped__
    try:
        yield
    finally:
        weasy_pdf.build_fonts_dictionary, Font._harfbuzz_subset = build, subset


def font_files(data: bytes) -> dict[str, tuple[str, str, bytes]]:
    """Base font name -> (CIDFont subtype, font file subtype or key, font file)."""
    import io

    import pikepdf

    out = {}
    with pikepdf.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            for _, font in page.Resources.Font.items():
                cid_font = font.DescendantFonts[0]
                descriptor = cid_font.FontDescriptor
                key = next(k for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in descriptor)
                stream = descriptor[key]
                out[str(font.BaseFont)] = (str(cid_font.Subtype),
                                           str(stream.get("/Subtype", key)), stream.read_bytes())
    return out
