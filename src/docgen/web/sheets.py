"""A workbook drawn as the branch sees it: one table per sheet, each cell with an issue marked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

ROWS_SHOWN = 300  # rows drawn per sheet (the issues list has every issue, whatever its row)


@dataclass
class Mark:
    severity: str
    messages: list[str] = field(default_factory=list)


@dataclass
class SheetView:
    title: str
    anchor: str  # the HTML id prefix of its cells
    columns: list[str]
    rows: list[tuple[int, list[tuple[str, str, Mark | None]]]]  # (row number, [(ref, text, mark)])
    cut: int = 0  # rows not drawn


def marks_of(report: dict[str, Any]) -> dict[tuple[str, str], Mark]:
    """(sheet, cell) → the worst severity and every message located there."""
    found: dict[tuple[str, str], Mark] = {}
    for issue in report.get("issues", []):
        if not issue.get("sheet") or not issue.get("cell"):
            continue
        mark = found.setdefault((issue["sheet"], issue["cell"]), Mark(issue["severity"]))
        if issue["severity"] == "error":
            mark.severity = "error"
        mark.messages.append(issue["message"])
    return found


def cell_anchor(sheets: list[str], sheet: str, ref: str) -> str:
    """The HTML id of a cell in the sheet view (issues link to it)."""
    index = sheets.index(sheet) if sheet in sheets else 0
    return f"s{index}-{ref}"


def draw(path: Path, report: dict[str, Any]) -> list[SheetView]:
    """Every sheet of the workbook as a table of its text, the marked cells with their issues."""
    marks = marks_of(report)
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        titles = list(book.sheetnames)
        views = []
        for index, title in enumerate(titles):
            ws = book[title]
            ws.reset_dimensions()
            rows: list[tuple[int, list[tuple[str, str, Mark | None]]]] = []
            width, total = 0, 0
            marked_rows = {int("".join(c for c in ref if c.isdigit())) for s, ref in marks if s == title}
            for number, cells in enumerate(ws.iter_rows(), start=1):
                total = number
                if number > ROWS_SHOWN and number not in marked_rows:
                    continue
                texts = [_text(c.value) for c in cells]
                while texts and not texts[-1]:
                    texts.pop()
                width = max(width, len(texts))
                rows.append((number, [(f"{get_column_letter(i)}{number}", t, marks.get((title, f"{get_column_letter(i)}{number}")))
                                      for i, t in enumerate(texts, start=1)]))
            # a marked cell right of a row's last value (a required cell left empty) is drawn too
            width = max([width] + [_column(ref) for s, ref in marks if s == title])
            for number, line in rows:
                present = {ref for ref, _, _ in line}
                for i in range(len(line) + 1, width + 1):
                    ref = f"{get_column_letter(i)}{number}"
                    if ref not in present:
                        line.append((ref, "", marks.get((title, ref))))
            views.append(SheetView(title, f"s{index}", [get_column_letter(i) for i in range(1, width + 1)], rows,
                                   cut=max(0, total - len(rows))))
        return views
    finally:
        book.close()


def _column(ref: str) -> int:
    return column_index_from_string("".join(c for c in ref if c.isalpha()))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
