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
from openpyxl.utils.datetime import from_excel

from ..config import Limits
from ..filekinds import refusal
from ..issues import Issue, Location
from ..messages import make_issue
from ..writing import has_illegal, xml_text
from ..models.records import EMBEDDED
from . import numfmt
from .cells import read_cell
from .layout import AUXILIARY_SHEETS, PHOTOS, PROJECTS, SHEETS, Sheet, normalize_header
from .package import PackageRefused, SheetFacts, inspect


@dataclass(frozen=True)
class Cell:
    value: Any  # what docgen reads: the stored value as the clerk sees it (see cells.read_cell)
    column: str
    row: int
    number_format: str = "General"
    uncached: bool = False  # a formula saved without its value: what it shows is unknown
    refused: bool = False  # the reader placed an error at this cell already: nothing more to say of it


@dataclass
class RawRow:
    number: int
    cells: dict[str, Cell]  # by field; only the columns the sheet has

    def values(self) -> dict[str, Any]:
        """Return field → value as read, blank cells left out."""
        return {name: cell.value for name, cell in self.cells.items() if _filled(cell.value)}


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
        for title, spec in _assign_sheets(book, package, raw.issues):
            facts = package.facts(title) or SheetFacts(title, "")
            if facts.state != "visible":
                raw.issues.append(make_issue("sheet_hidden", Location(sheet=title), sheet=title))
            sheet = _read_sheet(book[title], spec, raw.issues, facts, book.epoch)
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


def _assign_sheets(book: Any, package: Any, issues: list[Issue]) -> list[tuple[str, Sheet]]:
    """Which worksheet holds each declared sheet: the one of its name, else one whose headers are its own
    (said at the sheet); every other sheet that holds something is named in an issue, never passed over."""
    by_name: dict[str, list[str]] = {}
    for title in book.sheetnames:
        by_name.setdefault(normalize_header(title), []).append(title)
    chosen: dict[str, str] = {}  # declared name → title
    accounted: set[str] = set()
    for spec in SHEETS:
        found = by_name.get(normalize_header(spec.name), [])
        if not found:
            continue
        chosen[spec.name] = found[0]
        accounted.update(found)
        if len(found) > 1:
            issues.append(make_issue("sheet_duplicate", Location(sheet=found[0]), sheet=spec.name,
                                     names="、".join(f"“{t}”" for t in found), count=len(found)))
    auxiliary = {normalize_header(name) for name in AUXILIARY_SHEETS}
    for title in book.sheetnames:
        if title in accounted or normalize_header(title) in auxiliary:
            continue
        facts = package.facts(title)
        if facts is None or not (facts.values or facts.uncached or facts.pictures):
            continue  # an empty sheet (Sheet1 of a new workbook): nothing in it to lose
        spec = _recognise(book[title])
        if spec is None:
            issues.append(make_issue("sheet_unread", Location(sheet=title), sheet=title))
        elif spec.name in chosen:
            code = "sheet_unread_hidden" if facts.state != "visible" else "sheet_unread_like"
            issues.append(make_issue(code, Location(sheet=title), sheet=title, like=spec.name, other=chosen[spec.name]))
        else:
            chosen[spec.name] = title
            issues.append(make_issue("sheet_recognised", Location(sheet=title), sheet=title, like=spec.name))
    for spec in SHEETS:
        if spec.required and spec.name not in chosen:
            issues.append(make_issue("sheet_missing", Location(sheet=spec.name), sheet=spec.name))
    return [(chosen[spec.name], spec) for spec in SHEETS if spec.name in chosen]


_LOOK_ROWS = 30  # a sheet's header row is looked for this far down when its name is not a declared one


def _recognise(ws: Any) -> Sheet | None:
    """The declared sheet whose headers a worksheet's header row carries (its key column and at least one
    other), when one fits better than every other; None when none does."""
    best: dict[str, int] = {}
    for values in ws.iter_rows(max_row=_LOOK_ROWS, values_only=True):
        for spec in SHEETS:
            matched = {m.column.field for m in map(spec.match, values) if m.column is not None}
            if _key_field(spec) in matched and len(matched) >= 2:
                best[spec.name] = max(best.get(spec.name, 0), len(matched))
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return next(spec for spec in SHEETS if spec.name == ranked[0][0])


def _key_field(spec: Sheet) -> str:
    return spec.match(spec.key_header).column.field  # type: ignore[union-attr]


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


def _read_sheet(ws: Any, spec: Sheet, issues: list[Issue], facts: SheetFacts, epoch: Any = None) -> RawSheet | None:
    ws.reset_dimensions()  # a stored dimension may be wrong; read what is there
    rows = ws.iter_rows()
    key = _key_field(spec)
    header_row = None
    header_cells: tuple = ()
    for number, cells in enumerate(rows, start=1):
        if any(spec.match(c.value).column is spec.by_field[key] for c in cells):
            header_row, header_cells = number, cells
            break
    if header_row is None:
        issues.append(make_issue("header_missing", Location(sheet=ws.title), header=spec.key_header))
        return None

    columns: dict[str, str] = {}
    indexes: dict[str, int] = {}
    unknown: list[tuple[int, str, Any]] = []  # index, header as written, what it matched
    for index, cell in enumerate(header_cells):
        if not normalize_header(cell.value):
            continue
        letter = get_column_letter(index + 1)
        match = spec.match(cell.value)
        column = match.column
        where = Location(sheet=ws.title, row=header_row, column=letter, label=str(cell.value).strip())
        if column is None:
            unknown.append((index, str(cell.value).strip(), match))
        elif column.field in columns:
            issues.append(make_issue("column_duplicate", where, header=column.header, first=columns[column.field]))
        else:
            columns[column.field] = letter
            indexes[column.field] = index
    sheet = RawSheet(spec, ws.title, header_row, columns)

    wanted = list(indexes.items())
    read = set(indexes.values())
    others: dict[int, int] = {}  # column index → first row with something in it, of the columns not read
    uncached = facts.uncached
    for number, cells in enumerate(rows, start=header_row + 1):
        for index, source in enumerate(cells):
            if index not in others and index not in read and _filled(source.value):
                others[index] = number
        # A template has hundreds of formatted but empty rows: skip them before building anything.
        if not any(_filled(cells[index].value) or (number, index + 1) in uncached
                   for _, index in wanted if index < len(cells)):
            continue
        if number in facts.hidden_rows:
            issues.append(make_issue("row_hidden", sheet.location(number), row=number))
        found: dict[str, Cell] = {}
        struck = []
        for name, index in wanted:
            if index >= len(cells):
                continue
            found[name] = _cell(cells[index], sheet, number, name, (number, index + 1) in uncached, epoch, issues)
            if _filled(cells[index].value) and _struck(cells[index]):
                struck.append(f"{columns[name]}{number}")
        if struck:
            issues.append(make_issue("row_struck", sheet.location(number), cells="、".join(struck)))
        sheet.rows.append(RawRow(number, found))
    _columns_not_read(sheet, header_row, unknown, others, issues)
    for name, index in indexes.items():
        if index + 1 in facts.hidden_columns and any(name in row.cells for row in sheet.rows):
            issues.append(make_issue("column_hidden", Location(sheet=ws.title, row=header_row, column=columns[name],
                                                               field=name, label=spec.by_field[name].header),
                                     column=columns[name]))
    for column in spec.columns:
        if column.required and column.field not in columns:
            issues.append(make_issue(
                "column_missing",
                Location(sheet=ws.title, row=header_row, field=column.field, label=column.header),
                header=column.header,
            ))
    issues.extend(_merges(sheet, facts, indexes))
    return sheet


def _cell(source: Any, sheet: RawSheet, number: int, name: str, uncached: bool, epoch: Any,
          issues: list[Issue]) -> Cell:
    """One cell of a known column: the value the clerk sees, with a note at the cell wherever it is read
    otherwise than shown."""
    value = source.value
    if isinstance(value, str) and has_illegal(value):
        issues.append(make_issue("control_characters", sheet.location(number, name)))
        value = xml_text(value)
    number_format = numfmt.format_of(source) if value is not None else "General"
    if getattr(source, "data_type", None) == "e":
        issues.append(make_issue("cell_error", sheet.location(number, name), value=str(value)))
        return Cell(None, sheet.columns[name], number, number_format, refused=True)
    if _is_number(value) and numfmt.parse(number_format).is_date and epoch is not None:
        try:  # a date in one of the Chinese built-in styles, which openpyxl leaves a serial number
            value = from_excel(value, epoch)
        except (OverflowError, ValueError):
            pass
    value, notes = read_cell(value, number_format, sheet.spec.by_field[name].kind)
    refused = False
    for note in notes:
        issue = make_issue(note.code, sheet.location(number, name), **note.ctx)
        refused = refused or issue.severity == "error"
        issues.append(issue)
    if uncached:
        issues.append(make_issue("formula_uncached", sheet.location(number, name)))
    return Cell(value, sheet.columns[name], number, number_format, uncached=uncached, refused=refused)


def _struck(source: Any) -> bool:
    """Whether the cell's text is struck through (the clerk sees it as void)."""
    try:
        return bool(source.font.strike)
    except (AttributeError, IndexError):
        return False


def _columns_not_read(sheet: RawSheet, header_row: int, unknown: list[tuple[int, str, Any]],
                      others: dict[int, int], issues: list[Issue]) -> None:
    """Name every column whose content is not read: a header close to a declared one (an error naming the
    column meant), another unit (an error), a header docgen does not know, or no header at all."""
    headed = set()
    for index, header, match in unknown:
        headed.add(index)
        letter = get_column_letter(index + 1)
        where = Location(sheet=sheet.title, row=header_row, column=letter, label=header)
        near = sheet.spec.near(match.core, set(sheet.columns))
        if match.unit_of is not None and match.unit_of.field not in sheet.columns:
            issues.append(make_issue("column_unit", where, header=header, meant=match.unit_of.header,
                                     unit=match.unit, expected=match.unit_of.unit))
        elif near is not None and index in others:
            issues.append(make_issue("column_near_miss", where, header=header, meant=near.header))
        else:
            issues.append(make_issue("column_unknown", where, header=header))
    for index, first in sorted(others.items()):
        if index in headed:
            continue
        letter = get_column_letter(index + 1)
        issues.append(make_issue("column_unheaded", Location(sheet=sheet.title, row=first, column=letter),
                                 column=letter, first=f"{letter}{first}"))


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

