"""The workbook as a zip package, looked at before any spreadsheet parser touches it.

An .xlsx is a zip of XML parts. A few kilobytes can expand to gigabytes (one sheet of
a million formatted cells), a lone value in cell XFD1048576 makes a row reader walk a
million empty rows, and openpyxl's full load (the annotated copy) keeps every cell in
memory. So the package is measured first, against limits a clerk may change in
docgen.toml ([limits]): the file's size, each part's expanded size (the zip's
directory states it, and Python's zipfile never inflates a part past it), and for
every sheet the last row and column used and the number of cells. The sheets are
walked as an XML stream (defusedxml: no DTD, no entity), which also yields what the
read-only reader does not see: merged areas, formulas saved without their value,
hidden sheets and the exact sheet names.
"""
from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml.ElementTree import iterparse, parse
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string, range_boundaries

from ..config import Limits

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MB = 1024 * 1024
_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


class PackageRefused(Exception):
    """The package is over a limit or not a workbook: `code` and `ctx` make the clerk's message."""

    def __init__(self, code: str, **ctx: Any) -> None:
        super().__init__(code)
        self.code = code
        self.ctx = ctx


@dataclass
class SheetFacts:
    """What the stream walk saw in one sheet."""

    title: str
    part: str
    state: str = "visible"  # visible, hidden or veryHidden
    last_row: int = 0
    last_column: int = 0
    cells: int = 0
    values: int = 0  # cells that hold a value (not only a format)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row
    uncached: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of formulas saved without a value
    pictures: list[tuple[int, str]] = field(default_factory=list)  # (row of its top-left corner, media part) pasted in


@dataclass
class Package:
    sheets: list[SheetFacts]

    def facts(self, title: str) -> SheetFacts | None:
        return next((sheet for sheet in self.sheets if sheet.title == title), None)


def inspect(source: IO[bytes], size: int, limits: Limits) -> Package:
    """Measure the package against the limits; raise PackageRefused at the first one exceeded."""
    if size > limits.file_mb * _MB:
        raise PackageRefused("file_too_large", size=_megabytes(size), limit=_megabytes(limits.file_mb * _MB))
    with zipfile.ZipFile(source) as archive:
        entries = archive.infolist()
        if len(entries) > limits.parts:
            raise PackageRefused("file_too_many_parts", count=len(entries), limit=limits.parts)
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise PackageRefused("file_corrupt", detail="压缩包中没有工作簿")
        oversize = [entry for entry in entries if entry.file_size > limits.part_mb * _MB]
        sheets = [] if any(e.filename in _BOOK_PARTS for e in oversize) else _sheets(archive, names)
        if oversize:
            entry = max(oversize, key=lambda e: e.file_size)
            title = next((sheet.title for sheet in sheets if sheet.part == entry.filename), None)
            raise PackageRefused("file_part_too_large", size=_megabytes(entry.file_size),
                                 part=f"工作表“{title}”" if title else f"部件“{entry.filename}”",
                                 limit=_megabytes(limits.part_mb * _MB))
        cells = 0
        for sheet in sheets:
            sheet.pictures = _pictures(archive, names, sheet.part)
            _walk(archive, sheet, limits)
            cells += sheet.cells
            if cells > limits.cells:
                raise PackageRefused("file_too_many_cells", limit=limits.cells)
    return Package(sheets)


_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"


def _relations(archive: zipfile.ZipFile, names: set[str], part: str) -> dict[str, str]:
    """A part's relationships: id → the part each points at (inside the package)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in names:
        return {}
    found = {}
    with archive.open(rels) as handle:
        for relation in parse(handle).getroot().iter(f"{_RELS}Relationship"):
            target = relation.get("Target", "")
            if relation.get("TargetMode") == "External":
                continue
            found[relation.get("Id", "")] = (target.lstrip("/") if target.startswith("/")
                                              else posixpath.normpath(posixpath.join(folder, target)))
    return found


def _pictures(archive: zipfile.ZipFile, names: set[str], sheet_part: str) -> list[tuple[int, str]]:
    """The pictures pasted onto a sheet: the row their top-left corner is in (from 1) and their image part."""
    found = []
    for drawing in _relations(archive, names, sheet_part).values():
        if "/drawings/" not in drawing or drawing not in names:
            continue
        images = _relations(archive, names, drawing)
        with archive.open(drawing) as handle:
            root = parse(handle).getroot()
        for anchor in root:
            corner, blip = anchor.find(f"{_DRAWING}from/{_DRAWING}row"), anchor.find(f".//{_BLIP}")
            if corner is None or blip is None or not (corner.text or "").strip().isdigit():
                continue
            image = images.get(blip.get(f"{_DOC_RELS}embed", ""))
            if image in names:
                found.append((int(corner.text) + 1, image))
    return sorted(found)


def _megabytes(size: float) -> str:
    """A size as a clerk reads it: 7.4 MB, or 640 KB below a megabyte."""
    return f"{size / _MB:.1f} MB" if size >= _MB else f"{max(1, round(size / 1024))} KB"


def _sheets(archive: zipfile.ZipFile, names: set[str]) -> list[SheetFacts]:
    """The worksheets in the workbook's order, with their part names and visibility."""
    with archive.open("xl/workbook.xml") as handle:
        book = parse(handle).getroot()
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            for relation in parse(handle).getroot().iter(f"{_RELS}Relationship"):
                target = relation.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                targets[relation.get("Id", "")] = part
    found = []
    for element in book.iter(f"{_MAIN}sheet"):
        part = targets.get(element.get(f"{_DOC_RELS}id", ""), "")
        if part in names:  # chart sheets and dangling entries are no worksheets to read
            found.append(SheetFacts(element.get("name", ""), part, element.get("state", "visible")))
    return found


def _walk(archive: zipfile.ZipFile, sheet: SheetFacts, limits: Limits) -> None:
    """Count the sheet's cells and find its merges, value-less formulas and hidden rows and columns, as one
    stream."""
    row_number = column = 0
    sheet_data = None
    rows_hidden = False  # <sheetFormatPr zeroHeight="1">: a row is hidden unless it is given a height
    with archive.open(sheet.part) as handle:
        for event, element in iterparse(handle, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_MAIN}row":
                    number = element.get("r", "")
                    row_number = int(number) if number.isdigit() else row_number + 1
                    column = 0
                    if _hidden(element, "ht", rows_hidden):
                        sheet.hidden_rows.add(row_number)
                elif tag == f"{_MAIN}sheetData":
                    sheet_data = element
                elif tag == f"{_MAIN}sheetFormatPr":
                    rows_hidden = element.get("zeroHeight") in ("1", "true")
                elif tag == f"{_MAIN}col" and _hidden(element, "width", False):
                    low, high = _int(element.get("min")), _int(element.get("max"))
                    if low and high:
                        sheet.hidden_columns.update(range(low, min(high, limits.columns) + 1))
                continue
            if tag == f"{_MAIN}c":
                sheet.cells += 1
                ref = element.get("r")
                if ref:
                    try:
                        letters, row_number = coordinate_from_string(ref)
                        column = column_index_from_string(letters)
                    except ValueError:
                        raise PackageRefused("file_corrupt", detail=f"单元格引用“{ref[:20]}”无效") from None
                else:  # a cell without a reference follows the one before it
                    column += 1
                if row_number > limits.rows:
                    raise PackageRefused("file_too_many_rows", sheet=sheet.title, row=row_number, limit=limits.rows)
                if column > limits.columns:
                    raise PackageRefused("file_too_many_columns", sheet=sheet.title, column=column,
                                         limit=limits.columns)
                sheet.last_row = max(sheet.last_row, row_number)
                sheet.last_column = max(sheet.last_column, column)
                cached = element.findtext(f"{_MAIN}v")
                if element.find(f"{_MAIN}f") is not None and not (cached or "").strip():
                    sheet.uncached.add((row_number, column))
                elif cached or element.find(f"{_MAIN}is") is not None:
                    sheet.values += 1
                element.clear()
            elif tag == f"{_MAIN}row" and sheet_data is not None:
                sheet_data.clear()  # the rows walked so far: nothing of them is kept
            elif tag == f"{_MAIN}mergeCell":
                try:
                    sheet.merges.append(range_boundaries(element.get("ref", "")))
                except (ValueError, TypeError):
                    pass  # a broken merge reference: Excel ignores it too


def _hidden(element: Any, size: str, by_default: bool) -> bool:
    """Whether a <row> or <col> is hidden: marked so, given no room (height or width 0), or hidden by default
    and not given a height of its own."""
    if element.get("hidden") in ("1", "true"):
        return True
    given = element.get(size)
    try:
        if given is not None and float(given) == 0:
            return True
    except ValueError:
        return False
    return by_default and not (given and element.get("customHeight") in ("1", "true"))


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0
