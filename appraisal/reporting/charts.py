"""SVG charts for the PDFs, drawn by pygal (radar of the five dimensions, 6-month trend)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#1f6f8b", "#c0392b"),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
    legend_font_size=10,
)
# No scripts, tooltips or interactivity: these are printed.
COMMON = {"style": STYLE, "disable_xml_declaration": True, "js": [], "show_legend": False,
          "explicit_size": True, "print_values": False, "interpolate": None}


_INTERACTIVE = re.compile(
    r"<desc[^>]*>.*?</desc>|<title>.*?</title>|<script[^>]*>.*?</script>", re.S)
_ROTATED_LABEL = re.compile(r'<text x="([-\d.]+)" y="([-\d.]+)" class="([^"]*)" '
                            r'transform="rotate\([^)]*\)">')
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
# pygal's own stylesheet has ~90 rules for screens (hover, tooltips, themes); the
# PDF renderer parses and matches every one of them for every chart. These few
# rules draw the same printed chart several times faster.
PRINT_CSS = (
    "<style type=\"text/css\">"
    "text{font-family:'Noto Sans CJK SC',sans-serif;font-size:11px;fill:#444}"
    ".axis .line,.axis .guide{stroke:#d5d5d5;stroke-width:.7;fill:none}"
    ".axis .guide{stroke-dasharray:3,3}.axis.x.web .line{stroke:#bbb}"
    ".line{fill:none;stroke-width:1.6}.nofill{fill:none}"
    ".color-0 .line,.color-0 .dot{stroke:#1f6f8b}.color-0 .dot{fill:#1f6f8b}"
    ".radar-graph .color-0 .line.reactive{fill:#1f6f8b;fill-opacity:.35}"
    ".background{fill:none}.tooltip-overlay,.tooltip{display:none}"
    ".text-overlay text.value{font-size:10px;fill:#1f6f8b}"
    "</style>"
)


def _printable(svg: str) -> str:
    # Tooltip <desc>/<title> nodes only matter on screen; dropping them speeds up PDF drawing.
    return _STYLE.sub(PRINT_CSS, _INTERACTIVE.sub("", svg), count=1)


def _level_labels(svg: str) -> str:
    """pygal turns radar labels along their axis; printed, they read better level,
    anchored away from the web (left of centre: ending at the point). The first
    label is the top axis, so its x is the centre of the web."""
    first = _ROTATED_LABEL.search(svg)
    if first is None:
        return svg
    centre_x = float(first.group(1))

    def level(m: re.Match[str]) -> str:
        x = float(m.group(1))
        anchor = "end" if x < centre_x - 4 else "start" if x > centre_x + 4 else "middle"
        return (f'<text x="{m.group(1)}" y="{m.group(2)}" class="{m.group(3)}" '
                f'text-anchor="{anchor}">')
    return _ROTATED_LABEL.sub(level, svg)


def radar_svg(labels: Sequence[str], values: Sequence[Decimal | None]) -> str:
    chart = pygal.Radar(width=320, height=250, range=(0, 100), fill=True,
                        dots_size=3, show_y_labels=False, margin=14, margin_left=58,
                        margin_right=58, truncate_label=-1, **COMMON)
    chart.x_labels = list(labels)
    chart.add("score", [float(v) if v is not None else 0 for v in values])
    return _level_labels(_printable(chart.render(is_unicode=True)))


def trend_svg(months: Sequence[str], values: Sequence[Decimal | None]) -> str:
    chart = pygal.Line(width=320, height=200, range=(0, 100), dots_size=3, margin=10,
                       margin_right=24,
                       x_label_rotation=0, truncate_label=-1, show_minor_y_labels=False,
                       print_values=True, **{k: v for k, v in COMMON.items()
                                             if k != "print_values"})
    chart.x_labels = [m[2:] for m in months]  # 26-06: short enough for six columns
    chart.add("final", [float(v) if v is not None else None for v in values])
    return _printable(chart.render(is_unicode=True))
