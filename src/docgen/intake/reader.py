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

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..config import Limits
from ..filekinds import refusal
from ..issues import Issue, Location
from ..messages import make_issue
from ..writing import has_illegal, xml_text
from ..models.records import EMBEDDED
from .layout import PHOTOS, PROJECTS, SHEETS, Sheet, normalize_header
from .package import PackageRefused, SheetFacts, inspect


@dataclass(frozen=True)
class Cell:
    value: Any
    column: str
    row: int
    number_format: str = "General"
    uncached: bool = False  # a formula saved without its value: what it shows is unknown


@dataclass
class RawRow:
    number: int
    cells: dict[str, Cell]  # by field; only the columns the sheet has

    def values(self, sheet: Sheet) -> dict[str, Any]:
        """Return field → value, blank cells left out, percent cells scaled to 0–100."""
        out: dict[str, Any] = {}
        for name, cell in self.cells.items():
            value = cell.value
            if not _filled(value):
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


def read_workbook(path: str | Path, limits: Limits = Limits()) -> RawWorkbook:
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
    refused = refusal(io.BytesIO(data), path.name)  # another format (.xls, .et, .ods, .csv, a zip …), told precisely
    if refused:
        return _unreadable(raw, refused)
    if not data.startswith(b"PK"):
        return _unreadable(raw, "file_not_xlsx")
    try:
        package = inspect(io.BytesIO(data), len(data), limits)
    except PackageRefused as refused:
        return _unreadable(raw, refused.code, **refused.ctx)
    except DefusedXmlException:
        return _unreadable(raw, "file_unsafe")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        return _unreadable(raw, "file_corrupt", detail="压缩结构损坏")
    except (ParseError, KeyError, ValueError, OSError, RuntimeError) as exc:  # a part that is not XML, a password
        return _unreadable(raw, "file_corrupt", detail=type(exc).__name__)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken parts
        if _caused_by(exc, DefusedXmlException):  # a DTD or an entity in shared strings, styles …
            return _unreadable(raw, "file_unsafe")
        return _unreadable(raw, "file_corrupt", detail=type(exc).__name__)
    try:
        titles: dict[str, list[str]] = {}
        for title in book.sheetnames:
            titles.setdefault(normalize_header(title), []).append(title)
        for spec in SHEETS:
            found = titles.get(spec.name, [])
            if not found:
                if spec.required:
                    raw.issues.append(make_issue("sheet_missing", Location(sheet=spec.name), sheet=spec.name))
                continue
            title = found[0]
            if len(found) > 1:
                raw.issues.append(make_issue("sheet_duplicate", Location(sheet=title), sheet=spec.name,
                                             names="、".join(f"“{t}”" for t in found), count=len(found)))
            facts = package.facts(title) or SheetFacts(title, "")
            if facts.state != "visible":
                raw.issues.append(make_issue("sheet_hidden", Location(sheet=title), sheet=title))
            sheet = _read_sheet(book[title], spec, raw.issues, facts)
            if sheet is not None:
                if spec is PHOTOS:
                    _pasted_photos(sheet, facts, raw.issues)
                raw.sheets[spec.name] = sheet
    except Exception as exc:
        return _unreadable(raw, "file_corrupt", detail=type(exc).__name__)
    finally:
        book.close()
    projects = raw.sheets.get(PROJECTS.name)
    if projects is not None and not projects.rows:
        raw.issues.append(make_issue("no_projects", Location(sheet=projects.title), sheet=projects.title))
    return raw


def photo_size(source: str) -> int:
    """The bytes of a photo: a file, or workbook::part for one pasted into the sheet (OSError when it is not there)."""
    if EMBEDDED in source:
        book, part = source.split(EMBEDDED, 1)
        with zipfile.ZipFile(book) as archive:
            try:
                return archive.getinfo(part).file_size
            except KeyError:
                raise FileNotFoundError(part) from None
    return Path(source).stat().st_size


def photo_bytes(source: str) -> bytes:
    """A photo's content, from its file or from the workbook it was pasted into."""
    if EMBEDDED in source:
        book, part = source.split(EMBEDDED, 1)
        with zipfile.ZipFile(book) as archive:
            return archive.read(part)
    return Path(source).read_bytes()


def _pasted_photos(sheet: RawSheet, facts: SheetFacts, issues: list[Issue]) -> None:
    """A picture pasted into a row of 活动照片 whose 照片 cell is empty is that row's photo (its image part,
    marked EMBEDDED, stands in the cell); a picture in a row that is not a photo's is pointed out."""
    rows = {row.number: row for row in sheet.rows}
    column = sheet.columns.get("file")
    for number, part in facts.pictures:
        row = rows.get(number)
        if row is None or number <= sheet.header_row:
            issues.append(make_issue("photo_row_empty", sheet.location(number)))
            continue
        cell = row.cells.get("file")
        if column and (cell is None or cell.value in (None, "")):
            row.cells["file"] = Cell(EMBEDDED + part, column, number)


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Whether `exc` or an exception it was raised from is a `kind` (openpyxl wraps what it meets)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _unreadable(raw: RawWorkbook, code: str, **ctx: Any) -> RawWorkbook:
    raw.readable = False
    raw.issues.append(make_issue(code, **ctx))
    return raw


def _read_sheet(ws: Any, spec: Sheet, issues: list[Issue], facts: SheetFacts) -> RawSheet | None:
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
    uncached = facts.uncached
    for number, cells in enumerate(rows, start=header_row + 1):
        # A template has hundreds of formatted but empty rows: skip them before building anything.
        if not any(_filled(cells[index].value) or (number, index + 1) in uncached
                   for _, index in wanted if index < len(cells)):
            continue
        found: dict[str, Cell] = {}
        for name, index in wanted:
            if index >= len(cells):
                continue
            source = cells[index]
            value = source.value
            where = (number, index + 1)
            if isinstance(value, str) and has_illegal(value):
                issues.append(make_issue("control_characters", sheet.location(number, name)))
                value = xml_text(value)
            number_format = (getattr(source, "number_format", "General") or "General") if value is not None else "General"
            found[name] = Cell(value, columns[name], number, number_format, uncached=where in uncached)
            if where in uncached:
                issues.append(make_issue("formula_uncached", sheet.location(number, name)))
        sheet.rows.append(RawRow(number, found))
    issues.extend(_merges(sheet, facts, indexes))
    return sheet


def _merges(sheet: RawSheet, facts: SheetFacts, indexes: dict[str, int]) -> list[Issue]:
    """A warning for each merged area over more than one data cell of a known column: only its
    top-left cell holds the value, the other cells read as empty, whatever the clerk sees."""
    known = {index + 1: name for name, index in indexes.items()}
    found = []
    for min_col, min_row, max_col, max_row in facts.merges:
        if None in (min_col, min_row, max_col, max_row) or max_row <= sheet.header_row:
            continue
        first_row = max(min_row, sheet.header_row + 1)
        covered = [c for c in range(min_col, max_col + 1) if c in known]
        if not covered or (max_row - first_row + 1) * len(covered) < 2:
            continue
        area = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
        where = sheet.location(min_row, known.get(min_col, known[covered[0]])) if min_row > sheet.header_row \
            else sheet.location(first_row, known[covered[0]])
        found.append(make_issue("merged_cells", where, area=area, first=f"{get_column_letter(min_col)}{min_row}"))
    return found


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

