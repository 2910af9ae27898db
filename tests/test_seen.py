"""What the clerk sees is what docgen reads: each case is a sample workbook with one change a branch makes,
and the test asserts the value read or the issue at its cell."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.styles.numbers import FORMAT_PERCENTAGE

from docgen.api import load

from tests.conftest import CONFIG
from tests.seen import changed, put, with_builtin_format


def read(path):
    intake, report = load(path, CONFIG)
    return intake, report


def at(report, sheet, cell=None, row=None):
    """The (code, severity) of every issue at a cell (or, with row, at a row)."""
    return [(i.code, i.severity) for i in report.issues
            if i.location.sheet == sheet and (i.location.cell == cell if cell else i.location.row == row)]


def codes(report):
    return sorted({i.code for i in report.issues})


def result(intake, code="DJ-2024-001"):
    return intake.result_of(code)


# ---- 2. a renamed sheet is recognised by its headers, and no sheet with data is passed over ----------------

@pytest.mark.parametrize("sheet, renamed", [
    ("实施效果", "实施效果情况"), ("进度", "项目进度"), ("进度", "Sheet1"), ("表彰", "表彰名单"), ("任务分解", "任务 分解表"),
])
def test_a_renamed_sheet_is_read_by_its_headers_and_said(tmp_path, sheet, renamed):
    path = changed(tmp_path, lambda book: setattr(book[sheet], "title", renamed))
    intake, report = read(path)
    assert report.ok
    assert at(report, renamed, row=None) == [("sheet_recognised", "warning")]
    assert len(intake.results) == 2 and result(intake).satisfaction == 96
    assert len(intake.progress) > 20
    assert len(intake.awards) == 3
    assert len(intake.tasks) == 11


def test_a_sheet_holding_data_docgen_does_not_read_is_named(tmp_path):
    def notes(book):
        ws = book.create_sheet("支部说明")
        ws["A1"], ws["B2"] = "补充说明", "项目二的经费由工会列支"
        book.create_sheet("Sheet3")  # empty: nothing to say of it
    intake, report = read(changed(tmp_path, notes))
    assert report.ok
    assert at(report, "支部说明") == [("sheet_unread", "warning")]
    assert at(report, "Sheet3") == []


def test_a_second_sheet_with_the_same_headers_is_an_error_naming_both(tmp_path):
    def copy(book):
        book.copy_worksheet(book["实施效果"]).title = "实施效果（修改后）"
    intake, report = read(changed(tmp_path, copy))
    issue = next(i for i in report.issues if i.location.sheet == "实施效果（修改后）")
    assert (issue.code, issue.severity) == ("sheet_unread_like", "error")
    assert "实施效果" in issue.message and "没有读取" in issue.message


# ---- 4. fractions typed as text or as numbers: treated alike, every ambiguous percentage said ---------------

@pytest.mark.parametrize("value, number_format", [
    ("0.6", "General"), ("0.6", FORMAT_PERCENTAGE), ("0.6", "@"), (0.6, "General"), (1, "General"), ("1", "@"),
    (" ０.６ ", "General"),
])
def test_an_ambiguous_percentage_is_a_warning_at_its_cell(tmp_path, value, number_format):
    # task 2's 完成比例, 0.6 in a 0% cell in the sample
    change = put("进度!E5", value, number_format, "s" if isinstance(value, str) else None)
    intake, report = read(changed(tmp_path, change))
    assert at(report, "进度", "E5") == [("percent_ambiguous", "warning")]
    assert "如指" in next(i.message for i in report.issues if i.location.cell == "E5" and i.location.sheet == "进度")


@pytest.mark.parametrize("value", ["0.96", 0.96, 1, "1"])
def test_an_ambiguous_satisfaction_that_would_cost_the_eligibility_is_an_error(tmp_path, value):
    intake, report = read(changed(tmp_path, put("实施效果!C4", value)))
    assert at(report, "实施效果", "C4") == [("satisfaction_ambiguous", "error")]
    issue = next(i for i in report.issues if i.code == "satisfaction_ambiguous")
    assert "失去评优资格" in issue.message and "80%" in issue.message


def test_a_satisfaction_written_with_its_sign_is_not_ambiguous(tmp_path):
    intake, report = read(changed(tmp_path, lambda book: setattr(book["实施效果"]["C4"], "value", "0.96%")))
    assert at(report, "实施效果", "C4") == []
    assert result(intake).satisfaction == 0.96


@pytest.mark.parametrize("value, number_format, expected", [
    ("96", "General", 96), ("96%", "General", 96), ("96％", "@", 96), (0.96, "0%", 96), (0.955, "0.0%", 95.5),
    (96, "General", 96), ("96%", FORMAT_PERCENTAGE, 96),
])
def test_a_plain_percentage_is_read_as_shown_without_a_word(tmp_path, value, number_format, expected):
    intake, report = read(changed(tmp_path, put("实施效果!C4", value, number_format)))
    assert at(report, "实施效果", "C4") == []
    assert result(intake).satisfaction == pytest.approx(expected)


def test_a_stated_fraction_of_a_percent_prints_as_stated(tmp_path):
    from docgen.documents.common import percent

    assert percent(0.96) == "0.96%"
    assert percent(96.8) == "96.8%"


# ---- 5. a format that writes "%" itself does not scale -------------------------------------------------------

@pytest.mark.parametrize("number_format", ['0"%"', r"0\%", '0.0"%"'])
@pytest.mark.parametrize("value", [80, 1])
def test_a_literal_percent_sign_shows_the_number_itself(tmp_path, number_format, value):
    intake, report = read(changed(tmp_path, put("实施效果!C4", value, number_format)))
    assert at(report, "实施效果", "C4") == []
    assert result(intake).satisfaction == value


def test_a_percent_format_on_a_score_is_an_error(tmp_path):
    intake, report = read(changed(tmp_path, put("实施效果!D4", 0.9, "0%")))
    assert at(report, "实施效果", "D4") == [("number_as_percent", "error")]


def test_a_format_that_rounds_digits_away_is_said(tmp_path):
    intake, report = read(changed(tmp_path, put("实施效果!C4", 0.955, "0%")))  # shows 96%
    assert at(report, "实施效果", "C4") == [("number_rounded", "warning")]
    assert result(intake).satisfaction == pytest.approx(95.5)


# ---- 6. the date styles a Chinese Excel or WPS saves (numFmtId 27–36, 50–58) ---------------------------------

@pytest.mark.parametrize("builtin", [31, 57, 58])
def test_chinese_builtin_date_styles_are_dates(tmp_path, builtin):
    code = 'yyyy"年"m"月"d"日"'
    path = changed(tmp_path, lambda book: setattr(book["任务分解"]["F4"], "number_format", code))
    with_builtin_format(path, code, builtin)
    intake, report = read(path)
    task = next(t for t in intake.tasks if t.project_code == "DJ-2024-001" and t.seq == 1)
    assert task.deadline == dt.date(2024, 4, 30)
    # 31 shows the whole date; 57 only year and month; 58 only month and day: said at the cell
    expected = [] if builtin == 31 else [("date_partly_shown", "warning")]
    assert at(report, "任务分解", "F4") == expected


def test_a_date_serial_in_a_general_cell_is_named_as_a_lost_date_format(tmp_path):
    intake, report = read(changed(tmp_path, put("任务分解!F4", 45412, "General")))
    assert at(report, "任务分解", "F4") == [("date_serial", "error")]
    issue = next(i for i in report.issues if i.location.cell == "F4" and i.location.sheet == "任务分解")
    assert "2024-04-30" in issue.message and "日期格式" in issue.message


# ---- 7. near-miss headers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, cell, header, check", [
    ("项目信息", "R3", "经费预算(万元)", lambda i: i.projects[0].budget == 8),
    ("实施效果", "C3", "群众满意度", lambda i: i.result_of("DJ-2024-001").satisfaction == 96),
    ("项目信息", "H3", "联系方式", lambda i: i.projects[0].phone == "0931-8881234"),
    ("进度", "E3", "完成比例（%）", lambda i: [p.percent for p in i.progress_of("DJ-2024-001")
                                                   if p.task_seq in (1, 2) and p.period.label == "2024年第2季度"] == [100, 60]),
    ("实施效果", "F3", "经费使用 (万元) ", lambda i: i.result_of("DJ-2024-001").spent == 7.6),
])
def test_obvious_variants_of_a_header_are_read(tmp_path, sheet, cell, header, check):
    intake, report = read(changed(tmp_path, lambda book: setattr(book[sheet][cell], "value", header)))
    assert report.issues == []
    assert check(intake)


@pytest.mark.parametrize("sheet, cell, header, code, meant", [
    ("实施效果", "C3", "群众满意程度", "column_near_miss", "群众满意率"),
    ("任务分解", "F3", "完成时限要求", "column_near_miss", "完成时限"),
    ("项目信息", "R3", "经费预算（元）", "column_unit", "经费预算（万元）"),
])
def test_a_header_close_to_a_known_column_is_an_error_naming_it(tmp_path, sheet, cell, header, code, meant):
    intake, report = read(changed(tmp_path, lambda book: setattr(book[sheet][cell], "value", header)))
    assert (code, "error") in at(report, sheet, cell)
    assert meant in next(i.message for i in report.issues if i.code == code)


def test_data_in_a_column_without_a_header_is_said(tmp_path):
    intake, report = read(changed(tmp_path, lambda book: setattr(book["实施效果"]["H5"], "value", "另有经费2万元")))
    assert at(report, "实施效果", "H5") == [("column_unheaded", "warning")]


# ---- 8. hidden rows and columns ---------------------------------------------------------------------------------

def test_hidden_rows_and_columns_are_said_where_they_are(tmp_path):
    def hide(book):
        book["进度"].row_dimensions[6].hidden = True
        book["实施效果"].column_dimensions["D"].hidden = True
    intake, report = read(changed(tmp_path, hide))
    assert at(report, "进度", row=6) == [("row_hidden", "warning")]
    assert at(report, "实施效果", "D3") == [("column_hidden", "warning")]
    assert result(intake).score == 95.5  # read, and said


# ---- 9. messages that lead to the fault -------------------------------------------------------------------------

def test_a_seq_typed_as_text_matches_the_same_task_everywhere(tmp_path):
    intake, report = read(changed(tmp_path, put("任务分解!B5", "2.0", data_type="s")))
    assert report.issues == []
    assert any(p.task_seq == 2 for p in intake.progress_of("DJ-2024-001"))


def test_an_invisible_character_is_named_once_and_nothing_follows(tmp_path):
    intake, report = read(changed(tmp_path, lambda book: setattr(book["项目信息"]["A5"], "value", "DJ-2024-002\u200b")))
    assert report.ok
    assert [(i.location.sheet, i.location.cell, i.code) for i in report.issues] == [
        ("项目信息", "A5", "invisible_characters")]
    assert "U+200B" in report.issues[0].message
    assert [p.code for p in intake.projects] == ["DJ-2024-001", "DJ-2024-002"]


def test_an_invalid_code_is_reported_at_its_root_once(tmp_path):
    def change(book):
        for ws in book:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value == "DJ-2024-002":
                        cell.value = "DJ 2024 002"
    intake, report = read(changed(tmp_path, change))
    assert [(i.location.sheet, i.location.cell) for i in report.issues if i.code == "code_invalid"] == [
        ("项目信息", "A5")]


def test_an_excel_error_value_is_an_error_at_its_cell(tmp_path):
    intake, report = read(changed(tmp_path, put("项目信息!B5", "#REF!", data_type="e")))
    assert at(report, "项目信息", "B5") == [("cell_error", "error")]


def test_a_code_stored_as_a_number_reads_as_it_shows(tmp_path):
    intake, report = read(changed(tmp_path, put("表彰!A4", 7, "000")))
    assert report.issues == []
    assert "007" in [a.cert_no for a in intake.awards]


# ---- the same class elsewhere: units, lists, struck rows, old copies of a sheet -------------------------------

@pytest.mark.parametrize("value, number_format, code", [
    (76000, "General", "amount_large"), (76000, '#,##0"元"', "amount_in_yuan"), ("76000", "@", "amount_large"),
])
def test_an_amount_in_yuan_under_a_header_in_wan_is_said(tmp_path, value, number_format, code):
    intake, report = read(changed(tmp_path, put("实施效果!F4", value, number_format)))
    assert [c for c, _ in at(report, "实施效果", "F4")] == [code]
    assert "7.6" in next(i.message for i in report.issues if i.code == code)


@pytest.mark.parametrize("written, names, issue", [
    ("马建华 李晓燕 张志刚", ["马建华", "李晓燕", "张志刚"], []),
    ("马建华/李晓燕／张志刚", ["马建华", "李晓燕", "张志刚"], []),
    ("王 坤", ["王 坤"], [("list_unclear", "warning")]),  # one name padded to three characters, or two?
])
def test_names_set_apart_by_spaces_or_slashes(tmp_path, written, names, issue):
    intake, report = read(changed(tmp_path, lambda book: setattr(book["项目信息"]["I4"], "value", written)))
    assert at(report, "项目信息", "I4") == issue
    assert intake.projects[0].members == names


def test_a_struck_out_row_is_said_at_its_row(tmp_path):
    from openpyxl.styles import Font

    def strike(book):
        for cell in book["任务分解"][8]:
            cell.font = Font(strike=True)
    intake, report = read(changed(tmp_path, strike))
    assert at(report, "任务分解", row=8) == [("row_struck", "warning")]


def test_a_hidden_old_copy_of_a_sheet_is_a_warning_a_visible_one_an_error(tmp_path):
    def old(book):
        book.copy_worksheet(book["实施效果"]).title = "旧实施效果"
        book["旧实施效果"].sheet_state = "hidden"
    intake, report = read(changed(tmp_path, old))
    assert at(report, "旧实施效果") == [("sheet_unread_hidden", "warning")]
    assert report.ok


def test_the_marked_copy_shows_a_hidden_row_and_a_renamed_sheet_it_marks(tmp_path):
    from openpyxl import load_workbook

    from docgen.api import annotate

    def change(book):
        book["进度"].row_dimensions[6].hidden = True
        book["实施效果"].title = "实施效果情况"
    intake, report = read(changed(tmp_path, change))
    marked = load_workbook(annotate(report, tmp_path / "退回"))
    assert "隐藏" in marked["进度"]["A6"].comment.text
    assert not marked["进度"].row_dimensions[6].hidden  # shown again, so its mark can be seen
    assert marked["实施效果情况"].sheet_properties.tabColor.rgb.endswith("FFC000")  # a warning about the whole sheet
    listed = {row[2].value: row[2].hyperlink.target for row in marked["校验结果"].iter_rows(min_row=4)
              if row[2].hyperlink}
    assert listed["进度!第6行"] == "#'进度'!A6"
    assert listed["实施效果情况"] == "#'实施效果情况'!A1"


def test_a_score_in_a_percent_format_is_told_the_number_it_will_show(tmp_path):
    intake, report = read(changed(tmp_path, put("实施效果!D4", 94, "0%")))  # shows 9400%
    issue = next(i for i in report.issues if i.code == "number_as_percent")
    assert "9400%" in issue.message and "填写 94" in issue.message and "9400" not in issue.message.split("填写")[-1]


def test_an_amount_typed_in_yuan_is_told_in_wan(tmp_path):
    intake, report = read(changed(tmp_path, lambda book: setattr(book["项目信息"]["R4"], "value", "80000元")))
    assert at(report, "项目信息", "R4") == [("amount_in_yuan", "error")]
    assert "（8）" in report.issues[0].message
