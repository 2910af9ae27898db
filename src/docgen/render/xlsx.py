"""The .xlsx backend for tables such as the 台账: frozen header, filters, widths, colours.

Every cell goes through writing.put: text is XML-legal and stays text, even when it
starts like a formula.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..filekinds import TABLE_MARK
from ..writing import print_setup, put, xml_text

_THIN = Side(style="thin", color="999999")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_RED = PatternFill("solid", fgColor="F8CBAD")
_GREEN = PatternFill("solid", fgColor="C6EFCE")
_YELLOW = PatternFill("solid", fgColor="FFEB9C")

Column = tuple[str, str, int, "str | None"]  # header, field, width, number format


@dataclass
class Table:
    """One sheet of a workbook: its title (also the sheet's name), columns and rows.

    highlights maps a field to a rule: "positive_red" colours values above 0,
    "percent" colours 100 green and anything lower yellow.
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    highlights: dict[str, str] = field(default_factory=dict)
    sheet: str = ""  # the sheet's name when it differs from the title
    made_by: str = ""  # 制表单位 in the printed footer
    made_on: str = ""  # 制表日期 in the printed footer
    title_columns: str = "A:B"  # repeated on every printed page (项目编号, 项目名称)
    freeze: str = "C3"  # the first cell that scrolls: the title and header rows and the title columns stay


# Printing: the cells are in Calibri 11 pt; a printed character must stay at least MIN_PRINT_PT high.
CELL_PT = 11
MIN_PRINT_PT = 8
PRINT_SCALE = 75  # per cent, when the columns do not fit one page's width readably: 8.25 pt on paper
MARGIN_IN = 0.5  # left and right page margins, inches
A4_LANDSCAPE_PT = 297 / 25.4 * 72


def column_points(width: float) -> float:
    """The printed width of a column of `width` characters (Excel: 7 px a character and 5 px of padding at 96 dpi)."""
    return (width * 7 + 5) * 0.75


LINE_PT = 16  # the height of one line of 11 pt text in a cell, CJK faces included


def text_points(text: str) -> float:
    """The width of a line of text in the cells' 11 pt: a CJK or full-width character 11 pt, others about 6."""
    return sum(CELL_PT if ord(ch) >= 0x2E80 or ch in "“”‘’—…" else 6 for ch in text)


def row_height(values: Sequence[Any], columns: Sequence[Column]) -> float | None:
    """The height that shows every line of the row's wrapped text; None for a row of one line.

    Written into the file, because neither LibreOffice nor Excel re-measures a row on opening a workbook
    that does not say its height: a long 项目名称 would show, and print, cut after its first line."""
    lines = 1
    for value, (_, _, width, _) in zip(values, columns):
        if isinstance(value, str) and value:
            room = column_points(width) - 4
            lines = max(lines, sum(max(1, math.ceil(text_points(part) / room)) for part in value.split("\n")))
    return lines * LINE_PT if lines > 1 else None


def print_scale(columns: Sequence[Column]) -> int | None:
    """None when every column fits one A4 landscape page's width at a readable size (fit to width),
    else the fixed scale at which the columns run over several pages across, the title columns repeated."""
    width = sum(column_points(c[2]) for c in columns)
    room = A4_LANDSCAPE_PT - 2 * MARGIN_IN * 72
    if room / width * CELL_PT >= MIN_PRINT_PT or width <= room:
        return None
    return PRINT_SCALE


def write_table(title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                highlights: dict[str, str] | None = None, made_by: str = "", made_on: str = "") -> bytes:
    """A workbook of one sheet: a title row, a header row, then the rows; returns the .xlsx bytes."""
    return write_tables([Table(title, columns, rows, highlights or {}, made_by=made_by, made_on=made_on)])


def write_tables(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table; returns the .xlsx bytes.

    Rows are streamed (openpyxl's write-only mode), so a table of tens of thousands of
    rows, such as the file list of a large batch, does not sit in memory cell by cell.
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = "docgen"
    wb.properties.identifier = TABLE_MARK  # so that a later run finds it is no branch's workbook
    for table in tables:
        _write_sheet(wb, wb.create_sheet(sheet_title(table.sheet or table.title)), table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_sheet(wb: Any, ws: Any, table: Table) -> None:
    columns, highlights = table.columns, table.highlights
    for col, (_, _, width, _) in enumerate(columns, 1):  # widths and panes come before the first row
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = table.freeze
    print_setup(ws, "landscape")  # in write-only mode the sheet's properties go out with its first row
    scale = print_scale(columns)
    if scale is not None:  # too wide to fit one page readably: several pages across at a fixed scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = scale
        ws.page_setup.pageOrder = "overThenDown"  # a band of rows is read across its pages before the next
    ws.page_margins.left = ws.page_margins.right = MARGIN_IN
    title = put(WriteOnlyCell(ws), table.title)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
    header = []
    for text, _, _, _ in columns:
        cell = put(WriteOnlyCell(ws), text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    top, wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    count = 0
    for count, row in enumerate(table.rows, 1):
        cells = []
        height = row_height([row.get(key) for _, key, _, _ in columns], columns)
        if height:
            ws.row_dimensions[count + 2].height = height
        for _, key, _, number_format in columns:
            value = row.get(key)
            cell = put(WriteOnlyCell(ws), value)
            cell.border = border
            cell.alignment = wrapped if isinstance(value, str) else top
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        ws.append(cells)
    last_row = max(count + 2, 3)
    last_col = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A2:{last_col}{last_row}"
    for name, rule in (highlights or {}).items():
        col = next(i for i, c in enumerate(columns, 1) if c[1] == name)
        ref = f"{get_column_letter(col)}3:{get_column_letter(col)}{last_row}"
        if rule == "positive_red":
            ws.conditional_formatting.add(ref, CellIsRule(operator="greaterThan", formula=["0"], fill=_RED))
        elif rule == "percent":
            ws.conditional_formatting.add(ref, CellIsRule(operator="greaterThanOrEqual", formula=["100"], fill=_GREEN))
            ws.conditional_formatting.add(ref, CellIsRule(operator="between", formula=["0", "99.99"], fill=_YELLOW))
    ws.print_title_rows = "1:2"
    if table.title_columns:
        ws.print_title_cols = table.title_columns
    footer = ws.oddFooter
    if table.made_by:
        footer.left.text = f"制表单位：{_footer_text(table.made_by)}"
    footer.center.text = "第 &P 页 共 &N 页"
    if table.made_on:
        footer.right.text = f"制表日期：{_footer_text(table.made_on)}"


def _footer_text(text: str) -> str:
    """Text as a header/footer shows it: & starts a code there, so it is doubled."""
    return xml_text(text).replace("&", "&&")


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\ , not blank, at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", "_", xml_text(text)).strip("'").strip()[:31]
    return name or "Sheet"
