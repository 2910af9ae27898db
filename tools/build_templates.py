"""Write the Word templates (templates/<kind>.docx) with python-docx.

The Word templates are ordinary documents a clerk can open and edit; this script is
how they were first laid out (named styles with eastAsia fonts, GB/T 9704 page set-up,
docxtpl tags in whole runs). Run it again after changing the layout here:

    .venv/bin/python tools/build_templates.py

Every template receives its context's model_dump() (documents/<kind>.py) and holds loops and
ifs only; its fixed wording follows templates/<kind>.html so both formats carry the same text.
Beyond plain tags the templates use docxtpl's `{% cellbg expr %}` for shading decided at render
time (bar charts, flagged rows) and Jinja expressions inside XML attributes (a certificate line's
w:sz from its Fitted size, w:pageBreakBefore and w:keepNext from loop.first / loop.last).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates"

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"
LINE = Pt(28.95)
# 28 characters a line (GB/T 9704): 3号 text condensed by 0.25 pt is a 15.75 pt pitch, and
# 28 × 15.75 pt fits the 442.2 pt text block in Word, WPS and LibreOffice alike. (Word's
# character grid would do it too, but LibreOffice spreads CJK text across that grid.)
BODY_CONDENSED = -5  # twentieths of a point
BODY_INDENT = Pt(31.5)  # two characters of that pitch

# Every face the templates name, with the name a stock Chinese Windows/WPS has for it
# (written to word/fontTable.xml, where Word and WPS look for a substitute).
FONT_TABLE = (
    (FANGSONG, "仿宋", "02010609030101010101", "modern", "fixed"),
    (KAITI, "楷体", "02010609030101010101", "modern", "fixed"),
    (HEITI, "SimHei", "02010609060101010101", "modern", "fixed"),
    (XIAOBIAOSONG, "宋体", "02000000000000000000", "script", "variable"),
    (SONG, "SimSun", "02010600030101010101", "auto", "variable"),
)


def set_fonts(target, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's fonts, writing w:eastAsia (python-docx's font.name does not)."""
    font = target.font
    font.name = LATIN
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def paragraph_style(doc, name, east_asia, size, *, align=None, indent=True, line=LINE, bold=False,
                    space_before=0, space_after=0, snap=False, keep=False, grid=False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    set_fonts(style, east_asia, size, bold)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = (BODY_INDENT if grid else Pt(size * 2)) if indent else Pt(0)
    # Only the 3号 body text is condensed to the 28-character line; tables, notes and titles are not
    # (the stylesheet sets letter-spacing: 0 for them), so they do not inherit Normal's condensing.
    child(style.element.get_or_add_rPr(), "w:spacing", RPR_ORDER, val=str(BODY_CONDENSED if grid else 0))
    if isinstance(line, float):
        # A factor as CSS writes it (line-height: 1.5), set as an exact height: Word's "multiple" would
        # scale the font's own line height, which differs from face to face and from the PDF.
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(round(size * line, 2))
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    fmt.widow_control = True
    fmt.keep_with_next = keep
    if not snap:
        ppr = style.element.get_or_add_pPr()
        el = OxmlElement("w:snapToGrid")
        el.set(qn("w:val"), "0")
        ppr.append(el)
    return style


def base_document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25.7)  # the dash stroke of — 1 — lies 7 mm below the text block
    # 22 lines a page through the line grid. A character grid (linesAndChars, charSpace -848)
    # would give 28 characters a line in Word, but LibreOffice and WPS spread CJK text
    # across it, so only lines are fixed.
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")

    paragraph_style(doc, "Normal", FANGSONG, 16, snap=True, grid=True)
    # No extra space between Chinese and digits or Latin (Word and LibreOffice add it by default; the
    # PDF has none): dates such as 2024年3月19日 keep their width and the 28-character line holds.
    normal = doc.styles["Normal"].element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        child(normal, tag, PPR_ORDER, val="0")
    paragraph_style(doc, "文书标题", XIAOBIAOSONG, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                    line=Pt(36), space_after=28.95)
    paragraph_style(doc, "副标题", KAITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=14)
    paragraph_style(doc, "一级标题", HEITI, 16, snap=True, keep=True, grid=True)
    paragraph_style(doc, "二级标题", KAITI, 16, snap=True, keep=True, grid=True)
    paragraph_style(doc, "正文", FANGSONG, 16, snap=True, grid=True)
    paragraph_style(doc, "表格文字", FANGSONG, 12, indent=False, line=1.5)
    paragraph_style(doc, "表格段落", FANGSONG, 12, indent=True, line=1.5)
    paragraph_style(doc, "表格标签", HEITI, 12, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "小表格文字", FANGSONG, 10.5, indent=False, line=1.5)
    paragraph_style(doc, "小表格标签", HEITI, 10.5, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表文字", FANGSONG, 9, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表标签", HEITI, 9, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "题注", FANGSONG, 12, indent=False, line=1.8, align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_before=8, keep=True)
    paragraph_style(doc, "落款", FANGSONG, 16, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, space_before=28.95)
    paragraph_style(doc, "主送", FANGSONG, 16, indent=False, space_before=14.95, grid=True)
    paragraph_style(doc, "页码", SONG, 14, indent=False, line=1.0)
    page_numbers(doc)
    # python-docx starts with one empty paragraph; the templates add their own
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


def _page_field(paragraph) -> None:
    def run(text=None, fld=None, instr=None):
        r = paragraph.add_run(text)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def page_numbers(doc) -> None:
    """— 1 — in 4号宋体: odd pages right, even pages left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        p = footer.paragraphs[0]
        p.style = doc.styles["页码"]
        p.alignment = align
        if side == "right":
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        _page_field(p)


def para(container, text="", style="正文", align=None):
    p = container.add_paragraph(style=style)
    if text:
        p.add_run(text)
    if align is not None:
        p.alignment = align
    return p


def cell_text(cell, text, style="表格文字", align=None):
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style] if hasattr(cell.part, "document") else style
    if text:
        p.add_run(text)
    if align is not None:
        p.alignment = align
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return p


def cell_loop(cell, items: str, style="表格段落"):
    """A paragraph per item of a list inside one table cell."""
    first = cell.paragraphs[0]
    first.style = style
    first.add_run(f"{{%p for line in {items} %}}")
    cell.add_paragraph(style=style).add_run("{{ line }}")
    cell.add_paragraph(style=style).add_run("{%p endfor %}")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def body_loop(doc, items: str, style="正文"):
    para(doc, f"{{%p for line in {items} %}}", style)
    para(doc, "{{ line }}", style)
    para(doc, "{%p endfor %}", style)


def widths(table, mm: list[float]) -> None:
    """Fix the table's grid, total width and every cell's width (merged cells span their columns)."""
    table.autofit = False
    twips = [int(Mm(w).twips) for w in mm]
    tbl = table._tbl
    for col, w in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), twips):
        col.set(qn("w:w"), str(w))
    tblpr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        old = tblpr.find(qn(tag))
        if old is not None:
            tblpr.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(width)
    tblpr.append(layout)
    for tr in tbl.iterchildren(qn("w:tr")):
        column = 0
        for tc in tr.iterchildren(qn("w:tc")):
            span = tc.grid_span
            tc.width = Mm(sum(mm[column:column + span]))
            column += span


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def project_overview(doc) -> None:
    """一、项目概况: the ProjectFields sentences shared by the plan and the closing report."""
    para(doc, "一、项目概况", "一级标题")
    para(doc, "项目编号：{{ code }}；项目类别：{{ category }}；申报党组织：{{ branch }}。")
    para(doc, "项目负责人：{{ leader }}（联系电话：{{ phone }}）；项目成员：{{ members }}。")
    para(doc, "牵头单位：{{ lead_unit }}；重点实践单位：{{ practice_units }}。")
    para(doc, "实施时间：{{ period }}。项目口号：{{ slogan }}。关联中心工作：{{ central_work }}。"
              "{% if budget != '—' %}经费预算：{{ budget }}。{% endif %}")


OPINION_HEIGHT = 36  # mm: 党支部意见 and 党委审批意见, as .form td.opinion in the stylesheet


def build_proposal() -> None:
    doc = base_document()
    para(doc, "{{ title }}", "文书标题")
    meta = para(doc, "申报党组织（盖章）：{{ branch }}\t项目编号：{{ code }}", "表格文字")
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right tab at the text edge
    meta.paragraph_format.space_after = Pt(4)
    # The form is set in 五号 (10.5 pt) as in the PDF (.form td), its columns as wide as there.
    paragraph_style(doc, "表单文字", FANGSONG, 10.5, indent=False, line=1.45)
    paragraph_style(doc, "表单段落", FANGSONG, 10.5, indent=True, line=1.45)
    paragraph_style(doc, "表单标签", HEITI, 10.5, indent=False, line=1.45, align=WD_ALIGN_PARAGRAPH.CENTER)
    text_width = 156
    label = 29
    table = doc.add_table(rows=0, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def full_row(name, value=None, loop=None, height=None, split=False):
        row = table.add_row()
        no_split(row) if loop is None and not split else None
        cells = row.cells
        cell_text(cells[0], name, "表单标签", WD_ALIGN_PARAGRAPH.CENTER)
        merged = cells[1].merge(cells[3])
        if loop:
            cell_loop(merged, loop, "表单段落")
        elif value is not None:
            cell_text(merged, value, "表单文字")
        if height:
            row.height = Mm(height)
        return merged

    def pair_row(a, av, b, bv):
        row = table.add_row()
        no_split(row)
        c = row.cells
        cell_text(c[0], a, "表单标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[1], av, "表单文字")
        cell_text(c[2], b, "表单标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[3], bv, "表单文字")

    full_row("项目名称", "{{ name }}")
    pair_row("申报党组织", "{{ branch }}", "项目类别", "{{ category }}")
    pair_row("牵头单位", "{{ lead_unit }}", "重点实践单位", "{{ practice_units }}")
    pair_row("项目负责人", "{{ leader }}", "联系电话", "{{ phone }}")
    full_row("项目成员", "{{ members }}")
    full_row("起止时间", "{{ period }}")
    full_row("经费预算", "{{ budget }}")
    full_row("项目口号", "{{ slogan }}")
    full_row("关联中心工作", "{{ central_work }}")
    full_row("立项背景", loop="background")
    full_row("目标任务", loop="objectives")
    full_row("主要措施", loop="measures")
    full_row("预期成效", loop="outcomes")
    tasks = full_row("任务安排", split=True)  # a long list may run over a page
    p = tasks.paragraphs[0]
    p.style = "表单文字"
    p.add_run("{%p for task in tasks %}")
    line = tasks.add_paragraph(style="表单文字")
    line.add_run("{{ task.seq }}. {{ task.content }}（责任人：{{ task.owner }}；完成时限：{{ task.deadline }}）")
    keep_next(line)  # the signature boxes below never start a page alone
    tasks.add_paragraph(style="表单文字").add_run("{%p endfor %}")
    tasks.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for name, signer in (("党支部意见", "党支部书记（签字）：　　　　　　（盖章）"),
                         ("党委审批意见", "{{ party_committee }}（盖章）")):
        cell = full_row(name, height=OPINION_HEIGHT)
        table.rows[-1].height_rule = 2  # at least
        no_split(table.rows[-1])
        first = cell.paragraphs[0]
        first.style = "表单文字"
        for _ in range(3):
            cell.add_paragraph(style="表单文字")
        para(cell, signer, "表单文字", WD_ALIGN_PARAGRAPH.RIGHT)
        para(cell, "年　　月　　日", "表单文字", WD_ALIGN_PARAGRAPH.RIGHT)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    widths(table, [label, (text_width - 2 * label) / 2, label, (text_width - 2 * label) / 2])
    save(doc, "proposal")


def build_plan() -> None:
    doc = base_document()
    report_styles(doc)
    para(doc, "{{ title }}", "文书标题")
    para(doc, "{{ subtitle }}", "副标题")
    project_overview(doc)
    para(doc, "（一）立项背景", "二级标题")
    body_loop(doc, "background")
    para(doc, "二、目标任务", "一级标题")
    body_loop(doc, "objectives")
    para(doc, "三、任务分解及进度安排", "一级标题")

    table = doc.add_table(rows=4, cols=6)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ("序号", "任务内容", "责任人", "起止时间", "质量标准", "预期目标")):
        cell_text(cell, text, "小表格标签", WD_ALIGN_PARAGRAPH.CENTER)
    repeat_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for task in tasks %}", "小表格文字")
    values = ("{{ task.seq }}", "{{ task.content }}", "{{ task.owner }}", "{{ task.period }}",
              "{{ task.quality_standard }}", "{{ task.target }}")
    for i, (cell, text) in enumerate(zip(table.rows[2].cells, values)):
        centred = i in (0, 2, 3)
        cell_text(cell, text, "小表格文字", WD_ALIGN_PARAGRAPH.CENTER if centred else None)
    no_split(table.rows[2])
    cell_text(table.rows[3].cells[0], "{%tr endfor %}", "小表格文字")
    widths(table, [12, 42, 16, 24, 31, 31])

    para(doc, "{%p for block in gantt %}", "题注")
    para(doc, "任务进度安排（{{ block.caption }}）", "题注")
    # One column per month of the block, exactly the project's months: the month cells repeat
    # with docxtpl's {%tc %} and the table's grid and width follow (GANTT_GRID, see clean_package).
    gantt = doc.add_table(rows=4, cols=5)
    gantt.style = doc.styles["Table Grid"]
    gantt.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = gantt.rows[0].cells
    cell_text(head[0], "序号", "图表标签")
    cell_text(head[1], "任务", "图表标签")
    cell_text(head[2], "{%tc for m in block.months %}", "图表标签")
    cell_text(head[3], "{{ m }}", "图表标签")
    cell_text(head[4], "{%tc endfor %}", "图表标签")
    repeat_header(gantt.rows[0])
    cell_text(gantt.rows[1].cells[0], "{%tr for row in block.rows %}", "图表文字")
    data = gantt.rows[2].cells
    cell_text(data[0], "{{ row.seq }}", "图表文字")
    cell_text(data[1], "{{ row.content }}", "图表文字", WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(data[2], "{%tc for fill in row.cells %}", "图表文字")
    cell_text(data[3], "{% cellbg fill %}", "图表文字")
    cell_text(data[4], "{%tc endfor %}", "图表文字")
    no_split(gantt.rows[2])
    for cell in head:  # the header stays with the first row, the last row with the one before (.gantt)
        keep_next(cell.paragraphs[0])
    for cell in data:
        par_prop(cell.paragraphs[0], "w:keepNext", val="{{ 1 if loop.revindex == 2 else 0 }}")
    cell_text(gantt.rows[3].cells[0], "{%tr endfor %}", "图表文字")
    widths(gantt, [GANTT_NUM, GANTT_TASK, GANTT_MARK, GANTT_MONTH, GANTT_MARK])
    cell_margins(gantt, 0.35)  # "10月" fits its 8 mm column
    para(doc, "{%p endfor %}", "题注")

    para(doc, "四、主要措施", "一级标题")
    body_loop(doc, "measures")
    para(doc, "五、预期成效", "一级标题")
    body_loop(doc, "outcomes")
    signature_block(doc, "{{ branch }}", "{{ date }}")
    save(doc, "plan")


# ---------------------------------------------------------------------------------------------
# Helpers for the reports, the notice and the certificate
# ---------------------------------------------------------------------------------------------

# Child order of the WordprocessingML elements touched below (Word rejects out-of-order children).
RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
             "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
             "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
             "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
             "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
             "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
             "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
             "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
             "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
             "w:sectPr", "w:pPrChange")
TCPR_ORDER = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
              "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
TBLPR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
               "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
               "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
SECTPR_ORDER = ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                "w:docGrid", "w:printerSettings", "w:sectPrChange")
BORDER_ORDER = ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV")

RED = "C00000"


def child(parent, tag: str, order: tuple[str, ...], **attrs):
    """Return parent's <tag> child (created in schema order when missing) with the w: attributes set.

    Values are written as given, so a value may be a Jinja expression docxtpl renders later.
    """
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        later = {qn(t) for t in order[order.index(tag) + 1:]}
        for i, existing in enumerate(parent):
            if existing.tag in later:
                parent.insert(i, el)
                break
        else:
            parent.append(el)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), str(value))
    return el


def run_prop(run, tag: str, **attrs):
    return child(run._r.get_or_add_rPr(), tag, RPR_ORDER, **attrs)


def par_prop(paragraph, tag: str, **attrs):
    return child(paragraph._p.get_or_add_pPr(), tag, PPR_ORDER, **attrs)


def tidy_table(table) -> None:
    """Put tblPr's children in schema order (widths() appends tblW and tblLayout at the end)."""
    tblpr = table._tbl.tblPr
    rank = {qn(t): i for i, t in enumerate(TBLPR_ORDER)}
    kids = sorted(tblpr, key=lambda el: rank.get(el.tag, len(rank)))
    for el in kids:
        tblpr.remove(el)
        tblpr.append(el)


def borders(parent, tag: str, **sides) -> None:
    """Write <tag> (w:tblBorders, w:tcBorders, w:pgBorders) with the given sides.

    A side is (val, size in eighths of a point, colour[, space in points]) or None for no line.
    """
    box = parent.find(qn(tag))
    if box is not None:
        parent.remove(box)
    order = {"w:tblBorders": TBLPR_ORDER, "w:tcBorders": TCPR_ORDER, "w:pgBorders": SECTPR_ORDER}[tag]
    box = child(parent, tag, order)
    for side in BORDER_ORDER:
        name = side[2:]
        if name not in sides:
            continue
        spec = sides[name] or ("nil", 0, "auto")
        val, size, colour, *space = spec
        child(box, side, BORDER_ORDER, val=val, sz=size, space=space[0] if space else 0, color=colour)


def table_borders(table, **sides) -> None:
    borders(table._tbl.tblPr, "w:tblBorders", **sides)


def cell_borders(cell, **sides) -> None:
    borders(cell._tc.get_or_add_tcPr(), "w:tcBorders", **sides)


CELL_PAD_MM = 0.35  # 1 pt above and below the text of a report's table cell, as the stylesheet's padding


def cell_margins(table, left_mm: float, right_mm: float | None = None, top_mm: float = 0, bottom_mm: float = 0):
    """Cell padding of the whole table (Word's default is 1.9 mm left and right)."""
    right_mm = left_mm if right_mm is None else right_mm
    mar = child(table._tbl.tblPr, "w:tblCellMar", TBLPR_ORDER)
    for side, mm in (("top", top_mm), ("left", left_mm), ("bottom", bottom_mm), ("right", right_mm)):
        child(mar, f"w:{side}", ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"),
              w=int(Mm(mm).twips), type="dxa")


def cell_margin(cell, left_mm: float, right_mm: float | None = None) -> None:
    """Left and right padding of one cell (a narrow 序号 column)."""
    right_mm = left_mm if right_mm is None else right_mm
    mar = child(cell._tc.get_or_add_tcPr(), "w:tcMar", TCPR_ORDER)
    for side, mm in (("left", left_mm), ("right", right_mm)):
        child(mar, f"w:{side}", ("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right"),
              w=int(Mm(mm).twips), type="dxa")


def exact_height(row, pt: float) -> None:
    row.height = Pt(pt)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY


def keep_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def keep_last_row_with_next(row) -> None:
    """In a `{%tr for %}` row: the last row of the loop stays on the page of what follows."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            par_prop(paragraph, "w:keepNext", val="{{ 1 if loop.last else 0 }}")


def add_run(paragraph, text: str, font: str | None = None, colour: str | None = None, bold: bool | None = None,
            size: float | None = None):
    """A run with its own east-Asian font, colour (hex or a Jinja expression), bold or size."""
    run = paragraph.add_run(text)
    if font:
        set_fonts(run, font)
    if bold is not None:
        run.bold = bold
    if colour:
        run_prop(run, "w:color", val=colour)
    if size:
        run.font.size = Pt(size)
    return run


def para_runs(container, parts, style="正文", align=None):
    """A paragraph of several runs: each part is text or (text, font[, colour])."""
    p = para(container, "", style, align)
    for part in parts:
        if isinstance(part, str):
            p.add_run(part)
        else:
            add_run(p, *part)
    return p


def body_list(doc, items: str, style="正文", empty="无。", colour: str | None = None):
    """One paragraph per item, or `empty` when the list is empty."""
    para(doc, f"{{%p if {items} %}}", style)
    para(doc, f"{{%p for line in {items} %}}", style)
    p = para(doc, "", style)
    add_run(p, "{{ line }}", colour=colour)
    para(doc, "{%p endfor %}", style)
    para(doc, "{%p else %}", style)
    para(doc, empty, style)
    para(doc, "{%p endif %}", style)


def cell_shaded_text(cell, text: str, fill_expr: str, style="小表格文字", align=None, **run):
    """Cell text under a shading chosen at render time (`{% cellbg expr %}`)."""
    p = cell_text(cell, "", style, align)
    p.add_run(f"{{% cellbg {fill_expr} %}}")
    if text:
        add_run(p, text, **run)
    return p


def header_row(table, labels, style="小表格标签") -> None:
    """Column labels; a newline in a label is a line break (计划\n进度), as in the HTML."""
    for cell, label in zip(table.rows[0].cells, labels):
        p = cell_text(cell, "", style, WD_ALIGN_PARAGRAPH.CENTER)
        for i, part in enumerate(label.split("\n")):
            run = p.add_run(part)
            if i < label.count("\n"):
                run.add_break()
    repeat_header(table.rows[0])
    no_split(table.rows[0])


def loop_table(doc, labels, loop: str, cells, mm, style="小表格文字", split=False):
    """A bordered table: a header row, then one row per item of `loop`.

    cells: for each column, (text, align) or a callable(cell) that fills the cell.
    """
    table = doc.add_table(rows=4, cols=len(labels))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_row(table, labels)
    cell_text(table.rows[1].cells[0], f"{{%tr for {loop} %}}", style)
    for cell, spec in zip(table.rows[2].cells, cells):
        if callable(spec):
            spec(cell)
        else:
            text, align = spec
            cell_text(cell, text, style, align)
    if not split:
        no_split(table.rows[2])
    cell_text(table.rows[3].cells[0], "{%tr endfor %}", style)
    widths(table, mm)
    cell_margins(table, 1.2, top_mm=CELL_PAD_MM, bottom_mm=CELL_PAD_MM)
    tidy_table(table)
    return table


def report_styles(doc) -> None:
    """Styles of the reports and the notice on top of the GB/T 9704 ones."""
    paragraph_style(doc, "注释", FANGSONG, 12, line=1.6, space_before=2, space_after=4)
    paragraph_style(doc, "图例", FANGSONG, 10.5, indent=False, line=1.6, align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_after=6)
    paragraph_style(doc, "日期", FANGSONG, 16, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def signature_block(doc, unit: str, date: str, blank_lines: int = 2) -> None:
    """落款 (GB/T 9704 7.3.5.1): the date 4 characters in from the right, the unit centred over it.

    The date 2024年12月23日 is about 9 characters wide (7 and the space Word and LibreOffice put
    between Chinese and digits), so its centre lies 8.5 characters from the right edge; the unit
    is centred on the same point in a box reaching to the right edge (17 characters wide: a
    longer unit wraps inside that box, still centred over the date).
    """
    char = 16
    text = 156 / 25.4 * 72
    date_right = 4 * char
    centre = text - date_right - 4.5 * char
    unit_p = para(doc, unit, "落款", WD_ALIGN_PARAGRAPH.CENTER)
    unit_p.paragraph_format.left_indent = Pt(round(2 * centre - text, 1))
    unit_p.paragraph_format.right_indent = Pt(0)
    unit_p.paragraph_format.space_before = Pt(28.95 * blank_lines)
    keep_next(unit_p)
    date_p = para(doc, date, "日期", WD_ALIGN_PARAGRAPH.RIGHT)
    date_p.paragraph_format.right_indent = Pt(date_right)


# ---------------------------------------------------------------------------------------------
# 进度报告
# ---------------------------------------------------------------------------------------------

ROW_FILL = "'FDECEA' if task.flag_class == 'overdue' else ('FEF3E6' if task.flag_class == 'approaching' else 'FFFFFF')"
FLAG_COLOUR = ("{% if task.flag_class == 'overdue' %}" + RED + "{% elif task.flag_class == 'approaching' %}E36C09"
               "{% elif task.flag_class == 'done' %}2E7D32{% else %}000000{% endif %}")


def chart_table(doc, chart: str = "chart", label_mm: float = 32, value_mm: float = 16, pairs: bool = True) -> None:
    """A Chart{caption, bars, legend} as a table: label | 20 shaded cells | value, then the legend.

    pairs: a little air after every second bar (the 计划 and 实际 bars of one task).
    """
    para(doc, f"{{%p if {chart}.bars %}}", "题注")  # a table without rows is not a valid document
    caption = para(doc, f"{{{{ {chart}.caption }}}}", "题注")
    keep_next(caption)
    cols = 2 + 20
    table = doc.add_table(rows=6, cols=cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell_text(table.rows[0].cells[0], f"{{%tr for bar in {chart}.bars %}}", "图表文字")
    data = table.rows[1]
    label = cell_text(data.cells[0], "{{ bar.label }}", "图表文字", WD_ALIGN_PARAGRAPH.RIGHT)
    keep_next(label)
    for i in range(20):
        cell = data.cells[1 + i]
        cell_text(cell, f"{{% cellbg bar.cells[{i}] %}}", "图表文字")
    cell_text(data.cells[-1], "{{ bar.value }}", "图表文字", WD_ALIGN_PARAGRAPH.LEFT)
    cell_borders(data.cells[1], left=("single", 6, "000000"))
    data.height = Pt(12)
    data.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST  # a long label may take two lines
    no_split(data)
    if pairs:
        cell_text(table.rows[2].cells[0], "{%tr if loop.index is even and not loop.last %}", "图表文字")
        gap = table.rows[3]
        for cell in gap.cells:
            keep_next(cell_text(cell, "", "图表文字"))
        cell_borders(gap.cells[1], left=("single", 6, "000000"))
        exact_height(gap, 4)
        cell_text(table.rows[4].cells[0], "{%tr endif %}", "图表文字")
    else:
        for row in table.rows[2:5]:
            table._tbl.remove(row._tr)
    cell_text(table.rows[-1].cells[0], "{%tr endfor %}", "图表文字")
    track = (156 - label_mm - value_mm) / 20
    widths(table, [label_mm] + [track] * 20 + [value_mm])
    table_borders(table, top=None, left=None, bottom=None, right=None,
                  insideH=("single", 8, "FFFFFF"), insideV=None)
    cell_margins(table, 1.0)
    tidy_table(table)

    para(doc, f"{{%p if {chart}.legend %}}", "图例")
    legend = para(doc, "", "图例")
    legend.add_run(f"{{%r for item in {chart}.legend %}}")
    swatch = legend.add_run("\u3000\u3000")
    run_prop(swatch, "w:bdr", val="single", sz=4, space=0, color="666666")
    run_prop(swatch, "w:shd", val="clear", color="auto", fill="{{ item[0] }}")
    legend.add_run("\u2002{{ item[1] }}\u3000\u3000")
    legend.add_run("{%r endfor %}")
    para(doc, "{%p endif %}", "图例")
    para(doc, "{%p endif %}", "题注")


def build_progress() -> None:
    doc = base_document()
    report_styles(doc)
    para(doc, "{{ title }}", "文书标题")
    para(doc, "{{ subtitle }}", "副标题")
    para(doc, "{{ main_recipient }}", "主送")

    para(doc, "一、基本情况", "一级标题")
    para(doc, "项目编号：{{ code }}；项目类别：{{ category }}；申报党组织：{{ branch }}；项目负责人：{{ leader }}。")
    para(doc, "报告期：{{ period_label }}；统计日期：{{ stat_date }}；项目实施时间：{{ period }}。")
    para(doc, "{%p for line in summary %}")
    para(doc, "{% if loop.first %}本期进展：{% endif %}{{ line }}")
    para(doc, "{%p endfor %}")

    para(doc, "二、任务进展情况", "一级标题")
    centre = WD_ALIGN_PARAGRAPH.CENTER

    def shaded(text, align=None, **run):
        return lambda cell: cell_shaded_text(cell, text, ROW_FILL, "小表格文字", align, **run)

    loop_table(doc, ("序号", "任务内容", "责任人", "完成时限", "计划\n进度", "实际\n完成", "完成情况", "标记"),
               "task in tasks",
               (shaded("{{ task.seq }}", centre), shaded("{{ task.content }}"), shaded("{{ task.owner }}", centre),
                shaded("{{ task.deadline }}", centre), shaded("{{ task.planned }}", centre),
                shaded("{{ task.percent }}", centre), shaded("{{ task.status }}"),
                shaded("{{ task.flag }}", centre, font=HEITI, colour=FLAG_COLOUR)),
               [10, 34, 14, 24, 14, 14, 34, 12])
    chart_table(doc)

    para(doc, "三、总体完成情况", "一级标题")
    para_runs(doc, ["截至{{ stat_date }}，项目总体完成比例为", ("{{ completion }}", HEITI),
                    "（支部填报：{{ reported_completion }}）。"])
    para(doc, "计算方法：{{ completion_method }}", "注释")

    para(doc, "四、逾期及临近完成时限任务", "一级标题")
    para(doc, "（一）逾期任务", "二级标题")
    body_list(doc, "overdue", colour=RED)
    para(doc, "（二）临近完成时限任务", "二级标题")
    body_list(doc, "approaching", colour="B35400")
    para(doc, "五、存在问题", "一级标题")
    body_list(doc, "problems")
    para(doc, "六、下步计划", "一级标题")
    body_list(doc, "next_steps")
    signature_block(doc, "{{ branch }}", "{{ date }}")
    save(doc, "progress")


# ---------------------------------------------------------------------------------------------
# “四公开”公示
# ---------------------------------------------------------------------------------------------

def build_notice() -> None:
    doc = base_document()
    report_styles(doc)
    paragraph_style(doc, "公示表格文字", FANGSONG, 10.5, indent=False, line=1.4)
    paragraph_style(doc, "公示表格标签", HEITI, 10.5, indent=False, line=1.4, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, '{{ title_lines|join("\\n") }}', "文书标题")  # a line break in the value becomes <w:br/>
    para(doc, "{{ intro }}")
    style = "公示表格文字"

    def name(cell):
        cell_text(cell, "", style)
        add_run(cell.paragraphs[0], "{{ project.name }}", font=HEITI)
        by = para(cell, "负责人：{{ project.leader }}", style)
        by.paragraph_format.space_before = Pt(3)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP

    def lines(items):
        return lambda cell: cell_loop(cell, items, style)

    def top(text):
        def fill(cell):
            cell_text(cell, text, style)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        return fill

    table = loop_table(doc, ("序号", "项目名称", "项目内容", "目标任务", "完成\n进度", "实施效果"), "project in projects",
                       (("{{ project.seq }}", WD_ALIGN_PARAGRAPH.CENTER), name, lines("project.content"),
                        lines("project.objectives"), top("{{ project.progress }}"), lines("project.effect")),
                       [9, 19, 45, 31, 19, 33], style=style, split=True)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                if p.style.name == "小表格标签":
                    p.style = doc.styles["公示表格标签"]
        cell_margin(row.cells[0], 0.5)
    para(doc, "{{ period }}").paragraph_format.space_before = Pt(10)  # air after the table
    para(doc, "{{ objection }}")
    para(doc, "{%p for line in contacts %}")
    keep_next(para(doc, "{{ line }}"))  # the 落款 never stands alone on a page
    para(doc, "{%p endfor %}")
    signature_block(doc, "{{ signature }}", "{{ date }}", blank_lines=1)
    save(doc, "notice")


# ---------------------------------------------------------------------------------------------
# 荣誉证书
# ---------------------------------------------------------------------------------------------

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


def build_certificate() -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(CERT_MARGIN_X)
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
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

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
    tidy_table(table)
    para(doc, "{%p endfor %}", "证书分页")
    para(doc, "", "证书分页")  # the body ends with a paragraph, on the last certificate's page
    save(doc, "certificate")


# ---------------------------------------------------------------------------------------------
# 结题报告
# ---------------------------------------------------------------------------------------------

UNDONE_COLOUR = "{% if task.done %}000000{% else %}" + RED + "{% endif %}"


def build_closing_report() -> None:
    doc = base_document()
    report_styles(doc)
    para(doc, "{{ title }}", "文书标题")
    para(doc, "{{ subtitle }}", "副标题")
    para(doc, "{{ main_recipient }}", "主送")

    project_overview(doc)
    para(doc, "（一）目标任务", "二级标题")
    body_list(doc, "objectives", empty="未填报。")
    para(doc, "（二）主要措施", "二级标题")
    body_list(doc, "measures", empty="未填报。")

    para(doc, "二、任务完成情况", "一级标题")
    centre = WD_ALIGN_PARAGRAPH.CENTER

    def percent(cell):
        p = cell_text(cell, "", "小表格文字", centre)
        add_run(p, "{{ task.percent }}", colour=UNDONE_COLOUR)

    loop_table(doc, ("序号", "任务内容", "责任人", "起止时间", "预期目标", "完成\n比例", "完成情况"), "task in tasks",
               (("{{ task.seq }}", centre), ("{{ task.content }}", None), ("{{ task.owner }}", centre),
                ("{{ task.period }}", centre), ("{{ task.target }}", None), percent, ("{{ task.status }}", None)),
               [10, 33, 14, 21, 29, 13, 36])
    para(doc, "{{ finished }}").paragraph_format.space_before = Pt(6)

    para(doc, "三、进度历程", "一级标题")
    para(doc, "{%p if history %}")

    def overdue(cell):
        p = cell_text(cell, "", "小表格文字", centre)
        add_run(p, "{% if row.overdue %}{{ row.overdue }}项{% else %}无{% endif %}",
                colour="{% if row.overdue %}" + RED + "{% else %}000000{% endif %}")

    loop_table(doc, ("报告期", "统计日期", "总体完成\n比例", "支部\n填报", "逾期\n任务", "进展情况"), "row in history",
               (("{{ row.period }}", centre), ("{{ row.stat_date }}", centre), ("{{ row.completion }}", centre),
                ("{{ row.reported }}", centre), overdue, ("{{ row.summary }}", None)),
               [22, 24, 19, 16, 15, 60])
    para(doc, "{%p else %}")
    para(doc, "本项目未填报进度。")
    para(doc, "{%p endif %}")
    para(doc, "注：{{ completion_method }}", "注释")

    para(doc, "四、实施效果", "一级标题")
    body_loop(doc, "effect")
    para(doc, "群众满意率：{{ satisfaction }}；评价得分：{{ score }}；验收结论：{{ conclusion }}。")
    para(doc, '{%p if spent != "—" %}')
    para(doc, "经费使用：{{ spent }}。")
    para(doc, "{%p endif %}")

    para(doc, "五、评优资格", "一级标题")
    keep_next(para(doc, "{{ eligibility }}"))
    para(doc, "{%p if not eligible %}")
    para(doc, "{%p for reason in reasons %}")
    reason = para(doc, "")
    add_run(reason, "（{{ loop.index }}）{{ reason }}{% if loop.last %}。{% else %}；{% endif %}", colour=RED)
    keep_next(reason)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if at_risk %}")
    risk = para(doc, "")
    add_run(risk, "{{ at_risk }}", colour="B35400")
    keep_next(risk)
    para(doc, "{%p endif %}")
    signature_block(doc, "{{ branch }}", "{{ date }}", blank_lines=1)
    save(doc, "closing_report")


# ---------------------------------------------------------------------------------------------
# 年度汇总报告
# ---------------------------------------------------------------------------------------------

RANK_FILL = ("'FCEBD0' if row.selection == '突出贡献项目' else ('EEF3FA' if row.selection else 'FFFFFF')")


def numbered_list(doc, items: str) -> None:
    """1. item, 2. item … or 无。"""
    para(doc, f"{{%p if {items} %}}")
    para(doc, f"{{%p for line in {items} %}}")
    para(doc, "{{ loop.index }}. {{ line }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "无。")
    para(doc, "{%p endif %}")


def more_note(doc, name: str) -> None:
    """A note under a table or list that was cut short in a very large run (empty otherwise)."""
    para(doc, f"{{%p if {name} %}}", "注释")
    para(doc, f"{{{{ {name} }}}}", "注释")
    para(doc, "{%p endif %}", "注释")


def build_annual_report() -> None:
    doc = base_document()
    report_styles(doc)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "{{ title }}", "文书标题")
    para(doc, "{{ subtitle }}", "副标题")
    para(doc, "{{ main_recipient }}", "主送")

    para(doc, "一、总体情况", "一级标题")
    body_loop(doc, "overview")

    para(doc, "二、项目类别分布", "一级标题")
    para(doc, "{%p if categories %}")
    loop_table(doc, ("序号", "项目类别", "项目数\n（个）", "占比"), "row in categories",
               (("{{ loop.index }}", centre), ("{{ row.category }}", None), ("{{ row.count }}", centre),
                ("{{ row.share }}", centre)),
               [12, 53, 29, 23])
    chart_table(doc, "category_chart", label_mm=40, pairs=False)
    para(doc, "{%p else %}")
    para(doc, "无。")
    para(doc, "{%p endif %}")

    para(doc, "三、各党组织实施情况", "一级标题")
    para(doc, "{%p if branches %}")
    loop_table(doc, ("序号", "党组织", "项目数\n（个）", "全部完成\n任务（个）", "平均完成\n比例"), "row in branches",
               (("{{ loop.index }}", centre), ("{{ row.branch }}", None), ("{{ row.projects }}", centre),
                ("{{ row.finished }}", centre), ("{{ row.completion }}", centre)),
               [12, 74, 23, 24, 23])
    more_note(doc, "branches_more")
    # as the PDF does: no chart for more than 30 党组织 (the table above has the figures)
    para(doc, "{%p if show_branch_chart %}")
    chart_table(doc, "branch_chart", label_mm=60, pairs=False)
    para(doc, "{%p else %}", "注释")
    para(doc, "党组织较多，各党组织平均完成比例见上表，不再绘图。", "注释")
    para(doc, "{%p endif %}", "注释")
    para(doc, "{%p else %}")
    para(doc, "无。")
    para(doc, "{%p endif %}")

    para(doc, "四、评价得分排名", "一级标题")
    para(doc, "{{ selection_rule }}")
    para(doc, "{%p if ranking %}")

    def shaded(text, align=None):
        return lambda cell: cell_shaded_text(cell, text, RANK_FILL, "图表文字", align)

    ranking = loop_table(
        doc, ("名次", "项目编号", "项目名称", "党组织", "项目\n类别", "评价\n得分", "群众\n满意率", "完成\n比例", "验收\n结论",
              "入选情况"), "row in ranking",
        (shaded("{{ row.rank }}", centre), shaded("{{ row.code }}", WD_ALIGN_PARAGRAPH.LEFT),
         shaded("{{ row.name }}", WD_ALIGN_PARAGRAPH.LEFT), shaded("{{ row.branch }}", WD_ALIGN_PARAGRAPH.LEFT),
         shaded("{{ row.category }}", WD_ALIGN_PARAGRAPH.LEFT), shaded("{{ row.score }}", centre),
         shaded("{{ row.satisfaction }}", centre), shaded("{{ row.completion }}", centre),
         shaded("{{ row.conclusion }}", centre), shaded("{{ row.selection }}", centre)),
        [9, 23, 26, 24, 15, 9, 12, 12, 10, 16], style="图表文字")
    for cell in ranking.rows[0].cells:
        for p in cell.paragraphs:
            p.style = doc.styles["图表标签"]
    cell_margins(ranking, 0.8, top_mm=CELL_PAD_MM, bottom_mm=CELL_PAD_MM)
    tidy_table(ranking)
    more_note(doc, "ranking_more")
    chart_table(doc, "score_chart", label_mm=40, pairs=False)
    para(doc, "{%p else %}")
    para(doc, "无。")
    para(doc, "{%p endif %}")
    para(doc, "（一）跟踪实施名单", "二级标题")
    numbered_list(doc, "tracking")
    more_note(doc, "tracking_more")
    para(doc, "（二）突出贡献项目", "二级标题")
    numbered_list(doc, "outstanding")
    more_note(doc, "outstanding_more")
    para(doc, "{%p if notes %}", "二级标题")
    para(doc, "（三）有关说明", "二级标题")
    body_loop(doc, "notes")
    para(doc, "{%p endif %}")

    para(doc, "五、失去年度评优资格的项目", "一级标题")
    para(doc, "{{ eligibility_rule }}")
    para(doc, "{%p if lost %}")
    lost = loop_table(doc, ("序号", "项目编号", "项目名称", "党组织", "原因"), "row in lost",
                      (("{{ loop.index }}", centre), ("{{ row.code }}", None), ("{{ row.name }}", None),
                       ("{{ row.branch }}", None), ("{{ row.reasons }}", None)),
                      [11, 27, 36, 34, 48])
    keep_last_row_with_next(lost.rows[2])  # the 落款 never stands alone on a page
    more_note(doc, "lost_more")
    para(doc, "{%p else %}")
    keep_next(para(doc, "本年度所有项目均保留评优资格。"))
    para(doc, "{%p endif %}")
    para(doc, "{%p if at_risk %}")
    keep_next(para(doc, "{{ at_risk_intro }}"))
    para(doc, "{%p for line in at_risk %}")
    keep_next(para(doc, "{{ loop.index }}. {{ line }}"))
    para(doc, "{%p endfor %}")
    more_note(doc, "at_risk_more")
    para(doc, "{%p endif %}")
    signature_block(doc, "{{ signature }}", "{{ date }}", blank_lines=1)
    save(doc, "annual_report")


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LANG = '<w:lang w:val="zh-CN" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
# Placeholders: docgen writes each document's own title, organisation and time when it renders.
CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title></dc:title><dc:creator></dc:creator>'
        '<dc:language>zh-CN</dc:language></cp:coreProperties>')
APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
       '<Application>docgen</Application><DocSecurity>0</DocSecurity><Company></Company></Properties>')


def font_table() -> str:
    fonts = [f'<w:font w:name="{LATIN}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
             '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>']
    for name, alt, panose, family, pitch in FONT_TABLE:
        fonts.append(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
                     f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {W_NS}>{"".join(fonts)}</w:fonts>'


GANTT_NUM, GANTT_TASK, GANTT_MONTH = 9, 51, 8  # mm, as .gantt in the stylesheet
GANTT_MARK = 0.1  # mm: the width that marks the two {%tc %} cells in the grid


def gantt_grid(xml: bytes) -> bytes:
    """The Gantt table's grid and width as Jinja: one 8 mm column per month of the block."""
    mark, month = int(Mm(GANTT_MARK).twips), int(Mm(GANTT_MONTH).twips)
    fixed = int(Mm(GANTT_NUM).twips) + int(Mm(GANTT_TASK).twips)
    grid = f'<w:gridCol w:w="{mark}"/><w:gridCol w:w="{month}"/><w:gridCol w:w="{mark}"/>'.encode()
    if grid not in xml:
        return xml
    xml = xml.replace(grid, f'{{% for m in block.months %}}<w:gridCol w:w="{month}"/>{{% endfor %}}'.encode())
    width = f'<w:tblW w:w="{fixed + 2 * mark + month}" w:type="dxa"/>'.encode()
    return xml.replace(width, f'<w:tblW w:w="{{{{ {fixed} + {month} * block.months|length }}}}" w:type="dxa"/>'
                       .encode())


def clean_package(path: Path) -> None:
    """Chinese language tags, the fonts actually named, no leftovers of python-docx's default template."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    out = []
    for info, data in parts:
        name = info.filename
        if name == "docProps/thumbnail.jpeg":
            continue
        if name == "docProps/core.xml":
            data = CORE.encode()
        elif name == "docProps/app.xml":
            data = APP.encode()
        elif name == "word/fontTable.xml":
            data = font_table().encode()
        elif name in ("word/styles.xml", "word/stylesWithEffects.xml"):
            data = re.sub(rb"<w:lang [^>]*/>", LANG.encode(), data)
            # No extra space between Chinese and digits or Latin for any paragraph (see Normal).
            data = data.replace(b"<w:pPrDefault><w:pPr>", b'<w:pPrDefault><w:pPr><w:autoSpaceDE w:val="0"/>'
                                b'<w:autoSpaceDN w:val="0"/>')
        elif name == "word/document.xml":
            data = gantt_grid(data)
        elif name == "word/settings.xml":
            data = re.sub(rb"<w:themeFontLang [^>]*/>", b'<w:themeFontLang w:val="zh-CN" w:eastAsia="zh-CN"/>', data)
        elif name == "_rels/.rels":
            data = re.sub(rb'<Relationship [^>]*metadata/thumbnail"[^>]*/>', b"", data)
        elif name == "[Content_Types].xml":
            data = data.replace(b'<Default Extension="jpeg" ContentType="image/jpeg"/>', b"")
        out.append((info, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in out:
            archive.writestr(info, data)


def save(doc, kind: str) -> None:
    path = OUT / f"{kind}.docx"
    doc.save(path)
    clean_package(path)


if __name__ == "__main__":
    build_proposal()
    build_plan()
    build_progress()
    build_notice()
    build_certificate()
    build_closing_report()
    build_annual_report()
    print("written:", ", ".join(str(p.name) for p in sorted(OUT.glob("*.docx"))))
