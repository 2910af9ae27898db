"""The 进度报告 template (templates/progress.docx): flagged task rows and the 计划/实际 bar chart."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .common import HEITI, add_run, para, para_runs
from .reports import body_list, chart_table, photo_section, report_document, signature_block
from .tables import cell_text, loop_table



def build():
    """The 进度报告 template as a python-docx Document."""
    doc = report_document()

    para(doc, "一、基本情况", "一级标题")
    para(doc, "项目编号：{{ code }}；项目类别：{{ category }}；申报党组织：{{ branch }}；项目负责人：{{ leader }}。")
    para(doc, "报告期：{{ period_label }}；统计日期：{{ stat_date }}；项目实施时间：{{ period }}。")
    para(doc, "{%p for line in summary %}")
    para(doc, "{% if loop.first %}本期进展：{% endif %}{{ line }}")
    para(doc, "{%p endfor %}")

    para(doc, "二、任务进展情况", "一级标题")
    centre = WD_ALIGN_PARAGRAPH.CENTER

    def flag(cell):  # a flag is a word in black bold, as the PDF's td.flag (official text prints black)
        p = cell_text(cell, "", "小表格文字", centre)
        add_run(p, "{{ task.flag }}", font=HEITI, bold=True)

    loop_table(doc, ("序号", "任务内容", "责任人", "完成时限", "计划\n进度", "实际\n完成", "完成情况", "标记"),
               "task in tasks",
               (("{{ task.seq }}", centre), ("{{ task.content }}", None), ("{{ task.owner }}", centre),
                ("{{ task.deadline|date_lines(7.2) }}", centre), ("{{ task.planned }}", centre),
                ("{{ task.percent }}", centre), ("{{ task.status }}", None), flag),
               [9.4, 31.2, 14, 30, 14, 14, 32.4, 11])  # as the stylesheet's .progress-tasks
    chart_table(doc)

    para(doc, "三、总体完成情况", "一级标题")
    para_runs(doc, ["截至{{ stat_date }}，项目总体完成比例为", ("{{ completion }}", HEITI), "。"])

    para(doc, "四、逾期及临近完成时限任务", "一级标题")
    para(doc, "（一）逾期任务", "二级标题")
    body_list(doc, "overdue")
    para(doc, "（二）临近完成时限任务", "二级标题")
    body_list(doc, "approaching")
    para(doc, "五、存在问题", "一级标题")
    body_list(doc, "problems")
    para(doc, "六、下步计划", "一级标题")
    body_list(doc, "next_steps", keep_last=True)
    photo_section(doc, "七、活动照片")
    signature_block(doc, "{{ branch }}", "{{ date }}")
    return doc

