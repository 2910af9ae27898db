"""The page as GB/T 9704 sets it and as Word lays it out: the grid, the page number, the page count.

The .docx files are laid out by LibreOffice (libreoffice.py), standing in for Word and WPS.
"""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from builder import full_book, project_row
from conftest import ALL_KINDS, CONFIG, OPTIONS, SAMPLES
from docgen import api
from docgen.documents import WORKBOOK_KINDS, documents
from libreoffice import available, to_pdf
from pagegeometry import dash_line_below_text_block

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed: make test-deps")

# 60 hanzi without punctuation: the lines break only where the grid ends them.
PLAIN = "党建引领供电服务提质增效支部书记带头攻坚党员骨干示范在前群众满意作为标准持续改进工作方法" * 3


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def every_sample(sample_documents):
    """Every document of every kind from every valid sample workbook, and the year-end report."""
    found = {kind: list(docs) for kind, docs in sample_documents.items()}
    intake, report = api.load(SAMPLES / "变电运维中心.xlsx", CONFIG)
    assert report.ok
    for kind in WORKBOOK_KINDS:
        found[kind] += list(documents(intake, [kind], CONFIG, OPTIONS))
    return found


@pytest.fixture(scope="module")
def laid_out(every_sample, rendered):
    """kind → [(stem, PDF from WeasyPrint, the .docx as LibreOffice prints it)], one soffice run for all."""
    docx = {(kind, i): rendered(d, "docx") for kind, docs in every_sample.items() for i, d in enumerate(docs)}
    office = to_pdf({f"{kind}-{i}": data for (kind, i), data in docx.items()})
    return {kind: [(d.stem, rendered(d, "pdf"), office[f"{kind}-{i}"]) for i, d in enumerate(docs)]
            for kind, docs in every_sample.items()}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_word_and_pdf_have_the_same_number_of_pages(kind, laid_out):
    for stem, pdf, office in laid_out[kind]:
        assert _pages(office) == _pages(pdf), f"{stem}: Word {_pages(office)} pages, PDF {_pages(pdf)}"


@pytest.mark.parametrize("kind", ["plan", "progress", "notice", "closing_report", "annual_report"])
def test_the_page_number_lies_7_mm_below_the_text_block(kind, laid_out):
    stem, pdf, office = laid_out[kind][0]
    for name, data in (("PDF", pdf), ("Word", office)):
        for page in range(min(2, _pages(data))):  # odd and even pages
            offset = dash_line_below_text_block(data, page)
            assert abs(offset - 7) <= 0.5, f"{stem} {name} page {page + 1}: {offset:.1f} mm"


def _body_lines(pdf: bytes) -> list[str]:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return [re.sub(r"\s+", "", line) for line in text.splitlines() if PLAIN[:6] in re.sub(r"\s+", "", line)
            or re.sub(r"\s+", "", line) in PLAIN]


def test_a_body_line_holds_28_characters_in_both_formats(tmp_path, renderers):
    """GB/T 9704: 28 characters a line; the first line of a paragraph, indented two, holds 26."""
    book = full_book(projects=[project_row(**{"立项背景*": PLAIN})])
    intake, report = api.load(book.save(tmp_path / "a.xlsx"), CONFIG)
    assert report.ok
    document = next(documents(intake, ["plan"], CONFIG, OPTIONS))
    context = document.context.model_dump()
    pdf = renderers.render("pdf", "plan", context)
    office = to_pdf({"plan": renderers.render("docx", "plan", context)})["plan"]
    for name, data in (("PDF", pdf), ("Word", office)):
        lines = [line for line in _body_lines(data) if line and line in PLAIN]
        assert len(lines) >= 4, (name, lines)
        assert len(lines[0]) == 26 and all(len(line) == 28 for line in lines[1:-1]), (name, [len(x) for x in lines])


DATE = re.compile(r"(\d{4}年)?\d{1,2}月\d{1,2}日")


def _broken_dates(lines: list[str]) -> list[str]:
    """Dates that run over the end of a line: the text joined has a date no single line holds whole."""
    joined = "".join(lines)
    whole = {m.group(0) for line in lines for m in DATE.finditer(line)}
    return [m.group(0) for m in DATE.finditer(joined) if m.group(0) not in whole
            and not any(m.group(0) in line for line in lines)]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_headers_and_dates_never_break_and_nothing_leaves_its_cell(kind, every_sample, renderers):
    """完成时/限, 序/号, 2024年4/月30日 no more: a header word is one line (or its own two), a date one piece."""
    from boxes import table_cells

    for document in every_sample[kind]:
        for cell in table_cells(renderers.pdf, kind, document.context.model_dump()):
            where = f"{document.stem}: {cell.tag} {cell.lines}"
            assert cell.overflow < 0.5, where
            if cell.tag == "th":
                assert len(cell.lines) <= 2 and all(len(line) >= 2 for line in cell.lines), where
            assert _broken_dates(cell.lines) == [], where


# The .docx on a Linux desktop with `docgen fonts --install-aliases` (libreoffice.to_pdf writes it into the
# home folder LibreOffice runs with): the faces the documents name are drawn by the substitutes.
FANG_FACE = "FandolFang"
KAI_FACE = "Kai"  # AR PL KaitiM GB embeds as GBZenKai-Medium


def _faces_of_lines(pdf: bytes) -> list[tuple[str, str]]:
    """(the line's text, the font of its first hanzi) for every line of 3号 (16 pt) text, all pages."""
    import pdfplumber

    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            lines: dict[int, list[dict]] = {}
            for char in page.chars:
                if abs(char["size"] - 16) < 0.6:
                    lines.setdefault(round(char["top"]), []).append(char)
            for chars in lines.values():
                chars.sort(key=lambda c: c["x0"])
                text = "".join(c["text"] for c in chars)
                first = next((c for c in chars if "\u4e00" <= c["text"] <= "\u9fff"), None)
                if first is not None:
                    found.append((text, first["fontname"].split("+", 1)[-1]))
    return found


@pytest.mark.parametrize("kind", ["plan", "progress", "notice", "closing_report", "annual_report"])
def test_the_docx_body_is_fang_and_its_subheadings_kai_with_the_aliases(kind, laid_out):
    seen = 0
    for stem, _, office in laid_out[kind]:
        lines = _faces_of_lines(office)
        body = [face for text, face in lines if not re.match(r"^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、", text)]
        seen += len(body)
        assert sum(FANG_FACE in face for face in body) >= 0.8 * len(body), f"{stem}: {sorted(set(body))}"
        for text, face in lines:
            if re.match(r"^（[一二三四五六七八九十]+）", text) and len(text) < 20:
                assert KAI_FACE in face, f"{stem}: “{text}” in {face}"
    assert seen, f"no 16 pt body text in the {kind} documents"


def _left_edges(pdf: bytes) -> list[float] | None:
    """The left edge of the full 16 pt body lines of each of the first two pages (pt): a line spanning more than 27
    characters' width (the block is 28 wide; an indented first line at most 26) starts at the left margin. None when a
    page has no such line (a page of tables, charts and one-line paragraphs)."""
    import pdfplumber

    edges = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages[:2]:
            lines: dict[int, list[tuple[float, float]]] = {}
            for c in page.chars:
                if abs(c["size"] - 16) < 0.6:
                    lines.setdefault(round(c["top"] / 8), []).append((c["x0"], c["x1"]))  # lines are 29 pt apart
            full = [min(a for a, _ in xs) for xs in lines.values()
                    if max(b for _, b in xs) - min(a for a, _ in xs) > 27 * 16]
            if not full:
                return None
            edges.append(min(full))
    return edges


def test_even_pages_of_the_docx_are_mirrored_as_in_the_pdf(laid_out):
    """Every template has w:mirrorMargins (test_faces); here the effect: where the first two pages both hold a full
    body line, page 2's left margin is 2 mm narrower than page 1's in the PDF and by the same in the docx."""
    checked = []
    for kind in ("plan", "progress", "closing_report", "annual_report"):
        for stem, pdf, office in laid_out[kind]:
            word, ours = _left_edges(office), _left_edges(pdf)
            if word is None or ours is None:
                continue
            assert abs((ours[0] - ours[1]) - 2 / 25.4 * 72) < 1, f"{stem} PDF: {ours}"
            assert abs((word[0] - word[1]) - (ours[0] - ours[1])) < 1, f"{stem}: Word {word}, PDF {ours}"
            checked.append(stem)
    assert checked, "no sample document with a full body line on both of its first two pages"


LONG_DATES = ("2024-12-23", "2025-12-31")  # the run's date, and the year the long project ends


@pytest.fixture(scope="module")
def long_laid_out(tmp_path_factory, rendered):
    """date → [(stem, PDF, the .docx as LibreOffice prints it)] for every document of the long-data workbook on
    each of LONG_DATES, in one soffice run."""
    import datetime as dt

    from longdata import long_workbook

    from docgen.documents import KINDS, Options, annual_report

    intake, report = api.load(long_workbook(tmp_path_factory.mktemp("long")), CONFIG)
    assert intake is not None
    docs = {}
    for date in LONG_DATES:
        options = Options(date=dt.date.fromisoformat(date))
        found = list(documents(intake, list(WORKBOOK_KINDS), CONFIG, options))
        found.append(KINDS[annual_report.KIND].document(annual_report.year_end([intake], CONFIG, options), CONFIG,
                                                         options))
        docs[date] = found
    office = to_pdf({f"{date}-{i}": rendered(d, "docx") for date, found in docs.items() for i, d in enumerate(found)})
    return {date: [(d.stem, rendered(d, "pdf"), office[f"{date}-{i}"]) for i, d in enumerate(found)]
            for date, found in docs.items()}


@pytest.mark.parametrize("date", LONG_DATES)
def test_long_data_docx_has_the_pdfs_page_count(date, long_laid_out):
    """With long names and texts the .docx breaks its pages where the PDF does: the 立项表 fits one page in both
    (no cell padding above and below in either), no widow control in Word (the PDF's widows: 1), one blank line
    above the 落款, the ranking's 9 pt at 1.4 lines, the PDF's column widths."""
    differ = [f"{stem}: Word {_pages(office)} pages, PDF {_pages(pdf)}" for stem, pdf, office in long_laid_out[date]
              if _pages(office) != _pages(pdf)]
    assert differ == [], differ
