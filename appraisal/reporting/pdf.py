"""Rendering report layouts (reports/*.html + print.css) to PDF with WeasyPrint.

The stylesheet and font configuration are built once per process: parsing
CSS and loading fonts for every page would cost more than laying it out.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

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

    fonts = FontConfiguration()
    css = CSS(filename=str(REPORTS_DIR / "print.css"), font_config=fonts)
    return css, fonts


def render_html(template: str, context: dict[str, Any]) -> str:
    return _env().get_template(template).render(**context)


def layout(template: str, context: dict[str, Any]) -> Any:
    """Layout only (no PDF serialisation): the baseline the benchmark compares with."""
    from weasyprint import HTML

    css, fonts = _style()
    return HTML(string=render_html(template, context), base_url=str(REPORTS_DIR)).render(
        stylesheets=[css], font_config=fonts)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return layout(template, context).write_pdf()


def appraisal_pdf(context: dict[str, Any]) -> bytes:
    from appraisal.reporting.documents import with_charts

    return render_pdf("appraisal.html", with_charts(context))


def appraisal_layout(context: dict[str, Any]) -> Any:
    from appraisal.reporting.documents import with_charts

    return layout("appraisal.html", with_charts(context))


def summary_pdf(context: dict[str, Any]) -> bytes:
    return render_pdf("summary.html", context)
