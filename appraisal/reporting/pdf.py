"""Rendering report layouts (reports/*.html + print.css) to PDF with WeasyPrint.

The stylesheet and font configuration are built once per process: parsing
CSS and loading fonts for every page would cost more than laying it out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Autoescape: employee- and customer-written text never becomes markup.
    return Environment(loader=FileSystemLoader(REPORTS_DIR),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


@lru_cache(maxsize=1)
def _style() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from appraisal.reporting import cid_fonts, glyph_runs, svg_text

    cid_fonts.install()  # CJK fonts embedded compact: see cid_fonts
    svg_text.install()  # chart labels shaped whole: see svg_text
    glyph_runs.install()  # lines drawn again are not shaped again: see glyph_runs
    fonts = FontConfiguration()
    css = CSS(filename=str(REPORTS_DIR / "print.css"), font_config=fonts)
    return css, fonts


@lru_cache(maxsize=1)
def _report_html() -> type:
    """WeasyPrint's HTML with the lean user-agent sheet of reports/user_agent.css.

    `_ua_stylesheets` is the hook WeasyPrint's own tests override; should a
    release rename it, reports keep the full sheet: same pages, only slower.
    """
    from weasyprint import CSS, HTML

    sheets = [CSS(filename=str(REPORTS_DIR / "user_agent.css"))]

    class ReportHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return sheets

        def _ph_stylesheets(self) -> list[Any]:
            return []  # presentational hints are off anyway

    return ReportHTML


def report_html(source: str) -> Any:
    return _report_html()(string=source, base_url=str(REPORTS_DIR))


def freeze_startup_objects() -> None:
    """For processes that only render PDFs (batch and queue workers).

    Layout allocates millions of short-lived objects, and every full pass of
    the cyclic garbage collector used to rescan the fonts, stylesheets and
    templates loaded at start-up. Frozen, they are skipped: a batch appraisal
    costs 6-13% less, memory the same (measured alternating in one process;
    raising the collector's thresholds as well saved little more and cost
    100-500 MB per worker).
    """
    gc.collect()
    gc.freeze()


def render_html(template: str, context: dict[str, Any]) -> str:
    return _env().get_template(template).render(**context)


def layout(template: str, context: dict[str, Any]) -> Any:
    css, fonts = _style()
    return report_html(render_html(template, context)).render(
        stylesheets=[css], font_config=fonts)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return layout(template, context).write_pdf()


def appraisal_pdf(context: dict[str, Any]) -> bytes:
    from appraisal.reporting.documents import with_charts

    return render_pdf("appraisal.html", with_charts(context))


BATCH_HEAD = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>appraisals</title>'
    "<style>@page { @bottom-right { content: string(empno); } }</style></head><body>"
)


def _batch_source(contexts: list[dict[str, Any]]) -> str:
    """One HTML document of all the appraisals, each in a section anchored by its index."""
    from appraisal.reporting.documents import with_charts

    body = _env().get_template("appraisal_body.html")
    parts = [BATCH_HEAD]
    for i, context in enumerate(contexts):
        employee = escape(context["e"]["employee_no"])
        parts.append(f'<section class="appraisal" id="appraisal-{i}">'
                     f'<p class="empno-text">{employee}</p>')
        parts.append(body.render(**with_charts(context)))
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def _page_owners(document: Any) -> list[int]:
    """Which appraisal each page belongs to: the last one whose anchor began at or before it."""
    owner: list[int] = []
    current = 0
    for page in document.pages:
        starts = [int(name.rsplit("-", 1)[1]) for name in page.anchors
                  if name.startswith("appraisal-")]
        if starts:
            current = min(starts)
        owner.append(current)
    return owner


def _split_pdf(pdf: bytes, contexts: list[dict[str, Any]], owner: list[int]) -> list[bytes]:
    """The batch PDF cut into one PDF per appraisal, each titled for its employee."""
    import io

    import pikepdf

    out = []
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as whole:
        # The batch document shares one resource dictionary between its pages.
        # Drawings in it (form XObjects, patterns, shadings) belong to one page
        # each: when there are any, each PDF keeps only its own. Charts draw
        # none (see svg_text), so this costs nothing for them.
        per_page = any(len(page.obj.Resources.get(key, {}))
                       for page in whole.pages[:1]
                       for key in ("/XObject", "/Pattern", "/Shading"))
        for i, context in enumerate(contexts):
            with pikepdf.Pdf.new() as own:
                own.pages.extend(page for number, page in enumerate(whole.pages)
                                 if owner[number] == i)
                own.docinfo[pikepdf.Name.Title] = pikepdf.String(
                    f"{context['e']['name']} {context['period']} 服务考核")
                own.docinfo[pikepdf.Name.Producer] = pikepdf.String("appraisal (WeasyPrint)")
                if per_page:
                    own.remove_unreferenced_resources()
                buf = io.BytesIO()
                own.save(buf)
                out.append(buf.getvalue())
    return out


def appraisal_pdfs(contexts: list[dict[str, Any]]) -> list[bytes]:
    """Several appraisals as one document, written once, then split per employee.

    Fonts are subset once per document: laying out a group of appraisals
    together (batch.GROUP) and splitting the pages afterwards costs less per
    appraisal than one document each (a quarter less while subsetting kept
    every glyph slot, an eighth since cid_fonts compacts it).
    """
    if not contexts:
        return []
    source = _batch_source(contexts)
    css, fonts = _style()
    document = report_html(source).render(stylesheets=[css], font_config=fonts)
    owner = _page_owners(document)
    return _split_pdf(document.write_pdf(), contexts, owner)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for one document's layout.

    A summary's ranking is one table cell per figure: 2,000 people are 16,000
    cells, some millions of boxes and their styles, all alive until the PDF is
    written. Every full pass of the collector while they are built walks all of
    them again, so the passes cost more the longer the table: a team summary of
    2,000 spent as long in them as in the layout itself (its PDF took twice the
    CPU time). Reference counting still frees what is dropped meanwhile; cycles
    made meanwhile wait for the next pass after. Process-wide while it lasts:
    pages render one at a time (routes._render_lock), batch workers in their own
    processes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def summary_pdf(context: dict[str, Any]) -> bytes:
    with no_cycle_collection():
        return render_pdf("summary.html", context)
