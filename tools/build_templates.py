"""Write templates/proposal.docx and templates/plan.docx with python-docx.

The Word templates are ordinary documents a clerk can open and edit; this script is
how they were first laid out (named styles with eastAsia fonts, GB/T 9704 page set-up,
docxtpl tags in whole runs). Run it again after changing the layout here:

    .venv/bin/python tools/build_templates.py
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates"

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"
LINE = Pt(28.95)


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
                    space_before=0, space_after=0, snap=False, keep=False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    set_fonts(style, east_asia, size, bold)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = Pt(size * 2) if indent else Pt(0)
    if isinstance(line, float):
        fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        fmt.line_spacing = line
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
    section.footer_distance = Mm(28)
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

    paragraph_style(doc, "Normal", FANGSONG, 16, snap=True)
    paragraph_style(doc, "文书标题", XIAOBIAOSONG, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                    line=Pt(36), space_after=28.95)
    paragraph_style(doc, "副标题", KAITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=14)
    paragraph_style(doc, "一级标题", HEITI, 16, snap=True, keep=True)
    paragraph_style(doc, "二级标题", KAITI, 16, snap=True, keep=True)
    paragraph_style(doc, "正文", FANGSONG, 16, snap=True)
    paragraph_style(doc, "表格文字", FANGSONG, 12, indent=False, line=1.3)
    paragraph_style(doc, "表格段落", FANGSONG, 12, indent=True, line=1.3)
    paragraph_style(doc, "表格标签", HEITI, 12, indent=False, line=1.3, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "小表格文字", FANGSONG, 10.5, indent=False, line=1.2)
    paragraph_style(doc, "小表格标签", HEITI, 10.5, indent=False, line=1.2, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表文字", FANGSONG, 9, indent=False, line=1.1, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表标签", HEITI, 9, indent=False, line=1.1, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "题注", FANGSONG, 12, indent=False, line=1.8, align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_before=8, keep=True)
    paragraph_style(doc, "落款", FANGSONG, 16, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, space_before=28.95)
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


def build_proposal() -> None:
    doc = base_document()
    para(doc, "{{ title }}", "文书标题")
    meta = para(doc, "申报党组织（盖章）：{{ branch }}\t项目编号：{{ code }}", "表格文字")
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right tab at the text edge
    meta.paragraph_format.space_after = Pt(4)
    text_width = 156
    label = 29
    table = doc.add_table(rows=0, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def full_row(name, value=None, loop=None, height=None):
        row = table.add_row()
        no_split(row) if loop is None else None
        cells = row.cells
        cell_text(cells[0], name, "表格标签", WD_ALIGN_PARAGRAPH.CENTER)
        merged = cells[1].merge(cells[3])
        if loop:
            cell_loop(merged, loop)
        elif value is not None:
            cell_text(merged, value)
        if height:
            row.height = Mm(height)
        return merged

    def pair_row(a, av, b, bv):
        row = table.add_row()
        no_split(row)
        c = row.cells
        cell_text(c[0], a, "表格标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[1], av)
        cell_text(c[2], b, "表格标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[3], bv)

    full_row("项目名称", "{{ name }}")
    pair_row("申报党组织", "{{ branch }}", "项目类别", "{{ category }}")
    pair_row("牵头单位", "{{ lead_unit }}", "重点实践单位", "{{ practice_units }}")
    pair_row("项目负责人", "{{ leader }}", "联系电话", "{{ phone }}")
    full_row("项目成员", "{{ members }}")
    full_row("起止时间", "{{ period }}")
    full_row("项目口号", "{{ slogan }}")
    full_row("关联中心工作", "{{ central_work }}")
    full_row("立项背景", loop="background")
    full_row("目标任务", loop="objectives")
    full_row("主要措施", loop="measures")
    full_row("预期成效", loop="outcomes")
    tasks = full_row("任务安排")
    p = tasks.paragraphs[0]
    p.style = "表格文字"
    p.add_run("{%p for task in tasks %}")
    tasks.add_paragraph(style="表格文字").add_run("{{ task.seq }}. {{ task.content }}（责任人：{{ task.owner }}；完成时限：{{ task.deadline }}）")
    tasks.add_paragraph(style="表格文字").add_run("{%p endfor %}")
    tasks.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for name, signer in (("党支部意见", "党支部书记（签字）：　　　　　　（盖章）"),
                         ("党委审批意见", "{{ party_committee }}（盖章）")):
        cell = full_row(name, height=48)
        table.rows[-1].height_rule = 2  # at least
        no_split(table.rows[-1])
        first = cell.paragraphs[0]
        first.style = "表格文字"
        for _ in range(3):
            cell.add_paragraph(style="表格文字")
        para(cell, signer, "表格文字", WD_ALIGN_PARAGRAPH.RIGHT)
        para(cell, "年　　月　　日", "表格文字", WD_ALIGN_PARAGRAPH.RIGHT)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    widths(table, [label, (text_width - 2 * label) / 2, label, (text_width - 2 * label) / 2])
    doc.core_properties.title = "党建项目立项表"
    doc.core_properties.author = "docgen"
    doc.save(OUT / "proposal.docx")


def build_plan() -> None:
    doc = base_document()
    para(doc, "{{ title }}", "文书标题")
    para(doc, "{{ subtitle }}", "副标题")
    para(doc, "一、项目概况", "一级标题")
    para(doc, "项目编号：{{ code }}；项目类别：{{ category }}；申报党组织：{{ branch }}。")
    para(doc, "项目负责人：{{ leader }}（联系电话：{{ phone }}）；项目成员：{{ members }}。")
    para(doc, "牵头单位：{{ lead_unit }}；重点实践单位：{{ practice_units }}。")
    para(doc, "实施时间：{{ period }}。项目口号：{{ slogan }}。关联中心工作：{{ central_work }}。")
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
    widths(table, [10, 44, 16, 24, 31, 31])

    para(doc, "{%p for block in gantt %}", "题注")
    para(doc, "任务进度安排（{{ block.caption }}）", "题注")
    gantt = doc.add_table(rows=4, cols=14)
    gantt.style = doc.styles["Table Grid"]
    gantt.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = gantt.rows[0].cells
    cell_text(head[0], "序号", "图表标签")
    cell_text(head[1], "任务", "图表标签")
    for i in range(12):
        cell_text(head[2 + i], f"{{{{ block.months[{i}] }}}}", "图表标签")
    repeat_header(gantt.rows[0])
    cell_text(gantt.rows[1].cells[0], "{%tr for row in block.rows %}", "图表文字")
    data = gantt.rows[2].cells
    cell_text(data[0], "{{ row.seq }}", "图表文字")
    cell_text(data[1], "{{ row.content }}", "图表文字", WD_ALIGN_PARAGRAPH.LEFT)
    for i in range(12):
        cell_text(data[2 + i], f"{{% cellbg row.cells[{i}] %}}", "图表文字")
    no_split(gantt.rows[2])
    cell_text(gantt.rows[3].cells[0], "{%tr endfor %}", "图表文字")
    widths(gantt, [9, 51] + [8] * 12)
    para(doc, "{%p endfor %}", "题注")

    para(doc, "四、主要措施", "一级标题")
    body_loop(doc, "measures")
    para(doc, "五、预期成效", "一级标题")
    body_loop(doc, "outcomes")
    sign = para(doc, "{{ branch }}", "落款")
    sign.paragraph_format.right_indent = Pt(64)
    doc.core_properties.title = "党建项目计划书"
    doc.core_properties.author = "docgen"
    doc.save(OUT / "plan.docx")


if __name__ == "__main__":
    build_proposal()
    build_plan()
    print("written:", ", ".join(str(p.name) for p in sorted(OUT.glob("*.docx"))))
