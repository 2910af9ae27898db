"""Layout with real data: every kind from the long-data workbook and the samples, as WeasyPrint lays it
out (its box tree) and as LibreOffice lays out the .docx.

What a strict reviewer looks for: nothing leaves its cell, no line starts with closing punctuation or ends
with opening punctuation (避头尾), a title or a name breaks between words, a date never breaks, the
落款 has body text on its page (GB/T 9704 7.3.5), a chart is never split, a page of body text holds
22 lines, and a number stays with its unit.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from boxes import Line, boxes_of, layout, lines_of
from conftest import CONFIG, OPTIONS, SAMPLES
from docgen import api
from docgen.documents import KINDS, WORKBOOK_KINDS, Options, annual_report, documents
from docgen.linebreaks import UNIT_WORDS
from libreoffice import available, to_pdf
from textof import docx_paragraphs
from longdata import BRANCH, long_workbook

CLOSING_PUNCTUATION = "，。、；：？！）》」』】〕”’%‰℃"
OPENING_PUNCTUATION = "（《「『【〔“‘"
DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")
UNITS = "%％‰处个项名人次元天件户条套份年月日"


# The 成文日期s the documents are made at: the samples' own; early next year, when most dates of a table
# carry their year (2024年12月20日); and the day the long project ends, when its plan's and its notice's
# cells hold dates of two years and the longest texts (截至2024年12月20日完成51.4%，2025年12月31日……).
DAYS = (dt.date(2024, 12, 23), dt.date(2025, 1, 15), dt.date(2025, 12, 31))


@pytest.fixture(scope="module", params=DAYS, ids=str)
def options(request) -> Options:
    return replace(OPTIONS, date=request.param)


@pytest.fixture(scope="module")
def every_document(tmp_path_factory, options):
    """Every document of every kind from the long-data workbook and the samples, with the year-end reports,
    made at one of DAYS."""
    folder = tmp_path_factory.mktemp("long")
    books = [long_workbook(folder), *api.find_workbooks([SAMPLES])]
    found, intakes = [], []
    for book in books:
        intake, report = api.load(book, CONFIG)
        if not report.ok:
            continue
        intakes.append(intake)
        for kind in WORKBOOK_KINDS:
            found += list(documents(intake, [kind], CONFIG, options))
        data = annual_report.year_end([intake], CONFIG, options)
        found.append(KINDS[annual_report.KIND].document(data, CONFIG, options))
    data = annual_report.year_end(intakes[1:], CONFIG, options)
    found.append(KINDS[annual_report.KIND].document(data, CONFIG, options))
    assert any(BRANCH in d.context.model_dump_json() for d in found)
    return found


@pytest.fixture(scope="module")
def laid_out(every_document, renderers):
    """(stem, laid-out document, its lines) for every document."""
    out = []
    for number, document in enumerate(every_document):
        done = layout(renderers.pdf, document.kind, document.context.model_dump())
        out.append((f"{number}:{document.stem}", done, lines_of(done)))
    return out


def _blocks(lines: list[Line]) -> dict[int, list[Line]]:
    found: dict[int, list[Line]] = {}
    for line in lines:
        found.setdefault(line.block, []).append(line)
    return found


def _in(line: Line, *names: str) -> bool:
    """Whether the line lies inside an element of one of the tags ("table") or classes (".closing")."""
    for part in line.path:
        tag, *classes = part.split(".")
        if any(tag == name or (name.startswith(".") and name[1:] in classes) for name in names):
            return True
    return False


def test_nothing_leaves_its_box(laid_out):
    """A date or a name too wide for its column no longer runs past the rule into the next cell."""
    faults = [f"{stem} p{line.page + 1}: {line.text} (+{line.right - line.limit:.1f} pt)"
              for stem, _, lines in laid_out for line in lines if line.right - line.limit > 0.5]
    assert not faults, "\n".join(faults)


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(laid_out):
    faults = []
    for stem, _, lines in laid_out:
        for block in _blocks(lines).values():
            for number, line in enumerate(block):
                if number > 0 and line.text[0] in CLOSING_PUNCTUATION:
                    faults.append(f"{stem} p{line.page + 1}: starts {line.text}")
                if number < len(block) - 1 and line.text[-1] in OPENING_PUNCTUATION:
                    faults.append(f"{stem} p{line.page + 1}: ends {line.text}")
    assert not faults, "\n".join(faults)


def _word_bounds(text: str, room: int) -> set[int]:
    """Where text may break: between jieba's words, and inside a word of more than `room` characters (a
    word wider than its column breaks where it must)."""
    import jieba

    for word in UNIT_WORDS:
        jieba.add_word(word, freq=10 ** 6)
    bounds, at = set(), 0
    for piece in jieba.cut(text, HMM=False):
        if len(piece) > room:
            bounds |= set(range(at + 1, at + len(piece)))
        at += len(piece)
        bounds.add(at)
    return bounds


def test_titles_and_names_break_between_words_and_dates_never_break(laid_out):
    """责任/区, 七里河/区, 2024年/12月20日 no more: a title or a name cell breaks where a word ends."""
    faults = []
    for stem, _, lines in laid_out:
        for block in _blocks(lines).values():
            texts = [line.text for line in block]
            joined = "".join(texts)
            cuts = [sum(len(t) for t in texts[:i]) for i in range(1, len(texts))]
            for m in DATE.finditer(joined):
                if any(m.start() < cut < m.end() for cut in cuts):
                    faults.append(f"{stem}: date {m.group(0)} broken in {texts}")
            if _in(block[0], "h1", ".name", ".unit") and cuts:
                bounds = _word_bounds(joined, max(len(t) for t in texts))
                faults += [f"{stem}: {joined[:cut]}/{joined[cut:]}" for cut in cuts if cut not in bounds]
    assert not faults, "\n".join(faults)


def _phrase_bounds(text: str) -> set[int]:
    from docgen.linebreaks import phrases

    bounds, at = set(), 0
    for piece in phrases(text):
        at += len(piece)
        bounds.add(at)
    return bounds


def test_the_notices_progress_breaks_between_phrases(laid_out, every_document, renderers):
    """完成进度 of the 公示 (截至2024年12月20日完成51.4%；截至2025年12月31日，逾期任务4项) breaks between its
    phrases, never 截/至, 完/成 or 4/项, in the PDF and in the lines the .docx cell is given."""
    faults = []
    for stem, _, lines in laid_out:
        for block in _blocks(lines).values():
            if not _in(block[0], ".progress") or len(block) < 2:
                continue
            texts = [line.text for line in block]
            bounds = _phrase_bounds("".join(texts))
            cuts = [sum(len(t) for t in texts[:i]) for i in range(1, len(texts))]
            faults += [f"{stem} (PDF): {texts}" for cut in cuts if cut not in bounds]
    for document in every_document:
        if document.kind != "notice":
            continue
        xml = zipfile.ZipFile(io.BytesIO(renderers.render("docx", document.kind, document.context.model_dump(),
                                                          document.metadata))).read("word/document.xml").decode()
        for project in document.context.model_dump()["projects"]:
            text = project["progress"]
            cell = next(c for c in re.findall(r"<w:tc>.*?</w:tc>", xml, re.S)
                        if re.sub(r"<[^>]+>|[\u2060\u200b]", "", c) == text)
            texts = [re.sub(r"<[^>]+>|[\u2060\u200b]", "", part) for part in re.split(r"<w:br/>", cell)]
            bounds = _phrase_bounds(text)
            cuts = [sum(len(t) for t in texts[:i]) for i in range(1, len(texts))]
            faults += [f"{document.stem} (docx): {texts}" for cut in cuts if cut not in bounds]
    assert not faults, "\n".join(faults)


def test_the_closing_has_two_lines_of_body_text_on_its_page(laid_out):
    """GB/T 9704 7.3.5: the 落款 never stands on a page with one line (or none) of the body above it."""
    faults = []
    for stem, _, lines in laid_out:
        closing = [line for line in lines if _in(line, ".closing")]
        if not closing:
            continue
        page = closing[0].page
        assert all(line.page == page for line in closing), f"{stem}: the 落款 is split"
        body = [line for line in lines if line.page == page and not _in(line, ".closing")]
        if len(body) < 2:
            faults.append(f"{stem} p{page + 1}: {[line.text for line in body]}")
    assert not faults, "\n".join(faults)


def test_a_chart_is_never_split(laid_out):
    """各类别项目数, 评价得分分布: the caption and every bar on one page (a split block has a box on each)."""
    faults = []
    for stem, document, _ in laid_out:
        pages: dict[int, set[int]] = {}
        for page, chart in boxes_of(document, ".chart"):
            pages.setdefault(id(chart.element), set()).add(page)
        faults += [f"{stem}: a chart on pages {sorted(p + 1 for p in on)}" for on in pages.values() if len(on) > 1]
    assert not faults, "\n".join(faults)


PAGE_BOTTOM = (297 - 35) / 25.4 * 72  # the foot of the text block, pt from the top of the page
LINE = 28.95  # the grid's line pitch


def _body(line: Line) -> bool:
    return not _in(line, "table", "h1", "h2", "h3", ".subtitle", ".closing", ".chart", "ul", ".note")


def test_a_page_of_body_text_holds_22_lines(laid_out):
    """28 × 22: where body text runs on to the next page, this page is filled to its 22nd line; no
    paragraph's last line (or first) moves on alone and leaves the page a line short."""
    faults = []
    for stem, document, lines in laid_out:
        closing = {line.page for line in lines if _in(line, ".closing")}
        for page in range(len(document.pages) - 1):
            on = [line for line in lines if line.page == page]
            following = [line for line in lines if line.page == page + 1]
            if not on or not following or not _body(following[0]) or page + 1 in closing:
                continue  # lines moved to keep the 落款 company are GB/T 9704 7.3.5's exception
            gap = PAGE_BOTTOM - max(line.top + line.height for line in on)
            if gap > LINE - 0.5:
                faults.append(f"{stem} p{page + 1}: {gap / LINE:.1f} lines left empty before "
                              f"{following[0].text[:10]}")
    assert not faults, "\n".join(faults)


# --- the .docx, as LibreOffice lays it out -----------------------------------------------------------

def _office_lines(pdf: bytes) -> list[tuple[int, str, float, float, float, float]]:
    """(page, text, left, top, right, bottom) of every line poppler finds in the PDF, spaces removed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.pdf"
        path.write_bytes(pdf)
        xml = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                             check=True).stdout.decode("utf-8")
    found = []
    for number, page in enumerate(xml.split("<page ")[1:]):
        for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                             page, re.S):
            text = re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", m.group(5))))
            if text:
                found.append((number, text, *map(float, m.group(1, 2, 3, 4))))
    return found


NARROW = 120  # pt: a line in a column this narrow is a table cell's (dates there are broken by docgen itself)


def office_breaks(pdf: bytes, paragraphs: list[str]) -> list[tuple[str, str, bool]]:
    """(a line, the line after it, whether they lie in a narrow column) wherever LibreOffice broke a paragraph:
    the next line is the nearest one just below in the same column, and the two run on in one paragraph of
    the .docx."""
    texts = [re.sub(r"\s+", "", p) for p in paragraphs]
    lines = _office_lines(pdf)
    found = []
    for page, text, left, top, right, bottom in lines:
        height = bottom - top
        below = [line for line in lines if line[0] == page and top + height / 2 < line[3] < bottom + height
                 and line[2] < right - 1 and line[4] > left + 1]
        if not below:
            continue
        after = min(below, key=lambda line: (line[3], line[2]))
        if any(text[-n:] + after[1][:n] in paragraph for n in (6, 3) for paragraph in texts):
            found.append((text, after[1], max(right, after[4]) - min(left, after[2]) < NARROW))
    return found


def _office_honours_word_joiners() -> bool:
    """Whether this LibreOffice keeps characters joined by U+2060 on one line (LibreOffice 7.4 breaks Chinese
    text anywhere its forbidden lists allow, joiners or not; Word, WPS and later LibreOffice keep them)."""
    from docx import Document

    document = Document()
    document.add_paragraph("".join("测" * k + "\u2060".join("123456") + "\u2060处" for k in range(1, 28)))
    saved = io.BytesIO()
    document.save(saved)
    probe = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(probe, "w") as target:
        for info in source.infolist():  # Chinese text and numbers, as docgen's .docx files are
            data = source.read(info)
            if info.filename == "word/styles.xml":
                data = re.sub(rb"<w:lang [^>]*/>", b'<w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>', data)
            target.writestr(info, data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=to_pdf({"probe": probe.getvalue()})["probe"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return not any(a[-1].isdigit() and (b[0].isdigit() or b[0] == "处") for a, b in zip(lines, lines[1:]))


JOINED = re.compile(r"\d[\d.%％处个项名人次元天件户条年月日]")  # where a .docx must hold a joiner (DATE, 12|0处)


@pytest.fixture(scope="module")
def office(every_document, renderers):
    """name → (document, .docx, the PDF LibreOffice prints of it), certificates aside. (Rendered here, not by
    the session's cache, whose keys, the documents' ids, another day's documents may reuse.)"""
    if not available():
        pytest.skip("LibreOffice (soffice) is not installed")
    docx = {f"{n}:{d.stem}": (d, renderers.render("docx", d.kind, d.context.model_dump(), d.metadata))
            for n, d in enumerate(every_document) if d.kind != "certificate"}
    pdfs = to_pdf({name: made for name, (_, made) in docx.items()})
    return {name: (d, made, pdfs[name]) for name, (d, made) in docx.items()}


SIGNED = ("plan", "progress", "notice", "closing_report", "annual_report")


def test_word_documents_keep_two_lines_of_body_text_with_the_closing(office):
    """GB/T 9704 7.3.5 in the .docx too: the page of the 落款 carries at least two lines of body text."""
    faults = []
    for name, (document, _, pdf) in office.items():
        if document.kind not in SIGNED:
            continue
        context = document.context.model_dump()
        unit = re.sub(r"\s+", "", context.get("signature") or context["branch"])
        lines = [line for line in _office_lines(pdf) if not re.fullmatch(r"—?\d+—?", line[1])]
        date = max(i for i, line in enumerate(lines) if DATE.fullmatch(line[1]))
        page = lines[date][0]
        body = [line[1] for line in lines[:date] if line[0] == page and line[1] not in unit]
        if len(body) < 2:
            faults.append(f"{name} p{page + 1}: {body}")
    assert not faults, "\n".join(faults)


@pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed")
def test_word_documents_keep_the_line_breaking_rules(office):
    """避头尾, a number with its unit (12/0处, 100/%) and a date whole (2024年/12月) in the .docx as LibreOffice
    lays it out, and no joiner shows in its text. Where this LibreOffice ignores word joiners (7.4 does), the
    number rules, and the date rule outside table cells (whose lines docgen breaks itself), are checked in
    the .docx itself: every place a line must not break is joined."""
    joiners = _office_honours_word_joiners()
    faults = []
    for name, (_, docx, pdf) in office.items():
        for before, line, narrow in office_breaks(pdf, docx_paragraphs(docx)):
            if line[0] in CLOSING_PUNCTUATION.replace("%", "") and not before.endswith(("—", "…")):
                faults.append(f"{name}: starts {line[:12]}")
            if before[-1] in OPENING_PUNCTUATION.replace("“", "").replace("‘", ""):
                faults.append(f"{name}: ends {before[-12:]}")
            joined, cut = before[-12:] + line[:12], len(before[-12:])
            if (joiners or narrow) and any(m.start() < cut < m.end() for m in DATE.finditer(joined)):
                faults.append(f"{name}: date {before[-8:]}/{line[:8]}")
            if not joiners:
                continue
            if before[-1] in "“‘" or line[0] in "%”’":
                faults.append(f"{name}: {before[-8:]}/{line[:8]}")
            if before[-1].isdigit() and (line[0] in UNITS or line[0].isdigit()):
                faults.append(f"{name}: {before[-8:]}/{line[:8]}")
        if not joiners:
            xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
            for text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
                faults += [f"{name}: {text[max(0, m.start() - 6):m.end() + 6]} not joined"
                           for m in JOINED.finditer(text)]
                faults += [f"{name}: {text[max(0, m.start() - 6):m.end() + 6]} not joined"
                           for m in re.finditer(r"“[^\u2060]|[^\u2060]”", text)]
        if "\u2060" in subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                                       check=True).stdout.decode("utf-8"):
            faults.append(f"{name}: a word joiner shows in the text")
    assert not faults, "\n".join(faults)


def test_line_breaks_do_not_depend_on_what_was_set_before():
    """A batch breaks a name the same way in every document: the organisation's names a certificate keeps whole
    (or any word added to jieba's shared dictionary) never move the breaks of the next title."""
    import jieba

    from docgen.linebreaks import word_breaks, words

    name = "国网兰州供电公司城关供电服务中心配网运维第一党支部"
    before = words(name), word_breaks(name)
    word_breaks("兰州供电公司城关", ("兰州供电公司城关",))
    jieba.add_word("司城关供", freq=10 ** 8)
    assert (words(name), word_breaks(name)) == before


CHARACTER = 16  # pt: a character of the 3号 body text


def test_a_long_closing_unit_ends_at_the_right_edge_with_the_date_four_characters_in(laid_out, office):
    """GB/T 9704 7.3.5 with a 25-character unit: the unit ends flush with the text block and runs left, the
    date stays 4 characters in from the right (it used to be centred under the unit, 50 mm in), in the PDF
    and in the .docx as LibreOffice lays it out."""
    faults = []
    for stem, _, lines in laid_out:
        units = [line for line in lines if _in(line, ".unit")]
        dates = [line for line in lines if _in(line, ".closing") and not _in(line, ".unit")]
        if not units or len("".join(line.text for line in units)) <= 17:
            continue
        edge = units[0].limit
        if abs(units[-1].right - edge) > 2 or abs(edge - dates[-1].right - 4 * CHARACTER) > 3:
            faults.append(f"{stem} (PDF): unit ends {edge - units[-1].right:.1f} pt, date "
                          f"{edge - dates[-1].right:.1f} pt from the edge")
    for name, (document, _, pdf) in office.items():
        context = document.context.model_dump()
        unit = re.sub(r"\s+", "", context.get("signature") or context.get("branch") or "")
        if document.kind not in SIGNED or len(unit) <= 17:
            continue
        lines = [line for line in _office_lines(pdf) if not re.fullmatch(r"—?\d+—?", line[1])]
        date = max(i for i, line in enumerate(lines) if DATE.fullmatch(line[1]))
        unit_line = lines[date - 1]
        edge = max(line[4] for line in lines if line[0] == lines[date][0]  # no line reaches further right
                   and line[1][-1] not in CLOSING_PUNCTUATION)  # (but a comma Word lets hang past the edge)
        if abs(unit_line[4] - edge) > 3 or abs(unit_line[4] - lines[date][4] - 4 * CHARACTER) > 6:
            faults.append(f"{name} (docx): unit ends {edge - unit_line[4]:.1f} pt, date "
                          f"{edge - lines[date][4]:.1f} pt from the edge")
    assert not faults, "\n".join(faults)
