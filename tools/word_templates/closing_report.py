"""The 结题报告 template (templates/closing_report.docx): tasks, progress history, effect, eligibility."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .common import RED, add_run, body_loop, keep_next, para
from .reports import body_list, otherwise, photo_section, project_overview, report_document, signature_block
from .tables import cell_text, loop_table

UNDONE_COLOUR = "{% if task.done %}000000{% else %}" + RED + "{% endif %}"


def build():
    """The 结题报告 template as a python-docx Document."""
    doc = report_document()

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
                ("{{ task.period|date_lines(7.2) }}", centre), ("{{ task.target }}", None), percent, ("{{ task.status }}", None)),
               [9.4, 28.1, 14, 30, 29.6, 12.5, 32.4])  # as the stylesheet's .closing-tasks
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
    otherwise(doc, "本项目未填报进度。")
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
    photo_section(doc, "六、活动照片")
    signature_block(doc, "{{ branch }}", "{{ date }}", blank_lines=1)
    return doc

