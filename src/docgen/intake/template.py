"""The blank intake workbook sent to branches, generated from the layout declarations."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..config import Config
from ..models import CONCLUSIONS
from ..writing import put
from .layout import GUIDE_SHEET, SHEETS, Column, Sheet

HEADER_ROW = 3
FORMATTED_ROWS = 300  # rows prepared with formats and checks below the header

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_REQUIRED_FONT = Font(name="宋体", bold=True, color="C00000")
_HEADER_FONT = Font(name="宋体", bold=True)

_FORMATS = {"date": "yyyy-mm-dd", "percent": "0%", "score": "0.0", "amount": "0.00", "seq": "0", "code": "@",
            "phone": "@"}


def write_template(path: str | Path, config: Config, branch: str | None = None) -> Path:
    """Write a blank intake workbook with instructions, dropdowns and checks (for one branch, when named)."""
    book = Workbook()
    guide = book.active
    guide.title = GUIDE_SHEET
    _write_guide(guide, config, branch)
    for spec in SHEETS:
        _write_sheet(book.create_sheet(spec.name), spec, config, branch)
    path = Path(path)
    book.save(path)
    return path


def _write_guide(ws, config: Config, branch: str | None = None) -> None:
    _append(ws, [f"{config.organization.name}党建项目申报表 填写说明"])
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    lines = [
        "1. 表头带“*”的列为必填项；请勿修改表头文字，可调整列的顺序。",
        "2. 日期请填写为日期格式，如 2024-03-19；也可写作 2024/3/19、2024.3.19 或 2024年3月19日。",
        "3. 比例填写 0%–100%，如 80%。",
        "4. 多个单位或人员之间用顿号“、”分隔。",
        f"5. 项目类别：{'、'.join(config.project.categories)}。",
        f"6. 填写牵头单位（“1+X”模式）时，重点实践单位为 {config.project.practice_units_min}–{config.project.practice_units_max} 个。",
        "7. 除“项目信息”外，其余工作表可按需填写；各表中的项目编号须与“项目信息”一致。",
        *([f"8. 本表是“{branch}”的申报表，申报党组织一栏请从下拉列表选择。"] if branch else []),
        "",
    ]
    for line in lines:
        _append(ws, [line])
    _append(ws, ["工作表", "列", "是否必填", "填写要求"])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    for spec in SHEETS:
        for column in spec.columns:
            _append(ws, [spec.name, column.header, "必填" if column.required else "选填", _hint(column, config)])
            for cell in ws[ws.max_row]:
                cell.border = _BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (12, 16, 10, 70)):
        ws.column_dimensions[letter].width = width


def _append(ws, values: list) -> None:
    """A row below the last one, every value written through writing.put."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
    for column, value in enumerate(values, start=1):
        put(ws.cell(row, column), value)


def _hint(column: Column, config: Config) -> str:
    if column.kind == "category":
        return "从下拉列表选择：" + "、".join(config.project.categories)
    if column.kind == "conclusion":
        return "从下拉列表选择：" + "、".join(CONCLUSIONS)
    return column.hint


def _write_sheet(ws, spec: Sheet, config: Config, branch: str | None = None) -> None:
    last = get_column_letter(len(spec.columns))
    put(ws["A1"], f"{config.organization.name}党建项目申报表——{spec.name}")
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws.merge_cells(f"A1:{last}1")
    put(ws["A2"], f"{spec.hint}带“*”的列为必填项。")
    ws["A2"].font = Font(name="宋体", size=10, color="666666")
    ws.merge_cells(f"A2:{last}2")
    first, end = HEADER_ROW + 1, HEADER_ROW + FORMATTED_ROWS
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(HEADER_ROW, index, column.header + ("*" if column.required else ""))
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = column.width
        number_format = _FORMATS.get(column.kind)
        wrap = column.kind == "longtext"
        if number_format or wrap:
            for row in range(first, end + 1):
                target = ws.cell(row, index)
                if number_format:
                    target.number_format = number_format
                if wrap:
                    target.alignment = Alignment(wrap_text=True, vertical="top")
        validation = _validation(column, config, branch)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}{first}:{letter}{end}")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.row_dimensions[HEADER_ROW].height = 24


def _validation(column: Column, config: Config, branch: str | None = None) -> DataValidation | None:
    kind = column.kind
    if column.field == "branch" and branch and not any(mark in branch for mark in ',"'):
        dv = DataValidation(type="list", formula1=f'"{branch}"', allow_blank=True)
        dv.error = f"本表是“{branch}”的申报表"
    elif kind in ("category", "conclusion"):
        choices = config.project.categories if kind == "category" else CONCLUSIONS
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.error = "请从下拉列表中选择"
    elif kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2099,12,31)", allow_blank=True)
        dv.error = "请填写日期，如 2024-03-19"
    elif kind == "percent":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        dv.error = "请填写 0%–100% 之间的比例，如 80%"
    elif kind == "score":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        dv.error = "请填写 0–100 之间的分数"
    elif kind == "amount":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100000", allow_blank=True)
        dv.error = "请填写以万元为单位的金额，如 5 或 2.5"
    elif kind == "seq":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True)
        dv.error = "请填写正整数"
    else:
        return None
    dv.errorTitle = column.header
    dv.showErrorMessage = True
    if column.hint:
        dv.prompt = column.hint[:250]
        dv.promptTitle = column.header
        dv.showInputMessage = True
    return dv
