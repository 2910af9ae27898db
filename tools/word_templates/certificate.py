"""The 荣誉证书 template (templates/certificate.docx): A4 landscape, one page per certificate."""
from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
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
CERT_TOP_ROW, CERT_SIGN_ROW, CERT_NO_ROW = 396.0, 86.0, 30.0  # pt; the page leaves 518 pt
# The red border 10 mm from the edge (28 pt), and the gold frame from 14.2 mm to 195.3 mm down, as the PDF's; the
# 证书编号 16 pt above the frame's foot, clear of the corner ornament below it, as in the PDF.
CERT_BORDER_SPACE = 28
CERT_NO_ABOVE = 16.0
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


# The PDF's gold corner ornaments (.certificate .corner): an L of two 3 pt bars 14 mm + 3 pt long, its outer edges
# 3 mm inside the gold frame, i.e. 10 mm margin + 7 pt border + 5 pt padding + 1.5 pt frame + 3 mm from the page's
# left, right and top edges; the PDF's certificate box ends 0.5 mm above the page area, so the bottom ones sit 0.5 mm
# higher.
PT_MM = 25.4 / 72
CORNER_FROM_EDGE = 10 + (7 + 5 + 1.5) * PT_MM + 3
CORNER_FROM_BOTTOM = CORNER_FROM_EDGE + 0.5
CORNER_ARM = 14 + 3 * PT_MM
CORNER_BAR = 3 * PT_MM
EMU_MM = 36000
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def corner_outline(corner: str, arm: int, bar: int) -> list[tuple[int, int]]:
    """The L of one corner ("tl", "tr", "bl", "br") in a square box of side `arm`, its outer edges on the box's."""
    top_left = [(0, 0), (arm, 0), (arm, bar), (bar, bar), (bar, arm), (0, arm)]
    flip_x, flip_y = corner[1] == "r", corner[0] == "b"
    return [(arm - x if flip_x else x, arm - y if flip_y else y) for x, y in top_left]


def corner_shape(corner: str, number: int) -> str:
    """One corner ornament as a run: a gold L-shaped DrawingML shape anchored to the page behind the text (what
    Word 2010 and later, WPS and LibreOffice draw), with the same shape in VML for older Word. `number` (1–4) makes
    the shape's id, with the certificate's place in the loop, unique in the document."""
    arm_mm, gold = CORNER_ARM, CERT_GOLD
    left = CORNER_FROM_EDGE if corner[1] == "l" else 297 - CORNER_FROM_EDGE - arm_mm
    top = CORNER_FROM_EDGE if corner[0] == "t" else 210 - CORNER_FROM_BOTTOM - arm_mm
    arm, x, y = (round(v * EMU_MM) for v in (arm_mm, left, top))
    outline = corner_outline(corner, arm, round(CORNER_BAR * EMU_MM))
    path = (f'<a:moveTo><a:pt x="{outline[0][0]}" y="{outline[0][1]}"/></a:moveTo>'
            + "".join(f'<a:lnTo><a:pt x="{px}" y="{py}"/></a:lnTo>' for px, py in outline[1:]) + "<a:close/>")
    hundredths = corner_outline(corner, round(arm_mm * 100), round(CORNER_BAR * 100))
    vml_path = (f"m{hundredths[0][0]},{hundredths[0][1]}l"
                + ",".join(f"{px},{py}" for px, py in hundredths[1:]) + "xe")
    pt = 72 / 25.4
    name = f"证书角饰{number}"
    return (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w10="urn:schemas-microsoft-com:office:word">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{251658240 + number}" '
        'behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{arm}" cy="{arm}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{{{{ 100 + 4 * loop.index + {number} }}}}" name="{name}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic xmlns:a="{A_NS}">'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr/><wps:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{arm}" cy="{arm}"/></a:xfrm>'
        '<a:custGeom><a:avLst/><a:gdLst/><a:ahLst/><a:cxnLst/><a:rect l="0" t="0" r="r" b="b"/>'
        f'<a:pathLst><a:path w="{arm}" h="{arm}">{path}</a:path></a:pathLst></a:custGeom>'
        f'<a:solidFill><a:srgbClr val="{gold}"/></a:solidFill><a:ln><a:noFill/></a:ln></wps:spPr>'
        '<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict>'
        f'<v:shape coordsize="{round(arm_mm * 100)},{round(arm_mm * 100)}" path="{vml_path}" fillcolor="#{gold}" '
        f'stroked="f" style="position:absolute;margin-left:{left * pt:.2f}pt;margin-top:{top * pt:.2f}pt;'
        f'width:{arm_mm * pt:.2f}pt;height:{arm_mm * pt:.2f}pt;z-index:-{251658240 + number};'
        'mso-position-horizontal-relative:page;mso-position-vertical-relative:page">'
        '<w10:wrap anchorx="page" anchory="page"/></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def corner_ornaments(paragraph) -> None:
    """The four corner ornaments of a certificate's page, anchored in the paragraph that starts the page."""
    for number, corner in enumerate(("tl", "tr", "bl", "br"), start=1):
        paragraph._p.append(parse_xml(corner_shape(corner, number)))


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
    borders(sect, "w:pgBorders", top=("double", 18, CERT_BORDER, CERT_BORDER_SPACE),
            left=("double", 18, CERT_BORDER, CERT_BORDER_SPACE), bottom=("double", 18, CERT_BORDER, CERT_BORDER_SPACE),
            right=("double", 18, CERT_BORDER, CERT_BORDER_SPACE))
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
    corner_ornaments(brk)  # on every certificate's page, the 合订本's too

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
    number.paragraphs[0].paragraph_format.space_after = Pt(CERT_NO_ABOVE)
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

