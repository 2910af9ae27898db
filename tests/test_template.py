"""The blank intake template: generated from the layout, filled, read back."""
from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from docgen.api import load
from docgen.config import Config, ProjectRules
from docgen.intake.layout import SHEETS
from docgen.intake.template import HEADER_ROW, write_template

from conftest import CONFIG


def test_filled_template_reads_back(tmp_path):
    path = write_template(tmp_path / "申报表.xlsx", CONFIG)
    book = load_workbook(path)
    first = HEADER_ROW + 1
    values = {
        "项目信息": ["DJ-2024-001", "连心桥共产党员服务队“创优”工程", "城关供电服务中心党支部", "服务关怀项目", None, None,
                  "马建华", "0931-8881234", "李晓燕、张志刚", dt.date(2024, 3, 1), dt.date(2024, 12, 31), None,
                  "背景", "目标", "措施", "成效", "优质服务"],
        "任务分解": ["DJ-2024-001", 1, "整编服务队", "马建华", None, dt.date(2024, 6, 30), "制度健全", "持证上岗率100%"],
        "进度": ["DJ-2024-001", "2024年第2季度", dt.date(2024, 6, 30), 1, 0.6, "按计划推进", None, None],
        "实施效果": ["DJ-2024-001", "成效明显", 0.96, 92.5, "优秀"],
        "表彰": ["ZS-2024-001", "连心桥共产党员服务队", "“十佳”党建精品项目", "在服务队建设中成绩突出", "中共国网兰州供电公司委员会", dt.date(2024, 12, 20), "DJ-2024-001"],
    }
    for sheet, row in values.items():
        for column, value in enumerate(row, start=1):
            book[sheet].cell(first, column, value)
    book.save(path)
    intake, report = load(path)
    assert report.issues == []
    assert intake.progress[0].percent == 60.0          # 0.6 in a cell the template formats as percent
    assert intake.results[0].satisfaction == 96.0
    assert intake.awards[0].recipient == "连心桥共产党员服务队"
    assert intake.awards[0].reason == "在服务队建设中成绩突出"
    assert intake.projects[0].members == ["李晓燕", "张志刚"]


def test_template_has_guide_dropdowns_formats_and_frozen_headers(tmp_path):
    config = Config(project=ProjectRules(categories=("党员攻关型", "党建载体型", "创新成果型")))
    book = load_workbook(write_template(tmp_path / "t.xlsx", config))
    assert book.sheetnames == ["填写说明"] + [s.name for s in SHEETS]
    guide = "\n".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert "党员攻关型、党建载体型、创新成果型" in guide
    projects = book["项目信息"]
    assert [c.value for c in projects[HEADER_ROW]][:4] == ["项目编号*", "项目名称*", "申报党组织*", "项目类别*"]
    assert projects.freeze_panes == f"A{HEADER_ROW + 1}"
    lists = [dv for dv in projects.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"党员攻关型,党建载体型,创新成果型"'
    assert "D4" in lists[0].sqref
    assert projects[f"A{HEADER_ROW + 1}"].number_format == "@"       # 项目编号 as text
    assert projects[f"H{HEADER_ROW + 1}"].number_format == "@"       # 联系电话 as text
    assert projects[f"J{HEADER_ROW + 1}"].number_format == "yyyy-mm-dd"
    results = book["实施效果"]
    assert any(dv.type == "list" and "优秀" in dv.formula1 for dv in results.data_validations.dataValidation)
    assert projects.column_dimensions["N"].width == 40  # 立项背景, after 开始日期, 结束日期 and 立项日期


def test_blank_template_reads_with_only_the_missing_projects(tmp_path):
    """Every sheet, header and format of the template reads cleanly; sent back unfilled, it says so."""
    _, report = load(write_template(tmp_path / "t.xlsx", CONFIG))
    assert report.flatten("sheet", "code", "severity") == [("项目信息", "no_projects", "error")]
