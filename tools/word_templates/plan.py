"""The 计划书 template (templates/plan.docx): the task table and one Gantt chart per block of months."""
from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .common import base_document, body_loop, keep_next, par_prop, para, run_prop
from .package import GANTT_MARK, GANTT_MONTH, GANTT_NUM, GANTT_TASK
from .reports import project_overview, report_styles, signature_block
from .tables import cell_margin, cell_margins, cell_text, no_split, repeat_header, widths


def build():
    """The 计划书 template as a python-docx Document."""
    doc = base_document()
    report_styles(doc)
    para(doc, "{{ title|word_lines(20) }}", "文书标题")  # 20 characters of 二号 a line, broken between words
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
    values = ("{{ task.seq }}", "{{ task.content }}", "{{ task.owner }}", "{{ task.period|date_lines(7.2) }}",
              "{{ task.quality_standard }}", "{{ task.target }}")
    for i, (cell, text) in enumerate(zip(table.rows[2].cells, values)):
        centred = i in (0, 2, 3)
        cell_text(cell, text, "小表格文字", WD_ALIGN_PARAGRAPH.CENTER if centred else None)
    no_split(table.rows[2])
    cell_text(table.rows[3].cells[0], "{%tr endfor %}", "小表格文字")
    widths(table, [12, 42, 16, 31.6, 27.2, 27.2])  # 2025年10月31日 fits a line, as in the PDF

    para(doc, "{%p for block in gantt %}", "题注")
    para(doc, "任务进度安排（{{ block.caption }}）", "题注")
    # One column per month of the block, exactly the project's months: the month cells repeat
    # with docxtpl's {%tc %} and the table's grid and width follow (package.gantt_grid).
    gantt = doc.add_table(rows=4, cols=5)
    gantt.style = doc.styles["Table Grid"]
    gantt.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = gantt.rows[0].cells
    cell_text(head[0], "序号", "图表标签")
    cell_text(head[1], "任务", "图表标签")
    cell_text(head[2], "{%tc for m in block.months %}", "图表标签")
    month = cell_text(head[3], "", "图表标签")
    run_prop(month.add_run("{{ m }}"), "w:spacing", val="-4")  # 24.10 fits its 8 mm column (.gantt thead th)
    cell_margin(head[3], 0)
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
    body_loop(doc, "outcomes", keep_last=True)
    signature_block(doc, "{{ branch }}", "{{ date }}")
    return doc

