"""Cut each font of a PDF down to its glyphs in one HarfBuzz pass, over a face prepared once.

WeasyPrint subsets every font of every PDF twice: a first pass keeps the used glyphs under
their numbers (the content streams refer to them by number), a second one keeps glyphs 0 to
the last used one, to drop any glyph the first pass added after it. The first pass drops the
layout tables (GSUB, GPOS …) whose closure is the only source of such glyphs, so the second
pass rewrites the same font: on docgen's faces one pass gives the same bytes in half the time
(tests/test_pdf_fonts.py compares both on every face). HarfBuzz's hb_subset_preprocess then
keeps a face's parsed tables from one subset to the next, which saves another third; a batch
cuts the same few faces down thousands of times.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from cffi import FFI
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

# The tables WeasyPrint leaves out of an embedded font (pdf/fonts.py): a PDF draws glyphs by
# number, so neither layout nor bitmap tables are needed.
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
_PREPARED_FACES = 32  # faces kept prepared (a run uses about eight)

ORIGINAL_SUBSET = getattr(fonts.Font, "_harfbuzz_subset", None)  # WeasyPrint's own, kept for comparison and fallback
_lock = threading.Lock()
_prepared: OrderedDict[int, tuple[Any, Any]] = OrderedDict()
_library: list[Any] = []


def _preprocess() -> Any:
    """hb_subset_preprocess, or None when this HarfBuzz has no such function."""
    if not _library:
        own = FFI()
        own.include(ffi)
        own.cdef("hb_face_t *hb_subset_preprocess (hb_face_t *source);")
        function = None
        for name in ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset-0"):
            try:
                function = own.dlopen(name).hb_subset_preprocess
                break
            except (OSError, AttributeError):
                continue
        _library.append(function)
    return _library[0]


def prepared(face: Any) -> Any:
    """The face made ready for repeated subsetting, made once per face (the source is kept alive
    with it, so its address cannot be reused by another face while it is a key here)."""
    key = int(ffi.cast("uintptr_t", face))
    with _lock:
        entry = _prepared.get(key)
        if entry is not None:
            _prepared.move_to_end(key)
            return entry[1]
    preprocess = _preprocess()
    if preprocess is None:
        return face
    source = ffi.gc(harfbuzz.hb_face_reference(face), harfbuzz.hb_face_destroy)
    ready = preprocess(face)
    if ready == ffi.NULL:
        return face
    ready = ffi.gc(ready, harfbuzz.hb_face_destroy)
    with _lock:
        _prepared[key] = (source, ready)
        while len(_prepared) > _PREPARED_FACES:
            _prepared.popitem(last=False)
    return ready


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
    result = subset.hb_subset_or_fail(prepared(face), request)
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
