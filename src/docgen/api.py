"""The library's front door: load, validate and render workbooks.

The CLI calls only these functions; each returns data (reports, written paths)
and raises DocgenError only for conditions that stop the whole request.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .config import Config
from .documents import KINDS, documents
from .render import DocxRenderer, PdfRenderer
from .intake.annotate import annotated_copy
from .intake.reader import read_workbook
from .issues import FileReport, Report
from .models import Intake
from .validate import validate_raw

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ANNOTATED_SUFFIX = ".校验.xlsx"


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to the workbooks inside (no lock files, no annotated copies); keep named files."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                and not p.name.startswith("~$") and not p.name.endswith(ANNOTATED_SUFFIX)
            )
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def load(path: str | Path, config: Config | None = None) -> tuple[Intake | None, FileReport]:
    """Read and validate one workbook."""
    return validate_raw(read_workbook(path), config or Config())


def validate(paths: Iterable[str | Path], config: Config | None = None) -> Report:
    """Validate every workbook named or found in the given folders."""
    config = config or Config()
    return Report([load(p, config)[1] for p in find_workbooks(paths)])


FORMATS = ("docx", "pdf")


@dataclass
class RenderResult:
    """What one workbook produced: its report and the files written."""

    report: FileReport
    written: list[Path] = field(default_factory=list)
    refused: bool = False


class Renderers:
    """The backends of one process, each template prepared once and reused."""

    def __init__(self, formats: Iterable[str]) -> None:
        self.formats = tuple(f for f in FORMATS if f in set(formats))
        self.docx = DocxRenderer() if "docx" in self.formats else None
        self.pdf = PdfRenderer() if "pdf" in self.formats else None

    def render(self, fmt: str, kind: str, context: dict) -> bytes:
        backend = self.docx if fmt == "docx" else self.pdf
        return backend.render(kind, context)


def render(
    path: str | Path,
    out_dir: str | Path,
    kinds: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    config: Config | None = None,
    renderers: Renderers | None = None,
) -> RenderResult:
    """Validate one workbook and, when it has no errors, write its documents under out_dir."""
    config = config or Config()
    intake, report = load(path, config)
    result = RenderResult(report)
    if intake is None or not report.ok:
        result.refused = True
        return result
    renderers = renderers or Renderers(formats)
    out_dir = Path(out_dir)
    for document in documents(intake, list(kinds or KINDS), config):
        context = document.context.model_dump()
        folder = out_dir / document.folder
        for fmt in renderers.formats:
            target = folder / f"{document.stem}.{fmt}"
            write_atomic(target, renderers.render(fmt, document.kind, context))
            result.written.append(target)
    return result


def write_atomic(target: Path, data: bytes) -> None:
    """Write through a temporary file so no half-written document carries the final name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".~", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def annotate(report: FileReport, out_dir: str | Path, taken: set[Path] | None = None) -> Path:
    """Write <name>.校验.xlsx into out_dir; names already used in this run get a number."""
    source = Path(report.path)
    taken = taken if taken is not None else set()
    target = Path(out_dir) / f"{source.stem}{ANNOTATED_SUFFIX}"
    number = 2
    while target in taken:
        target = Path(out_dir) / f"{source.stem}({number}){ANNOTATED_SUFFIX}"
        number += 1
    taken.add(target)
    write_atomic(target, annotated_copy(report))
    return target
