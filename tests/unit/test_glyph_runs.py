"""Lines of text drawn from recorded glyph runs (appraisal.reporting.glyph_runs),
against WeasyPrint drawing every line itself."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pikepdf
import pytest
import weasyprint.draw.text as weasy_text
from weasyprint.text.line_break import Layout

from appraisal.reporting import glyph_runs, pdf

PAGE = """<html lang="zh-CN"><body>
<h1>服务考核 Service appraisal 2026-11</h1>
<p style="text-align: justify; width: 60mm">前台接待 微笑服务 主动问候 Front desk greets every guest
with a smile, stands when serving and answers the phone within three rings 三声服务.</p>
<p style="letter-spacing: 2px; text-decoration: underline">一监督 supervision 李娜</p>
<table><tr><td>礼仪 Etiquette</td><td>18.50</td></tr><tr><td>效率</td><td>-2.00</td></tr></table>
<p>{extra}</p>
</body></html>"""


@contextmanager
def shaped_each_time() -> Iterator[None]:
    """WeasyPrint's own drawing, every line shaped again when drawn."""
    pdf._style()
    replaying = (weasy_text.draw_first_line, Layout.reactivate, Layout.deactivate)
    weasy_text.draw_first_line, Layout.reactivate, Layout.deactivate = (
        f.__wrapped__ for f in replaying)
    try:
        yield
    finally:
        weasy_text.draw_first_line, Layout.reactivate, Layout.deactivate = replaying


def write(extra: str = "") -> bytes:
    css, fonts = pdf._style()
    return pdf.report_html(PAGE.format(extra=extra)).render(
        stylesheets=[css], font_config=fonts).write_pdf()


def drawn(data: bytes) -> list[bytes]:
    """What a reader sees of the page: its operators, glyph widths and glyph texts."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            contents = page.obj.Contents
            streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
            out.append(b"".join(s.read_bytes() for s in streams))
            for _, font in sorted(page.Resources.Font.items()):
                widths = font.DescendantFonts[0].get("/W") if "/DescendantFonts" in font else None
                out += [repr(widths).encode(), font.ToUnicode.read_bytes()]
    return out


def shapings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines whose Pango layout is rebuilt (and shaped) for drawing."""
    seen: list[str] = []
    real = Layout.setup

    def counting(self: Layout, style: object) -> None:
        seen.append(getattr(self, "text", ""))
        real(self, style)

    monkeypatch.setattr(Layout, "setup", counting)
    return seen


def test_installed_for_this_weasyprint() -> None:
    """Active with the WeasyPrint this project installs: should an upgrade change
    text drawing, this fails and glyph_runs is checked again."""
    pdf._style()
    assert glyph_runs.install() is True
    assert getattr(weasy_text.draw_first_line, "recorded", False)


def test_replayed_lines_draw_what_weasyprint_draws() -> None:
    write()  # recorded
    replayed = write()
    with shaped_each_time():
        own = write()
    assert drawn(replayed) == drawn(own)


def test_lines_drawn_again_are_not_shaped_again(monkeypatch: pytest.MonkeyPatch) -> None:
    css, fonts = pdf._style()
    write()
    document = pdf.report_html(PAGE.format(extra="B00042 员工42")).render(
        stylesheets=[css], font_config=fonts)
    seen = shapings(monkeypatch)
    document.write_pdf()
    assert seen == ["B00042 员工42"]  # only the line not drawn before

    with shaped_each_time():
        document = pdf.report_html(PAGE.format(extra="B00043")).render(
            stylesheets=[css], font_config=fonts)
        seen.clear()
        document.write_pdf()
    assert "礼仪 Etiquette" in seen and len(seen) > 10


def test_lines_with_missing_glyphs_are_drawn_by_weasyprint() -> None:
    # U+F8FF is in no installed font: WeasyPrint draws .notdef and warns, each time.
    write("缺字 \uf8ff")
    replayed = write("缺字 \uf8ff")
    with shaped_each_time():
        own = write("缺字 \uf8ff")
    assert drawn(replayed) == drawn(own)
    assert [v for k, v in glyph_runs._RUNS.items() if k[0] == "缺字 \uf8ff"] == [None]


def test_recordings_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glyph_runs, "_RUNS_MAX", 5)
    glyph_runs._RUNS.clear()
    write("".join(f"<br>第{n}行" for n in range(20)))
    assert 0 < len(glyph_runs._RUNS) <= 5
