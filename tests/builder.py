"""Build intake workbooks inside tests: valid by default, with any cell changed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from docgen.models.period import Period

PROJECT_HEADERS = ["项目编号*", "项目名称*", "申报党组织*", "项目类别*", "牵头单位", "重点实践单位", "项目负责人*",
                   "联系电话", "项目成员", "开始日期*", "结束日期*", "项目口号", "立项背景*", "目标任务*", "主要措施*",
                   "预期成效*", "关联中心工作", "经费预算（万元）", "立项日期"]
TASK_HEADERS = ["项目编号*", "序号*", "任务内容*", "责任人*", "开始日期", "完成时限*", "质量标准*", "预期目标*"]
PROGRESS_HEADERS = ["项目编号*", "报告期*", "统计日期*", "任务序号", "完成比例*", "完成情况*", "存在问题", "下步计划"]
RESULT_HEADERS = ["项目编号*", "实施效果*", "群众满意率", "评价得分", "验收结论", "经费使用（万元）"]
AWARD_HEADERS = ["证书编号*", "获奖对象*", "荣誉称号*", "表彰事由", "颁发单位*", "颁发日期*", "项目编号"]


def project_row(code: str = "DJ-2024-001", **changes: Any) -> list[Any]:
    values = {
        "项目编号*": code, "项目名称*": "连心桥共产党员服务队“创优”工程", "申报党组织*": "城关供电服务中心党支部",
        "项目类别*": "服务关怀项目", "牵头单位": "城关供电服务中心党支部", "重点实践单位": "配网带电作业中心党支部、西固供电服务中心党支部",
        "项目负责人*": "马建华", "联系电话": "13912345678", "项目成员": "李晓燕、张志刚",
        "开始日期*": dt.date(2024, 3, 1), "结束日期*": dt.date(2024, 12, 31), "项目口号": "连心架桥 服务创优",
        "立项背景*": "辖区客户多，服务要求高。", "目标任务*": "故障报修到达现场时间缩短至30分钟以内。",
        "主要措施*": "1.建强队伍。\n2.联合攻关。", "预期成效*": "客户满意度稳步提升。", "关联中心工作": "优质服务",
        "经费预算（万元）": None, "立项日期": None,
    }
    values.update(changes)
    return [values[h] for h in PROJECT_HEADERS]


def task_row(code: str = "DJ-2024-001", seq: Any = 1, **changes: Any) -> list[Any]:
    values = {"项目编号*": code, "序号*": seq, "任务内容*": "整编服务队", "责任人*": "马建华", "开始日期": None,
              "完成时限*": dt.date(2024, 6, 30), "质量标准*": "制度健全", "预期目标*": "队员持证上岗率100%"}
    values.update(changes)
    return [values[h] for h in TASK_HEADERS]


def progress_row(code: str = "DJ-2024-001", period: Any = "2024年第2季度", task: Any = 1, percent: Any = 50,
                 **changes: Any) -> list[Any]:
    """A progress row; its 统计日期 is its 报告期's last day unless given (2024-06-30 when the period is unreadable)."""
    try:
        last = Period.model_validate(period).end
    except ValueError:
        last = dt.date(2024, 6, 30)
    values = {"项目编号*": code, "报告期*": period, "统计日期*": last, "任务序号": task,
              "完成比例*": percent, "完成情况*": "按计划推进", "存在问题": None, "下步计划": None}
    values.update(changes)
    return [values[h] for h in PROGRESS_HEADERS]


def result_row(code: str = "DJ-2024-001", satisfaction: Any = 95, score: Any = 90, conclusion: Any = "优秀",
               **changes: Any) -> list[Any]:
    values = {"项目编号*": code, "实施效果*": "到达现场时间缩短至27分钟。", "群众满意率": satisfaction,
              "评价得分": score, "验收结论": conclusion, "经费使用（万元）": None}
    values.update(changes)
    return [values[h] for h in RESULT_HEADERS]


def award_row(cert_no: str = "DJZS-2024-001", recipient: str = "连心桥共产党员服务队", **changes: Any) -> list[Any]:
    values = {"证书编号*": cert_no, "获奖对象*": recipient, "荣誉称号*": "“十佳”党建精品项目", "表彰事由": None,
              "颁发单位*": "中共国网兰州供电公司委员会", "颁发日期*": dt.date(2024, 12, 20), "项目编号": "DJ-2024-001"}
    values.update(changes)
    return [values[h] for h in AWARD_HEADERS]


class Book:
    """A workbook under construction: sheets of headers and rows, saved to a path."""

    def __init__(self) -> None:
        self.sheets: dict[str, tuple[list[Any], list[list[Any]], list[list[Any]]]] = {}

    def sheet(self, name: str, headers: list[Any], rows: list[list[Any]], above: list[list[Any]] | None = None) -> "Book":
        self.sheets[name] = (headers, rows, above or [])
        return self

    def save(self, path: Path, formats: dict[str, str] | None = None) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for name, (headers, rows, above) in self.sheets.items():
            ws = wb.create_sheet(name)
            for line in above:
                ws.append(line)
            ws.append(headers)
            for row in rows:
                ws.append(row)
        for ref, number_format in (formats or {}).items():
            sheet, cell = ref.split("!")
            wb[sheet][cell].number_format = number_format
        wb.save(path)
        return path


def valid_book(projects: list[list[Any]] | None = None, tasks: list[list[Any]] | None = None,
               progress: list[list[Any]] | None = None) -> Book:
    """One project with two tasks and progress: no issues at all."""
    return (Book()
            .sheet("项目信息", PROJECT_HEADERS, projects or [project_row()])
            .sheet("任务分解", TASK_HEADERS, tasks or [task_row(seq=1), task_row(seq=2, **{"任务内容*": "上门走访"})])
            .sheet("进度", PROGRESS_HEADERS, progress if progress is not None else [progress_row()]))


def full_book(projects: list[list[Any]] | None = None, tasks: list[list[Any]] | None = None,
              progress: list[list[Any]] | None = None, results: list[list[Any]] | None = None,
              awards: list[list[Any]] | None = None) -> Book:
    """valid_book with the 实施效果 and 表彰 sheets as well."""
    return (valid_book(projects, tasks, progress)
            .sheet("实施效果", RESULT_HEADERS, results if results is not None else [result_row()])
            .sheet("表彰", AWARD_HEADERS, awards if awards is not None else [award_row()]))
