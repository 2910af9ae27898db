"""Each rule reports its code at the exact sheet and cell."""
from __future__ import annotations

import datetime as dt

import pytest

from builder import AWARD_HEADERS, RESULT_HEADERS, progress_row, project_row, task_row, valid_book
from docgen.api import load
from docgen.config import Config, ProjectRules


def check(tmp_path, book, config=None):
    _, report = load(book.save(tmp_path / "a.xlsx"), config)
    return report.flatten("sheet", "cell", "code", "severity")


@pytest.mark.parametrize("changes, expected", [
    ({"项目编号*": "DJ 2024/001"}, ("项目信息", "A2", "code_invalid", "error")),
    ({"项目名称*": None}, ("项目信息", "B2", "required", "error")),
    ({"项目名称*": "   "}, ("项目信息", "B2", "required", "error")),
    ({"项目类别*": "党建品牌项目"}, ("项目信息", "D2", "category_unknown", "error")),
    ({"重点实践单位": "配网带电作业中心党支部"}, ("项目信息", "F2", "practice_units_count", "error")),
    ({"重点实践单位": "甲、乙、丙、丁"}, ("项目信息", "F2", "practice_units_count", "error")),
    ({"联系电话": "1381234567"}, ("项目信息", "H2", "phone_invalid", "error")),
    ({"开始日期*": "2024-02-30"}, ("项目信息", "J2", "date_invalid", "error")),
    ({"结束日期*": dt.date(2024, 2, 1)}, ("项目信息", "K2", "end_before_start", "error")),
    ({"经费预算（万元）": "五万元"}, ("项目信息", "R2", "amount_invalid", "error")),
    ({"经费预算（万元）": -2}, ("项目信息", "R2", "amount_out_of_range", "error")),
])
def test_project_rules(tmp_path, changes, expected):
    book = valid_book(projects=[project_row(**changes)])
    assert expected in check(tmp_path, book)


def test_amounts_are_read_in_ten_thousands(tmp_path):
    """经费预算 and 经费使用: a number, with or without 万元, full-width digits too; shown as 万元 in documents."""
    from builder import full_book, result_row
    from docgen.documents import Options, documents
    from conftest import CONFIG, OPTIONS

    book = full_book(projects=[project_row(**{"经费预算（万元）": "８万元"})],
                     results=[result_row(**{"经费使用（万元）": 7.65})])
    intake, report = load(book.save(tmp_path / "a.xlsx"))
    assert report.ok, report
    assert intake.projects[0].budget == 8 and intake.results[0].spent == 7.65
    proposal = next(documents(intake, ["proposal"], CONFIG, OPTIONS)).context
    ended = Options(date=dt.date(2024, 12, 31))  # a 结题报告 is made once the project has ended
    closing = next(documents(intake, ["closing_report"], CONFIG, ended)).context
    assert proposal.budget == "8万元" and closing.spent == "7.65万元"


def test_practice_units_are_free_without_lead_unit(tmp_path):
    book = valid_book(projects=[project_row(**{"牵头单位": None, "重点实践单位": "甲"})])
    assert check(tmp_path, book) == []


def test_one_plus_x_range_comes_from_configuration(tmp_path):
    book = valid_book(projects=[project_row(**{"重点实践单位": "甲"})])
    config = Config(project=ProjectRules(practice_units_min=1, practice_units_max=1))
    assert check(tmp_path, book, config) == []


def test_categories_come_from_configuration(tmp_path):
    book = valid_book(projects=[project_row(**{"项目类别*": "党员攻关型"})])
    config = Config(project=ProjectRules(categories=("党员攻关型", "党建载体型", "创新成果型")))
    assert check(tmp_path, book, config) == []
    assert check(tmp_path, book) == [("项目信息", "D2", "category_unknown", "error")]


def test_every_problem_of_one_row_is_reported(tmp_path):
    book = valid_book(projects=[project_row(**{"项目负责人*": None, "结束日期*": dt.date(2024, 1, 1), "联系电话": "12"})])
    assert check(tmp_path, book) == [
        ("项目信息", "G2", "required", "error"), ("项目信息", "H2", "phone_invalid", "error"), ("项目信息", "K2", "end_before_start", "error"),
    ]


def test_duplicate_project_code_points_at_the_second(tmp_path):
    book = valid_book(projects=[project_row(), project_row()])
    assert check(tmp_path, book) == [("项目信息", "A3", "duplicate_project_code", "error")]


def test_project_without_tasks(tmp_path):
    book = valid_book(projects=[project_row(), project_row("DJ-2024-002")])
    assert check(tmp_path, book) == [("项目信息", "A3", "project_without_tasks", "error")]


def test_task_rules(tmp_path):
    tasks = [
        task_row(seq=1),
        task_row(seq=1, **{"任务内容*": "另一项"}),                       # row 3: duplicate 序号
        task_row(seq=2, **{"完成时限*": "2025-03-31"}),                    # row 4: after the project's end
        task_row(seq=3, **{"完成时限*": "2024-01-15"}),                    # row 5: before its start
        task_row("DJ-2024-199", seq=1),                                     # row 6: unknown project
        task_row(seq=0),                                                    # row 7: not a positive number
        task_row(seq=4, **{"开始日期": "2024-08-01", "完成时限*": "2024-07-01"}),  # row 8: deadline before start
        task_row(seq=5, **{"开始日期": "2024-01-01"}),                     # row 9: starts before the project
    ]
    assert check(tmp_path, valid_book(tasks=tasks)) == [
        ("任务分解", "B3", "duplicate_task_seq", "error"),
        ("任务分解", "F4", "deadline_after_project_end", "error"),
        ("任务分解", "F5", "deadline_before_project_start", "error"),
        ("任务分解", "A6", "unknown_project", "error"),
        ("任务分解", "B7", "seq_invalid", "error"),
        ("任务分解", "F8", "deadline_before_task_start", "error"),
        ("任务分解", "E9", "task_start_outside_project", "warning"),
    ]


def test_task_dates_are_checked_even_when_the_project_row_has_other_errors(tmp_path):
    book = valid_book(projects=[project_row(**{"项目类别*": "无此类别"})],
                      tasks=[task_row(seq=1, **{"完成时限*": "2025-03-31"})])
    assert check(tmp_path, book) == [("项目信息", "D2", "category_unknown", "error"), ("任务分解", "F2", "deadline_after_project_end", "error")]


def test_progress_rules(tmp_path):
    progress = [
        progress_row(period="2024Q2", task=1, percent=60),
        progress_row(period="2024Q3", task=1, percent=40, **{"统计日期*": dt.date(2024, 9, 30)}),   # row 3: fell
        progress_row(period="2024Q3", task=9, percent=10),                                          # row 4: no task 9
        progress_row(period="2024Q2", task=None, percent="120%"),                                   # row 5: > 100
        progress_row("DJ-2024-404", period="2024Q2", task=None, percent=10),                        # row 6
        progress_row(period="第三季度", task=2, percent=10),                                         # row 7
        progress_row(period="2024Q2", task=1, percent=60),                                          # row 8: repeat
    ]
    assert check(tmp_path, valid_book(progress=progress)) == [
        ("进度", "E3", "progress_decreased", "warning"),
        ("进度", "D4", "unknown_task", "error"),
        ("进度", "E5", "percent_out_of_range", "error"),
        ("进度", "A6", "unknown_project", "error"),
        ("进度", "B7", "period_invalid", "error"),
        ("进度", "B8", "duplicate_progress", "warning"),
    ]


def test_falling_progress_is_only_a_warning(tmp_path):
    progress = [progress_row(period="2024Q2", percent=60), progress_row(period="2024Q3", percent=40)]
    _, report = load(valid_book(progress=progress).save(tmp_path / "a.xlsx"))
    assert report.ok
    assert report.flatten("code", "severity") == [("progress_decreased", "warning")]


def test_result_and_award_rules(tmp_path):
    book = valid_book()
    book.sheet("实施效果", RESULT_HEADERS, [
        ["DJ-2024-001", "成效明显", "96%", 92.5, "优秀"],
        ["DJ-2024-001", "重复", 90, 80, "良好"],          # row 3
        ["DJ-2024-002", "无此项目", "很满意", 120, "较好"],  # row 4
    ])
    book.sheet("表彰", AWARD_HEADERS, [
        ["ZS-001", "连心桥共产党员服务队", "“十佳”党建精品项目", None, "中共国网兰州供电公司委员会", dt.date(2024, 12, 20), "DJ-2024-001"],
        ["ZS-001", "马建华", "优秀共产党员", None, "中共国网兰州供电公司委员会", None, None],     # row 3
        ["ZS-003", "李晓燕", "优秀共产党员", None, "中共国网兰州供电公司委员会", "2024-12-20", "DJ-9"],  # row 4
    ])
    assert check(tmp_path, book) == [
        ("实施效果", "A3", "duplicate_result", "error"),
        ("实施效果", "A4", "unknown_project", "error"),
        ("实施效果", "C4", "percent_invalid", "error"),
        ("实施效果", "D4", "score_out_of_range", "error"),
        ("实施效果", "E4", "conclusion_unknown", "error"),
        ("表彰", "A3", "duplicate_cert_no", "error"),
        ("表彰", "F3", "required", "error"),
        ("表彰", "G4", "unknown_project", "error"),
    ]


def test_messages_name_the_limit(tmp_path):
    book = valid_book(tasks=[task_row(seq=1, **{"完成时限*": "2025-03-31"})])
    _, report = load(book.save(tmp_path / "a.xlsx"))
    assert str(report.issues[0]) == "任务分解!F2（完成时限）：完成时限晚于项目结束日期 2024-12-31"


def test_faulty_sample_reports_each_planted_mistake():
    from pathlib import Path
    _, report = load(Path(__file__).parent.parent / "samples" / "有错误的申报表.xlsx")
    assert set(report.flatten("sheet", "cell", "code", "severity")) == {
        ("项目信息", "R3", "column_unknown", "warning"),
        ("项目信息", "D4", "category_unknown", "error"),
        ("项目信息", "H4", "phone_invalid", "error"),
        ("项目信息", "G5", "required", "error"),
        ("项目信息", "K5", "end_before_start", "error"),
        ("任务分解", "F5", "date_invalid", "error"),
        ("任务分解", "F7", "deadline_after_project_end", "error"),
        ("任务分解", "A8", "unknown_project", "error"),
        ("任务分解", "B12", "duplicate_task_seq", "error"),
        ("进度", "E9", "progress_decreased", "warning"),
        ("进度", "E10", "percent_out_of_range", "error"),
        ("实施效果", "C4", "percent_invalid", "error"),
        ("表彰", "E5", "required", "error"),
    }


# --- a mistyped year (2042 for 2024) is found at its cell ----------------------------------------

def test_a_statistics_date_outside_its_period_is_an_error_at_the_period(tmp_path):
    progress = [
        progress_row(period="2024Q3", **{"统计日期*": dt.date(2024, 9, 27)}),             # row 2: inside
        progress_row(period="2024Q3", task=2, **{"统计日期*": dt.date(2024, 12, 20)}),    # row 3: the next quarter
        progress_row(period="2024年6月", task=None, **{"统计日期*": dt.date(2024, 5, 31)}),  # row 4: the month before
    ]
    _, report = load(valid_book(progress=progress).save(tmp_path / "a.xlsx"))
    assert report.flatten("sheet", "cell", "code", "severity") == [
        ("进度", "B3", "stat_date_outside_period", "error"),
        ("进度", "B4", "stat_date_outside_period", "error"),
    ]
    assert "2024-07-01 至 2024-09-30" in report.issues[0].message and "2024-12-20" in report.issues[0].message


def test_a_period_or_statistics_date_years_from_its_project_is_an_error_at_that_cell(tmp_path):
    """The project runs 2024-03-01..2024-12-31; more than a year outside it, a date is taken for a mistyped year."""
    progress = [
        progress_row(period="2042年第4季度", **{"统计日期*": dt.date(2024, 12, 20)}),     # row 2: the 报告期 mistyped
        progress_row(period="2024Q4", task=2, **{"统计日期*": dt.date(2042, 12, 20)}),    # row 3: the 统计日期 mistyped
        progress_row(period="2042Q4", task=None, **{"统计日期*": dt.date(2042, 12, 20)}),  # row 4: both
        progress_row(period="2025Q4", task=None, **{"统计日期*": dt.date(2025, 12, 20)}),  # row 5: within a year: fine
    ]
    assert check(tmp_path, valid_book(progress=progress)) == [
        ("进度", "B2", "date_far_from_project", "error"),
        ("进度", "C3", "date_far_from_project", "error"),
        ("进度", "B4", "date_far_from_project", "error"),
        ("进度", "C4", "date_far_from_project", "error"),
    ]


def test_award_and_photo_dates_years_away_are_warnings(tmp_path):
    book = valid_book()
    book.sheet("表彰", AWARD_HEADERS, [
        ["ZS-001", "连心桥共产党员服务队", "“十佳”党建精品项目", None, "中共国网兰州供电公司委员会", dt.date(2042, 12, 20), "DJ-2024-001"],
        ["ZS-002", "马建华", "优秀共产党员", None, "中共国网兰州供电公司委员会", dt.date(2014, 12, 20), None],  # no project: the workbook's
        ["ZS-003", "李晓燕", "优秀共产党员", None, "中共国网兰州供电公司委员会", dt.date(2025, 1, 10), "DJ-2024-001"],  # fine
    ])
    book.sheet("活动照片", ["项目编号*", "照片*", "说明*", "拍摄日期"], [
        ["DJ-2024-001", "开班仪式.jpg", "开班仪式", dt.date(2004, 3, 9)],  # its file is missing too (B2): not this test's
    ])
    found = [f for f in check(tmp_path, book) if f[:2] != ("活动照片", "B2")]
    assert found == [
        ("活动照片", "D2", "date_far_from_project", "warning"),
        ("表彰", "F2", "date_far_from_project", "warning"),
        ("表彰", "F3", "date_far_from_projects", "warning"),
    ]


def test_a_project_running_more_than_three_years_is_pointed_out_at_its_end(tmp_path):
    book = valid_book(projects=[project_row(), project_row("DJ-2024-002", **{"结束日期*": dt.date(2042, 12, 31)})],
                      tasks=[task_row(seq=1), task_row("DJ-2024-002", seq=1)])
    assert check(tmp_path, book) == [("项目信息", "K3", "project_span_long", "warning")]
