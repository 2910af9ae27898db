"""Every PDF shows its text in every viewer: glyphs found by the specification's rules, drawn by three engines."""
from __future__ import annotations

import statistics

import pytest

from docgen.documents import certificate

from conftest import ALL_KINDS
from glyphcheck import glyph_problems
from viewers import characters, draw_all


def _pdfs(kind, sample_documents, rendered):
    found = [(document.stem, rendered(document, "pdf")) for document in sample_documents[kind]]
    if kind == certificate.KIND:
        combined = certificate.combined([d.context for d in sample_documents[kind]])
        found.append(("合订本", rendered.renderers.render("pdf", kind, combined.model_dump())))
    return found


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_code_reaches_its_glyph_by_the_specification(kind, sample_documents, rendered):
    for stem, pdf in _pdfs(kind, sample_documents, rendered):
        problems, codes = glyph_problems(pdf)
        assert codes > 100, stem
        assert problems == [], f"{stem}: {len(problems)} of {codes} codes, e.g. {problems[:3]}"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_poppler_mupdf_and_pdfium_draw_and_read_the_same(kind, sample_documents, rendered):
    for stem, pdf in _pdfs(kind, sample_documents, rendered):
        drawings = draw_all(pdf)
        for drawing in drawings:
            assert drawing.warnings == [], f"{stem}: {drawing.engine}: {drawing.warnings[:3]}"
        pages = len(drawings[0].ink)
        assert all(len(d.ink) == pages and len(d.text) == pages for d in drawings), stem
        for page in range(pages):
            inks = {d.engine: d.ink[page] for d in drawings}
            middle = statistics.median(inks.values())
            assert middle > 0.001, f"{stem} page {page + 1}: blank"
            assert all(abs(ink / middle - 1) < 0.15 for ink in inks.values()), f"{stem} page {page + 1}: {inks}"
            texts = {d.engine: characters(d.text[page]) for d in drawings}
            assert len(set(texts.values())) == 1, f"{stem} page {page + 1}: engines read different text"


def test_the_check_sees_a_font_whose_cids_are_not_its_glyphs(sample_documents, rendered, monkeypatch):
    """The font fix undone, the structural check and MuPDF both find the blank text again."""
    from docgen.render import cff, pdf as pdf_backend

    monkeypatch.setattr(pdf_backend, "identity_font", lambda data: data)
    from docgen.render import PdfRenderer

    document = sample_documents["plan"][0]
    broken = PdfRenderer().render(document.kind, document.context.model_dump())
    problems, _ = glyph_problems(broken)
    assert problems
    mupdf = next(d for d in draw_all(broken) if d.engine == "mupdf")
    assert any("FT_Load_Glyph" in line for line in mupdf.warnings)
    assert cff.identity_font(b"\x00\x01\x00\x00rest") == b"\x00\x01\x00\x00rest"  # TrueType is left alone


def test_identity_charset_keeps_every_glyph():
    """The cut-down face itself: after the rewrite glyph n is CID n, and each glyph's outline is unchanged."""
    import io

    from fontTools.ttLib import TTFont

    from docgen.render.cff import identity_font
    from docgen.render.fonts import FACES, prepared_face

    source = prepared_face(FACES[0]).read_bytes()
    before, after = TTFont(io.BytesIO(source)), TTFont(io.BytesIO(identity_font(source)))
    old, new = before["CFF "].cff.topDictIndex[0], after["CFF "].cff.topDictIndex[0]
    assert old.charset != [f"cid{n:05d}" if n else ".notdef" for n in range(len(old.charset))]
    assert new.charset == [f"cid{n:05d}" if n else ".notdef" for n in range(len(new.charset))]
    for gid in (1, 100, len(old.charset) - 1):
        assert old.CharStrings[old.charset[gid]].bytecode == new.CharStrings[new.charset[gid]].bytecode
    assert after["head"].checkSumAdjustment != before["head"].checkSumAdjustment
