"""The annotated copy sent back to a branch: bad cells filled and commented, plus a 校验结果 sheet."""
from __future__ import annotations

import io
import math
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..issues import FileReport, Issue
from ..writing import print_setup, put, xml_text
from .carried import LeftOut, stand_ins
from .layout import RESULT_SHEET

NEXT_STEPS = ("下一步：请在本文件（{name} 的标注副本）中逐条修改下列问题：红色单元格是错误，必须改正；黄色单元格是警告，"
              "请核实；标签标红或标黄的工作表，问题在整张表（见下表）；有问题的隐藏行、列在本副本中已取消隐藏。"
              "点击“位置”可跳到对应单元格，单元格的批注写明了问题。改好后保存，把本文件交回党建部即可"
              "（不必改回原文件名，也不必删除本页和标色，docgen 会自动略过）。")
LEFT_OUT = "注：{place} 粘贴的图片未带入本副本（{why}）；如这张图片要用，请在本副本中重新粘贴。"
_FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
_SEVERITY = {"error": "错误", "warning": "警告"}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def annotated_copy(report: FileReport) -> bytes:
    """Return a copy of the workbook with every located issue marked; the source is not touched.

    An issue in a merged area is marked on the area's top-left cell, the only one that can
    hold a fill or a comment. The workbook was measured against the limits when it was read
    (package.py), which bounds what this full load costs. Pasted pictures are never decoded: openpyxl
    holds stand-ins, and the copy carries each picture's own bytes (carried.py).
    """
    with zipfile.ZipFile(report.path) as original:
        pictures = stand_ins(original)
        book = load_workbook(pictures.package(), keep_vba=False)
        left_out = pictures.leave_out(book)
        return pictures.carry(_marked(book, report, left_out))


def _marked(book: Any, report: FileReport, left_out: list[LeftOut]) -> bytes:
    """The loaded `book` with the issues of `report` marked and its 校验结果 sheet, saved."""
    book.template = False
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in report.issues:
        loc = issue.location
        ref = loc.mark
        marked = _top_left(book[loc.sheet], ref) if loc.sheet in book.sheetnames and ref else None
        if marked:
            by_cell[(loc.sheet, marked)].append(issue)
    for (sheet, ref), issues in by_cell.items():
        cell = book[sheet][ref]
        cell.fill = _FILLS[_worst(issues)]
        text = "\n".join(f"【{_SEVERITY[i.severity]}】{i.message}" for i in issues)
        comment = Comment(xml_text(text), "docgen 校验")
        comment.width, comment.height = 320, 40 + 36 * len(issues)
        cell.comment = comment
    _show_what_is_marked(book, report.issues)

    if RESULT_SHEET in book.sheetnames:
        del book[RESULT_SHEET]
    ws = book.create_sheet(RESULT_SHEET, 0)
    name = Path(report.path).name
    put(ws["A1"], f"校验结果：错误 {len(report.errors)} 处，警告 {len(report.warnings)} 处。")
    ws["A1"].font = Font(bold=True, color="C00000", size=12)
    put(ws["A2"], NEXT_STEPS.format(name=name))
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 80
    ws.merge_cells("A1:E1")
    ws.merge_cells("A2:E2")
    for column, text in enumerate(("序号", "级别", "位置", "项目", "问题说明"), start=1):
        ws.cell(3, column, text)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = _BORDER
    for number, issue in enumerate(report.issues, start=1):
        loc = issue.location
        place = loc.place or "整个文件"
        row = 3 + number
        for column, value in enumerate((number, _SEVERITY[issue.severity], place, loc.label or "", issue.message), 1):
            put(ws.cell(row, column), value)  # a label or a value copied from the workbook stays text
        if loc.sheet in book.sheetnames:
            link = ws.cell(row, 3)
            link.hyperlink = f"#'{loc.sheet}'!{loc.mark or 'A1'}"
            link.font = Font(color="0563C1", underline="single")
        for cell in ws[row]:
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _height(issue.message, loc.label or "")  # not every viewer fits rows
        if issue.severity == "error":
            ws.cell(row, 2).font = Font(color="C00000", bold=True)
    for row, picture in enumerate(left_out, start=4 + len(report.issues)):
        why = "原文件中缺少这张图片的数据" if picture.missing else "原文件没有注明这张图片的格式"
        put(ws.cell(row, 1), LEFT_OUT.format(place=f"{picture.sheet}!{picture.cell}", why=why))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 33
    for letter, width in zip("ABCDE", _WIDTHS):  # 88 characters: the width of A4 portrait
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    print_setup(ws, "portrait")
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    book.active = 0
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == RESULT_SHEET
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_WIDTHS = (5, 5, 16, 14, 48)
_TABS = {"error": "C00000", "warning": "FFC000"}


def _worst(issues: list[Issue]) -> str:
    return "error" if any(i.severity == "error" for i in issues) else "warning"


def _show_what_is_marked(book: Any, issues: list[Issue]) -> None:
    """Let the clerk see every mark: a hidden row or column an issue is about is shown again in the copy, and a
    sheet with an issue of its own (a name, a sheet not read) gets a tab of the issue's colour."""
    by_sheet: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        loc = issue.location
        if loc.sheet not in book.sheetnames:
            continue
        ws = book[loc.sheet]
        if issue.code == "row_hidden" and loc.row:
            ws.row_dimensions[loc.row].hidden = False
        elif issue.code == "column_hidden" and loc.column:
            ws.column_dimensions[loc.column].hidden = False
        elif not loc.row and not loc.column:
            by_sheet[loc.sheet].append(issue)
    for sheet, found in by_sheet.items():
        book[sheet].sheet_properties.tabColor = _TABS[_worst(found)]


def _height(message: str, label: str) -> float:
    """A row's height (points) for its message wrapped in column E (and its label in column D)."""
    lines = max(_lines(message, _WIDTHS[4]), _lines(label, _WIDTHS[3]))
    return 15.0 * lines + 3


def _lines(text: str, width: int) -> int:
    """How many lines a text takes in a column `width` characters wide (a Chinese character is two)."""
    return sum(max(1, math.ceil(sum(2 if ord(ch) >= 0x2E80 else 1 for ch in line) / width))
               for line in (text or " ").split("\n"))


def _top_left(ws, ref: str) -> str | None:
    """`ref`, or the top-left cell of the merged area it lies in; None when no cell can be marked
    (merged areas that overlap each other, which Excel refuses to open but a program may write)."""
    seen: set[str] = set()
    while isinstance(ws[ref], MergedCell):
        seen.add(ref)
        area = next((a for a in ws.merged_cells.ranges if ref in a and a.start_cell.coordinate not in seen), None)
        if area is None:
            return None
        ref = area.start_cell.coordinate
    return ref
