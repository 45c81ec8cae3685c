"""SVG charts for the PDFs, drawn by pygal (radar of the five dimensions, 6-month trend).

pygal draws for screens: a stylesheet of ~90 rules, scripts, tooltips and
hover layers. The PDF renderer would parse that stylesheet and match it
against every node for every chart, twice per appraisal. So the printed
chart keeps only what is drawn, with its few print styles written onto the
nodes as presentation attributes (matched once here with cssselect2, the
selector engine WeasyPrint itself uses), and no <style> at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import cssselect2
import pygal
import tinycss2
from lxml import etree
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

# The printed look, in pygal's class names.
PRINT_CSS = (
    "text{font-family:'Noto Sans CJK SC',sans-serif;font-size:11px;fill:#444}"
    ".axis .line,.axis .guide{stroke:#d5d5d5;stroke-width:.7;fill:none}"
    ".axis .guide{stroke-dasharray:3,3}.axis.x.web .line{stroke:#bbb}"
    ".axis.x text{text-anchor:middle}.axis.y text{text-anchor:end}"
    ".line{fill:none;stroke-width:1.6}.nofill{fill:none}"
    ".color-0 .line,.color-0 .dot{stroke:#1f6f8b}.color-0 .dot{fill:#1f6f8b}"
    ".radar-graph .color-0 .line.reactive{fill:#1f6f8b;fill-opacity:.35}"
    ".background,.tooltip-overlay,.tooltip{display:none}"
    ".text-overlay text.value{font-size:10px;fill:#1f6f8b}"
)
_SCREEN_ONLY = frozenset({"defs", "desc", "title", "script", "style"})


@lru_cache(maxsize=1)
def _print_rules() -> cssselect2.Matcher:
    matcher = cssselect2.Matcher()
    for rule in tinycss2.parse_stylesheet(PRINT_CSS, skip_comments=True, skip_whitespace=True):
        declarations = [(d.lower_name, tinycss2.serialize(d.value).strip())
                        for d in tinycss2.parse_blocks_contents(rule.content)
                        if d.type == "declaration"]
        for selector in cssselect2.compile_selector_list(rule.prelude):
            matcher.add_selector(selector, declarations)
    return matcher


def _printable(root: Any, level_labels: bool = False) -> str:
    """pygal's SVG tree → the SVG that is printed (see the module docstring)."""
    matcher = _print_rules()
    dropped = [el for el in root.iter() if not isinstance(el.tag, str)]  # comments
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        el = wrapper.etree_element
        if wrapper.local_name in _SCREEN_ONLY:
            dropped.append(el)
            continue
        for *_, declarations in matcher.match(wrapper):  # by specificity, as CSS does
            for name, value in declarations:
                el.set(name, value)
        if el.get("display") == "none":
            dropped.append(el)
    for el in dropped:
        el.getparent().remove(el)
    if level_labels:
        _level_labels(root)
    for el in root.iter():
        el.attrib.pop("class", None)
        el.attrib.pop("id", None)
    # Empty groups and groups with nothing to pass on only cost the renderer a node.
    for el in list(root.iter("{*}g")):
        if not el.attrib:
            parent = el.getparent()
            index = parent.index(el)
            parent[index:index + 1] = list(el)
    return etree.tostring(root, encoding="unicode")


def _level_labels(root: Any) -> None:
    """pygal turns radar labels along their axis; printed, they read better level,
    anchored away from the web (left of centre: ending at the point). The first
    label is the top axis, so its x is the centre of the web."""
    labels = [t for t in root.iter("{*}text") if "rotate(" in t.get("transform", "")]
    if not labels:
        return
    centre_x = float(labels[0].get("x"))
    for label in labels:
        x = float(label.get("x"))
        del label.attrib["transform"]
        label.set("text-anchor", "end" if x < centre_x - 4 else
                  "start" if x > centre_x + 4 else "middle")


def radar_svg(labels: Sequence[str], values: Sequence[Decimal | None]) -> str:
    chart = pygal.Radar(width=320, height=250, range=(0, 100), fill=True,
                        dots_size=3, show_y_labels=False, margin=14, margin_left=58,
                        margin_right=58, truncate_label=-1, **COMMON)
    chart.x_labels = list(labels)
    chart.add("score", [float(v) if v is not None else 0 for v in values])
    return _printable(chart.render_tree(), level_labels=True)


def trend_svg(months: Sequence[str], values: Sequence[Decimal | None]) -> str:
    chart = pygal.Line(width=320, height=200, range=(0, 100), dots_size=3, margin=10,
                       margin_right=24,
                       x_label_rotation=0, truncate_label=-1, show_minor_y_labels=False,
                       print_values=True, **{k: v for k, v in COMMON.items()
                                             if k != "print_values"})
    chart.x_labels = [m[2:] for m in months]  # 26-06: short enough for six columns
    chart.add("final", [float(v) if v is not None else None for v in values])
    return _printable(chart.render_tree())
