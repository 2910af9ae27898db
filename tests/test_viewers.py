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


def _font_test_pdf(face_file, finisher) -> bytes:
    import weasyprint

    html = (f'<style>@font-face {{ font-family: probe; src: url("{face_file.as_uri()}"); }}'
            'p { font-family: probe; font-size: 20pt; }</style><p>党建项目化管理：立项表、计划书、结题报告。</p>')
    return weasyprint.HTML(string=html).write_pdf(finisher=finisher)


def test_any_cff_font_whose_cids_are_not_its_glyphs_is_mended(tmp_path):
    """A CID-keyed face with another ordering (FandolFang's Adobe-GB1, as HarfBuzz cuts it) is blank in
    MuPDF as WeasyPrint embeds it; after docgen's finisher the check and all three engines find every glyph."""
    from docgen.render import fonts, pdf as pdf_backend

    face = next(f for f in fonts.FACES if f.family == "docgen Fang")
    source, index = fonts.find_source(face)
    raw = tmp_path / "raw.otf"
    raw.write_bytes(fonts.subset_face_keeping_cids(source, index, set(map(ord, "党建项目化管理：立项表、计划书、结题报告。"))))
    broken = _font_test_pdf(raw, None)
    problems, _ = glyph_problems(broken)
    assert problems
    mupdf = next(d for d in draw_all(broken) if d.engine == "mupdf")
    assert any("FT_Load_Glyph" in line for line in mupdf.warnings)

    mended = _font_test_pdf(raw, pdf_backend._finish)
    assert glyph_problems(mended) == ([], 21)
    for drawing in draw_all(mended):
        assert drawing.warnings == [] and "党建项目化管理" in drawing.text[0].replace(" ", ""), drawing.engine


def test_truetype_fonts_are_left_alone():
    from docgen.render.cff import identity_font

    assert identity_font(b"\x00\x01\x00\x00rest") == b"\x00\x01\x00\x00rest"


def test_identity_charset_keeps_every_glyph():
    """A face cut by HarfBuzz keeping its CIDs: after the rewrite glyph n is CID n, every outline unchanged."""
    import io

    from fontTools.ttLib import TTFont

    from docgen.render import fonts
    from docgen.render.cff import identity_font

    source, index = fonts.find_source(fonts.FACES[0])
    cut = fonts.subset_face_keeping_cids(source, index, fonts.repertoire())
    before, after = TTFont(io.BytesIO(cut)), TTFont(io.BytesIO(identity_font(cut)))
    old, new = before["CFF "].cff.topDictIndex[0], after["CFF "].cff.topDictIndex[0]
    identity = [f"cid{n:05d}" if n else ".notdef" for n in range(len(old.charset))]
    assert old.charset != identity and new.charset == identity
    for gid in (1, 100, len(old.charset) - 1):
        assert old.CharStrings[old.charset[gid]].bytecode == new.CharStrings[new.charset[gid]].bytecode
    assert after["head"].checkSumAdjustment != before["head"].checkSumAdjustment
