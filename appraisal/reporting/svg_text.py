"""SVG text shaped as whole runs instead of one code point at a time.

WeasyPrint 70 lays out and draws SVG text character by character, because
SVG lets every glyph be placed on its own. A chart label is never placed
that way, yet each of its characters cost a Pango layout: the text of the
two charts was half of their drawing time. For text without per-glyph
placement (one x and y, no dx, dy, rotate, letter-spacing or textLength)
WeasyPrint's own drawing runs unchanged on the whole string, which is also
what its maintainers propose for correct shaping (Kozea/WeasyPrint#2249).
Any other text, or a WeasyPrint whose SVG text is not the function expected
here, is drawn as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

_PER_GLYPH = ("dx", "dy", "rotate", "textLength", "letter-spacing")


class _Run(str):
    """A text that iterates as one piece: the per-character loop sees one run."""

    def __iter__(self) -> Iterator[str]:
        yield str(self)


def _single(value: str | None) -> bool:
    return value is None or len(value.replace(",", " ").split()) <= 1


def _whole_runs(draw_text: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(draw_text)  # keeps WeasyPrint's function as __wrapped__
    def text(svg: Any, node: Any, font_size: float) -> Any:
        value = node.text
        attrib = node.attrib
        if (not value or len(value) < 2 or any(k in attrib for k in _PER_GLYPH)
                or not _single(attrib.get("x")) or not _single(attrib.get("y"))):
            return draw_text(svg, node, font_size)
        node._etree_node.text = _Run(value)
        try:
            return draw_text(svg, node, font_size)
        finally:
            node._etree_node.text = value

    text.whole_runs = True  # type: ignore[attr-defined]
    return text


def install() -> bool:
    """Draw simple SVG text as whole runs; True when active."""
    import weasyprint.svg as svg

    current = svg.TAGS.get("text")
    if getattr(current, "whole_runs", False):
        return True
    if current is not svg.text or getattr(current, "__module__", "") != "weasyprint.svg.text":
        return False  # not the WeasyPrint this was written for: keep its drawing
    fast = _whole_runs(current)
    # draw_node recognises text nodes by comparing with the package's `text`.
    svg.text = fast
    for tag, draw in list(svg.TAGS.items()):
        if draw is current:
            svg.TAGS[tag] = fast
    return True
