"""The .xlsx backend for tables such as the 台账: frozen header, filters, widths, colours.

Every cell goes through writing.put: text is XML-legal and stays text, even when it
starts like a formula.
"""
from __future__ import annotations

import io
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
    ws.freeze_panes = "C3"
    print_setup(ws, "landscape")  # in write-only mode the sheet's properties go out with its first row
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
    ws.print_title_rows = "2:2"
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
