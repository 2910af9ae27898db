"""The 立项表 template (templates/proposal.docx): a four-column form in 五号, with the two opinion boxes."""
from __future__ import annotations

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from .common import FANGSONG, HEITI, base_document, keep_next, para, paragraph_style
from .tables import cell_loop, cell_margins, cell_text, no_split, widths

OPINION_HEIGHT = 36  # mm: 党支部意见 and 党委审批意见, as .form td.opinion in the stylesheet
CELL_SIDE_MM = 4 / 72 * 25.4  # 4 pt left and right of a cell's text, as .form td's padding


def build():
    """The 立项表 template as a python-docx Document."""
    doc = base_document()
    para(doc, "{{ title }}", "文书标题")
    # 项目编号 and its value on one line: after a long branch name (beyond 15 characters the line is full),
    # on a line of their own, still at the right edge.
    meta = para(doc, "申报党组织（盖章）：{{ branch }}", "表格文字")
    meta.add_run('{{ "\\n" if branch|length > 15 else "" }}')
    meta.add_run("\t项目编号：{{ code }}")
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

    def only_if(condition, add):
        """The rows `add` makes, shown only when `condition` holds (a form leaves out a field not given)."""
        cell_text(table.add_row().cells[0], f"{{%tr if {condition} %}}", "表单文字")
        add()
        cell_text(table.add_row().cells[0], "{%tr endif %}", "表单文字")

    def pair_row(a, av, b, bv):
        row = table.add_row()
        no_split(row)
        c = row.cells
        cell_text(c[0], a, "表单标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[1], av, "表单文字")
        cell_text(c[2], b, "表单标签", WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(c[3], bv, "表单文字")

    full_row("项目名称", "{{ name|word_lines(33) }}")  # names break between words
    pair_row("申报党组织", "{{ branch|word_lines(12) }}", "项目类别", "{{ category }}")
    only_if('lead_unit != "—" or practice_units != "—"',
            lambda: pair_row("牵头单位", "{{ lead_unit|word_lines(12) }}", "重点实践单位", "{{ practice_units|word_lines(12) }}"))
    pair_row("项目负责人", "{{ leader }}", "联系电话", "{{ phone }}")
    full_row("项目成员", "{{ members }}")
    full_row("起止时间", "{{ period }}")
    only_if("date", lambda: full_row("立项日期", "{{ date }}"))  # only a 立项日期 the workbook gives
    for name, var in (("经费预算", "budget"), ("项目口号", "slogan"), ("关联中心工作", "central_work")):
        only_if(f'{var} != "—"', lambda name=name, var=var: full_row(name, "{{ " + var + " }}"))
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
        table.rows[-1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST  # an opinion typed in longer grows the box
        first = cell.paragraphs[0]
        first.style = "表单文字"
        for _ in range(3):
            cell.add_paragraph(style="表单文字")
        para(cell, signer, "表单文字", WD_ALIGN_PARAGRAPH.RIGHT)
        para(cell, "年　　月　　日", "表单文字", WD_ALIGN_PARAGRAPH.RIGHT)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    widths(table, [label, (text_width - 2 * label) / 2, label, (text_width - 2 * label) / 2])
    cell_margins(table, CELL_SIDE_MM)  # none above or below: the rows as tall as in the PDF
    return doc

