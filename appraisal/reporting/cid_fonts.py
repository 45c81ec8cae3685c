"""CJK fonts embedded as compact CID-keyed CFF, not as 63,000 empty glyph slots.

WeasyPrint 70 subsets fonts with HarfBuzz keeping every glyph id up to the
highest one used (RETAIN_GIDS), because its content streams address glyphs
by their ids in the whole font (Identity-H: the code is the CID). Noto Sans
CJK's Chinese glyphs sit high in the font, so every PDF embedded a font of
some 63,000 slots, 800 KB before compression and 172 KB after: nine tenths
of an appraisal's 181 KB.

Noto Sans CJK is a CID-keyed CFF font whose CIDs are its glyph ids, and a
CIDFontType0 finds a glyph by its CID through the CFF charset. HarfBuzz
subsetting without RETAIN_GIDS keeps only the glyphs used, in order, each
with its CID in the charset. Embedded as an OpenType file, readers
(poppler among them) take the codes as glyph ids of the OpenType file
again, and the compacted glyphs would be the wrong ones; embedded as the
bare CFF table (FontFile3 /CIDFontType0C), the codes are CIDs looked up in
the charset, as PDF defines it: the content streams, widths (/W), ToUnicode
and CIDSet stay exactly as WeasyPrint wrote them. An appraisal's font is
then about 30 KB, and subsetting it several times faster.

A font is compacted only when each code used is checked to be that
glyph's CID in the whole font and to be kept in the compacted charset. Any
other font (TrueType, name-keyed or variable CFF, glyph ids that are not
CIDs, fonts embedded in forms), or a WeasyPrint other than the one this
was written for, is embedded by WeasyPrint as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

log = logging.getLogger("appraisal.reporting")

WEASYPRINT_MAJOR = "70"  # whose font embedding (weasyprint.pdf.fonts) this follows
# Only the CFF table is embedded: the other tables need not be subset at all.
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB",
                b"JSTF", b"LTSH", b"PCLT", b"SVG ", b"VORG", b"cmap", b"name", b"post",
                b"vhea", b"vmtx")


def _hb_subset_cff(font: Any, gids: list[int], hinting: bool) -> tuple[bytes, bytes] | None:
    """`font` subset to `gids` (plus .notdef), glyphs renumbered: the OpenType
    file and its CFF table."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                          harfbuzz_subset.hb_subset_input_destroy)
    if subset_input == ffi.NULL:
        return None
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyphs, ffi.new("hb_codepoint_t[]", gids), len(gids))
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)  # as WeasyPrint does
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop = harfbuzz_subset.hb_subset_input_set(
        subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new("hb_codepoint_t[]", tags), len(tags))
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        cff = bytes(ffi.buffer(data, length[0])) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)
    otf = get_hb_object_data(face)
    return (otf, cff) if cff and otf and otf[:4] == b"OTTO" else None


def _index(cff: Any, at: int) -> tuple[list[tuple[int, int]], int]:
    """A CFF INDEX at `at`: its items' (start, end) and where it ends."""
    count = int.from_bytes(cff[at:at + 2], "big")
    if count == 0:
        return [], at + 2
    size = cff[at + 2]
    offsets = [int.from_bytes(cff[at + 3 + i * size:at + 3 + (i + 1) * size], "big")
               for i in range(count + 1)]
    base = at + 2 + (count + 1) * size
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _top_dict(cff: Any) -> dict[int, list[int]]:
    """The first font's Top DICT: operator (12 x as 1200 + x) -> integer operands."""
    _, end = _index(cff, cff[2])  # the Name INDEX
    tops, _ = _index(cff, end)
    start, stop = tops[0]
    found: dict[int, list[int]] = {}
    operands: list[int] = []
    i = start
    while i < stop:
        b0 = cff[i]
        if b0 <= 21:
            op = 1200 + cff[i + 1] if b0 == 12 else b0
            i += 2 if b0 == 12 else 1
            found[op], operands = operands, []
        elif b0 == 28:
            operands.append(int.from_bytes(cff[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            operands.append(int.from_bytes(cff[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:  # a real number: skipped up to its end nibble
            i += 1
            while cff[i] & 0x0F != 0x0F and cff[i] >> 4 != 0x0F:
                i += 1
            i += 1
            operands.append(0)
        elif b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif b0 <= 250:
            operands.append((b0 - 247) * 256 + cff[i + 1] + 108)
            i += 2
        elif b0 <= 254:
            operands.append(-(b0 - 251) * 256 - cff[i + 1] - 108)
            i += 2
        else:
            raise ValueError("reserved operand in a Top DICT")
    return found


def cids(cff: Any, glyphs: set[int] | None = None) -> dict[int, int]:
    """Glyph id -> CID of a CID-keyed CFF table (of `glyphs` only, when given).
    Empty for a name-keyed font, whose charset holds names, not CIDs."""
    top = _top_dict(cff)
    if 1230 not in top or 15 not in top or 17 not in top:  # ROS, charset, CharStrings
        return {}
    glyph_count = int.from_bytes(cff[top[17][0]:top[17][0] + 2], "big")
    at = top[15][0]
    form = cff[at]
    at += 1
    out: dict[int, int] = {0: 0}
    gid = 1
    while gid < glyph_count:
        first = int.from_bytes(cff[at:at + 2], "big")
        if form == 0:
            count, at = 1, at + 2
        elif form == 1:
            count, at = cff[at + 2] + 1, at + 3
        elif form == 2:
            count, at = int.from_bytes(cff[at + 2:at + 4], "big") + 1, at + 4
        else:
            raise ValueError(f"charset format {form}")
        if glyphs is None:
            out.update(zip(range(gid, gid + count), range(first, first + count), strict=True))
        else:
            out.update((g, first + g - gid) for g in glyphs if gid <= g < gid + count)
        gid += count
    return out


def _cff_table(hb_face: Any) -> tuple[Any, Any]:
    """The CFF table of a HarfBuzz face, read in place, and its blob to release."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    return (memoryview(ffi.buffer(data, length[0])) if length[0] else b""), blob


def codes_are_cids(font: Any, gids: list[int]) -> bool:
    """Whether each glyph id used is the glyph's CID in the font: the codes
    WeasyPrint writes (glyph ids) then name the same glyphs as CIDs."""
    from weasyprint.text.ffi import harfbuzz

    table, blob = _cff_table(font.hb_face)
    try:
        found = cids(table, set(gids)) if table else {}
    except (ValueError, IndexError, TypeError):
        return False
    finally:
        harfbuzz.hb_blob_destroy(blob)
    return all(found.get(g) == g for g in gids)


def charset_keeps_codes(cff: bytes, gids: list[int]) -> bool:
    """Whether the compacted CFF `cff` still gives each glyph of `gids` its CID."""
    try:
        kept = set(cids(cff).values())
    except (ValueError, IndexError, TypeError):
        return False
    return kept.issuperset(gids)


def compact_cff(font: Any, to_unicode: dict[int, str],
                hinting: bool) -> tuple[bytes, bytes] | None:
    """`font` with only the glyphs in `to_unicode`, as an OpenType file and as
    the bare CFF to embed, or None when it cannot be embedded so (see above)."""
    if (not to_unicode or "CFF " not in font.tables
            or "fvar" in font.tables or font.png or font.svg or font.colr or font.bitmap):
        return None
    gids = sorted(g for g in to_unicode if 0 < g < font.glyph_count)
    if not gids:
        return None
    if not codes_are_cids(font, gids):
        return None
    subset = _hb_subset_cff(font, gids, hinting)
    if subset is None or not charset_keeps_codes(subset[1], gids):
        return None
    return subset


def _compacting(harfbuzz_subset: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(harfbuzz_subset)  # keeps WeasyPrint's method as __wrapped__
    def subset(self: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        compact = compact_cff(self, to_unicode, hinting)
        if compact is None:
            return harfbuzz_subset(self, to_unicode, hinting)
        # The OpenType file makes WeasyPrint write a CIDFontType0 with a FontFile3,
        # whose content build_fonts_dictionary below replaces with the bare CFF.
        self.file_content, self.cid_cff = compact
        return None

    subset.compacting = True  # type: ignore[attr-defined]
    return subset


def _number(reference: Any) -> int:
    return int(bytes(reference).split()[0])


def _font_file(pdf: Any, pdf_fonts: Any, font: Any) -> Any:
    """The FontFile3 stream WeasyPrint wrote for `font`, or None."""
    try:
        type0 = pdf.objects[_number(pdf_fonts[font.hash])]
        cid_font = pdf.objects[_number(type0["DescendantFonts"][0])]
        descriptor = pdf.objects[_number(cid_font["FontDescriptor"])]
        stream = pdf.objects[_number(descriptor["FontFile3"])]
        if (cid_font["Subtype"] != "/CIDFontType0" or type0["Subtype"] != "/Type0"
                or stream.extra.get("Subtype") != "/OpenType"):
            return None
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return stream


def _embedding_cff(build: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(build)  # keeps WeasyPrint's function as __wrapped__
    def build_fonts_dictionary(pdf: Any, fonts: dict[str, Any], compress: bool,
                               subset: bool, options: dict[str, Any]) -> Any:
        first = len(pdf.objects)
        originals = {id(font): font.file_content for font in fonts.values()}
        pdf_fonts = build(pdf, fonts, compress, subset, options)
        compacted = [font for font in fonts.values() if "cid_cff" in font.__dict__]
        streams = [_font_file(pdf, pdf_fonts, font) for font in compacted]
        if any(stream is None for stream in streams):
            # Not written as expected: everything again, the way WeasyPrint writes it.
            log.warning("compact CJK font embedding stepped aside for this document")
            del pdf.objects[first:]
            for font in fonts.values():
                font.__dict__.pop("cid_cff", None)
                font.file_content = originals[id(font)]
            return _without_compaction(build, pdf, fonts, compress, subset, options)
        for font, stream in zip(compacted, streams, strict=True):
            stream.stream = [font.__dict__.pop("cid_cff")]
            stream.extra["Subtype"] = "/CIDFontType0C"
        return pdf_fonts

    build_fonts_dictionary.cid_cff = True  # type: ignore[attr-defined]
    return build_fonts_dictionary


def _without_compaction(build: Callable[..., Any], *args: Any) -> Any:
    from weasyprint.pdf.fonts import Font

    compacting = Font._harfbuzz_subset
    Font._harfbuzz_subset = compacting.__wrapped__
    try:
        return build(*args)
    finally:
        Font._harfbuzz_subset = compacting


def install() -> bool:
    """Embed compact CID-keyed CFF fonts as described above; True when active."""
    import weasyprint
    import weasyprint.pdf as weasy_pdf
    import weasyprint.pdf.fonts as weasy_fonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    current = weasy_pdf.build_fonts_dictionary
    if getattr(current, "cid_cff", False):
        return True
    if (weasyprint.__version__.split(".")[0] != WEASYPRINT_MAJOR
            or current is not weasy_fonts.build_fonts_dictionary
            or current.__module__ != "weasyprint.pdf.fonts"
            or getattr(weasy_fonts.Font._harfbuzz_subset, "__module__", "")
            != "weasyprint.pdf.fonts"):
        return False  # not the font embedding this was written for
    if not harfbuzz_subset or not harfbuzz.hb_version_atleast(4, 1, 0):
        return False  # WeasyPrint subsets with fontTools: left as it is
    weasy_fonts.Font._harfbuzz_subset = _compacting(weasy_fonts.Font._harfbuzz_subset)
    # generate_pdf calls it by the name weasyprint.pdf imported.
    weasy_pdf.build_fonts_dictionary = weasy_fonts.build_fonts_dictionary = _embedding_cff(current)
    return True
