"""What a file holds, told by its content and its name: the ground floor under finding and reading.

Finding sorts a folder's files with it (a workbook, another spreadsheet format, a photo, a file
the system or docgen made); the reader refuses with it, precisely, a file that is no .xlsx/.xlsm.
It looks at the first bytes, at a zip's list of parts and at two small parts (the document
properties, the sheet list), at an OLE file's stream names; it reads no sheet and no cell.
"""
from __future__ import annotations

import codecs
import re
import zipfile
from enum import StrEnum
from typing import IO

from defusedxml.ElementTree import fromstring

# The names docgen gives its own files: the configuration, and what a batch writes into its output folder.
CONFIG_NAME = "docgen.toml"
MANIFEST = "manifest.json"
JOURNAL = ".docgen-journal.jsonl"  # one line per finished workbook while a run is under way

# The identifier docgen writes into the document properties of the spreadsheets it makes itself
# (the 台账, 清单.xlsx): such a file in a folder of submissions is docgen's own output.
TABLE_MARK = "docgen-table"


class Kind(StrEnum):
    """What a file is, as far as a folder of submissions is concerned."""

    WORKBOOK = "workbook"  # an .xlsx/.xlsm package (xl/workbook.xml)
    TABLE = "table"  # a workbook docgen wrote: the 台账, 清单.xlsx
    BROKEN = "broken"  # begins like a zip, but its directory cannot be read: perhaps a damaged workbook
    XLS = "xls"  # an OLE compound file (Excel 97-2003, or one whose streams are not recognised)
    ET = "et"  # an OLE compound file named .et/.ett (WPS 表格)
    ENCRYPTED = "encrypted"  # an OLE file holding a password-protected OOXML package
    ODS = "ods"  # OpenDocument spreadsheet (LibreOffice, WPS' 另存为 .ods)
    XLSB = "xlsb"  # Excel binary workbook (xl/workbook.bin)
    NUMBERS = "numbers"  # Apple Numbers
    CSV = "csv"  # delimited text
    HTML = "html"  # a web page or XML Spreadsheet 2003 saved as .xls (common in exports from other systems)
    ARCHIVE = "archive"  # a zip that is no office file, or a rar, 7z, gzip …
    DOCUMENT = "document"  # Word, WPS 文字, PowerPoint, OpenDocument text, PDF, RTF
    PHOTO = "photo"  # JPEG, PNG, GIF, HEIC, WebP, TIFF, a video
    APPLEDOUBLE = "appledouble"  # the ._name file macOS writes beside a file on a non-Mac disk
    EMPTY = "empty"  # no bytes at all: a copy or a download that did not finish
    TEXT = "text"  # other plain text
    UNKNOWN = "unknown"


# The reader's refusal of each kind: the code of its issue (messages.py). WORKBOOK, TABLE, BROKEN,
# TEXT and UNKNOWN are handed on to the reader, which reads a workbook or says what is wrong with it.
REFUSALS = {
    Kind.XLS: "file_xls", Kind.ET: "file_et", Kind.ENCRYPTED: "file_encrypted", Kind.ODS: "file_ods",
    Kind.XLSB: "file_xlsb", Kind.NUMBERS: "file_numbers", Kind.CSV: "file_csv", Kind.HTML: "file_html",
    Kind.ARCHIVE: "file_zip", Kind.DOCUMENT: "file_document", Kind.PHOTO: "file_photo",
    Kind.APPLEDOUBLE: "file_appledouble", Kind.EMPTY: "file_empty",
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_READ = 64 * 1024 * 1024  # an OLE file's stream names may lie anywhere in it; a workbook is far smaller
_HEAD = 4096


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# Stream names in an OLE file's directory, in the order they decide.
_OLE_STREAMS = ((_utf16("EncryptionInfo"), Kind.ENCRYPTED), (_utf16("Workbook"), Kind.XLS), (_utf16("Book\0"), Kind.XLS),
                (_utf16("WordDocument"), Kind.DOCUMENT), (_utf16("PowerPoint Document"), Kind.DOCUMENT))
_MAGIC = (
    (b"\x00\x05\x16\x07", Kind.APPLEDOUBLE), (b"\x00\x05\x16\x00", Kind.APPLEDOUBLE),
    (b"%PDF", Kind.DOCUMENT), (b"{\\rtf", Kind.DOCUMENT),
    (b"\xff\xd8\xff", Kind.PHOTO), (b"\x89PNG\r\n\x1a\n", Kind.PHOTO), (b"GIF87a", Kind.PHOTO), (b"GIF89a", Kind.PHOTO),
    (b"II*\x00", Kind.PHOTO), (b"MM\x00*", Kind.PHOTO),
    (b"Rar!\x1a\x07", Kind.ARCHIVE), (b"7z\xbc\xaf\x27\x1c", Kind.ARCHIVE), (b"\x1f\x8b", Kind.ARCHIVE),
    (b"BZh", Kind.ARCHIVE), (b"\xfd7zXZ\x00", Kind.ARCHIVE),
)
_ODS = "application/vnd.oasis.opendocument.spreadsheet"
_ODF = "application/vnd.oasis.opendocument."
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# What docgen's tables looked like before they carried TABLE_MARK: the 台账 (one sheet named after it)
# and 清单.xlsx (its two sheets).
_OLD_LEDGER = re.compile(r"\d{4}年度党建项目管理台账")
_OLD_LISTING = ["申报表", "文件"]


def kind_of(handle: IO[bytes], name: str = "") -> Kind:
    """What the seekable binary `handle` holds; `name` (its file name) tells an .et from an .xls and a .csv
    from other text, which their content cannot."""
    head = handle.read(_HEAD)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not head:
        return Kind.EMPTY
    if head.startswith(OLE_MAGIC):
        found = _ole(head + handle.read(_OLE_READ))
        return Kind.ET if found is Kind.XLS and suffix in ("et", "ett") else found
    if head.startswith(b"PK"):
        handle.seek(0)
        return _package(handle)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp" or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return Kind.PHOTO  # HEIC, MP4, MOV; WebP
    text = _text(head)
    if text is None:
        return Kind.UNKNOWN
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<table")) or (
            start.startswith("<?xml") and ("urn:schemas-microsoft-com:office:spreadsheet" in start
                                           or "progid=\"excel.sheet\"" in start)):
        return Kind.HTML
    first = start.split("\n", 1)[0]
    if suffix in ("csv", "tsv") or (suffix not in ("txt", "md", "log") and any(c in first for c in ",\t，")):
        return Kind.CSV
    return Kind.TEXT


def refusal(handle: IO[bytes], name: str = "") -> str | None:
    """The code of the reader's refusal of what `handle` holds, or None when the reader is to read it."""
    return REFUSALS.get(kind_of(handle, name))


def _ole(data: bytes) -> Kind:
    for stream, kind in _OLE_STREAMS:
        if stream in data:
            return kind
    return Kind.XLS  # an OLE file of no known stream: most likely an old workbook


def _package(handle: IO[bytes]) -> Kind:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return Kind.TABLE if _docgen_table(archive, names) else Kind.WORKBOOK
            if "xl/workbook.bin" in names:
                return Kind.XLSB
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype.startswith(_ODS):
                    return Kind.ODS
                if mimetype.startswith(_ODF):
                    return Kind.DOCUMENT
            if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
                return Kind.NUMBERS
            if "word/document.xml" in names or "ppt/presentation.xml" in names:
                return Kind.DOCUMENT
            if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
                return Kind.BROKEN  # an Office package without its main part: a damaged workbook
            return Kind.ARCHIVE
    except Exception:  # noqa: BLE001 - a zip directory that cannot be read, however: the reader says it is damaged
        return Kind.BROKEN


def _docgen_table(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether the workbook is one docgen wrote: its mark in the document properties, or (written before
    the mark) the sheets of the 台账 or of 清单.xlsx."""
    try:
        if "docProps/core.xml" in names and archive.getinfo("docProps/core.xml").file_size < 64 * 1024:
            core = fromstring(archive.read("docProps/core.xml"))
            if (core.findtext(f"{_DC}identifier") or "").strip() == TABLE_MARK:
                return True
        if archive.getinfo("xl/workbook.xml").file_size > 256 * 1024:
            return False
        book = fromstring(archive.read("xl/workbook.xml"))
        sheets = [s.get("name", "") for s in book.iter(f"{_MAIN}sheet")]
    except Exception:  # noqa: BLE001 - a part that is not what it should be: the reader will say so
        return False
    return sheets == _OLD_LISTING or (len(sheets) == 1 and bool(_OLD_LEDGER.fullmatch(sheets[0])))


def _text(head: bytes) -> str | None:
    """The head as text when it is text (UTF-8 or GB 18030, no NUL, few control characters); else None."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:  # the head may end inside a character
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < _HEAD)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f")
        return text if controls <= len(text) // 100 else None
    return None
