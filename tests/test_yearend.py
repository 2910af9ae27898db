"""The year end across workbooks: ranking and selection with ties, the 台账, code clashes, `docgen report`."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from textof import docx_paragraphs, pdf_pages, squeeze
from builder import full_book, progress_row, project_row, result_row, task_row
from docgen import api
from docgen.cli import main
from docgen.config import AssessmentRules, Config
from docgen.documents import Options
from docgen.documents.annual_report import build_context, run_year, year_end
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
    data = year_end([intake], Config(assessment=rules), Options(year=2024))  # the 2024 year end, run later
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
    assert selection.notes[0] == "第3名得分并列，跟踪实施名单共列入4个项目。"
    assert "向上取整为3个" in selection.workings[0] and "实取4个" in selection.workings[0]
    # one third of the four tracked, rounded up: two
    assert picked(selection.outstanding) == ["001", "002"]


def test_a_tie_among_outstanding_projects(tmp_path):
    _, selection = selection_of(tmp_path, [95, 95, 95, 80, 70, 60])
    assert picked(selection.tracking) == ["001", "002", "003"]
    assert picked(selection.outstanding) == ["001", "002", "003"]
    assert "因得分并列，突出贡献项目共评出3个。" in selection.notes
    assert any("向上取整为1个" in w and "实取3个" in w for w in selection.workings)


def test_ineligible_projects_stay_ranked_but_are_not_outstanding(tmp_path):
    _, selection = selection_of(tmp_path, [95, 90, 85, 80], unfinished=("DJ-2024-001",))
    assert picked(selection.tracking) == ["001", "002"]
    assert picked(selection.outstanding) == ["002"]
    assert any("不具备年度评优资格，不参评突出贡献项目" in n for n in selection.notes)


def test_ratios_come_from_the_configuration(tmp_path):
    rules = AssessmentRules(tracking_share=1.0, outstanding_share=0.5)
    _, selection = selection_of(tmp_path, [95, 90, 85, 80], rules=rules)
    assert len(selection.tracking) == 4 and len(selection.outstanding) == 2


def test_annual_report_counts_and_states_the_rule(tmp_path):
    data, _ = selection_of(tmp_path, [95, 90, 88, 88, 80, 70], satisfaction=79, unfinished=("DJ-2024-006",))
    context = build_context(data, CONFIG, Options(date=dt.date(2024, 12, 30)))
    assert context.title == "2024年度党建项目化管理工作汇总报告"
    assert context.overview[0] == "2024年度，共有2个党组织实施党建项目6个。"
    assert "5个项目全部完成计划任务，项目完成率83.3%" in context.overview[1]
    assert "平均满意率79%" in context.overview[2] and "平均得分85.2分" in context.overview[2]
    assert len(context.lost) == 6  # satisfaction 79 % is below 80 % for every project
    assert context.lost[5].reasons == "截至12月31日，1项任务已过完成时限仍未完成（第1项）；群众满意率79%，低于80%"
    assert context.outstanding == []
    assert context.selection_rule.startswith("评选办法：") and "并列" in context.selection_rule
    assert "向上取整" not in context.selection_rule and "一并入选" not in context.selection_rule
    assert [b.value for b in context.score_chart.bars] == ["2个", "3个", "1个", "0个", "0个"]


def test_the_ledger_prints_on_a4_landscape_with_titles_and_a_footer(tmp_path):
    path = company(tmp_path, [90, 80])
    out = tmp_path / "out"
    api.year_end([path], out, formats=(), config=CONFIG, options=Options(date=dt.date(2024, 12, 30)))
    ws = load_workbook(out / "2024年度党建项目管理台账.xlsx").active
    setup = ws.page_setup
    # too wide for one page at 8 pt: several pages across at 75 % (8.25 pt), titles repeated on each
    assert (setup.paperSize, setup.orientation, setup.scale) == (9, "landscape", 75)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2" and ws.print_title_cols == "$A:$B"  # 项目编号, 项目名称 on every page
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
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == "A2:T4"
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
    assert context.ranking_more == ("参加排名的项目共7个，限于篇幅，此处列出前3个，"
                                    "全部情况见《2024年度党建项目管理台账》。")
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


# --- the year of a run is the run's, never the data's ---------------------------------------------

SAMPLES = Path(__file__).parent.parent / "samples"
VALID = ("城关供电服务中心党支部.xlsx", "变电运维中心.xlsx")


def samples_with(tmp_path, change=None) -> Path:
    """The two valid sample workbooks in a folder of their own, the first one changed by `change(workbook)`."""
    folder = tmp_path / "收件"
    folder.mkdir()
    for name in VALID:
        shutil.copy(SAMPLES / name, folder / name)
    if change is not None:
        path = folder / VALID[0]
        book = load_workbook(path)
        change(book)
        book.save(path)
    return folder


def typo_2042(book) -> None:
    """One 报告期 typed 2042 instead of 2024 (its 统计日期 still 2024-12-20)."""
    cell = book["进度"]["B12"]
    assert cell.value == "2024年第4季度" and book["进度"]["C12"].value.date() == dt.date(2024, 12, 20)
    cell.value = "2042年第4季度"


def new_projects(book) -> None:
    """A project of next year (2025) and one that starts in December and runs into next year, each with a task."""
    projects, tasks = book["项目信息"], book["任务分解"]
    for code, name, start, end in (("DJ-2025-001", "2025年新立项目", dt.datetime(2025, 1, 6), dt.datetime(2025, 12, 31)),
                                   ("DJ-2024-009", "跨年项目", dt.datetime(2024, 12, 2), dt.datetime(2025, 6, 30))):
        row = [c.value for c in projects[5]]
        row[0], row[1], row[9], row[10] = code, name, start, end
        projects.append(row)
        task = [c.value for c in tasks[4]]
        task[0], task[4], task[5] = code, start, dt.datetime(2025, 3, 31)
        tasks.append(task)


def ledger_codes(path: Path) -> set[str]:
    ws = load_workbook(path).active
    return {ws.cell(r, 1).value for r in range(3, ws.max_row + 1)}


def test_one_mistyped_period_is_an_issue_at_its_cell_and_the_year_stays_the_runs(tmp_path):
    folder = samples_with(tmp_path, typo_2042)
    report = api.validate([folder], CONFIG)
    typed = next(f for f in report if f.path.endswith(VALID[0]))
    found = [i for i in typed.flatten("sheet", "cell", "code", "severity") if i[2] != "glyph_style"]  # the sample's 堃
    assert found == [("进度", "B12", "date_far_from_project", "error")]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out), "--format", "docx",
                                       "--date", "2024-12-23"])
    assert result.exit_code == 1, result.output  # a workbook with errors was left out
    assert "进度!B12（报告期）" in result.output
    assert "汇总年度：2024（成文日期 2024-12-23 所在的年度" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["2024年度党建项目汇总报告.docx", "2024年度党建项目管理台账.xlsx"]


def test_one_mistyped_period_does_not_move_the_year_of_a_batch(tmp_path):
    folder = samples_with(tmp_path, typo_2042)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--kind", "proposal", "--format", "docx",
                                       "--workers", "1", "--date", "2024-12-23"])
    assert result.exit_code == 1, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["year_end"]["year"], manifest["year_end"]["run_year"], manifest["year_end"]["year_from"]) == (
        2024, 2024, "date")
    typed = next(w for w in manifest["workbooks"] if w["source"] == VALID[0])
    assert typed["status"] == "invalid"
    assert [(i["cell"], i["code"]) for i in typed["issues"] if i["code"] != "glyph_style"] == [
        ("B12", "date_far_from_project")]
    assert (out / "2024年度党建项目管理台账.xlsx").is_file() and not list(out.glob("2042*"))
    assert "汇总年度：2024（成文日期 2024-12-23 所在的年度" in result.output


def test_a_project_of_next_year_is_left_out_and_named_and_the_year_stays_the_runs(tmp_path):
    folder = samples_with(tmp_path, new_projects)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out), "--format", "docx",
                                       "--date", "2024-12-23"])
    assert result.exit_code == 0, result.output
    assert "汇总年度：2024" in result.output
    assert "未计入 2024 年度汇总的项目 1 个" in result.output
    assert "DJ-2025-001 2025年新立项目（城关供电服务中心党支部，城关供电服务中心党支部.xlsx）：" \
           "2025-01-06 至 2025-12-31，2025 年开始" in result.output
    assert "汇总 2 个申报表、6 个项目" in result.output
    codes = ledger_codes(out / "2024年度党建项目管理台账.xlsx")
    assert "DJ-2024-009" in codes and "DJ-2025-001" not in codes  # running in 2024, it counts; next year's does not


def test_year_asked_for_overrides_the_date(tmp_path):
    folder = samples_with(tmp_path, new_projects)
    out = tmp_path / "out"
    result = api.year_end([folder], out, (), CONFIG, Options(date=dt.date(2024, 12, 23), year=2025))
    assert (result.year, result.chosen.year, str(result.chosen.source)) == (2025, 2025, "asked")
    assert ledger_codes(out / "2025年度党建项目管理台账.xlsx") == {"DJ-2025-001", "DJ-2024-009"}
    assert sorted(o.code for o in result.left_out) == ["DJ-2024-001", "DJ-2024-002", "DJ-2024-003", "DJ-2024-004",
                                                       "DJ-2024-005"]
    shown = CliRunner().invoke(main, ["report", str(folder), "--out", str(tmp_path / "cli"), "--format", "docx",
                                      "--year", "2025", "--date", "2024-12-23"])
    assert shown.exit_code == 0, shown.output
    assert "汇总年度：2025（由 --year 指定）" in shown.output and "以前年度已结束的 5 个" in shown.output


def test_a_run_in_january_sums_up_the_year_just_ended(tmp_path):
    assert (run_year(Options(date=dt.date(2025, 1, 10))).year, str(run_year(Options(date=dt.date(2025, 1, 10))).source)) \
        == (2024, "january")
    assert run_year(Options(date=dt.date(2025, 2, 1))).year == 2025
    assert run_year(Options(date=dt.date(2024, 12, 23))).year == 2024
    assert run_year(Options(date=dt.date(2025, 1, 10), year=2023)).year == 2023
    out = tmp_path / "out"
    result = api.year_end([samples_with(tmp_path)], out, (), CONFIG, Options(date=dt.date(2025, 1, 10)))
    assert result.year == 2024 and result.projects == 5 and result.left_out == []
    assert (out / "2024年度党建项目管理台账.xlsx").is_file()


def test_nothing_of_the_run_year_writes_nothing_and_says_why(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(samples_with(tmp_path)), "--out", str(out), "--format", "docx",
                                       "--date", "2026-06-30"])
    assert result.exit_code == 1
    assert "汇总年度：2026" in result.output and "以前年度已结束的 5 个" in result.output
    assert "其项目都不在 2026 年度内" in result.output
    assert not out.exists() or not list(out.iterdir())


def test_a_report_of_the_next_year_does_not_count_in_this_years_figures(tmp_path):
    """A project over two years, 100 % reported in 2025 Q1: the 2024 year end counts its state at 2024's last report."""
    code = "DJ-2024-001"
    path = full_book(
        [project_row(code, **{"开始日期*": dt.date(2024, 3, 1), "结束日期*": dt.date(2025, 6, 30)})],
        [task_row(code, seq=1, **{"完成时限*": dt.date(2025, 3, 31)})],
        [progress_row(code, period="2024年第4季度", task=1, percent=60),
         progress_row(code, period="2025年第1季度", task=1, percent=100)],
        [result_row(code)], []).save(tmp_path / "book.xlsx")
    intake, report = api.load(path)
    assert report.ok, [str(i) for i in report.issues]
    [in_2024] = year_end([intake], CONFIG, Options(date=dt.date(2025, 1, 10))).assessments
    assert (in_2024.year, in_2024.latest.period.label, in_2024.completion) == (2024, "2024年第4季度", 60)
    [in_2025] = year_end([intake], CONFIG, Options(date=dt.date(2025, 12, 30))).assessments
    assert (in_2025.year, in_2025.latest.period.label, in_2025.completion) == (2025, "2025年第1季度", 100)
