"""The 荣誉证书 template (templates/certificate.docx): A4 landscape, one page per certificate."""
from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .common import (FANGSONG, KAITI, RED, XIAOBIAOSONG, mirror_margins, par_prop, para, paragraph_style, remove_paragraphs,
                     run_prop)
from .tables import borders, cell_margins, cell_text, exact_height, no_split, table_borders, widths

CERT_BORDER = "B5121B"
CERT_GOLD = "C9A227"
# A4 landscape; the red page border 10 mm from the edge, the gold frame (a table) inside it.
CERT_MARGIN_X, CERT_MARGIN_TOP, CERT_MARGIN_BOTTOM = 14.5, 14.0, 13.0
CERT_TEXT = 237.0  # mm: the width certificate.py fits the lines into (672 pt)
CERT_FRAME = 297 - 2 * CERT_MARGIN_X
CERT_TOP_ROW, CERT_SIGN_ROW, CERT_NO_ROW = 396.0, 86.0, 22.0  # pt; the page leaves 518 pt
# The top row grows when it must (never clipping text); it holds two-line recipient, reason and
# honour at once. The issuer row holds a two-line issuer and the date.


def certificate_style(doc, name, font, size, line, *, align=None, indent=0.0, before=0.0, after=0.0,
                      bold=False, colour=None):
    style = paragraph_style(doc, name, font, size, align=align, indent=False, line=Pt(line), bold=bold,
                            space_before=before, space_after=after)
    style.paragraph_format.first_line_indent = Pt(indent)
    if colour:
        style.font.color.rgb = RGBColor.from_string(colour)
    return style


def sized_line(cell, style: str, fitted: str) -> None:
    """`{%p for line in fitted.lines %}` paragraphs whose runs take the Fitted size (w:sz as Jinja)."""
    para(cell, f"{{%p for line in {fitted}.lines %}}", style)
    p = para(cell, "", style)
    run = p.add_run("{{ line }}")
    run_prop(run, "w:sz", val=f"{{{{ {fitted}.half_points }}}}")
    run_prop(run, "w:szCs", val=f"{{{{ {fitted}.half_points }}}}")
    para(cell, "{%p endfor %}", style)


def build():
    """The 荣誉证书 template as a python-docx Document."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(CERT_MARGIN_X)
    mirror_margins(doc)  # the same on both sides: every template carries it, as the PDF's pages do
    section.top_margin, section.bottom_margin = Mm(CERT_MARGIN_TOP), Mm(CERT_MARGIN_BOTTOM)
    section.header_distance = section.footer_distance = Mm(5)
    sect = section._sectPr
    borders(sect, "w:pgBorders", top=("double", 18, CERT_BORDER, 24), left=("double", 18, CERT_BORDER, 24),
            bottom=("double", 18, CERT_BORDER, 24), right=("double", 18, CERT_BORDER, 24))
    sect.find(qn("w:pgBorders")).set(qn("w:offsetFrom"), "page")

    paragraph_style(doc, "Normal", FANGSONG, 16, snap=True, grid=True)
    certificate_style(doc, "证书分页", FANGSONG, 1, 1)
    certificate_style(doc, "证书标题", XIAOBIAOSONG, 54, 62, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=16,
                      bold=True, colour=RED)
    certificate_style(doc, "证书对象", KAITI, 30, 42, bold=True)
    certificate_style(doc, "证书正文", KAITI, 20, 35, indent=40, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    certificate_style(doc, "证书称号", XIAOBIAOSONG, 42, 57, align=WD_ALIGN_PARAGRAPH.CENTER,
                      bold=True, colour=RED)
    certificate_style(doc, "证书落款", KAITI, 20, 27, align=WD_ALIGN_PARAGRAPH.CENTER)
    certificate_style(doc, "证书日期", KAITI, 18, 28, align=WD_ALIGN_PARAGRAPH.CENTER, before=4)
    certificate_style(doc, "证书编号", FANGSONG, 10.5, 14)
    remove_paragraphs(doc)

    para(doc, "{%p for cert in certificates %}", "证书分页")
    # every certificate after the first starts a page; this 1 pt paragraph also keeps the tables apart
    brk = para(doc, "", "证书分页")
    par_prop(brk, "w:pageBreakBefore", val="{{ 0 if loop.first else 1 }}")

    table = doc.add_table(rows=3, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    top, sign, number = (row.cells[0] for row in table.rows)
    title = cell_text(top, "荣誉证书", "证书标题")
    title.paragraph_format.left_indent = Pt(27)  # balances the spacing after the last character
    run_prop(title.runs[0], "w:spacing", val=int(27 * 20))
    sized_line(top, "证书对象", "cert.recipient")
    para(top, "{{ cert.reason }}", "证书正文")
    sized_line(top, "证书称号", "cert.honour")
    para(top, "特发此证。", "证书正文")
    top.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    table.rows[0].height = Pt(CERT_TOP_ROW)
    table.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST

    # issuer and date in a 340 pt box at the right, the issuer centred over the date
    sign.paragraphs[0].style = doc.styles["证书落款"]
    sign.paragraphs[0].add_run("{%p for line in cert.issuer.lines %}")
    p = para(sign, "", "证书落款")
    run = p.add_run("{{ line }}")
    run_prop(run, "w:sz", val="{{ cert.issuer.half_points }}")
    run_prop(run, "w:szCs", val="{{ cert.issuer.half_points }}")
    para(sign, "{%p endfor %}", "证书落款")
    para(sign, "{{ cert.date }}", "证书日期")
    box = CERT_TEXT / 25.4 * 72 - 340
    for p in sign.paragraphs:
        p.paragraph_format.left_indent = Pt(box)
    sign.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    exact_height(table.rows[1], CERT_SIGN_ROW)

    cell_text(number, "证书编号：{{ cert.cert_no }}", "证书编号")
    number.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    exact_height(table.rows[2], CERT_NO_ROW)
    for row in table.rows:
        no_split(row)

    widths(table, [CERT_FRAME])
    pad = (CERT_FRAME - CERT_TEXT) / 2
    cell_margins(table, pad, pad, 0, 0)
    gold = ("single", 12, CERT_GOLD)
    table_borders(table, top=gold, left=gold, bottom=gold, right=gold, insideH=None, insideV=None)
    para(doc, "{%p endfor %}", "证书分页")
    para(doc, "", "证书分页")  # the body ends with a paragraph, on the last certificate's page
    return doc

