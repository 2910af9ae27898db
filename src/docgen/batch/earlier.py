"""Files of earlier runs: which files in an output folder are docgen's, and setting aside those a run did not make.

A batch's output folder should hold what its manifest lists and nothing docgen wrote
before: a branch that withdrew, a workbook that is now invalid, last year's 台账, zips
not asked for again. Only files an earlier run recorded as its own (its manifest.json,
or the journal of a run killed before writing one) are docgen's; anything else in the
folder is the clerk's and is never touched. A finished run moves the earlier files it
did not make again into 旧文件/<date_time>/, keeping their relative paths; nothing is
deleted. An interrupted run moves nothing and records them (manifest "earlier"), so that
the next finished run still knows them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from ..pipeline import WORK_FOLDER
from .journal import JOURNAL, LISTING, MANIFEST, BatchResult

EARLIER_FOLDER = "旧文件"  # inside the output folder: earlier runs' files this run did not make
RECORDS = frozenset({MANIFEST, LISTING})  # written again by every run, never set aside


def earlier_files(out: Path) -> set[str]:
    """Every file the last run recorded as its own, relative to `out`: manifest.json's documents, returned
    copies, year end, zips and earlier files left in place, and the lines of the journal of a run killed since."""
    files: set[str] = set()
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        for entry in data.get("workbooks", []):
            files.update(_entry_files(entry))
        files.update(d["path"] for d in (data.get("year_end") or {}).get("documents", []))
        files.update(data.get("zips", []))
        files.update(data.get("earlier", []))
    with contextlib.suppress(OSError):
        with open(out / JOURNAL, "rb") as journal:
            for line in journal:  # a line torn by a kill or a full disk is skipped
                with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
                    entry = json.loads(line.decode("utf-8"))
                    files.update(_entry_files(entry) if "source" in entry else entry["files"])
    return {f for f in files if isinstance(f, str) and _ours(f)}


def _entry_files(entry: dict[str, Any]) -> list[str]:
    """The files of one workbook's manifest entry: its documents and its returned copy."""
    return [d["path"] for d in entry.get("documents", [])] + ([entry["annotated"]] if entry.get("annotated") else [])


def _ours(relative: str) -> bool:
    """A plain path inside the output folder that may be set aside (not a record, not docgen's work or old files)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or ".." in path.parts or "\\" in relative:
        return False
    return relative not in RECORDS and path.parts[0] not in (EARLIER_FOLDER, WORK_FOLDER, JOURNAL)


def listed(result: BatchResult, carried: Iterable[dict[str, Any]] = ()) -> set[str]:
    """The files a manifest of `result` lists (with the entries `carried` from the last run)."""
    files = {d.path for o in result.outcomes for d in o.documents}
    files.update(o.annotated for o in result.outcomes if o.annotated)
    files.update(d.path for d in result.year_end)
    files.update(result.zips)
    for entry in carried:
        files.update(_entry_files(entry))
    return files


def still_there(out: Path, earlier: set[str], kept: set[str]) -> list[str]:
    """The earlier files not in `kept` that are still regular files in `out` and not one of `kept` under
    another spelling (a file system that ignores case or normalises Unicode gives two names one file)."""
    same = {_identity(out / f) for f in kept} - {None}
    return sorted(f for f in earlier - kept if _plain_file(out, f) and _identity(out / f) not in same)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def set_aside(out: Path, files: list[str], now: dt.datetime | None = None) -> str:
    """Move `files` (relative to `out`) into 旧文件/<date_time>/ under the same relative paths; return that
    folder relative to `out` ("" when there was nothing to move). Folders they leave empty are removed."""
    if not files:
        return ""
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    folder, number = f"{EARLIER_FOLDER}/{stamp}", 2
    while (out / folder).exists():  # two runs in one second
        folder, number = f"{EARLIER_FOLDER}/{stamp}({number})", number + 1
    for relative in files:
        target = out / folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out / relative, target)
        _prune(out, (out / relative).parent)
    return folder


def _plain_file(out: Path, relative: str) -> bool:
    """A regular file reached without a link, inside `out`."""
    path = out / relative
    if path.is_symlink() or not path.is_file():
        return False
    return path.resolve().parent == (out.resolve() / relative).parent


def _prune(out: Path, folder: Path) -> None:
    """Remove `folder` and its parents below `out` while they are empty."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or not ours to remove): stop there
            return
        folder = folder.parent
