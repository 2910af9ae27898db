"""Follow every text code of a PDF to its glyph the way the PDF specification does.

For each Type 0 font used on a page: code → CID through the encoding (Identity-H),
CID → glyph through the descendant font (CIDToGIDMap for CIDFontType2; for a
CIDFontType0 whose CFF is CID-keyed, the glyph whose charset entry is that CID; for
a name-keyed CFF, the CID itself), then check that the glyph exists, has ink when the
character is not a space, and is the glyph the embedded font's own cmap gives for the
character the ToUnicode map names. A viewer that follows the specification (MuPDF)
draws exactly what this finds; poppler and PDFium are more lenient.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, IndirectObject

_SHOW = {b"Tj", b"'", b'"', b"TJ"}


@dataclass
class _Program:
    """One embedded CIDFont and the glyph each CID selects."""

    name: str
    to_unicode: dict[int, str]
    gid_of: dict[int, int] | None  # CID → glyph (None: identity)
    glyph_count: int
    cmap: dict[int, int]  # code point → glyph, from the embedded font's cmap
    inked: dict[int, bool] = field(default_factory=dict)
    _ink: object = None

    def glyph(self, cid: int) -> int | None:
        gid = cid if self.gid_of is None else self.gid_of.get(cid)
        return gid if gid is not None and gid < self.glyph_count else None


def _to_unicode(font) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}
    import re

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _cff_map(cff: CFFFontSet) -> tuple[dict[int, int] | None, int, object]:
    top = cff.topDictIndex[0]
    order = top.charset
    charstrings = top.CharStrings
    if not hasattr(top, "ROS"):
        return None, len(order), (charstrings, order)
    gid_of = {}
    for gid, name in enumerate(order):
        gid_of[0 if name == ".notdef" else int(name[3:])] = gid
    return gid_of, len(order), (charstrings, order)


def _load(font) -> _Program:
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    subtype = descendant["/Subtype"]
    name = str(font.get("/BaseFont"))
    to_unicode = _to_unicode(font)
    if "/FontFile2" in descriptor:
        data = descriptor["/FontFile2"].get_object().get_data()
        ttf = TTFont(io.BytesIO(data))
        mapping = descendant.get("/CIDToGIDMap", "/Identity")
        if isinstance(mapping, IndirectObject) or not isinstance(mapping, str):
            raw = mapping.get_object().get_data()
            gid_of = {cid: int.from_bytes(raw[2 * cid:2 * cid + 2], "big") for cid in range(len(raw) // 2)}
        else:
            gid_of = None
        assert subtype == "/CIDFontType2", f"{name}: TrueType program under {subtype}"
        glyph_set = ttf.getGlyphSet()
        order = ttf.getGlyphOrder()
        program = _Program(name, to_unicode, gid_of, len(order), _cmap(ttf))
        program._ink = (glyph_set, order)
        return program
    data = descriptor["/FontFile3"].get_object().get_data()
    assert subtype == "/CIDFontType0", f"{name}: CFF program under {subtype}"
    if data[:4] == b"OTTO":
        ttf = TTFont(io.BytesIO(data))
        cff = ttf["CFF "].cff
        cmap = _cmap(ttf)
    else:
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
        cmap = {}
    gid_of, count, ink = _cff_map(cff)
    program = _Program(name, to_unicode, gid_of, count, cmap)
    program._ink = ink
    return program


def _cmap(ttf: TTFont) -> dict[int, int]:
    if "cmap" not in ttf:
        return {}
    best = ttf.getBestCmap() or {}
    order = {name: gid for gid, name in enumerate(ttf.getGlyphOrder())}
    return {point: order[name] for point, name in best.items() if name in order}


def _has_ink(program: _Program, gid: int) -> bool:
    if gid not in program.inked:
        glyphs, order = program._ink
        pen = BoundsPen(None)
        glyph = glyphs[order[gid]]
        glyph.draw(pen)
        program.inked[gid] = pen.bounds is not None
    return program.inked[gid]


def _codes(operands, operator) -> bytes:
    if operator == b"TJ":
        return b"".join(bytes(item.original_bytes) for item in operands[0] if hasattr(item, "original_bytes"))
    return bytes(operands[-1].original_bytes)


def _walk(content, resources, reader, page_number, cache, problems, shown):
    fonts = resources.get("/Font", {})
    fonts = fonts.get_object() if hasattr(fonts, "get_object") else fonts
    current = None
    for operands, operator in ContentStream(content, reader).operations:
        if operator == b"Tf":
            ref = fonts[operands[0]]
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key not in cache:
                font = ref.get_object()
                cache[key] = _load(font) if font.get("/Subtype") == "/Type0" else None
            current = cache[key]
        elif operator in _SHOW and current is not None:
            codes = _codes(operands, operator)
            for i in range(0, len(codes) - 1, 2):
                cid = int.from_bytes(codes[i:i + 2], "big")
                text = current.to_unicode.get(cid, "")
                gid = current.glyph(cid)
                where = f"page {page_number} {current.name} code {cid:#06x} {text!r}"
                shown.append(text)
                if gid is None:
                    problems.append(f"{where}: no glyph for this CID in the embedded font")
                    continue
                if text and not text.isspace():
                    if not _has_ink(current, gid):
                        problems.append(f"{where}: glyph {gid} is empty")
                    expected = current.cmap.get(ord(text[0])) if len(text) == 1 else None
                    if expected is not None and expected != gid:
                        problems.append(f"{where}: CID selects glyph {gid}, the font's cmap says {expected}")
        elif operator == b"Do":
            xobjects = resources.get("/XObject", {})
            xobject = xobjects.get_object()[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources", resources)
                _walk(xobject, inner.get_object(), reader, page_number, cache, problems, shown)


def glyph_problems(data: bytes) -> tuple[list[str], int]:
    """Every text code that does not reach its intended, inked glyph; and how many codes were checked."""
    reader = PdfReader(io.BytesIO(data))
    cache: dict = {}
    problems: list[str] = []
    shown: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        content = page.get_contents()
        if content is None:
            continue
        _walk(content, page["/Resources"].get_object(), reader, number, cache, problems, shown)
    return problems, len(shown)
