"""The 结题报告 template (templates/closing_report.docx): tasks, progress history, effect."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .common import body_loop, para
from .reports import body_list, otherwise, photo_section, project_overview, report_document, signature_block
from .tables import cell_text, loop_table


def build():
    """The 结题报告 template as a python-docx Document."""
    doc = report_document()

    project_overview(doc)
    para(doc, "（一）目标任务", "二级标题")
    body_list(doc, "objectives")
    para(doc, "（二）主要措施", "二级标题")
    body_list(doc, "measures")

    para(doc, "二、任务完成情况", "一级标题")
    centre = WD_ALIGN_PARAGRAPH.CENTER

    loop_table(doc, ("序号", "任务内容", "责任人", "起止时间", "预期目标", "完成\n比例", "完成情况"), "task in tasks",
               (("{{ task.seq }}", centre), ("{{ task.content }}", None), ("{{ task.owner }}", centre),
                ("{{ task.period|date_lines(7.2) }}", centre), ("{{ task.target }}", None), ("{{ task.percent }}", centre),
                ("{{ task.status }}", None)),
               [9.4, 28.1, 14, 30, 29.6, 12.5, 32.4])  # as the stylesheet's .closing-tasks
    para(doc, "{{ finished }}").paragraph_format.space_before = Pt(6)

    para(doc, "三、进度历程", "一级标题")
    para(doc, "{%p if history %}")

    loop_table(doc, ("报告期", "统计日期", "总体完成\n比例", "逾期\n任务", "进展情况"), "row in history",
               (("{{ row.period }}", centre), ("{{ row.stat_date|date_lines(7.2) }}", centre), ("{{ row.completion }}", centre),
                ("{% if row.overdue %}{{ row.overdue }}项{% else %}无{% endif %}", centre),
                ("{{ row.summary }}", None)),
               [22, 30, 19, 15, 70])  # as the stylesheet's .history: 2024年11月30日 fits its column
    otherwise(doc, "无。")

    para(doc, "四、实施效果", "一级标题")
    body_loop(doc, "effect")
    para(doc, "{%p if figures %}")
    para(doc, "{{ figures }}")
    para(doc, "{%p endif %}")
    para(doc, '{%p if spent != "—" %}')
    para(doc, "经费使用：{{ spent }}。")
    para(doc, "{%p endif %}")
    para(doc, '{%p if not effect and not figures and spent == "—" %}')
    para(doc, "无。")
    para(doc, "{%p endif %}")

    photo_section(doc, "五、活动照片")
    signature_block(doc, "{{ branch }}", "{{ date }}")
    return doc

