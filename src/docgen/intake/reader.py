"""Read stage: an .xlsx/.xlsm file → raw rows that remember the cell of every value.

The reader finds header rows and columns by the declared header texts and reports
what it cannot read as issues. It knows nothing of the models' rules.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..issues import Issue, Location
from ..messages import make_issue
from .layout import SHEETS, Sheet, normalize_header


@dataclass(frozen=True)
class Cell:
    value: Any
    column: str
    row: int
    number_format: str = "General"


@dataclass
class RawRow:
    number: int
    cells: dict[str, Cell]  # by field; only the columns the sheet has

    def values(self, sheet: Sheet) -> dict[str, Any]:
        """Return field → value, blank cells left out, percent cells scaled to 0–100."""
        out: dict[str, Any] = {}
        for name, cell in self.cells.items():
            value = cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            column = sheet.by_field[name]
            if column.kind == "percent" and _is_number(value) and "%" in cell.number_format:
                value = round(value * 100, 6)
            out[name] = value
        return out


@dataclass
class RawSheet:
    spec: Sheet
    title: str
    header_row: int
    columns: dict[str, str]  # field → column letter
    rows: list[RawRow] = field(default_factory=list)

    def location(self, row: int | None = None, field_name: str | None = None) -> Location:
        """Locate a row, or a cell when the field's column is known."""
        column = self.spec.by_field.get(field_name) if field_name else None
        return Location(
            sheet=self.title,
            row=row,
            column=self.columns.get(field_name) if field_name and row else None,
            field=field_name,
            label=column.header if column else None,
        )


@dataclass
class RawWorkbook:
    path: str
    sheets: dict[str, RawSheet] = field(default_factory=dict)  # by declared name
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True
    sha256: str = ""  # of the file's bytes, when they could be read


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every declared sheet of a workbook; never raise for a bad file."""
    path = Path(path)
    raw = RawWorkbook(path=str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _unreadable(raw, "file_missing")
    except OSError as exc:
        return _unreadable(raw, "file_corrupt", detail=exc.strerror or type(exc).__name__)
    raw.sha256 = hashlib.sha256(data).hexdigest()
    if data.startswith(_OLE_MAGIC):
        return _unreadable(raw, "file_encrypted" if _ENCRYPTED_MARK in data else "file_xls")
    if not data.startswith(b"PK"):
        return _unreadable(raw, "file_not_xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        return _unreadable(raw, "file_corrupt", detail="压缩结构损坏")
    except Exception as exc:  # openpyxl raises many kinds for broken parts
        return _unreadable(raw, "file_corrupt", detail=type(exc).__name__)
    try:
        titles = {normalize_header(t): t for t in book.sheetnames}
        for spec in SHEETS:
            title = titles.get(spec.name)
            if title is None:
                if spec.required:
                    raw.issues.append(make_issue("sheet_missing", Location(sheet=spec.name), sheet=spec.name))
                continue
            sheet = _read_sheet(book[title], spec, raw.issues)
            if sheet is not None:
                raw.sheets[spec.name] = sheet
    except Exception as exc:
        return _unreadable(raw, "file_corrupt", detail=type(exc).__name__)
    finally:
        book.close()
    return raw


def _unreadable(raw: RawWorkbook, code: str, **ctx: Any) -> RawWorkbook:
    raw.readable = False
    raw.issues.append(make_issue(code, **ctx))
    return raw


def _read_sheet(ws: Any, spec: Sheet, issues: list[Issue]) -> RawSheet | None:
    ws.reset_dimensions()  # a stored dimension may be wrong; read what is there
    rows = ws.iter_rows()
    header_row = None
    header_cells: tuple = ()
    for number, cells in enumerate(rows, start=1):
        if any(normalize_header(c.value) == spec.key_header for c in cells):
            header_row, header_cells = number, cells
            break
    if header_row is None:
        issues.append(make_issue("header_missing", Location(sheet=ws.title), header=spec.key_header))
        return None

    columns: dict[str, str] = {}
    indexes: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        text = normalize_header(cell.value)
        if not text:
            continue
        letter = get_column_letter(index + 1)
        column = spec.by_header.get(text)
        where = Location(sheet=ws.title, row=header_row, column=letter, label=str(cell.value).strip())
        if column is None:
            issues.append(make_issue("column_unknown", where, header=str(cell.value).strip()))
        elif column.field in columns:
            issues.append(make_issue("column_duplicate", where, header=column.header, first=columns[column.field]))
        else:
            columns[column.field] = letter
            indexes[column.field] = index
    sheet = RawSheet(spec, ws.title, header_row, columns)
    for column in spec.columns:
        if column.required and column.field not in columns:
            issues.append(make_issue(
                "column_missing",
                Location(sheet=ws.title, row=header_row, field=column.field, label=column.header),
                header=column.header,
            ))

    wanted = list(indexes.items())
    for number, cells in enumerate(rows, start=header_row + 1):
        # A template has hundreds of formatted but empty rows: skip them before building anything.
        if not any(_filled(cells[index].value) for _, index in wanted if index < len(cells)):
            continue
        found: dict[str, Cell] = {}
        for name, index in wanted:
            if index >= len(cells):
                continue
            source = cells[index]
            value = source.value
            number_format = (getattr(source, "number_format", "General") or "General") if value is not None else "General"
            found[name] = Cell(value, columns[name], number, number_format)
        sheet.rows.append(RawRow(number, found))
    return sheet


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

