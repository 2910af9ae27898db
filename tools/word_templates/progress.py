"""The 进度报告 template (templates/progress.docx): flagged task rows and the 计划/实际 bar chart."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .common import HEITI, RED, para, para_runs
from .reports import body_list, chart_table, photo_section, report_document, signature_block
from .tables import cell_shaded_text, loop_table

ROW_FILL = "'FDECEA' if task.flag_class == 'overdue' else ('FEF3E6' if task.flag_class == 'approaching' else 'FFFFFF')"
FLAG_COLOUR = ("{% if task.flag_class == 'overdue' %}" + RED + "{% elif task.flag_class == 'approaching' %}E36C09"
               "{% elif task.flag_class == 'done' %}2E7D32{% else %}000000{% endif %}")


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

    def shaded(text, align=None, **run):
        return lambda cell: cell_shaded_text(cell, text, ROW_FILL, "小表格文字", align, **run)

    loop_table(doc, ("序号", "任务内容", "责任人", "完成时限", "计划\n进度", "实际\n完成", "完成情况", "标记"),
               "task in tasks",
               (shaded("{{ task.seq }}", centre), shaded("{{ task.content }}"), shaded("{{ task.owner }}", centre),
                shaded("{{ task.deadline|date_lines(7.2) }}", centre), shaded("{{ task.planned }}", centre),
                shaded("{{ task.percent }}", centre), shaded("{{ task.status }}"),
                shaded("{{ task.flag }}", centre, font=HEITI, colour=FLAG_COLOUR)),
               [9.4, 31.2, 14, 30, 14, 14, 32.4, 11])  # as the stylesheet's .progress-tasks
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
    body_list(doc, "next_steps", keep_last=True)
    photo_section(doc, "七、活动照片")
    signature_block(doc, "{{ branch }}", "{{ date }}")
    return doc

