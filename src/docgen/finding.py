"""Finding the workbooks of a run: files named, folders searched, lock files and stale copies left out.

It reads no workbook; it only decides, by name and date, which files are a branch's submissions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ANNOTATED_SUFFIX = ".校验.xlsx"


@dataclass
class Found:
    """The workbooks of a set of files and folders, and each file left out with the reason."""

    workbooks: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _stem(path: Path) -> str:
    """城关 for 城关.xlsx and for its annotated copy 城关.校验.xlsx."""
    return path.name[: -len(ANNOTATED_SUFFIX)] if path.name.endswith(ANNOTATED_SUFFIX) else path.stem


def _left_out(files: list[Path]) -> dict[Path, str]:
    """Of each workbook and its annotated copies, every file but the newest, with the reason.

    A copy belongs to the workbook of its name beside it, else to the only one of that name in
    the folders; with several such workbooks elsewhere it cannot be told which, and is left out.
    """
    originals: dict[str, list[Path]] = {}
    for p in files:
        if not p.name.endswith(ANNOTATED_SUFFIX):
            originals.setdefault(_stem(p), []).append(p)
    out: dict[Path, str] = {}
    for marked in (p for p in files if p.name.endswith(ANNOTATED_SUFFIX)):
        same = originals.get(_stem(marked), [])
        beside = [p for p in same if p.parent == marked.parent]
        match = beside or same
        if len(match) > 1:
            out[marked] = (f"同名的申报表有 {len(match)} 份，无法确定这份标注副本对应哪一份；"
                           f"改好后交回的，请放在原文件旁边或改用原文件名")
            continue
        if match:
            original = match[0]
            older, newer = sorted((marked, original), key=lambda p: p.stat().st_mtime)
            out[older] = f"同一申报表有较新的文件 {newer.name}，按较新的校验"
    return out


def scan_workbooks(paths: Iterable[str | Path], outside: Path | None = None) -> Found:
    """Expand folders to the workbooks inside; named files are always taken.

    Files inside `outside` (a run's own output folder) are not looked at.
    A folder's Office lock files (~$…) are left out. An annotated copy (…校验.xlsx) is a
    branch's resubmission when it is the newer of it and the workbook it was made from
    (or that workbook is not there): it is read like any workbook, its 校验结果 sheet and
    marks ignored; otherwise the older one is left out. Every file left out is listed.
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
        files = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                 and not (outside is not None and p.resolve().is_relative_to(outside))]
        locks = {p for p in files if p.name.startswith("~$")}
        left_out = _left_out([p for p in files if p not in locks])
        for p in files:
            if p in locks:
                found.skipped.append((p, "Office 锁文件（该表正在 Excel/WPS 中打开），不是申报表"))
            elif p in left_out:
                found.skipped.append((p, left_out[p]))
            else:
                take(p)
    return found


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks scan_workbooks finds."""
    return scan_workbooks(paths).workbooks
