"""The “四公开”公示 template (templates/notice.docx): one table row per project of a 党组织."""
from __future__ import annotations

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .common import FANGSONG, HEITI, add_run, base_document, keep_next, para, paragraph_style
from .reports import report_styles, signature_block
from .tables import cell_loop, cell_margin, cell_text, loop_table

def build():
    """The “四公开”公示 template as a python-docx Document."""
    doc = base_document()
    report_styles(doc)
    paragraph_style(doc, "公示表格文字", FANGSONG, 10.5, indent=False, line=1.4)
    paragraph_style(doc, "公示表格标签", HEITI, 10.5, indent=False, line=1.4, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, '{{ title_lines|join("\\n") }}', "文书标题")  # a line break in the value becomes <w:br/>
    para(doc, "{{ intro }}")
    style = "公示表格文字"

    def name(cell):
        cell_text(cell, "", style)
        add_run(cell.paragraphs[0], "{{ project.name|word_lines(5) }}", font=HEITI)  # breaks between words
        by = para(cell, "负责人：\n{{ project.leader }}", style)  # the name whole on a line of its own
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
                        lines("project.objectives"), top("{{ project.progress|date_lines(8) }}"), lines("project.effect")),
                       [9, 23.4, 35, 27, 33, 28.6], style=style, split=True)  # 2025年12月31日， fits 完成进度
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
    signature_block(doc, "{{ signature }}", "{{ date }}")
    return doc

