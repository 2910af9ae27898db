"""Finding the workbooks of a run: the files named, and every file of the folders searched, sorted.

A named file is always read. A folder's file is one of three:
- a branch's workbook (.xlsx/.xlsm holding a workbook): read;
- a file that is no submission: a lock file, a file the system made (._name, Thumbs.db …), a photo,
  a document, an older or identical copy of a workbook beside it, docgen's own output (its 台账,
  清单.xlsx, an output folder of an earlier run): listed with what it is, the run still whole;
- a file that may be a branch's submission but cannot be read (.xls, .et, .ods, .csv, .xlsb, a zip,
  a workbook under another extension …): listed with how to fix it; the run is then incomplete.
It decides by name, date and content (filekinds); it reads no sheet.
"""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .filekinds import CONFIG_NAME, JOURNAL, MANIFEST, REFUSALS, Kind, kind_of
from .issues import Skipped
from .messages import message

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ANNOTATED_MARK = ".校验"
ANNOTATED_SUFFIX = f"{ANNOTATED_MARK}.xlsx"

# Other spreadsheet formats, by extension: the refusal when the content does not say more.
SPREADSHEETS = {".xls": "file_xls", ".xlt": "file_xls", ".et": "file_et", ".ett": "file_et", ".ods": "file_ods",
                ".ots": "file_ods", ".fods": "file_ods", ".xlsb": "file_xlsb", ".numbers": "file_numbers",
                ".csv": "file_csv", ".tsv": "file_csv", ".xltx": "file_template", ".xltm": "file_template"}
ARCHIVES = frozenset({".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"})
PHOTOS = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".gif", ".bmp", ".webp", ".tif", ".tiff",
                    ".mp4", ".mov", ".avi", ".3gp"})
DOCUMENTS = frozenset({".doc", ".docx", ".docm", ".dot", ".dotx", ".wps", ".wpt", ".pdf", ".ofd", ".txt", ".md",
                       ".rtf", ".ppt", ".pptx", ".dps", ".odt", ".odp", ".htm", ".html", ".mht", ".xml"})
PARTIAL = frozenset({".crdownload", ".part", ".partial", ".download"})  # a download under way
TEMPORARY = frozenset({".tmp", ".temp", ".wbk", ".asd"})
SYSTEM_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", ".localized", "icon\r",
                          ".directory", "$recycle.bin", "system volume information"})

# The marks a browser, WeChat or a file manager adds to the name of another copy of a file:
# 城关 (1), 城关（2）, 城关 - 副本, 城关 - Copy, 城关 copy 2, 城关的副本, 复件 城关, Copy of 城关.
_COPY_END = re.compile(r"(?:\s*[(（]\d{1,3}[)）]|\s*-\s*(?:副本|[Cc]opy)|\s+(?:副本|[Cc]opy)(?:\s*\d{1,3})?|的副本)$")
_COPY_START = re.compile(r"^(?:复件\s*|Copy of\s+|Copy \(\d{1,3}\) of\s+)")
_DOCGEN_MANIFEST = re.compile(rb'^\s*\{\s*"docgen"\s*:')

SUBMISSION_SKIPS = frozenset({"skip_ambiguous"})  # a readable workbook left out whose place docgen cannot tell


@dataclass
class Found:
    """The workbooks of a set of files and folders, and each file left out with the reason."""

    workbooks: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def skipped(path: Path | str, code: str, **ctx: Any) -> Skipped:
    """A file left out, with the clerk's reason; `code` says whether it may be a submission."""
    return Skipped(str(path), code, message(code, **ctx), code.startswith("file_") or code in SUBMISSION_SKIPS)


@dataclass(frozen=True)
class _Name:
    """A workbook's name taken apart: the name it is a copy of, and the marks on it."""

    family: str  # 城关 for 城关.xlsx, 城关.校验.xlsx, 城关 (1).xlsx, 城关.校验(1).xlsx
    annotated: bool  # has .校验: docgen's marked copy, perhaps sent back corrected
    copied: bool  # has a browser's or file manager's copy mark

    @property
    def marks(self) -> int:
        return self.annotated + 2 * self.copied


def _name(path: Path) -> _Name:
    stem, annotated, copied = path.name[: -len(path.suffix)], False, False
    while True:
        if stem.endswith(ANNOTATED_MARK) and len(stem) > len(ANNOTATED_MARK):
            stem, annotated = stem[: -len(ANNOTATED_MARK)], True
        elif (end := _COPY_END.search(stem)) and end.start() > 0:
            stem, copied = stem[: end.start()], True
        elif (start := _COPY_START.match(stem)) and start.end() < len(stem):
            stem, copied = stem[start.end():], True
        else:
            return _Name(stem, annotated, copied)


class _Groups:
    """Files joined as versions of one workbook (a union-find over paths)."""

    def __init__(self) -> None:
        self.parent: dict[Path, Path] = {}

    def root(self, p: Path) -> Path:
        while self.parent.setdefault(p, p) != p:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        return self.parent[p]

    def join(self, a: Path, b: Path) -> None:
        self.parent[self.root(a)] = self.root(b)

    def groups(self) -> list[list[Path]]:
        found: dict[Path, list[Path]] = {}
        for p in list(self.parent):
            found.setdefault(self.root(p), []).append(p)
        return [sorted(g) for g in found.values() if len(g) > 1]


def _left_out(files: list[Path]) -> dict[Path, Skipped]:
    """Of each workbook and its copies, every file but one, with the reason.

    A copy (城关.校验.xlsx, 城关 (1).xlsx, 城关 - 副本.xlsx …) belongs to the workbook of its name beside it;
    a browser's copy of a marked copy (城关.校验(1).xlsx) to that marked copy when the workbook is not
    beside it; a marked copy without its workbook beside it to the only workbook of that name in the
    folders (with several it cannot be told which, and it is left out). Of a workbook and its copies
    the newest is read — of those with the newest content, the one with the plainest name — and each
    other is listed as older or as the same. A copy of no workbook present is read as it is.
    """
    names = {p: _name(p) for p in files}
    plain: dict[str, list[Path]] = {}  # by family, in every folder
    here: dict[tuple[Path, str, bool], list[Path]] = {}  # workbooks and marked copies by folder, family, marked
    for p, n in names.items():
        if not n.copied:
            here.setdefault((p.parent, n.family, n.annotated), []).append(p)
            if not n.annotated:
                plain.setdefault(n.family, []).append(p)
    out: dict[Path, Skipped] = {}
    versions = _Groups()
    for p, n in sorted(names.items(), key=lambda item: item[1].copied):  # a copy's original is decided first
        if not n.annotated and not n.copied:
            continue
        beside = here.get((p.parent, n.family, False), [])
        if n.copied:  # a copy keeps its original's extension
            originals = [o for o in beside if o.suffix.lower() == p.suffix.lower()]
            if not originals and n.annotated:
                originals = [o for o in here.get((p.parent, n.family, True), []) if o.suffix.lower() == p.suffix.lower()]
        else:
            originals = beside or plain.get(n.family, [])
        if len(originals) > 1:
            out[p] = skipped(p, "skip_ambiguous", count=len(originals))
        elif originals and originals[0] in out:  # a copy of a marked copy that is itself in doubt
            out[p] = replace(out[originals[0]], path=str(p))
        elif originals:
            versions.join(p, originals[0])
    for group in versions.groups():
        group = [p for p in group if p not in out]
        if len(group) < 2:
            continue
        times = {p: _mtime(p) for p in group}
        newest = max(group, key=lambda p: (times[p], -names[p].marks))
        digests = {p: _digest(p) for p in group}
        same = [p for p in group if digests[p] is not None and digests[p] == digests[newest]] or [newest]
        kept = min(same, key=lambda p: (names[p].marks, -times[p]))
        for p in group:
            if p == kept:
                continue
            out[p] = (skipped(p, "skip_same", same=kept.name) if digests[p] is not None and digests[p] == digests[kept]
                      else skipped(p, "skip_older", newer=kept.name))
    return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _kind(path: Path) -> Kind | None:
    """What the file holds (None when it cannot be opened: the reader will say so)."""
    try:
        with open(path, "rb") as handle:
            return kind_of(handle, path.name)
    except OSError:
        return None


def _suffix_text(path: Path) -> str:
    return path.suffix if path.suffix else "没有扩展名"


def _archive(path: Path) -> Skipped:
    """A compressed package: never unpacked; a zip's list of files says whether a workbook may be inside."""
    try:
        with zipfile.ZipFile(path) as archive:
            inner = [_zip_name(i) for i in archive.infolist() if not i.is_dir()]
    except Exception:  # noqa: BLE001 - a rar, a 7z, a damaged zip: what is inside cannot be told
        return skipped(path, "file_zip")
    sheets = [n for n in inner if "__MACOSX/" not in n and not n.rsplit("/", 1)[-1].startswith("._")
              and Path(n).suffix.lower() in (*WORKBOOK_SUFFIXES, *SPREADSHEETS, *ARCHIVES)]
    if not sheets:
        return skipped(path, "skip_archive")
    shown = "、".join(n.rsplit("/", 1)[-1] for n in sheets[:3]) + (" 等" if len(sheets) > 3 else "")
    return skipped(path, "file_zip_sheets", count=len(sheets), names=shown)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A member's name as the clerk's computer wrote it: a zip made on Chinese Windows names its files in GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _by_content(path: Path, kind: Kind | None) -> Skipped | None:
    """A file whose name tells nothing useful, sorted by what it holds."""
    if kind is Kind.WORKBOOK:
        return skipped(path, "file_renamed", suffix=_suffix_text(path))
    if kind is Kind.TABLE:
        return skipped(path, "skip_table")
    if kind is Kind.APPLEDOUBLE:
        return skipped(path, "skip_appledouble")
    if kind is Kind.PHOTO:
        return skipped(path, "skip_photo")
    if kind is Kind.DOCUMENT:
        return skipped(path, "skip_document")
    if kind is Kind.ARCHIVE:
        return _archive(path)
    if kind in (Kind.XLS, Kind.ET, Kind.ENCRYPTED, Kind.ODS, Kind.XLSB, Kind.NUMBERS, Kind.HTML):
        return skipped(path, REFUSALS[kind])
    return None


def _sort(path: Path) -> Skipped | None:
    """Why a folder's file is not read (None: it is a workbook to read, or a copy of one to weigh)."""
    name, suffix = path.name.lower(), path.suffix.lower()
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return skipped(path, "skip_lock")
    if name.startswith("._") and _kind(path) is Kind.APPLEDOUBLE:
        return skipped(path, "skip_appledouble")
    if name in SYSTEM_NAMES:
        return skipped(path, "skip_system")
    if name == CONFIG_NAME:
        return skipped(path, "skip_config")
    if name.startswith("."):
        return skipped(path, "skip_hidden")
    if suffix in WORKBOOK_SUFFIXES:
        kind = _kind(path)
        if kind in (Kind.TABLE, Kind.APPLEDOUBLE):
            return _by_content(path, kind)
        code = REFUSALS.get(kind) if kind is not None else None
        return skipped(path, code) if code else None  # a damaged workbook is read, and said to be damaged
    if suffix in SPREADSHEETS:
        kind = _kind(path)
        if kind is Kind.WORKBOOK:
            return skipped(path, "file_template" if SPREADSHEETS[suffix] == "file_template" else "file_renamed",
                           suffix=path.suffix)
        if kind in (Kind.TABLE, Kind.APPLEDOUBLE):
            return _by_content(path, kind)
        code = REFUSALS.get(kind) if kind is not None else None
        return skipped(path, code if code and kind is not Kind.EMPTY else SPREADSHEETS[suffix], suffix=path.suffix)
    if suffix in PHOTOS:
        return skipped(path, "skip_photo")
    if suffix in DOCUMENTS:
        return skipped(path, "skip_document")
    if suffix in PARTIAL:
        inner = Path(path.stem).suffix.lower()
        if inner in WORKBOOK_SUFFIXES or inner in SPREADSHEETS:
            return skipped(path, "file_partial", suffix=path.suffix)
        return skipped(path, "skip_temp")
    if suffix in TEMPORARY or name.startswith("~"):
        return skipped(path, "skip_temp")
    if suffix in ARCHIVES:
        kind = _kind(path)
        return _archive(path) if kind in (Kind.ARCHIVE, Kind.BROKEN, None) else \
            (_by_content(path, kind) or skipped(path, "file_zip"))
    if name == MANIFEST:
        return skipped(path, "skip_document")
    return _by_content(path, _kind(path)) or skipped(path, "skip_other", suffix=_suffix_text(path))


def _docgen_output(folder: Path, files: list[str]) -> bool:
    """Whether `folder` is the output folder of an earlier docgen run (its manifest.json or journal)."""
    if JOURNAL in files:
        return True
    if MANIFEST not in files:
        return False
    try:
        with open(folder / MANIFEST, "rb") as handle:
            return bool(_DOCGEN_MANIFEST.match(handle.read(256)))
    except OSError:
        return False


def _walk(root: Path, outside: Path | None, found: Found) -> list[Path]:
    """Every file under `root` to be sorted; a folder that is wholly no submission is listed once, as a whole."""
    files: list[Path] = []
    for top, dirs, names in os.walk(root):
        here = Path(top)
        if outside is not None and here.resolve().is_relative_to(outside):
            dirs[:] = []
            continue
        reason = None
        if here != root and here.name == "__MACOSX":
            reason = "skip_appledouble"
        elif here != root and (here.name.startswith(".") or here.name.lower() in SYSTEM_NAMES):
            reason = "skip_hidden" if here.name.startswith(".") else "skip_system"
        elif _docgen_output(here, names):
            reason = "skip_output"
        if reason is not None:
            count = sum(len(n) for _, _, n in os.walk(here))
            found.skipped.append(skipped(here, reason, count=count))
            dirs[:] = []
            continue
        dirs.sort()
        files.extend(here / n for n in names if (here / n).is_file())
    return sorted(files)


def scan_workbooks(paths: Iterable[str | Path], outside: Path | None = None) -> Found:
    """Expand folders to the workbooks inside, sorting out and listing every other file; named files are always taken.

    Files inside `outside` (a run's own output folder) are not looked at. An annotated copy
    (…校验.xlsx) is a branch's resubmission when it is the newer of it and the workbook it was made
    from (or that workbook is not there): it is read like any workbook, its 校验结果 sheet and marks
    ignored. Of a workbook and its other copies only one is read (see _left_out).
    """
    found = Found()
    seen: set[Path] = set()
    outside = outside.resolve() if outside is not None else None

    def take(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.workbooks.append(path)

    for item in paths:
        path = Path(item)
        if not path.is_dir():
            take(path)
            continue
        before = len(found.skipped)
        sorted_out: dict[Path, Skipped] = {}
        candidates = []
        for p in _walk(path, outside, found):
            why = _sort(p)
            if why is None:
                candidates.append(p)
            else:
                sorted_out[p] = why
        sorted_out.update(_left_out(candidates))
        for p in sorted({*candidates, *sorted_out}):
            if p in sorted_out:
                found.skipped.append(sorted_out[p])
            else:
                take(p)
        found.skipped[before:] = sorted(found.skipped[before:], key=lambda s: Path(s.path))
    return found


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks scan_workbooks finds."""
    return scan_workbooks(paths).workbooks
