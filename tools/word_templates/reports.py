"""Blocks several Word templates share: report styles, 项目概况, lists, bar charts and the 落款."""
from __future__ import annotations

from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .common import (FANGSONG, add_run, base_document, body_loop, keep_last_two, keep_next, par_prop, para,
                     paragraph_style, run_prop)
from .tables import cell_borders, cell_margin, cell_margins, cell_text, exact_height, no_split, table_borders, widths


def report_styles(doc) -> None:
    """Styles of the reports and the notice on top of the GB/T 9704 ones."""
    paragraph_style(doc, "注释", FANGSONG, 12, line=1.6, space_before=2, space_after=4)
    paragraph_style(doc, "图例", FANGSONG, 10.5, indent=False, line=1.6, align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_after=6)
    paragraph_style(doc, "日期", FANGSONG, 16, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def report_document():
    """A report's document: the GB/T 9704 styles, the report ones, then its title, subtitle and 主送."""
    doc = base_document()
    report_styles(doc)
    para(doc, "{{ title|word_lines(20) }}", "文书标题")  # 20 characters of 二号 a line, broken between words
    para(doc, "{{ subtitle }}", "副标题")
    para(doc, "{{ main_recipient }}", "主送")
    return doc


def otherwise(doc, text: str, style="正文"):
    """The `{%p else %}` branch of a block: one paragraph of `text`, then `{%p endif %}`; returns that paragraph."""
    para(doc, "{%p else %}", style)
    shown = para(doc, text, style)
    para(doc, "{%p endif %}", style)
    return shown


def project_overview(doc) -> None:
    """一、项目概况: the ProjectFields sentences shared by the plan and the closing report."""
    para(doc, "一、项目概况", "一级标题")
    body_loop(doc, "profile")  # each sentence only when its values were given


def body_list(doc, items: str, style="正文", empty="无。", colour: str | None = None, keep_last: bool = False):
    """One paragraph per item, or `empty` when the list is empty; with keep_last, the last two paragraphs
    stay on the page of what follows."""
    para(doc, f"{{%p if {items} %}}", style)
    para(doc, f"{{%p for line in {items} %}}", style)
    p = para(doc, "", style)
    add_run(p, "{{ line }}", colour=colour)
    if keep_last:
        keep_last_two(p)
    para(doc, "{%p endfor %}", style)
    shown = otherwise(doc, empty, style)
    if keep_last:
        keep_next(shown)


UNIT_CENTRED = 17  # characters: a unit this long fits centred over the date, reaching the right edge
UNIT_LINE = 28  # characters a line of the text block


def signature_block(doc, unit: str, date: str) -> None:
    """落款 (GB/T 9704 7.3.5): the date 4 characters in from the right, the unit centred over it.

    The date 2024年12月23日 is about 9 characters wide, so its centre lies 8.5 characters from the right
    edge; a unit of up to 17 characters is centred on the same point in a box reaching to the right edge.
    A longer unit ends at the right edge and runs to the left, the date staying where it is; one longer
    than a line breaks between words (word_lines), as in the PDF.
    """
    char = 16
    text = 156 / 25.4 * 72
    date_right = 4 * char
    centre = text - date_right - 4.5 * char
    name = unit.strip("{} ")
    long = f"{name}|length > {UNIT_CENTRED}"
    unit_p = para(doc, f"{{{{ {name}|word_lines({UNIT_LINE}) }}}}", "落款", WD_ALIGN_PARAGRAPH.CENTER)
    unit_p.paragraph_format.left_indent = Pt(round(2 * centre - text, 1))
    unit_p.paragraph_format.right_indent = Pt(0)
    unit_p.paragraph_format.space_before = Pt(28.95)  # one blank line under the body, as .closing in the PDF
    indent = unit_p._p.pPr.find(qn("w:ind"))
    indent.set(qn("w:left"), f"{{% if {long} %}}0{{% else %}}{indent.get(qn('w:left'))}{{% endif %}}")
    par_prop(unit_p, "w:jc", val=f"{{% if {long} %}}right{{% else %}}center{{% endif %}}")
    keep_next(unit_p)
    date_p = para(doc, date, "日期", WD_ALIGN_PARAGRAPH.RIGHT)
    date_p.paragraph_format.right_indent = Pt(date_right)


BAR_HEIGHT = 9  # pt, as div.fill in the stylesheet


def bar_track(cell, track_mm: float) -> None:
    """The bar of one chart row: one paragraph shaded in the bar's colour, its right indent the unfilled part of
    the track, so the bar is a single block of colour at any zoom (20 shaded cells left seams between them)."""
    p = cell_text(cell, "", "图表文字", WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(BAR_HEIGHT)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    per_cent = Mm(track_mm).twips / 100
    # at 0 % the paragraph keeps a hair's width and no colour: Word lays out no paragraph narrower than that
    par_prop(p, "w:shd", val="clear", color="auto", fill="{{ bar.colour if bar.width > 0 else 'auto' }}")
    par_prop(p, "w:ind", left=0, right=f"{{{{ ((100 - [bar.width, 99]|min) * {per_cent:.2f})|round|int }}}}",
             firstLine=0)
    cell_margin(cell, 0, 0)
    cell_borders(cell, left=("single", 6, "000000"))


def chart_table(doc, chart: str = "chart", label_mm: float = 32, value_mm: float = 16, pairs: bool = True) -> None:
    """A Chart{caption, bars, legend} as a table: label | bar | value, then the legend.

    pairs: a little air after every second bar (the 计划 and 实际 bars of one task).
    """
    para(doc, f"{{%p if {chart}.bars %}}", "题注")  # a table without rows is not a valid document
    caption = para(doc, f"{{{{ {chart}.caption }}}}", "题注")
    keep_next(caption)
    table = doc.add_table(rows=6, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell_text(table.rows[0].cells[0], f"{{%tr for bar in {chart}.bars %}}", "图表文字")
    data = table.rows[1]
    label = cell_text(data.cells[0], "{{ bar.label }}", "图表文字", WD_ALIGN_PARAGRAPH.RIGHT)
    keep_next(label)
    track_mm = 156 - label_mm - value_mm
    bar_track(data.cells[1], track_mm)
    cell_text(data.cells[-1], "{{ bar.value }}", "图表文字", WD_ALIGN_PARAGRAPH.LEFT)
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
    widths(table, [label_mm, track_mm, value_mm])
    table_borders(table, top=None, left=None, bottom=None, right=None, insideH=None, insideV=None)
    cell_margins(table, 1.0)

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


PHOTO_MM = (72, 54)  # the box a photo is fitted into: two to a row across the 156 mm text width


def photo_section(doc, heading: str) -> None:
    """活动照片 when the project has any: two photos to a row, each above its caption and date; a row is
    never split over two pages."""
    para(doc, "{%p if photo_rows %}")
    keep_next(para(doc, heading, "一级标题"))
    table = doc.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell_text(table.rows[0].cells[0], "{%tr for row in photo_rows %}", "小表格文字")
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for cell, side in zip(table.rows[1].cells, ("left", "right")):
        image = cell_text(cell, "{% if row." + side + " %}{{ row." + side + ".image|picture("
                          + ", ".join(map(str, PHOTO_MM)) + ") }}{% endif %}", "小表格文字", centre)
        image.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would cut it
        keep_next(image)
        cell.add_paragraph(style="小表格文字")
        caption = cell.paragraphs[-1]
        caption.alignment = centre
        add_run(caption, "{% if row." + side + " %}{{ row." + side + ".caption }}{% if row." + side
                + ".date %}（{{ row." + side + ".date }}）{% endif %}{% endif %}")
    no_split(table.rows[1])
    cell_text(table.rows[2].cells[0], "{%tr endfor %}", "小表格文字")
    table_borders(table, top=None, bottom=None, left=None, right=None, insideH=None, insideV=None)
    widths(table, [78, 78])
    cell_margins(table, 1.5, top_mm=1, bottom_mm=3)
    para(doc, "{%p endif %}")
