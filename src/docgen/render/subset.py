"""Cut each font of a PDF down to its glyphs in one HarfBuzz pass instead of two.

WeasyPrint subsets every font of every PDF twice: a first pass keeps the used glyphs under
their numbers (the content streams refer to them by number), a second one keeps glyphs 0 to
the last used one, to drop any glyph the first pass added after it. The first pass drops the
layout tables (GSUB, GPOS …) whose closure is the only source of such glyphs, so the second
pass rewrites the same font: on docgen's faces one pass gives the same bytes in half the time
(tests/test_render.py compares both on every face). Subsetting was a seventh of a PDF's time.

HarfBuzz's hb_subset_preprocess would save another third of what is left, but a prepared face
holds about 18 MB, 90 MB per worker for docgen's faces: not worth 2 % of the time.
"""
from __future__ import annotations

from typing import Any

from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

# The tables WeasyPrint leaves out of an embedded font (pdf/fonts.py): a PDF draws glyphs by
# number, so neither layout nor bitmap tables are needed.
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
ORIGINAL_SUBSET = getattr(fonts.Font, "_harfbuzz_subset", None)  # WeasyPrint's own, for comparison and fallback


def subset_font(face: Any, glyphs: Any, hinting: bool, notdef_outline: bool) -> bytes | None:
    """The face cut down to `glyphs` (their numbers kept), as font file bytes; None on failure."""
    subset = harfbuzz_subset
    request = ffi.gc(subset.hb_subset_input_create_or_fail(), subset.hb_subset_input_destroy)
    if request == ffi.NULL:
        return None
    kept = sorted(glyphs)
    harfbuzz.hb_set_add_sorted_array(
        subset.hb_subset_input_glyph_set(request), ffi.new("hb_codepoint_t[]", kept), len(kept))
    flags = (subset.HB_SUBSET_FLAGS_RETAIN_GIDS | subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:
        flags |= subset.HB_SUBSET_FLAGS_NO_HINTING
    if notdef_outline:
        flags |= subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    subset.hb_subset_input_set_flags(request, flags)
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(
        subset.hb_subset_input_set(request, subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new("hb_codepoint_t[]", tags), len(tags))
    result = subset.hb_subset_or_fail(face, request)
    if result == ffi.NULL:
        return None
    result = ffi.gc(result, harfbuzz.hb_face_destroy)
    return get_hb_object_data(result) or None


def install() -> bool:
    """Have WeasyPrint's fonts subset through subset_font; False (WeasyPrint's own way stays)
    when this WeasyPrint's font class or HarfBuzz is not the one this was written for."""
    font = fonts.Font
    if getattr(font, "_docgen_subset", False):
        return True
    original = ORIGINAL_SUBSET
    if original is None or harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        return False

    def _harfbuzz_subset(self: Any, to_unicode: Any, hinting: bool) -> None:
        data = subset_font(self.hb_face, to_unicode, hinting, bool(self.missing))
        if data is None:
            original(self, to_unicode, hinting)  # WeasyPrint's own way, with its warning
        else:
            self.file_content = data

    font._harfbuzz_subset = _harfbuzz_subset
    font._docgen_subset = True
    return True
