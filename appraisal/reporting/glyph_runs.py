"""Lines of text shaped once per process, drawn from their recorded glyph runs.

WeasyPrint 70 shapes every line of text twice: once to lay it out, and again
when drawing it, because the Pango layout is dropped after layout to save
memory and rebuilt (a new Pango context, font description and shaping) for
each line drawn. A batch of appraisals draws the same lines again and again
(headings, column titles, dimension names, grades, axis labels), and the
second shaping was a third of writing the PDF.

Drawing a line emits only PDF text operators (font and size, glyph ids with
their kerning) and records each glyph's width and text in the document's
font. Here the first drawing of a line is recorded, keyed by everything its
shaping depends on (text, font properties, spacing, direction, language,
the font configuration), and later drawings of the same line replay it:
the same operators, the same glyph widths and texts, not shaped again.
Lines with missing glyphs, emoji or bitmap fonts, ellipses, or a WeasyPrint
whose drawing is not the one expected here are drawn by WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

_RUNS: dict[tuple[Any, ...], tuple[tuple[Any, ...], ...] | None] = {}
_RUNS_MAX = 20_000  # a batch repeats a few thousand lines; names and amounts vary
_HELD_FONTS: set[Any] = set()  # Pango fonts referenced by recordings, kept alive
_GLYPHS = re.compile(r"<([0-9a-f]*)>")


@lru_cache(maxsize=1)
def _g_object_ref() -> Callable[[Any], Any]:
    """GObject's g_object_ref, which WeasyPrint's bindings do not declare."""
    import cffi
    from weasyprint.text.ffi import _dlopen, ffi

    own = cffi.FFI()
    own.cdef("void *g_object_ref(void *object);")
    gobject = _dlopen(own, "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0",
                      "libgobject-2.0.so.0", "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll")
    return lambda pointer: gobject.g_object_ref(own.cast("void *", ffi.cast("uintptr_t", pointer)))


def _hold(pango_font: Any) -> None:
    """A recording names its Pango fonts: they must outlive the layout that
    found them (a handful per process, never released)."""
    if pango_font not in _HELD_FONTS:
        _g_object_ref()(pango_font)
        _HELD_FONTS.add(pango_font)


# Everything the shaping of a line depends on besides its text: the font
# (WeasyPrint's own font cache key, plus size), spacing, direction, language.
_SHAPING = ("font_family", "font_style", "font_stretch", "font_weight", "font_size",
            "font_variant_ligatures", "font_variant_position", "font_variant_caps",
            "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian",
            "font_feature_settings", "font_variation_settings", "font_language_override",
            "font_kerning", "lang", "letter_spacing", "word_spacing", "overflow_wrap",
            "direction")


def _key(textbox: Any) -> tuple[Any, ...] | None:
    layout = textbox.pango_layout
    style = textbox.style
    text = layout.text
    if "\t" in text:
        return None
    values = [style[name] for name in _SHAPING]
    values[0] = tuple(values[0])  # a list in SVG text's style
    return (text, *values, layout.justification_spacing, style.font_config)


class _Recorder:
    """The PDF stream as draw_first_line sees it, recording the text operators."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.ops: list[tuple[Any, ...]] = []
        self.fonts: dict[str, tuple[Any, Any]] = {}  # font hash -> (Pango font, Font)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def add_font(self, pango_font: Any) -> tuple[Any, float]:
        font, size = self._stream.add_font(pango_font)
        self.fonts[font.hash] = (pango_font, font)
        return font, size

    def set_font_size(self, font: str, size: float) -> None:
        self.ops.append(("Tf", font, size))
        self._stream.set_font_size(font, size)

    def show_text(self, text: str) -> None:
        self.ops.append(("TJ", text))
        self._stream.show_text(text)

    def set_text_rise(self, rise: float) -> None:
        self.ops.append(("Ts", rise))
        self._stream.set_text_rise(rise)


def _recording(recorder: _Recorder) -> tuple[tuple[Any, ...], ...] | None:
    """The recorded operators with each font's glyph widths and texts, or None
    when the line cannot be replayed faithfully."""
    from weasyprint.text.fonts import get_pango_font_key

    glyphs: dict[str, dict[int, None]] = {}  # in order of appearance, as WeasyPrint adds them
    font_hash = None
    for op in recorder.ops:
        if op[0] == "Tf":
            font_hash = op[1]
        elif op[0] == "TJ" and font_hash is not None:
            ids = glyphs.setdefault(font_hash, {})
            for run in _GLYPHS.findall(op[1]):
                ids.update(dict.fromkeys(int(run[i:i + 4], 16) for i in range(0, len(run), 4)))
    replay: list[tuple[Any, ...]] = []
    for op in recorder.ops:
        if op[0] != "Tf":
            replay.append(op)
            continue
        pango_font, font = recorder.fonts[op[1]]
        if font.bitmap or font.png or font.svg or font.colr:
            return None
        ids = glyphs.get(op[1], {})
        if any(g >= font.glyph_count for g in ids):
            return None  # a missing glyph: WeasyPrint warns and maps it each time
        _hold(pango_font)
        replay.append(("Tf", pango_font, get_pango_font_key(pango_font)[0], op[2],
                       tuple((g, font.widths[g], font.to_unicode[g]) for g in ids)))
    return tuple(replay)


def _replay(stream: Any, runs: tuple[tuple[Any, ...], ...], matrix: Any) -> None:
    fonts = getattr(stream, "_fonts", None)
    stream.set_text_matrix(*matrix.values)
    for op in runs:
        if op[0] == "TJ":
            stream.show_text(op[1])
        elif op[0] == "Tf":
            # The document's font, found by the key add_font files it under.
            font = fonts.get(op[2]) if fonts is not None else None
            if font is None:
                font, _ = stream.add_font(op[1])
            for glyph, width, text in op[4]:
                font.widths.setdefault(glyph, width)
                font.to_unicode.setdefault(glyph, text)
            stream.set_font_size(font.hash, op[3])
        else:
            stream.set_text_rise(op[1])


def _recorded(draw_first_line: Callable[..., Any],
              reactivate: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(draw_first_line)  # keeps WeasyPrint's function as __wrapped__
    def draw(stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str,
             matrix: Any) -> Any:
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []  # what WeasyPrint draws for them, without shaping first
        layout = textbox.pango_layout
        key = None
        if text_overflow != "ellipsis" and block_ellipsis == "none":
            key = _key(textbox)
        try:
            seen = key is not None and key in _RUNS
        except TypeError:  # a style value that cannot be a key: not replayed
            seen = False
            key = None
        if seen:
            runs = _RUNS[key]
            if runs is not None:
                _replay(stream, runs, matrix)
                return []
            key = None  # seen before, not replayable
        pending = layout.__dict__.pop("_pending_style", None)
        if pending is not None:
            reactivate(layout, pending)
        if key is None:
            return draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        recorder = _Recorder(stream)
        emojis = draw_first_line(recorder, textbox, text_overflow, block_ellipsis, matrix)
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        _RUNS[key] = None if emojis else _recording(recorder)
        return emojis

    draw.recorded = True  # type: ignore[attr-defined]
    return draw


def _deferred(reactivate: Callable[..., Any]) -> Callable[..., Any]:
    """Rebuilding the Pango layout waits until a line is really shaped again."""

    @wraps(reactivate)
    def deferred(self: Any, style: Any) -> None:
        self._pending_style = style

    return deferred


def _tolerant(deactivate: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(deactivate)
    def release(self: Any) -> None:
        for name in ("layout", "language", "style", "_pending_style"):
            self.__dict__.pop(name, None)

    return release


def install() -> bool:
    """Replay recorded lines as described above; True when active."""
    import weasyprint.draw.text as draw_text
    from weasyprint.text.line_break import Layout

    current = draw_text.draw_first_line
    if getattr(current, "recorded", False):
        return True
    if (current.__module__ != "weasyprint.draw.text"
            or Layout.reactivate.__module__ != "weasyprint.text.line_break"
            or Layout.deactivate.__module__ != "weasyprint.text.line_break"):
        return False
    try:
        _g_object_ref()
    except (ImportError, OSError, AttributeError):
        return False  # fonts could not be held: WeasyPrint draws every line
    reactivate = Layout.reactivate
    draw_text.draw_first_line = _recorded(current, reactivate)
    Layout.reactivate = _deferred(reactivate)
    Layout.deactivate = _tolerant(Layout.deactivate)
    return True
