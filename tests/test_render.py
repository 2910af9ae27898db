"""Rendered documents: golden text, same text in both formats, fonts, escaping, names, templates."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from builder import award_row, full_book, project_row, task_row, valid_book
from docgen import api
from docgen.documents import KINDS, WORKBOOK_KINDS, Options, certificate, documents, plan
from docgen.errors import TemplateError
from docgen.render import DocxRenderer, PdfRenderer
from textof import docx_paragraphs, golden_text, pdf_pages, squeeze

from conftest import CONFIG, ALL_KINDS, OPTIONS, SAMPLES

GOLDEN = Path(__file__).parent / "golden"


def _render(renderers, document):
    context = document.context.model_dump()
    return renderers.render("docx", document.kind, context), renderers.render("pdf", document.kind, context)


def _golden_document(kind, sample_documents):
    """The document each golden file shows: project DJ-2024-001's, else the first of its kind."""
    candidates = sample_documents[kind]
    return next((d for d in candidates if d.project_code == "DJ-2024-001"), candidates[0])


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_golden_text(kind, renderers, sample_documents, update_golden):
    docx, pdf = _render(renderers, _golden_document(kind, sample_documents))
    text = golden_text(docx, pdf)
    golden = GOLDEN / f"{kind}.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: write it with --update-golden and review it"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_docx_and_pdf_carry_the_same_text(kind, renderers, sample_documents):
    for document in sample_documents[kind]:
        docx, pdf = _render(renderers, document)
        pdf_text = squeeze("".join("".join(page) for page in pdf_pages(pdf)))
        position = 0
        for paragraph in docx_paragraphs(docx):
            found = pdf_text.find(squeeze(paragraph), position)
            if found < 0:
                # A table row run over a page: each cell's halves lie on two pages, the repeated header
                # between them, so a cell's last lines come after the next cell's first ones.
                split = _in_order(squeeze(paragraph), pdf_text, 0)
                assert split >= 0, f"{document.stem}: not in the PDF: {paragraph}"
                continue
            position = found + len(squeeze(paragraph))


def _in_order(text: str, pdf_text: str, start: int) -> int:
    """Where text begins in pdf_text as a sequence in order within a page's reach of it (else -1)."""
    first = pdf_text.find(text[:8], start)
    if first < 0:
        return -1
    at = first
    for ch in text:
        at = pdf_text.find(ch, at)
        if at < 0 or at - first > 3 * len(text) + 400:
            return -1
        at += 1
    return first


def test_proposal_has_the_form_fields(renderers, sample_intake):
    document = next(documents(sample_intake, ["proposal"], CONFIG))
    paragraphs = docx_paragraphs(_render(renderers, document)[0])
    for label in ("项目名称", "申报党组织", "项目类别", "牵头单位", "重点实践单位", "项目负责人", "联系电话", "项目成员",
                  "起止时间", "立项背景", "目标任务", "主要措施", "预期成效", "任务安排", "党支部意见", "党委审批意见"):
        assert label in paragraphs
    assert "2024年3月19日至2024年12月31日" in paragraphs


def test_plan_has_its_sections_and_a_month_grid(renderers, sample_intake):
    document = next(documents(sample_intake, ["plan"], CONFIG))
    paragraphs = docx_paragraphs(_render(renderers, document)[0])
    for heading in ("一、项目概况", "二、目标任务", "三、任务分解及进度安排", "四、主要措施", "五、预期成效"):
        assert heading in paragraphs
    assert "任务进度安排（2024年）" in paragraphs
    grid = document.context.gantt[0]
    assert grid.months == [f"{m}月" for m in range(3, 13)]  # exactly the project's months: March to December
    first = grid.rows[0]
    assert first.marks[:3] == [True, True, False]  # 3月19日 to 4月30日
    docx, pdf = _render(renderers, document)
    xml = _zip_part(docx, "word/document.xml")
    gantt = xml
    grids = [g.count("<w:gridCol ") for g in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", gantt)]
    assert 2 + 10 in grids  # 序号, 任务 and ten month columns in Word
    header = next(line for page in pdf_pages(pdf) for line in page if line.startswith("序号 任务 3月"))
    assert header.endswith("11月 12月") and "1月 2月" not in header


def test_gantt_cells_are_shaded_in_word(renderers, sample_intake):
    document = next(documents(sample_intake, ["plan"], CONFIG))
    xml = _zip_part(_render(renderers, document)[0], "word/document.xml")
    assert xml.count(f'w:fill="{plan.FILLED}"') == sum(sum(r.marks) for b in document.context.gantt for r in b.rows)


def _zip_part(data: bytes, name: str) -> str:
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def _embedded_fonts(pdf: bytes) -> set[str]:
    from pypdf import PdfReader
    import io
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font else font["/FontDescriptor"]
            if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    return fonts


def test_pdf_embeds_the_pre_subset_faces_and_falls_back_for_rare_characters(renderers, tmp_path):
    """GB 2312 text uses the cut-down faces only; 堃 (outside GB 2312, in a member's name) comes from full Noto."""
    book = valid_book(projects=[project_row("DJ-2024-001", **{"项目成员": "李晓燕、王堃"}), project_row("DJ-2024-002")],
                      tasks=[task_row("DJ-2024-001"), task_row("DJ-2024-002")])
    intake, _ = api.load(book.save(tmp_path / "a.xlsx"), CONFIG)
    rare, plain = documents(intake, ["plan"], CONFIG)
    assert "堃" not in str(plain.context.model_dump()) and "堃" in str(rare.context.model_dump())
    fonts = _embedded_fonts(_render(renderers, plain)[1])
    assert fonts == {"docgen-Fang", "docgen-Kai", "docgen-Serif", "docgen-Serif-Bold", "docgen-Sans"}, fonts
    pdf = _render(renderers, rare)[1]
    assert _embedded_fonts(pdf) - fonts  # a full face for 堃
    assert "堃" in "".join("".join(page) for page in pdf_pages(pdf))


def test_the_pre_subset_faces_cover_gb2312_and_stay_small():
    from docgen.render import fonts
    from docgen.render.fonts import FACES, prepared_face, repertoire
    import uharfbuzz as hb
    kept = repertoire()
    for face in FACES:
        path = prepared_face(face)
        assert path is not None, face
        font = hb.Face(hb.Blob.from_file_path(str(path)))
        source, _ = fonts.find_source(face)
        assert font.glyph_count < 10_000 and path.stat().st_size < min(6_000_000, source.stat().st_size)
        covered = set(font.unicodes)
        assert covered <= kept
        assert all(ord(c) in covered for c in GB2312_HANZI), face  # every role's face has every GB 2312 hanzi
        if face.family in fonts.SERIF_FALLBACK + fonts.SANS_FALLBACK:  # the fallbacks: the symbols too
            assert all(ord(c) in covered for c in "党建项目化管理（）“”、。—〇①")


GB2312_HANZI = "".join(bytes((high, low)).decode("gb2312") for high in range(0xB0, 0xF8) for low in range(0xA1, 0xFF)
                       if (high, low) not in {(0xD7, n) for n in range(0xFA, 0xFF)})


def test_weasyprint_found_the_harfbuzz_subsetter():
    from weasyprint.text import ffi
    assert getattr(ffi, "harfbuzz_subset", None) is not None


def _weasyprint_subset(face, glyphs, hinting, missing):
    """WeasyPrint's own two HarfBuzz passes, on a stand-in for its Font."""
    from types import SimpleNamespace
    from docgen.render import subset
    font = SimpleNamespace(hb_face=face, missing=missing, family="x", file_content=b"")
    subset.ORIGINAL_SUBSET(font, dict.fromkeys(glyphs), hinting)
    return font.file_content


@pytest.mark.parametrize("hinting, missing", [(False, {}), (True, {0x20BB7: 9000})])
def test_one_subset_pass_gives_weasyprints_bytes_for_every_face(hinting, missing):
    """docgen cuts each font of a PDF down in one HarfBuzz pass (render/subset.py): the font must
    come out byte for byte as WeasyPrint's two passes make it, for every face a PDF uses."""
    import random
    from cffi import FFI
    from weasyprint.text.ffi import ffi, harfbuzz
    from docgen.render import fonts, subset
    assert subset.install()  # the one pass is what PDFs use
    files = FFI()
    files.include(ffi)
    files.cdef("hb_blob_t *hb_blob_create_from_file (const char *name); hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);")
    library = files.dlopen("libharfbuzz.so.0")
    paths = [fonts.prepared_face(face) for face in fonts.FACES]
    paths.append(fonts.find_source(fonts.FACES[0]))  # a full face, for characters outside GB 2312
    for path in paths:
        path, index = path if isinstance(path, tuple) else (path, 0)
        blob = ffi.gc(library.hb_blob_create_from_file(str(path).encode()), harfbuzz.hb_blob_destroy)
        face = ffi.gc(library.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
        count = harfbuzz.hb_face_get_glyph_count(face)
        for seed in (1, 2):
            glyphs = random.Random(seed).sample(range(1, count), 400)
            ours = subset.subset_font(face, glyphs, hinting, bool(missing))
            assert ours and ours == _weasyprint_subset(face, glyphs, hinting, missing), (path.name, seed)


MARKUP = "A&B <b>粗体</b> {{ secret }} {% if x %} \"引号\" 'x'"


SHOWS_MEASURES = {"proposal", "plan", "notice", "closing_report"}


def test_markup_in_data_comes_out_literally(tmp_path, renderers):
    book = full_book(projects=[project_row(**{"项目名称*": MARKUP, "主要措施*": "第一条 & <第二条>\n{{ 第三条 }}"})])
    intake, report = api.load(book.save(tmp_path / "a.xlsx"))
    assert report.ok
    ended = Options(date=dt.date(2024, 12, 31))  # the project's end: every kind is due, the 结题报告 too
    for kind in WORKBOOK_KINDS:
        document = next(documents(intake, [kind], CONFIG, ended))
        docx, pdf = _render(renderers, document)
        paragraphs = docx_paragraphs(docx)
        pdf_text = squeeze("".join("".join(page) for page in pdf_pages(pdf)))
        assert any(MARKUP in p for p in paragraphs), kind
        assert squeeze(MARKUP) in pdf_text, kind
        if kind in SHOWS_MEASURES:
            assert "{{ 第三条 }}" in paragraphs, kind
            assert squeeze("第一条 & <第二条>") in pdf_text, kind


def test_template_variables_are_context_fields():
    docx, pdf = DocxRenderer(), PdfRenderer()
    for kind in [*WORKBOOK_KINDS, "annual_report"]:
        module = KINDS[kind].module
        context_class = next(v for k, v in vars(module).items() if k.endswith("Context") and k not in ("Context", "ProjectFields"))
        fields = set(context_class.model_fields)
        assert docx.variables(kind) <= fields, docx.variables(kind) - fields
        assert pdf.variables(kind) <= fields, pdf.variables(kind) - fields


def test_a_missing_variable_is_an_error(sample_intake):
    document = next(documents(sample_intake, ["proposal"], CONFIG))
    context = document.context.model_dump()
    del context["leader"]
    with pytest.raises(TemplateError, match="leader"):
        DocxRenderer().render("proposal", context)
    with pytest.raises(TemplateError, match="leader"):
        PdfRenderer().render("proposal", context)


def test_output_names_stay_inside_the_output_folder(tmp_path):
    book = valid_book(projects=[project_row(**{"申报党组织*": "../../etc/城关:党支部*"})])
    out = tmp_path / "文书"
    result = api.render(book.save(tmp_path / "a.xlsx"), out, ["proposal"], ["docx"], CONFIG)
    assert [p.relative_to(out).as_posix() for p in result.written] == ["_.._etc_城关_党支部_/DJ-2024-001_立项表.docx"]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in result.written)


def test_render_refuses_a_workbook_with_errors(tmp_path):
    book = valid_book(tasks=[task_row(seq=1, **{"完成时限*": "2025-03-31"})])
    result = api.render(book.save(tmp_path / "a.xlsx"), tmp_path / "out", None, ["docx"], CONFIG)
    assert result.refused and result.written == []
    assert not (tmp_path / "out").exists()


def test_templates_ship_in_the_package_data():
    from docgen.render import template_dir
    names = {p.name for p in template_dir().iterdir()}
    assert {f"{kind}.{suffix}" for kind in ALL_KINDS for suffix in ("docx", "html")} | {"document.css"} <= names


def test_certificates_keep_a_long_unit_name_on_one_line(tmp_path, renderers):
    from pypdf import PdfReader
    import io
    unit = "国网兰州供电公司七里河区变电运维站党支部"
    assert len(unit) == 20
    book = full_book(awards=[award_row(recipient=unit), award_row("DJZS-2024-002", "韩立新")])
    intake, report = api.load(book.save(tmp_path / "a.xlsx"))
    assert report.ok
    singles = list(documents(intake, ["certificate"], CONFIG, OPTIONS))
    combined = certificate.combined([d.context for d in singles])
    pdf = renderers.render("pdf", "certificate", combined.model_dump())
    pages = pdf_pages(pdf)
    assert len(pages) == 2
    assert unit + "：" in pages[0] and "韩立新：" in pages[1]
    assert "二〇二四年十二月二十日" in pages[0]
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    docx = renderers.render("docx", "certificate", combined.model_dump())
    xml = _zip_part(docx, "word/document.xml")
    fitted = singles[0].context.certificates[0].recipient
    assert fitted.size < 30 and f'w:val="{fitted.half_points}"' in xml
    assert docx_paragraphs(docx).count("荣誉证书") + docx_paragraphs(docx).count("荣 誉 证 书") == 2


def test_render_writes_the_combined_certificate_file(tmp_path):
    from click.testing import CliRunner
    from docgen.cli import main
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(SAMPLES / "城关供电服务中心党支部.xlsx"), "--out", str(out),
                                       "--kind", "certificate", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert "荣誉证书合订本（3 张）" in result.output
    assert len(pdf_pages((out / "荣誉证书-合订.pdf").read_bytes())) == 3
    assert len(list((out / "荣誉证书").glob("*.pdf"))) == 3


def test_the_combined_pdf_is_laid_out_in_parts_and_joined_in_order(tmp_path, renderers, monkeypatch):
    """Thousands of certificates: parts of PART_SIZE pages each, joined into one file in certificate order."""
    monkeypatch.setattr(certificate, "PART_SIZE", 2)
    awards = [award_row(f"DJZS-2024-{n:03d}", f"获奖人{n}") for n in range(1, 6)]
    intake, report = api.load(full_book(awards=awards).save(tmp_path / "a.xlsx"))
    assert report.ok
    contexts = [d.context for d in documents(intake, ["certificate"], CONFIG, OPTIONS)]
    assert [len(p.certificates) for p in certificate.combined_parts(contexts)] == [2, 2, 1]
    run = api.render(tmp_path / "a.xlsx", tmp_path / "out", ["certificate"], ["pdf"], CONFIG, OPTIONS)
    assert run.certificates == 5
    pdf = next(p for p in run.combined if p.suffix == ".pdf").read_bytes()
    pages = pdf_pages(pdf)
    assert len(pages) == 5
    assert [page[1] for page in pages] == [f"获奖人{n}：" for n in range(1, 6)]
    assert all(f"证书编号：DJZS-2024-{n:03d}" in page for n, page in enumerate(pages, 1))
    from pypdf import PdfReader
    import io
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "荣誉证书"


@pytest.mark.parametrize("field, unit, first", [
    ("颁发单位*", "中共国网甘肃省电力公司兰州供电公司城关供电服务中心委员会", "中共国网甘肃省电力公司"),
    ("颁发单位*", "国网兰州供电公司变电运维中心七里河区东岗变电运维站", "国网兰州供电公司变电运维中心"),
    ("获奖对象*", "国网甘肃省电力公司兰州供电公司城关供电服务中心第一党支部第二党小组",
     "国网甘肃省电力公司兰州供电公司"),
])
def test_a_long_unit_name_breaks_between_words_in_two_balanced_lines(tmp_path, renderers, field, unit, first):
    """A unit name too long for its box: two lines, broken where a word ends (never “…兰州供|电公司…”)."""
    book = full_book(awards=[award_row(**{field: unit})])
    intake, report = api.load(book.save(tmp_path / "a.xlsx"), CONFIG)
    assert report.ok
    document = next(documents(intake, ["certificate"], CONFIG, OPTIONS))
    page = document.context.certificates[0]
    lines = (page.issuer if field == "颁发单位*" else page.recipient).lines
    assert len(lines) == 2 and lines[0] == first and "".join(lines).rstrip("：") == unit
    context = document.context.model_dump()
    assert [first, lines[1]] == [line for line in pdf_pages(renderers.render("pdf", "certificate", context))[0]
                                 if line in (first, lines[1])]
    assert first in docx_paragraphs(renderers.render("docx", "certificate", context))


def test_the_combined_print_file_follows_the_certificate_numbers(tmp_path):
    awards = [award_row("DJZS-2024-003", "丙"), award_row("DJZS-2024-001", "甲"), award_row("DJZS-2024-002", "乙")]
    intake, report = api.load(full_book(awards=awards).save(tmp_path / "a.xlsx"), CONFIG)
    contexts = [d.context for d in documents(intake, ["certificate"], CONFIG, OPTIONS)]
    assert [c.cert_no for c in certificate.combined(contexts[::-1]).certificates] == [
        "DJZS-2024-001", "DJZS-2024-002", "DJZS-2024-003"]


def test_an_amount_not_given_leaves_no_placeholder_sentence(tmp_path, renderers):
    """No 经费预算 / 经费使用 in the workbook: no “经费预算：—。” in the 计划书 or the 结题报告."""
    intake, report = api.load(full_book().save(tmp_path / "a.xlsx"), CONFIG)
    assert report.ok
    ended = Options(date=dt.date(2024, 12, 31))  # the project's end: its 结题报告 is due
    for kind in ("plan", "closing_report"):
        docx, pdf = _render(renderers, next(documents(intake, [kind], CONFIG, ended)))
        text = "".join(docx_paragraphs(docx)) + squeeze("".join("".join(page) for page in pdf_pages(pdf)))
        assert "经费预算" not in text and "经费使用" not in text, kind
