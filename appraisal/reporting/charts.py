"""SVG charts for the PDFs, drawn by pygal (radar of the five dimensions, 6-month trend).

pygal draws for screens: a stylesheet of ~90 rules, scripts, tooltips and
hover layers. The PDF renderer would parse that stylesheet and match it
against every node for every chart, twice per appraisal. So the printed
chart keeps only what is drawn, with its few print styles written onto the
nodes as presentation attributes (matched once here with cssselect2, the
selector engine WeasyPrint itself uses), and no <style> at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import cssselect2
import pygal
import tinycss2
from lxml import etree
from pygal.adapters import positive
from pygal.style import Style
from pygal.svg import Svg

from appraisal.figures import figure

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


def _printable(root: Any, level_labels: bool = False, values_over_dots: bool = False,
               no_data: tuple[Sequence[int], str] = ((), "")) -> str:
    """pygal's SVG tree → the SVG that is printed (see the module docstring).
    `no_data`: the radar axes without data, and the words that say so under their label."""
    matcher = _print_rules()
    # Comments and screen-only parts go before matching: a third of pygal's nodes.
    screen_only = list(root.iter(etree.Comment, *(f"{{*}}{t}" for t in _SCREEN_ONLY)))
    for el in screen_only:
        el.getparent().remove(el)
    hidden = []

    def style(wrapper: cssselect2.ElementWrapper) -> None:
        el = wrapper.etree_element
        for *_, declarations in matcher.match(wrapper):  # by specificity, as CSS does
            for name, value in declarations:
                el.set(name, value)
        if el.get("display") == "none":
            hidden.append(el)  # its subtree is not drawn: not matched either
            return
        for child in wrapper.iter_children():
            style(child)

    style(cssselect2.ElementWrapper.from_xml_root(root))
    for el in hidden:
        el.getparent().remove(el)
    if no_data[0]:
        _no_data_labels(root, *no_data)  # before leveling: the notes are leveled alike
    if level_labels:
        _level_labels(root)
    if values_over_dots:
        _values_over_dots(root)
    for el in root.iter():
        el.attrib.pop("class", None)
        el.attrib.pop("id", None)
    _fewer_nodes(root)
    return etree.tostring(root, encoding="unicode")


def _local(el: Any) -> str:
    return etree.QName(el).localname


_TRANSLUCENT = ("opacity", "fill-opacity", "stroke-opacity")


def _fewer_nodes(root: Any) -> None:
    """The same drawing in fewer nodes: the PDF renderer pays for every node
    (its state, transform and paint), whatever it draws. Groups that pass
    nothing on are unwrapped and twin neighbours merged; guide lines of one
    style become one path. Paths only merge within a run of paths and labels,
    so nothing moves under or over anything but a label; translucent ones
    never merge (their overlaps would darken differently). Dots stay circles:
    WeasyPrint draws a circle faster than it parses the same arcs in a path."""
    for el in list(root.iter("{*}g")):
        parent = el.getparent()
        index = parent.index(el)
        if len(el) == 0 or not el.attrib:
            parent[index:index + 1] = list(el)
    parents = [root, *root.iter("{*}g")]
    for parent in parents:
        previous = None
        for child in list(parent):
            if (previous is not None and _local(child) == _local(previous) == "g"
                    and dict(child.attrib) == dict(previous.attrib)):
                previous.extend(list(child))
                parent.remove(child)
            else:
                previous = child
    for parent in [root, *root.iter("{*}g")]:
        first: dict[tuple[Any, ...], Any] = {}
        for child in list(parent):
            tag = _local(child)
            if tag == "text":
                continue
            if tag != "path" or any(k in child.attrib for k in _TRANSLUCENT):
                first = {}  # the run ends
                continue
            key = tuple(sorted((k, v) for k, v in child.attrib.items() if k != "d"))
            if key in first:
                first[key].set("d", f"{first[key].get('d')} {child.get('d')}")
                parent.remove(child)
            else:
                first[key] = child


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
    _labels_inside(root, labels)


LABEL_LINE = 12.5  # px between the lines of a wrapped radar label (11 px type)
WRAP_AT = 72  # px: a side label longer than this is set on two lines


def label_width(text: str, font_size: float = 11) -> float:
    """A generous estimate of a label's width in px (Noto Sans CJK): CJK glyphs are
    one em, Latin ones at most about 0.6; pygal measures nothing when it places them."""
    em = 0.0
    for ch in text:
        em += (1.0 if ord(ch) >= 0x2E80 else 0.3 if ch == " "
               else 0.68 if ch.isupper() else 0.58)
    return em * font_size


def _wrap(text: str) -> list[str]:
    """A long label on two lines, broken at the space nearest its middle (CJK labels
    are short and have none)."""
    if label_width(text) <= WRAP_AT or " " not in text:
        return [text]
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1:]]


def _offset(el: Any) -> tuple[float, float]:
    """The translation of `el`'s ancestors (pygal only translates its groups)."""
    dx = dy = 0.0
    for parent in el.iterancestors():
        m = re.search(r"translate\(\s*([-\d.]+)[\s,]+([-\d.]+)", parent.get("transform", ""))
        if m:
            dx, dy = dx + float(m.group(1)), dy + float(m.group(2))
    return dx, dy


def _labels_inside(root: Any, labels: list[Any]) -> None:
    """Long labels wrapped onto two lines (each line its own simple text, which
    svg_text draws as one run), and the viewBox widened to hold every label: the
    chart then scales down a little rather than cutting a label off."""
    lines = []
    for index, label in enumerate(labels):
        parts = _wrap(label.text or "")
        if len(parts) > 1:
            y = float(label.get("y"))
            # The top label grows upwards, away from the web; the others downwards.
            first_y = y - LABEL_LINE if index == 0 else y
            note = label.getnext()
            if note is not None and note.get("fill") == "#999":  # its no-data note moves along
                shift = -LABEL_LINE if index == 0 else LABEL_LINE
                note.set("y", f"{float(note.get('y')) + shift:.2f}")
            label.text = parts[0]
            label.set("y", f"{first_y:.2f}")
            second = etree.Element(label.tag, dict(label.attrib))
            second.set("y", f"{first_y + LABEL_LINE:.2f}")
            second.text = parts[1]
            label.addnext(second)
            lines += [label, second]
        else:
            lines.append(label)
    left, top, width, height = (float(v) for v in root.get("viewBox").split())
    right, bottom = left + width, top + height
    for line in lines:
        dx, dy = _offset(line)
        w = label_width(line.text or "")
        x = float(line.get("x")) + dx - w * _SHIFT[line.get("text-anchor", "start")]
        y = float(line.get("y")) + dy
        left, right = min(left, x - 2), max(right, x + w + 2)
        top, bottom = min(top, y - 12), max(bottom, y + 4)
    root.set("viewBox", f"{left:.1f} {top:.1f} {right - left:.1f} {bottom - top:.1f}")


_SHIFT = {"start": 0.0, "middle": 0.5, "end": 1.0}


def label_boxes(svg: str) -> tuple[tuple[float, ...], list[tuple[str, float, float, float]]]:
    """The viewBox and each radar label's (text, x of its start, baseline, anchor shift),
    in the SVG's coordinates: what a test checks the labels against."""
    root = etree.fromstring(svg.encode())
    box = tuple(float(v) for v in root.get("viewBox").split())
    out = []
    for t in root.iter("{*}text"):
        dx, dy = _offset(t)
        out.append((t.text or "", float(t.get("x")) + dx, float(t.get("y")) + dy,
                    _SHIFT[t.get("text-anchor", "start")]))
    return box, out


def _no_data_labels(root: Any, axes: Sequence[int], words: str) -> None:
    """A second, grey line by the label of each axis without data: the web leaves
    that axis out (no dot, no vertex), and the label says why. Under the label,
    but above the top one (under it is the web)."""
    labels = [t for t in root.iter("{*}text") if "rotate(" in t.get("transform", "")]
    for index in axes:
        if index >= len(labels):
            continue
        label = labels[index]
        note = etree.Element(label.tag, {k: v for k, v in label.attrib.items()})
        note.set("y", f"{float(label.get('y')) + (-11 if index == 0 else 11):.2f}")
        note.set("font-size", "9px")
        note.set("fill", "#999")
        note.text = words
        label.addnext(note)


def _values_over_dots(root: Any) -> None:
    """pygal sets its value labels to text-anchor "left", which is no SVG value:
    browsers start the label there, WeasyPrint ends it there, over the line.
    Printed, each value is centred just above its dot."""
    def classed(tag: str, name: str) -> list[Any]:
        return [el for el in root.iter(f"{{*}}{tag}") if name in el.get("class", "").split()]

    dots, values = classed("circle", "dot"), classed("text", "value")
    if len(dots) != len(values):  # not one label a dot: leave pygal's placing
        return
    for dot, label in zip(dots, values, strict=True):
        label.set("x", dot.get("cx"))
        label.set("y", f"{float(dot.get('cy')) - 6:.2f}")
        label.set("text-anchor", "middle")


class _PrintedSvg(Svg):
    """pygal's SVG writer without what the printed chart drops anyway: the
    screen stylesheet (read from disk, templated, minified for every chart)
    and the scripts."""

    def add_styles(self) -> None:
        pass

    def add_scripts(self) -> None:
        pass


class _Printed:
    def _draw(self) -> None:
        # setup() makes the writer, then draws and finishes it: swap in between.
        self.svg.__class__ = _PrintedSvg  # type: ignore[attr-defined]
        super()._draw()  # type: ignore[misc]


# pygal classes the chart by its type's name ("radar-graph"): the names stay.
class Radar(_Printed, pygal.Radar):
    # pygal's radar reads a missing value as 0 (a point at the centre, as if the
    # employee had scored nothing there): kept as None, the axis gets no dot and
    # the web joins its neighbours.
    _adapters = [positive]


class Line(_Printed, pygal.Line):
    pass


NO_DATA = "暂无数据"  # short: a side label has ~58 px; the PDF's table says it in English too


def radar_svg(labels: Sequence[str], values: Sequence[Decimal | None],
              no_data: str = NO_DATA) -> str:
    """The five dimensions; a dimension without data is no point of the web (a zero
    would read as the worst score) and its label says `no_data`."""
    missing = [i for i, v in enumerate(values) if v is None]
    if len(missing) == len(values):
        missing = []  # nothing drawn at all: pygal's centred no_data_text says it once
    chart = Radar(width=320, height=250, range=(0, 100), fill=True,
                        dots_size=3, show_y_labels=False, margin=14, margin_left=58,
                        margin_right=58, truncate_label=-1,
                        margin_top=25 if 0 in missing else 14,  # room for the top note
                        no_data_text=no_data, **COMMON)
    chart.x_labels = list(labels)
    chart.add("score", [float(v) if v is not None else None for v in values])
    return _printable(chart.render_tree(), level_labels=True, no_data=(missing, no_data))


MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: str, lang: str = "zh") -> str:
    """"2026-11" as a column of the trend reads it: 11月, Nov."""
    number = int(month[5:7])
    return MONTH_EN[number - 1] if lang == "en" else f"{number}月"


def trend_svg(months: Sequence[str], values: Sequence[Decimal | None], lang: str = "zh"
              ) -> str:
    chart = Line(width=320, height=200, range=(0, 100), dots_size=3, margin=10,
                       margin_right=24,
                       x_label_rotation=0, truncate_label=-1, show_minor_y_labels=False,
                       print_values=True, **{k: v for k, v in COMMON.items()
                                             if k != "print_values"})
    chart.x_labels = [month_label(m, lang) for m in months]  # short enough for six columns
    # Values as the scores everywhere else on the page (86.90, not 86.9); the
    # axis keeps its round labels.
    chart.add("final", [float(v) if v is not None else None for v in values],
              formatter=lambda v: figure(Decimal(str(v))))
    return _printable(chart.render_tree(), values_over_dots=True)
