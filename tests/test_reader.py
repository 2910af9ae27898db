"""The reader: header detection and variants, column order, value forms, blank rows, unreadable files."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from builder import PROGRESS_HEADERS, PROJECT_HEADERS, TASK_HEADERS, Book, progress_row, project_row, task_row, valid_book
from docgen.api import load


def issues_of(path):
    intake, report = load(path)
    return intake, report.flatten("sheet", "cell", "code", "severity")


def test_valid_workbook_has_no_issues(tmp_path):
    intake, issues = issues_of(valid_book().save(tmp_path / "a.xlsx"))
    assert issues == []
    assert [p.code for p in intake.projects] == ["DJ-2024-001"]
    assert [t.seq for t in intake.tasks_of("DJ-2024-001")] == [1, 2]


def test_title_rows_above_header_are_ignored_and_header_variants_match(tmp_path):
    headers = [h.replace("*", "") for h in PROJECT_HEADERS]
    headers[1] = "项目 名称（必填）"      # inner space and （必填）
    headers[2] = "申报党组织＊"           # full-width star
    headers[3] = " 项目类别 (必填) "      # half-width brackets, outer spaces
    headers[6] = "项目负责人\u3000*"      # full-width space before the star
    book = valid_book().sheet("项目信息", headers, [project_row()],
                              above=[["城关供电服务中心党支部 党建项目申报表"], ["说明：带*为必填"], []])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == []
    assert intake.projects[0].name == "连心桥共产党员服务队“创优”工程"


def test_columns_in_any_order(tmp_path):
    order = list(reversed(range(len(TASK_HEADERS))))
    headers = [TASK_HEADERS[i] for i in order]
    rows = [[r[i] for i in order] for r in (task_row(seq=1), task_row(seq=2, **{"完成时限*": "2024/7/1"}))]
    intake, issues = issues_of(valid_book().sheet("任务分解", headers, rows).save(tmp_path / "a.xlsx"))
    assert issues == []
    assert [t.deadline for t in intake.tasks] == [dt.date(2024, 6, 30), dt.date(2024, 7, 1)]


@pytest.mark.parametrize("written", [
    dt.datetime(2024, 3, 19), "2024-03-19", "2024-3-19", "2024/3/19", "2024.3.19", "2024年3月19日",
    "２０２４年３月１９日", " 2024-03-19 ",
])
def test_every_date_form(tmp_path, written):
    book = valid_book(projects=[project_row(**{"开始日期*": written})])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == []
    assert intake.projects[0].start == dt.date(2024, 3, 19)


@pytest.mark.parametrize("written, number_format, expected", [
    (80, "General", 80.0), ("80", "General", 80.0), ("80%", "General", 80.0), ("８０％", "@", 80.0),
    (0.8, "0%", 80.0), (0.8, "0.0%", 80.0), (1, "0%", 100.0), (100, "General", 100.0), (0, "General", 0.0),
])
def test_percent_forms(tmp_path, written, number_format, expected):
    book = valid_book(progress=[progress_row(percent=written)])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx", formats={"进度!E2": number_format}))
    assert issues == []
    assert intake.progress[0].percent == expected


def test_small_unformatted_percent_is_a_warning(tmp_path):
    book = valid_book(progress=[progress_row(percent=0.8)])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == [("进度", "E2", "percent_ambiguous", "warning")]
    assert intake.progress[0].percent == 0.8


@pytest.mark.parametrize("written, label", [
    ("2024年第2季度", "2024年第2季度"), ("2024Q2", "2024年第2季度"), ("2024 q2", "2024年第2季度"),
    ("2024年二季度", "2024年第2季度"), ("2024年6月", "2024年6月"), ("2024-06", "2024年6月"),
    ("2024年上半年", "2024年上半年"), ("2024年度", "2024年度"),
])
def test_period_forms_are_normalised(tmp_path, written, label):
    book = valid_book(progress=[progress_row(period=written)])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == []
    assert intake.progress[0].period.label == label


@pytest.mark.parametrize("number_format, issues", [
    ('yyyy"年"m"月"', []),  # "2024-06" typed into a Chinese Excel: the month it shows
    ("mmm-yy", []),
    ("yyyy-mm-dd", [("进度", "B2", "period_from_date", "warning")]),  # a whole date: read as its month, said so
])
def test_a_date_as_period_is_its_month_and_a_whole_date_is_said(tmp_path, number_format, issues):
    book = valid_book(progress=[progress_row(period=dt.datetime(2024, 6, 1))])
    intake, found = issues_of(book.save(tmp_path / "a.xlsx", formats={"进度!B2": number_format}))
    assert found == issues
    assert intake.progress[0].period.label == "2024年6月"


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(tmp_path):
    tasks = [task_row(seq=1), [None] * len(TASK_HEADERS), ["", "  ", None, None, None, None, None, None],
             task_row(seq=2, **{"完成时限*": "2025-01-31"})]
    intake, issues = issues_of(valid_book(tasks=tasks).save(tmp_path / "a.xlsx"))
    assert issues == [("任务分解", "F5", "deadline_after_project_end", "error")]
    assert len(intake.tasks) == 2


def test_numbers_in_text_columns_and_phone_number_cells(tmp_path):
    book = valid_book(projects=[project_row(**{"联系电话": 13912345678, "项目负责人*": "  马建华 "})])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == []
    assert intake.projects[0].phone == "13912345678"
    assert intake.projects[0].leader == "马建华"


@pytest.mark.parametrize("phone", ["0931-8881234", "09318881234", "(0931)8881234", "010-12345678", "１３９１２３４５６７８"])
def test_accepted_phone_forms(tmp_path, phone):
    _, issues = issues_of(valid_book(projects=[project_row(**{"联系电话": phone})]).save(tmp_path / "a.xlsx"))
    assert issues == []


def test_lists_split_on_every_separator(tmp_path):
    book = valid_book(projects=[project_row(**{"项目成员": "甲、乙，丙,丁；戊;己\n庚", "牵头单位": None})])
    intake, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == []
    assert intake.projects[0].members == ["甲", "乙", "丙", "丁", "戊", "己", "庚"]


def test_unknown_and_missing_columns_and_sheets(tmp_path):
    headers = PROJECT_HEADERS[:6] + PROJECT_HEADERS[7:] + ["备注"]   # no 项目负责人, an extra 备注
    row = project_row()
    row = row[:6] + row[7:] + ["请优先审核"]
    book = valid_book().sheet("项目信息", headers, [row])
    _, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == [("项目信息", None, "column_missing", "error"), ("项目信息", "S1", "column_unknown", "warning")]


def test_missing_project_sheet_and_missing_key_header(tmp_path):
    book = Book().sheet("任务分解", ["编号", "内容"], [["x", "y"]])
    _, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == [("项目信息", None, "sheet_missing", "error"), ("任务分解", None, "header_missing", "error")]


def test_tasks_sheet_missing_is_reported_once(tmp_path):
    book = Book().sheet("项目信息", PROJECT_HEADERS, [project_row()])
    _, issues = issues_of(book.save(tmp_path / "a.xlsx"))
    assert issues == [("任务分解", None, "sheet_missing", "error")]


@pytest.mark.parametrize("content, code", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file_xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600, "file_encrypted"),
    ("项目编号,项目名称\nDJ-1,x\n".encode("utf-8"), "file_csv"),
    ("不是表格的文字\n".encode("utf-8"), "file_not_xlsx"),
    (b"PK\x03\x04 truncated", "file_corrupt"),
])
def test_unreadable_files_are_issues_not_exceptions(tmp_path, content, code):
    path = tmp_path / "收到的.xlsx"
    path.write_bytes(content)
    intake, report = load(path)
    assert intake is None
    assert report.flatten("sheet", "code", "severity") == [(None, code, "error")]
    assert report.issues[0].message


def test_a_zip_that_is_not_a_workbook_is_a_compressed_package(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    _, report = load(path)
    assert report.flatten("code") == [("file_zip",)]


def test_an_office_package_without_its_workbook_part_is_corrupt(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    _, report = load(path)
    assert report.flatten("code") == [("file_corrupt",)]


def test_missing_file(tmp_path):
    _, report = load(tmp_path / "没有.xlsx")
    assert report.flatten("code") == [("file_missing",)]


def test_progress_headers_constant_matches_layout():
    from docgen.intake.layout import PROGRESS
    assert [c.header for c in PROGRESS.columns] == [h.rstrip("*") for h in PROGRESS_HEADERS]
