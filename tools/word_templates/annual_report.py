"""The 年度汇总报告 template (templates/annual_report.docx): distributions, ranking and the lost eligibility."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .common import FANGSONG, HEITI, body_loop, keep_next, para, paragraph_style
from .reports import chart_table, otherwise, report_document, signature_block
from .tables import CELL_PAD_MM, cell_margins, keep_last_row_with_next, loop_table


# Column widths as the stylesheet's (.ranking and .lost col, shares of the 156 mm text width).
RANKING_MM = [8.6, 21.1, 28.1, 25.7, 14, 9.4, 12.5, 12.5, 9.4, 14.7]
LOST_MM = [10.9, 25, 37.4, 34.3, 48.4]


def room(column_mm: float, margin_mm: float, size_pt: float) -> float:
    """Characters of size_pt a line of a column holds between its cell margins (word_lines' room), rounded down
    to a tenth."""
    return int((column_mm - 2 * margin_mm) / 25.4 * 72 / size_pt * 10) / 10


def numbered_list(doc, items: str) -> None:
    """1. item, 2. item … or 无。"""
    para(doc, f"{{%p if {items} %}}")
    para(doc, f"{{%p for line in {items} %}}")
    para(doc, "{{ loop.index }}. {{ line }}")
    para(doc, "{%p endfor %}")
    otherwise(doc, "无。")


def more_note(doc, name: str) -> None:
    """A note under a table or list that was cut short in a very large run (empty otherwise)."""
    para(doc, f"{{%p if {name} %}}", "注释")
    para(doc, f"{{{{ {name} }}}}", "注释")
    para(doc, "{%p endif %}", "注释")


def build():
    """The 年度汇总报告 template as a python-docx Document."""
    doc = report_document()
    centre = WD_ALIGN_PARAGRAPH.CENTER
    # The ranking's 小五 (9 pt) at 1.4 lines, as .ranking th/td: a long name takes as many lines as in the PDF.
    paragraph_style(doc, "排名文字", FANGSONG, 9, indent=False, line=1.4)
    paragraph_style(doc, "排名标签", HEITI, 9, indent=False, line=1.4, align=centre)

    para(doc, "一、总体情况", "一级标题")
    body_loop(doc, "overview")

    para(doc, "二、项目类别分布", "一级标题")
    para(doc, "{%p if categories %}")
    loop_table(doc, ("序号", "项目类别", "项目数\n（个）", "占比"), "row in categories",
               (("{{ loop.index }}", centre), ("{{ row.category }}", None), ("{{ row.count }}", centre),
                ("{{ row.share }}", centre)),
               [12, 53, 29, 23])
    chart_table(doc, "category_chart", label_mm=40, pairs=False)
    otherwise(doc, "无。")

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
    para(doc, "{%p endif %}")
    otherwise(doc, "无。")

    para(doc, "四、评价得分排名", "一级标题")
    para(doc, "{{ selection_rule }}")
    para(doc, "{%p if ranking %}")

    # The 入选情况 column says it in words; rows are not tinted (a tint prints grey on an office printer).
    ranking = loop_table(
        doc, ("名次", "项目编号", "项目名称", "党组织", "项目\n类别", "评价\n得分", "群众\n满意率", "完成\n比例", "验收\n结论",
              "入选情况"), "row in ranking",
        (("{{ row.rank }}", centre), ("{{ row.code }}", WD_ALIGN_PARAGRAPH.LEFT),
         ("{{ row.name|word_lines(%s) }}" % room(RANKING_MM[2], 0.8, 9), WD_ALIGN_PARAGRAPH.LEFT),
         ("{{ row.branch|word_lines(%s) }}" % room(RANKING_MM[3], 0.8, 9), WD_ALIGN_PARAGRAPH.LEFT),
         ("{{ row.category|word_lines(%s) }}" % room(RANKING_MM[4], 0.8, 9), WD_ALIGN_PARAGRAPH.LEFT), ("{{ row.score }}", centre),
         ("{{ row.satisfaction }}", centre), ("{{ row.completion }}", centre),
         ("{{ row.conclusion }}", centre), ("{{ row.selection }}", centre)),
        RANKING_MM, style="排名文字")
    for cell in ranking.rows[0].cells:
        for p in cell.paragraphs:
            p.style = doc.styles["排名标签"]
    cell_margins(ranking, 0.8, top_mm=CELL_PAD_MM, bottom_mm=CELL_PAD_MM)
    more_note(doc, "ranking_more")
    chart_table(doc, "score_chart", label_mm=40, pairs=False)
    otherwise(doc, "无。")
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

    para(doc, "五、年度评优资格", "一级标题")
    para(doc, "{{ eligibility_rule }}")
    para(doc, "{%p if lost %}")
    lost = loop_table(doc, ("序号", "项目编号", "项目名称", "党组织", "原因"), "row in lost",
                      (("{{ loop.index }}", centre), ("{{ row.code }}", None), ("{{ row.name|word_lines(%s) }}" % room(LOST_MM[2], 1.2, 10.5), None),
                       ("{{ row.branch|word_lines(%s) }}" % room(LOST_MM[3], 1.2, 10.5), None), ("{{ row.reasons }}", None)),
                      LOST_MM)
    keep_last_row_with_next(lost.rows[2])  # the 落款 never stands alone on a page
    more_note(doc, "lost_more")
    keep_next(otherwise(doc, "本年度所有项目均具备评优资格。"))
    para(doc, "{%p if at_risk %}")
    keep_next(para(doc, "{{ at_risk_intro }}"))
    para(doc, "{%p for line in at_risk %}")
    keep_next(para(doc, "{{ loop.index }}. {{ line }}"))
    para(doc, "{%p endfor %}")
    more_note(doc, "at_risk_more")
    para(doc, "{%p endif %}")
    signature_block(doc, "{{ signature }}", "{{ date }}")
    return doc

