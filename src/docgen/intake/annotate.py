"""The annotated copy sent back to a branch: bad cells filled and commented, plus a 校验结果 sheet."""
from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..issues import FileReport, Issue

RESULT_SHEET = "校验结果"
_FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
_SEVERITY = {"error": "错误", "warning": "警告"}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def annotated_copy(report: FileReport) -> bytes:
    """Return a copy of the workbook with every located issue marked; the source is not touched."""
    book = load_workbook(report.path, keep_vba=False)
    book.template = False
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in report.issues:
        loc = issue.location
        if loc.sheet in book.sheetnames and loc.cell:
            by_cell[(loc.sheet, loc.cell)].append(issue)
    for (sheet, ref), issues in by_cell.items():
        cell = book[sheet][ref]
        worst = "error" if any(i.severity == "error" for i in issues) else "warning"
        cell.fill = _FILLS[worst]
        text = "\n".join(f"【{_SEVERITY[i.severity]}】{i.message}" for i in issues)
        comment = Comment(text, "docgen 校验")
        comment.width, comment.height = 320, 40 + 36 * len(issues)
        cell.comment = comment

    if RESULT_SHEET in book.sheetnames:
        del book[RESULT_SHEET]
    ws = book.create_sheet(RESULT_SHEET, 0)
    ws.append([f"校验结果：错误 {len(report.errors)} 处，警告 {len(report.warnings)} 处。请按下列说明修改后重新提交（点击位置可跳转到对应单元格）。"])
    ws["A1"].font = Font(bold=True, color="C00000")
    ws.merge_cells("A1:E1")
    ws.append(["序号", "级别", "位置", "项目", "问题说明"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = _BORDER
    for number, issue in enumerate(report.issues, start=1):
        loc = issue.location
        place = f"{loc.sheet}!{loc.cell}" if loc.cell else (loc.sheet or "整个文件")
        ws.append([number, _SEVERITY[issue.severity], place, loc.label or "", issue.message])
        row = ws.max_row
        if loc.cell and loc.sheet in book.sheetnames:
            link = ws.cell(row, 3)
            link.hyperlink = f"#'{loc.sheet}'!{loc.cell}"
            link.font = Font(color="0563C1", underline="single")
        for cell in ws[row]:
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if issue.severity == "error":
            ws.cell(row, 2).font = Font(color="C00000", bold=True)
    for letter, width in zip("ABCDE", (6, 6, 16, 14, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    book.active = 0
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == RESULT_SHEET
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
