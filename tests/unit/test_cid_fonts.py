"""CJK fonts embedded as compact CID-keyed CFF (appraisal.reporting.cid_fonts),
against WeasyPrint's own embedding (every glyph slot up to the last one used)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
import weasyprint.pdf as weasy_pdf
from weasyprint.pdf.fonts import Font

from appraisal.reporting import cid_fonts, pdf
from tests.drawing import font_files, raster, weasyprint_embedding

PAGE = """<html lang="zh-CN"><body>
<h1>服务考核 Service appraisal 2026-11 张伟</h1>
<p>前台接待 微笑服务 主动问候 Front desk greets every guest with a smile 三声服务.</p>
<p style="font-size: 14pt">礼仪 效率 员工签字 主管签字 优秀 Excellent ¥1,500.00 −2.50</p>
<p style="font-family: 'DejaVu Sans'">DejaVu Sans: a TrueType font, embedded by WeasyPrint</p>
</body></html>"""


def write(page: str = PAGE) -> bytes:
    css, fonts = pdf._style()
    return pdf.report_html(page).render(stylesheets=[css], font_config=fonts).write_pdf()


def test_installed_for_this_weasyprint() -> None:
    """Active with the WeasyPrint this project installs: should an upgrade change
    font embedding, this fails and cid_fonts is checked again."""
    pdf._style()
    assert cid_fonts.install() is True
    assert getattr(weasy_pdf.build_fonts_dictionary, "cid_cff", False)
    assert getattr(Font._harfbuzz_subset, "compacting", False)


def test_the_cjk_font_is_embedded_as_compact_cid_keyed_cff() -> None:
    ours = font_files(write())
    with weasyprint_embedding():
        theirs = font_files(write())
    assert ours.keys() == theirs.keys()
    (cjk,) = [name for name in ours if "CJK" in name]
    subtype, file_type, data = ours[cjk]
    assert (subtype, file_type) == ("/CIDFontType0", "/CIDFontType0C")
    assert data[:1] == b"\x01"  # a bare CFF table (version 1), not an OpenType file
    assert cid_fonts.cids(data)  # CID-keyed: the codes name CIDs through the charset
    assert len(data) < 20_000 < 500_000 < len(theirs[cjk][2])
    # Any other font is embedded by WeasyPrint as before.
    (dejavu,) = [name for name in ours if "DejaVu" in name]
    assert ours[dejavu] == theirs[dejavu]


def test_the_compacted_charset_gives_every_code_its_glyph() -> None:
    """Identity-H: the code drawn is the CID; the charset of the compacted font
    must give each code drawn the glyph WeasyPrint shaped."""
    data = write()
    with pikepdf.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        for _, font in page.Resources.Font.items():
            if "CJK" not in str(font.BaseFont):
                continue
            cff = font.DescendantFonts[0].FontDescriptor.FontFile3.read_bytes()
            widths = font.DescendantFonts[0].W
            codes = set()
            for i in range(0, len(widths), 2):
                codes.update(range(int(widths[i]), int(widths[i]) + len(widths[i + 1])))
    kept = cid_fonts.cids(cff)
    assert codes <= set(kept.values())
    assert sorted(kept.values()) == list(kept.values())  # glyphs kept in order


def test_text_still_extracts() -> None:
    text = subprocess.run(["pdftotext", "-", "-"], input=write(), capture_output=True,
                          check=True).stdout.decode()
    for expected in ("服务考核", "张伟", "员工签字", "Excellent", "¥1,500.00"):
        assert expected in text


def test_pages_look_the_same(tmp_path: Path) -> None:
    ours = raster(write(), tmp_path, "compact", dpi=100)
    with weasyprint_embedding():
        theirs = raster(write(), tmp_path, "weasyprint", dpi=100)
    assert ours.read_bytes() == theirs.read_bytes()


def test_codes_that_are_not_cids_are_left_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CID-keyed font whose glyph ids are not its CIDs: compacted, the codes
    would name other glyphs, so WeasyPrint embeds it as before."""
    monkeypatch.setattr(cid_fonts, "codes_are_cids", lambda font, gids: False)
    ours = write()
    with weasyprint_embedding():
        theirs = write()
    assert font_files(ours) == font_files(theirs)


def test_a_charset_that_lost_a_cid_is_left_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cid_fonts._hb_subset_cff

    def losing(font: Font, gids: list[int], hinting: bool) -> tuple[bytes, bytes] | None:
        return real(font, gids[1:], hinting)

    monkeypatch.setattr(cid_fonts, "_hb_subset_cff", losing)
    with weasyprint_embedding():
        theirs = write()
    assert font_files(write()) == font_files(theirs)


def test_fonts_not_written_as_expected_are_written_again_by_weasyprint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cid_fonts, "_font_file", lambda pdf, pdf_fonts, font: None)
    ours = write()
    with weasyprint_embedding():
        theirs = write()
    assert font_files(ours) == font_files(theirs)
    assert subprocess.run(["pdftotext", "-", "-"], input=ours, capture_output=True,
                          check=True).stdout.decode().count("张伟") == 1


def test_charsets_are_read_as_fonttools_reads_them() -> None:
    from fontTools.cffLib import CFFFontSet

    data = font_files(write())
    (cff,) = [d for _, _, d in data.values() if d[:1] == b"\x01"]
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    charset = fonts.topDictIndex[0].charset
    assert [f"cid{cid:05d}" if gid else ".notdef"
            for gid, cid in sorted(cid_fonts.cids(cff).items())] == charset


def test_glyphs_missing_from_every_font_still_draw_as_before(tmp_path: Path) -> None:
    """WeasyPrint maps characters no font has to .notdef with an encoding CMap of
    its own; the compacted font keeps .notdef and the CIDs that CMap names."""
    page = PAGE.replace("张伟", "张伟 \U000f0041\U000f0042")
    ours = write(page)
    with weasyprint_embedding():
        theirs = write(page)
    with pikepdf.open(io.BytesIO(ours)) as doc:
        encodings = [str(font.Encoding) if isinstance(font.Encoding, pikepdf.Name) else "cmap"
                     for _, font in doc.pages[0].Resources.Font.items()]
    assert "cmap" in encodings
    assert [types for name, (*types, _) in font_files(ours).items() if "CJK" in name] == [
        ["/CIDFontType0", "/CIDFontType0C"]]
    assert (raster(ours, tmp_path, "compact").read_bytes()
            == raster(theirs, tmp_path, "weasyprint").read_bytes())
