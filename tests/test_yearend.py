"""The year end across workbooks: ranking and selection with ties, the 台账, code clashes, `docgen report`."""
from __future__ import annotations

import datetime as dt
import zipfile

from click.testing import CliRunner
from openpyxl import load_workbook

from textof import docx_paragraphs, pdf_pages, squeeze
from builder import full_book, progress_row, project_row, result_row, task_row
from docgen import api
from docgen.cli import main
from docgen.config import AssessmentRules, Config
from docgen.documents import Options
from docgen.documents.annual_report import build_context, year_end
from docgen.documents.assessment import share_count

from conftest import CONFIG


def company(tmp_path, scores, name="book.xlsx", prefix="DJ-2024-", satisfaction=95, unfinished=()):
    """One workbook, one project per score, each finished (unless listed in unfinished) with that score."""
    codes = [f"{prefix}{i:03d}" for i in range(1, len(scores) + 1)]
    projects = [project_row(code, **{"项目名称*": f"项目{code[-3:]}", "申报党组织*": f"第{i % 2 + 1}党支部"})
                for i, code in enumerate(codes)]
    tasks = [task_row(code, seq=1) for code in codes]
    progress = [progress_row(code, period="2024年第4季度", task=1, percent=90 if code in unfinished else 100,
                             **{"统计日期*": dt.date(2024, 12, 20)}) for code in codes]
    results = [result_row(code, satisfaction=satisfaction, score=score) for code, score in zip(codes, scores)]
    return full_book(projects=projects, tasks=tasks, progress=progress, results=results, awards=[]).save(tmp_path / name)


def selection_of(tmp_path, scores, rules=AssessmentRules(), **kwargs):
    intake, report = api.load(company(tmp_path, scores, **kwargs))
    assert report.ok, [str(i) for i in report.issues]
    data = year_end([intake], Config(assessment=rules))
    return data, data.selection


def picked(ranked):
    return [r.assessment.project.code[-3:] for r in ranked]


def test_share_count_rounds_up_and_tolerates_float_shares():
    assert share_count(5, 0.5) == 3
    assert share_count(6, 1 / 3) == 2
    assert share_count(3, 0.3333) == 1
    assert share_count(0, 0.5) == 0


def test_ranking_without_ties(tmp_path):
    _, selection = selection_of(tmp_path, [80, 95, 70, 90, 85, 60])
    assert [r.rank for r in selection.ranked] == [1, 2, 3, 4, 5, 6]
    assert picked(selection.ranked) == ["002", "004", "005", "001", "003", "006"]
    assert picked(selection.tracking) == ["002", "004", "005"]
    assert picked(selection.outstanding) == ["002"]
    assert selection.notes == []


def test_a_tie_at_the_boundary_takes_in_every_tied_project_and_says_so(tmp_path):
    _, selection = selection_of(tmp_path, [95, 90, 88, 88, 80, 70])
    assert [r.rank for r in selection.ranked] == [1, 2, 3, 3, 5, 6]
    assert picked(selection.tracking) == ["001", "002", "003", "004"]
    assert "因第3名得分并列，实取4个" in selection.notes[0]
    # one third of the four tracked, rounded up: two
    assert picked(selection.outstanding) == ["001", "002"]


def test_a_tie_among_outstanding_projects(tmp_path):
    _, selection = selection_of(tmp_path, [95, 95, 95, 80, 70, 60])
    assert picked(selection.tracking) == ["001", "002", "003"]
    assert picked(selection.outstanding) == ["001", "002", "003"]
    assert any("突出贡献项目应取1个，因得分并列，实取3个" in n for n in selection.notes)


def test_ineligible_projects_stay_ranked_but_are_not_outstanding(tmp_path):
    _, selection = selection_of(tmp_path, [95, 90, 85, 80], unfinished=("DJ-2024-001",))
    assert picked(selection.tracking) == ["001", "002"]
    assert picked(selection.outstanding) == ["002"]
    assert any("失去年度评优资格，不参评突出贡献项目" in n for n in selection.notes)


def test_ratios_come_from_the_configuration(tmp_path):
    rules = AssessmentRules(tracking_share=1.0, outstanding_share=0.5)
    _, selection = selection_of(tmp_path, [95, 90, 85, 80], rules=rules)
    assert len(selection.tracking) == 4 and len(selection.outstanding) == 2


def test_annual_report_counts_and_states_the_rule(tmp_path):
    data, _ = selection_of(tmp_path, [95, 90, 88, 88, 80, 70], satisfaction=79, unfinished=("DJ-2024-006",))
    context = build_context(data, CONFIG, Options(date=dt.date(2024, 12, 30)))
    assert context.title == "2024年度党建项目化管理工作汇总报告"
    assert context.overview[0] == "2024年度，共有2个党组织实施党建项目6个（汇总自1份申报表）。"
    assert "5个项目全部完成计划任务，项目完成率83.3%" in context.overview[1]
    assert "平均79%" in context.overview[2] and "平均85.2分" in context.overview[2]
    assert len(context.lost) == 6  # satisfaction 79 % is below 80 % for every project
    assert context.lost[5].reasons == "截至12月31日，1项任务已过完成时限仍未完成（第1项）；群众满意率79%，低于80%"
    assert context.outstanding == []
    assert "向上取整" in context.selection_rule and "并列" in context.selection_rule
    assert [b.value for b in context.score_chart.bars] == ["2个", "3个", "1个", "0个", "0个"]


def test_the_ledger_prints_on_a4_landscape_with_titles_and_a_footer(tmp_path):
    path = company(tmp_path, [90, 80])
    out = tmp_path / "out"
    api.year_end([path], out, formats=(), config=CONFIG, options=Options(date=dt.date(2024, 12, 30)))
    ws = load_workbook(out / "2024年度党建项目管理台账.xlsx").active
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2" and ws.print_title_cols == "$A:$B"  # 项目编号, 项目名称 on every page
    assert ws.oddFooter.left.text == "制表单位：国网兰州供电公司党建工作部"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.oddFooter.right.text == "制表日期：2024年12月30日"


def test_ledger_writes_formula_like_text_as_text(tmp_path):
    path = company(tmp_path, [90, 80])
    wb = load_workbook(path)
    ws = wb["项目信息"]
    ws["B2"].value = '=HYPERLINK("http://x","点我")'
    ws["B2"].data_type = "s"  # typed as text by the branch, as Excel does after a leading apostrophe
    ws["G3"] = "+86 马建华"
    ws["L2"] = "-连心架桥-"
    ws["M2"] = "@服务"
    wb.save(path)
    out = tmp_path / "out"
    result = api.year_end([path], out, formats=(), config=CONFIG, options=Options(date=dt.date(2024, 12, 30)))
    assert result.report.ok
    ledger = out / "2024年度党建项目管理台账.xlsx"
    assert ledger in result.written
    ws = load_workbook(ledger).active
    headers = [c.value for c in ws[2]]
    row = {h: c for h, c in zip(headers, ws[3])}
    assert row["项目名称"].value == '=HYPERLINK("http://x","点我")' and row["项目名称"].data_type == "s"
    names = {ws.cell(r, 1).value: ws.cell(r, 5).value for r in range(3, 5)}
    assert names["DJ-2024-002"] == "+86 马建华"
    with zipfile.ZipFile(ledger) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == "A2:S4"
    assert row["完成比例(%)"].value == 100 and row["排名"].value == 1
    assert len(ws.conditional_formatting) >= 2


def test_the_same_project_code_in_two_workbooks_is_located_in_both(tmp_path):
    first = company(tmp_path, [90], name="一支部.xlsx")
    second = company(tmp_path, [80, 70], name="二支部.xlsx", prefix="DJ-2024-")  # 001 again
    other = company(tmp_path, [85], name="三支部.xlsx", prefix="DJ-2025-")
    result = api.year_end([first, second, other], tmp_path / "out", formats=(), config=CONFIG,
                                 options=Options(date=dt.date(2024, 12, 30)))
    by_name = {r.path.split("/")[-1]: r for r in result.report}
    clash_1 = [i for i in by_name["一支部.xlsx"].issues if i.code == "duplicate_project_across"]
    clash_2 = [i for i in by_name["二支部.xlsx"].issues if i.code == "duplicate_project_across"]
    assert [i.location.cell for i in clash_1] == ["A2"] and [i.location.cell for i in clash_2] == ["A2"]
    assert "二支部.xlsx" in clash_1[0].message and "项目信息!A2" in clash_1[0].message
    assert "一支部.xlsx" in clash_2[0].message
    assert by_name["三支部.xlsx"].ok
    assert [p.name for p in result.used] == ["三支部.xlsx"] and result.projects == 1


def test_report_command_writes_the_report_and_the_ledger(tmp_path):
    first = company(tmp_path, [90, 85], name="一支部.xlsx")
    second = company(tmp_path, [80], name="二支部.xlsx", prefix="DJ-2025-")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--out", str(out), "--date", "2024-12-30"])
    assert result.exit_code == 0, result.output
    assert "汇总 2 个申报表、3 个项目" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["2024年度党建项目汇总报告.docx", "2024年度党建项目汇总报告.pdf", "2024年度党建项目管理台账.xlsx"]
    assert first.exists() and second.exists()


def test_a_very_large_run_keeps_the_report_short_and_the_ledger_whole(tmp_path, monkeypatch):
    """Above REPORT_ROWS_MAX rows a report table is cut, says so and points to the 台账, which lists everything."""
    from docgen.documents import annual_report as module

    monkeypatch.setattr(module, "REPORT_ROWS_MAX", 3)
    data, selection = selection_of(tmp_path, [95, 90, 85, 80, 75, 70, 65], satisfaction=70)
    context = build_context(data, CONFIG, Options(date=dt.date(2024, 12, 23)))
    assert [row.code[-3:] for row in context.ranking] == ["001", "002", "003"]
    assert context.ranking_more == ("参加排名的项目共7个，篇幅所限，这里只列出前3个；"
                                    "全部内容见同时生成的《2024年度党建项目管理台账》。")
    assert len(context.tracking) == 3 and context.tracking_more.startswith("跟踪实施名单共4个项目")
    assert len(context.lost) == 3 and "共7个" in context.lost_more  # satisfaction 70 % < 80 %: all lost
    assert context.outstanding_more == "" and context.branches_more == ""
    renderers = api.Renderers(["docx", "pdf"])
    from docgen.documents import KINDS
    document = KINDS[module.KIND].document(data, CONFIG, Options(date=dt.date(2024, 12, 23)))
    docx = renderers.render("docx", "annual_report", document.context.model_dump())
    pdf = renderers.render("pdf", "annual_report", document.context.model_dump())
    assert context.ranking_more in docx_paragraphs(docx)
    assert squeeze(context.ranking_more) in squeeze("".join("".join(page) for page in pdf_pages(pdf)))
    from docgen.documents import ledger
    assert len(ledger.rows(data)) == 7
