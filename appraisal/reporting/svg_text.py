"""SVG chart labels drawn as whole runs, measured once, anchored in place.

WeasyPrint 70 lays out and draws SVG text character by character, because
SVG lets every glyph be placed on its own, and draws text anchored at its
middle or end into a group of its own (a PDF form XObject, measured after
drawing, then moved). A chart label is never placed glyph by glyph, yet
each of its characters cost a Pango layout, and each anchored label became
an object in the PDF, written, compressed and, when pages are split into
their own PDFs, traced back to its page: the labels were half of the
charts' drawing time.

A simple label (one x and y; no dx, dy, rotate, letter-spacing,
textLength, baseline alignment or child elements) is drawn here as one
run with WeasyPrint's own text drawing: measured once with the Pango
layout WeasyPrint measures it with (kept for the labels every appraisal
repeats: axis months, dimension names), moved left by its width or half
of it when anchored, drawn in place. Whole-run shaping is also what
WeasyPrint's maintainers propose for correct shaping (Kozea/WeasyPrint#2249).
Any other text, or a WeasyPrint whose SVG drawing is not the one expected
here, is drawn by WeasyPrint as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from math import inf
from typing import Any

_NOT_SIMPLE = ("dx", "dy", "rotate", "textLength", "letter-spacing", "display-anchor",
               "dominant-baseline", "alignment-baseline")
_SHIFT = {"start": 0.0, "middle": 0.5, "end": 1.0}
_MEASURED: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_MEASURED_MAX = 2048  # labels repeat across appraisals; values do not: bounded


def _single(value: str | None) -> bool:
    return value is not None and len(value.replace(",", " ").split()) == 1


def _simple(node: Any) -> bool:
    """A label placed as a whole, left to right, with nothing per glyph."""
    attrib = node.attrib
    return (node.tag == "text" and bool(node.text) and len(node._etree_node) == 0
            and _single(attrib.get("x")) and _single(attrib.get("y"))
            and attrib.get("direction", "ltr") == "ltr"
            and attrib.get("text-anchor", "start") in _SHIFT
            and not any(k in attrib for k in _NOT_SIMPLE))


def _style(svg: Any, node: Any, font_size: float) -> Any:
    """The style WeasyPrint's SVG text gives a label (weasyprint.svg.text.text)."""
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style

    style = Style(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [f.strip("\"'") for f in
                            node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    weight = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(weight)
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    return style


def _measure(svg: Any, node: Any, style: Any) -> tuple[Any, float, float, float]:
    """Pango layout, width, height and baseline of the label, as one run."""
    from weasyprint.text.line_break import split_first_line

    key = (node.text, tuple(style["font_family"]), style["font_style"],
           style["font_weight"], style["font_size"], svg.font_config)
    found = _MEASURED.get(key)
    if found is None:
        layout, _, _, width, height, baseline = split_first_line(
            node.text, style, svg.context, inf, 0)
        if len(_MEASURED) >= _MEASURED_MAX:
            _MEASURED.clear()
        found = _MEASURED[key] = (layout, width, height, baseline)
    return found


def _draw_label(svg: Any, node: Any, font_size: float) -> None:
    """WeasyPrint's SVG text drawing for one simple label, as a single run."""
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import TextBox
    from weasyprint.svg.utils import size

    style = _style(svg, node, font_size)
    layout, width, height, baseline = _measure(svg, node, style)
    x = size(node.attrib["x"], font_size, svg.inner_width)
    y = size(node.attrib["y"], font_size, svg.inner_height)
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    # Only an anchor taken over from draw_node: any other is WeasyPrint's group's.
    x -= _SHIFT[node.attrib.get("_anchor", "start")] * width
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1]
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, (
        (x_position, y_position - baseline),
        (x_position + width, y_position - baseline + height)))

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none",
                             Matrix(d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    layout.deactivate()  # the measured layout is kept, its Pango objects are not
    draw_emojis(svg.stream, style, x, y, emojis)


def _whole_runs(draw_text: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(draw_text)  # keeps WeasyPrint's function as __wrapped__
    def text(svg: Any, node: Any, font_size: float) -> Any:
        if not _simple(node):
            return draw_text(svg, node, font_size)
        return _draw_label(svg, node, font_size)

    text.whole_runs = True  # type: ignore[attr-defined]
    return text


def _anchored_in_place(draw_node: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint decides on an anchoring group before drawing the text: a simple
    label is shown to it as start-anchored, and _draw_label moves it itself."""

    @wraps(draw_node)
    def draw(svg: Any, node: Any, font_size: float, fill_stroke: bool = True,
             context: Any = None) -> Any:
        anchor = node.attrib.get("text-anchor")
        if anchor in (None, "start") or not fill_stroke or not _simple(node):
            return draw_node(svg, node, font_size, fill_stroke, context)
        node.attrib["text-anchor"] = "start"
        node.attrib["_anchor"] = anchor
        try:
            return draw_node(svg, node, font_size, fill_stroke, context)
        finally:
            node.attrib["text-anchor"] = anchor
            del node.attrib["_anchor"]

    draw.anchored_in_place = True  # type: ignore[attr-defined]
    return draw


def install() -> bool:
    """Draw simple SVG labels as described above; True when active."""
    import weasyprint.svg as svg

    current = svg.TAGS.get("text")
    if getattr(current, "whole_runs", False):
        return True
    if (current is not svg.text or getattr(current, "__module__", "") != "weasyprint.svg.text"
            or getattr(svg.SVG.draw_node, "__module__", "") != "weasyprint.svg"):
        return False  # not the WeasyPrint this was written for: keep its drawing
    fast = _whole_runs(current)
    # draw_node recognises text nodes by comparing with the package's `text`.
    svg.text = fast
    for tag, draw in list(svg.TAGS.items()):
        if draw is current:
            svg.TAGS[tag] = fast
    svg.SVG.draw_node = _anchored_in_place(svg.SVG.draw_node)
    return True
