"""The .xlsx backend for tables such as the 台账: frozen header, filters, widths, colours.

Text from submissions is always written as text: a value that starts like a formula
(=, +, -, @) is stored as a string and marked so Excel keeps treating it as text.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@")
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


def write_table(title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                highlights: dict[str, str] | None = None) -> bytes:
    """A workbook of one sheet: a title row, a header row, then the rows; returns the .xlsx bytes."""
    return write_tables([Table(title, columns, rows, highlights or {})])


def write_tables(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table; returns the .xlsx bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        _write_sheet(wb.create_sheet((table.sheet or table.title)[:31]), table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_sheet(ws: Any, table: Table) -> None:
    title, columns, rows, highlights = table.title, table.columns, table.rows, table.highlights
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
    for col, (header, _, width, _) in enumerate(columns, 1):
        cell = ws.cell(2, col, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    count = 0
    for count, row in enumerate(rows, 1):
        r = count + 2
        for col, (_, key, _, number_format) in enumerate(columns, 1):
            cell = ws.cell(r, col)
            _set(cell, row.get(key))
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(row.get(key), str))
            if number_format:
                cell.number_format = number_format
    last_row = max(count + 2, 3)
    last_col = get_column_letter(len(columns))
    ws.freeze_panes = "C3"
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
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _set(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
