"""The documents speak in the issuer's voice, in black, and the 台账 prints readably.

Every kind is made by one year-end batch over the valid samples and the long-data workbook, then read
as a strict reviewer would: the text of each PDF and .docx, the colour of each character, the grey of
each chart bar, the 台账's print setup and the size of its characters as LibreOffice prints it.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from conftest import CONFIG_FILE, SAMPLES
from docgen.cli import main
from longdata import LONG_CODE, SHORT_CODE, long_workbook
from textof import docx_paragraphs, pdf_pages, squeeze

YEAR = 2024
LEDGER = f"{YEAR}年度党建项目管理台账.xlsx"
ANNUAL = f"{YEAR}年度党建项目汇总报告"

# docgen explaining itself, its arithmetic, and the branch's 填报 — never printed to the 党委 or the public.
INTERNAL = ("汇总自", "向上取整", "名额边界上", "一并入选", "评定日", "应取", "符合评优资格的只有", "本期未填报",
            "支部填报", "计算方法", "按0%计", "未填报", "尚未填报", "填报", "：—", "须在完成时限前完成", "同时生成", "不再绘图")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A year-end batch (成文日期 2024-12-23) over the two valid samples and the long-data workbook."""
    root = tmp_path_factory.mktemp("voice")
    books = root / "申报表"
    books.mkdir()
    for name in ("城关供电服务中心党支部.xlsx", "变电运维中心.xlsx"):
        shutil.copy(SAMPLES / name, books / name)
    long_workbook(books)
    out = root / "输出"
    result = CliRunner().invoke(main, ["batch", "--config", str(CONFIG_FILE), "--out", str(out),
                                       "--date", "2024-12-23", "--workers", "1", str(books)])
    assert result.exit_code == 0, result.output
    return out


def documents(out: Path, suffix: str) -> list[Path]:
    return sorted(p for p in out.rglob(f"*.{suffix}") if "旧文件" not in p.parts)


def pdf_text(path: Path) -> str:
    return squeeze("".join(line for page in pdf_pages(path.read_bytes()) for line in page))


def docx_text(path: Path) -> str:
    return squeeze("".join(docx_paragraphs(path.read_bytes())))


def test_the_run_made_every_kind_from_the_long_data(run):
    names = [p.name for p in documents(run, "pdf")]
    for kind in ("立项表", "计划书", "进度报告", "结题报告", "公示", ANNUAL):
        assert any(kind in name for name in names), kind
    assert any(name.startswith(SHORT_CODE) for name in names) and any(name.startswith(LONG_CODE) for name in names)


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_no_document_prints_docgens_own_wording(run, suffix):
    read = pdf_text if suffix == "pdf" else docx_text
    texts = {path.name: read(path) for path in documents(run, suffix)}
    found = [(name, phrase) for name, text in texts.items() for phrase in INTERNAL if phrase in text]
    assert found == []


def test_an_empty_field_leaves_out_its_sentence(run):
    """DJ-2024-012 has no 牵头单位, 重点实践单位 or 口号: no sentence, no form row names them."""
    for path in [*run.rglob(f"{SHORT_CODE}_*.pdf"), *run.rglob(f"{SHORT_CODE}_*.docx")]:
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        for label in ("牵头单位", "重点实践单位", "项目口号"):
            assert label not in text, (path.name, label)
    long_plan = pdf_text(next(run.rglob(f"{LONG_CODE}_计划书.pdf")))
    assert "项目口号：党旗飘在一线安全落在现场" in long_plan and "牵头单位：" in long_plan


def test_the_closing_report_leaves_eligibility_to_the_department(run):
    closing = [*run.rglob("*结题报告.pdf"), *run.rglob("*结题报告.docx")]
    assert closing
    for path in closing:
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        assert "评优资格" not in text and "须在" not in text, path.name
    for path in (run / f"{ANNUAL}.pdf", run / f"{ANNUAL}.docx"):
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        assert f"不具备{YEAR}年度评优资格。" in text  # the rule, in one sentence
        assert "五、年度评优资格" in text and LONG_CODE in text[text.index("五、年度评优资格"):]


def test_the_ledger_states_eligibility_and_docgens_arithmetic(run):
    wb = load_workbook(run / LEDGER)
    ledger, notes = wb.worksheets
    header = [c.value for c in ledger[2]]
    rows = {r[0]: dict(zip(header, r)) for r in ledger.iter_rows(min_row=3, values_only=True)}
    assert rows[LONG_CODE]["评优资格"] == "失去" and "第3项" in rows[LONG_CODE]["失去资格原因"]
    said = "".join(str(c.value or "") for row in notes.iter_rows() for c in row)
    for phrase in ("向上取整", "评定日", "本次为2024年12月23日", "从未填报的任务按0%计", "汇总自3份申报表"):
        assert phrase in said, phrase


def _black(colour) -> bool:
    if colour is None:
        return True  # the PDF's default: black
    values = tuple(colour) if isinstance(colour, (tuple, list)) else (colour,)
    if len(values) == 4:  # CMYK
        return values[:3] == (0, 0, 0) and values[3] >= 0.99
    return all(v <= 0.01 for v in values)


def test_text_is_black_in_every_pdf(run):
    """Every character of every PDF is black; a certificate's red 荣誉证书 and honour are its design, not text."""
    coloured = []
    for path in documents(run, "pdf"):
        certificate = "荣誉证书" in str(path)
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                for char in page.chars:
                    if certificate and char["size"] >= 24:
                        continue
                    if not _black(char["non_stroking_color"]):
                        coloured.append((path.name, number, char["text"], char["non_stroking_color"]))
    assert coloured[:5] == []


def test_no_coloured_run_in_any_docx(run):
    coloured = []
    for path in documents(run, "docx"):
        if "荣誉证书" in str(path):
            continue
        xml = Document(path).element.xml
        for value in re.findall(r'<w:color w:val="([0-9A-Fa-f]{6}|auto)"', xml):
            if value.lower() not in ("000000", "auto"):
                coloured.append((path.name, value))
    assert coloured == []


def test_docx_tables_and_charts_are_shaded_in_grey(run):
    """Word's bar cells, month grids and row shading: greys only (a tint prints as an unexplained grey)."""
    hues = set()
    for path in documents(run, "docx"):
        if "荣誉证书" not in str(path):
            xml = Document(path).element.xml
            hues |= {(path.name, f) for f in re.findall(r'w:fill="([0-9A-Fa-f]{6})"', xml) if f[:2] != f[2:4] or f[2:4] != f[4:]}
    assert hues == set()


def _grey(colour) -> bool:
    values = tuple(colour) if isinstance(colour, (tuple, list)) else (colour,)
    return len(values) == 1 or (len(values) == 3 and max(values) - min(values) < 0.02)


@pytest.mark.parametrize("pattern", ["*进度报告*.pdf", "*计划书.pdf", f"{ANNUAL}.pdf"])
def test_charts_are_grey(run, pattern):
    """Bars and month marks are filled in greys a black-and-white printer keeps apart."""
    fills = set()
    for path in run.rglob(pattern):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                fills |= {tuple(r["non_stroking_color"] or (0,)) if isinstance(r["non_stroking_color"], (tuple, list))
                          else (r["non_stroking_color"],) for r in page.rects if r["fill"]}
    assert fills and [f for f in fills if not _grey(f)] == []


def test_progress_chart_series_differ_in_grey():
    from docgen.documents import progress

    greys = [int(c[:2], 16) for c in (progress.PLANNED_COLOUR, progress.ACTUAL_COLOUR, progress.OVERDUE_COLOUR)]
    assert all(c[:2] == c[2:4] == c[4:] for c in (progress.PLANNED_COLOUR, progress.ACTUAL_COLOUR,
                                                   progress.OVERDUE_COLOUR))
    assert min(abs(a - b) for a, b in zip(greys, greys[1:])) >= 64


def test_the_ledger_print_setup_keeps_characters_readable(run):
    ws = load_workbook(run / LEDGER).worksheets[0]
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and setup.scale * 11 / 100 >= 8
    assert ws.print_title_rows == "$1:$2" and ws.print_title_cols == "$A:$B"  # header and 编号、名称 on every page
    long_name = next(r for r in ws.iter_rows(min_row=3) if r[0].value == LONG_CODE)[0].row
    assert ws.row_dimensions[long_name].height >= 4 * 15  # its 59-character name shows whole


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_ledger_prints_at_8_points_or_more(run):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copy(run / LEDGER, root / "ledger.xlsx")
        env = {**os.environ, "HOME": str(root)}
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(root / 'p').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(root), str(root / "ledger.xlsx")],
                       check=True, capture_output=True, env=env, timeout=300)
        with pdfplumber.open(io.BytesIO((root / "ledger.pdf").read_bytes())) as pdf:
            sizes = [c["size"] for page in pdf.pages for c in page.chars]
            first = pdf.pages[0].extract_text()
            later = [page.extract_text() for page in pdf.pages[1:]]
    assert sizes and min(sizes) >= 8
    assert "项目编号" in first and any("项目编号" in text and "评优资格" in text for text in later)
