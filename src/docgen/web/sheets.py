"""A workbook drawn as the branch sees it: one table per sheet, each cell with an issue marked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from ..config import Limits
from ..intake.numfmt import format_of, show
from ..intake.package import inspect

ROWS_SHOWN = 300  # rows drawn per sheet (the issues list has every issue, whatever its row)


@dataclass
class Mark:
    severity: str
    messages: list[str] = field(default_factory=list)


@dataclass
class Cell:
    ref: str
    text: str
    mark: Mark | None = None
    span: tuple[int, int] = (1, 1)  # (columns, rows) of a merged area's first cell


@dataclass
class SheetView:
    title: str
    anchor: str  # the HTML id prefix of its cells
    columns: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number, its cells; those covered by a merged area left out)
    cut: int = 0  # rows not drawn


def marks_of(report: dict[str, Any]) -> dict[tuple[str, str], Mark]:
    """(sheet, cell) → the worst severity and every message located there."""
    found: dict[tuple[str, str], Mark] = {}
    for issue in report.get("issues", []):
        ref = _mark(issue)
        if not issue.get("sheet") or not ref:
            continue
        mark = found.setdefault((issue["sheet"], ref), Mark(issue["severity"]))
        if issue["severity"] == "error":
            mark.severity = "error"
        mark.messages.append(issue["message"])
    return found


def cell_anchor(sheets: list[str], sheet: str, ref: str) -> str:
    """The HTML id of a cell in the sheet view (issues link to it)."""
    index = sheets.index(sheet) if sheet in sheets else 0
    return f"s{index}-{ref}"


def issue_anchor(sheets: list[str], issue: dict[str, Any]) -> str | None:
    """Where an issue links to in the drawing: its cell, the first cell of its row, or its sheet."""
    sheet = issue.get("sheet")
    if sheet not in sheets:
        return None
    ref = _mark(issue)
    return cell_anchor(sheets, sheet, ref) if ref else f"s{sheets.index(sheet)}"


def _mark(issue: dict[str, Any]) -> str | None:
    """The cell an issue marks (the report's own word for it; reports stored before it was written have only the
    cell)."""
    return issue.get("mark", issue.get("cell"))


def draw(path: Path, report: dict[str, Any], limits: Limits) -> list[SheetView]:
    """Every sheet of the workbook as a table of its text, merged areas spanning their cells, the
    marked cells with their issues. The workbook was measured against `limits` when it was checked."""
    marks = marks_of(report)
    with path.open("rb") as handle:
        merges = {sheet.title: sheet.merges for sheet in inspect(handle, path.stat().st_size, limits).sheets}
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [_sheet(book[title], f"s{index}", marks, merges.get(title, []))
                for index, title in enumerate(book.sheetnames)]
    finally:
        book.close()


def _sheet(ws: Any, anchor: str, marks: dict[tuple[str, str], Mark], merges: list) -> SheetView:
    title = ws.title
    ws.reset_dimensions()
    spans, covered = {}, set()
    for first_col, first_row, last_col, last_row in merges:
        if None in (first_col, first_row, last_col, last_row):
            continue
        spans[(first_row, first_col)] = (last_col - first_col + 1, last_row - first_row + 1)
        covered |= {(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)}
        covered.discard((first_row, first_col))
    marked_rows = {int("".join(ch for ch in ref if ch.isdigit())) for s, ref in marks if s == title}
    width = max([_column(ref) for s, ref in marks if s == title], default=0)
    texts_by_row: list[tuple[int, list[str]]] = []
    total = 0
    for number, cells in enumerate(ws.iter_rows(), start=1):
        total = number
        if number > ROWS_SHOWN and number not in marked_rows:
            continue
        texts = [_text(c) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        width = max(width, len(texts))
        texts_by_row.append((number, texts))
    rows = []
    for number, texts in texts_by_row:
        line = []
        for column in range(1, width + 1):
            if (number, column) in covered:
                continue
            ref = f"{get_column_letter(column)}{number}"
            span = spans.get((number, column), (1, 1))
            span = (min(span[0], width - column + 1), span[1])
            line.append(Cell(ref, texts[column - 1] if column <= len(texts) else "", marks.get((title, ref)), span))
        rows.append((number, line))
    return SheetView(title, anchor, [get_column_letter(i) for i in range(1, width + 1)], rows,
                     cut=max(0, total - len(rows)))


def _column(ref: str) -> int:
    return column_index_from_string("".join(c for c in ref if c.isalpha()))


def _text(cell: Any) -> str:
    """The cell's text as the workbook shows it (its number format applied), else its value plainly."""
    value = cell.value
    if value is None:
        return ""
    shown = show(value, format_of(cell))
    if shown is not None and not isinstance(value, str):
        return shown
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
