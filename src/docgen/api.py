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
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

from .config import CONFIG_NAME, CONFIG_TEMPLATE, Config
from .errors import ConfigError
from .documents import KINDS, Document, Options, documents
from .documents.common import cn_date
from .documents import annual_report, certificate, ledger, notice
from .intake.annotate import annotated_copy
from .intake.reader import read_workbook
from .issues import FileReport, Location, Report
from .models import Intake
from .render import DocxRenderer, PdfRenderer
from .render.pdf import join_pdfs
from .render.xlsx import write_table
from .validate import check_across, project_locations, validate_raw

if TYPE_CHECKING:
    from .render.fonts import RoleFace

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


def load(path: str | Path, config: Config | None = None) -> tuple[Intake | None, FileReport]:
    """Read and validate one workbook."""
    return validate_raw(read_workbook(path), config or Config())


def load_located(path: str | Path, config: Config) -> tuple[Intake | None, FileReport, dict[str, Location]]:
    """Read and validate one workbook, keeping where each project code is written."""
    raw = read_workbook(path)
    intake, report = validate_raw(raw, config)
    return intake, report, project_locations(raw) if raw.readable else {}


def validate(paths: Iterable[str | Path], config: Config | None = None) -> Report:
    """Validate every workbook named or found in the given folders."""
    config = config or Config()
    return Report([load(p, config)[1] for p in find_workbooks(paths)])


FORMATS = ("docx", "pdf")


def font_roles() -> list["RoleFace"]:
    """Which face each typographic role (正文仿宋, 标题小标宋, …) gets in PDF output on this machine."""
    from .render.fonts import role_faces

    return role_faces()


def write_config_template(target: str | Path, force: bool = False) -> Path:
    """Write a commented docgen.toml (every setting with its default); never over an existing file unless forced."""
    path = Path(target)
    if path.is_dir():
        path = path / CONFIG_NAME
    if path.exists() and not force:
        raise ConfigError(f"文件已存在：{path}（如需覆盖请加 --force）")
    write_atomic(path, CONFIG_TEMPLATE.encode("utf-8"))
    return path


def run_warnings(formats: Iterable[str], kinds: Iterable[str], config: Config) -> list[str]:
    """What the clerk should know before a run writes documents (nothing here stops it)."""
    from .render import subsetter_missing

    warnings = []
    if "pdf" in formats and subsetter_missing():
        warnings.append("未找到 HarfBuzz 字体子集库（libharfbuzz-subset0），生成 PDF 会慢很多倍。"
                        "Debian/Ubuntu 可执行：sudo apt-get install libharfbuzz-subset0")
    if notice.KIND in kinds and (contact := notice.contact_warning(config)):
        warnings.append(contact)
    return warnings


@dataclass
class RenderResult:
    """What one workbook produced: its report, the files written, its certificates."""

    report: FileReport
    written: list[Path] = field(default_factory=list)
    refused: bool = False
    certificates: list[certificate.CertificateContext] = field(default_factory=list)


class Renderers:
    """The backends of one process, each template prepared once and reused."""

    def __init__(self, formats: Iterable[str]) -> None:
        self.formats = tuple(f for f in FORMATS if f in set(formats))
        self.docx = DocxRenderer() if "docx" in self.formats else None
        self.pdf = PdfRenderer() if "pdf" in self.formats else None

    def render(self, fmt: str, kind: str, context: dict, metadata: dict[str, str] | None = None) -> bytes:
        backend = self.docx if fmt == "docx" else self.pdf
        return backend.render(kind, context, metadata)


def render(
    path: str | Path,
    out_dir: str | Path,
    kinds: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    config: Config | None = None,
    renderers: Renderers | None = None,
    options: Options | None = None,
) -> RenderResult:
    """Validate one workbook and, when it has no errors, write its documents under out_dir.

    Certificates rendered are also returned, so a caller can write the combined print
    file of a whole run (write_combined_certificates).
    """
    config = config or Config()
    config.require_organization()
    intake, report = load(path, config)
    result = RenderResult(report)
    if intake is None or not report.ok:
        result.refused = True
        return result
    renderers = renderers or Renderers(formats)
    for document in documents(intake, list(kinds or KINDS), config, options):
        result.written += write_document(document, out_dir, renderers)
        if document.kind == certificate.KIND:
            result.certificates.append(document.context)
    return result


def write_document(document: Document, out_dir: str | Path, renderers: Renderers) -> list[Path]:
    """Render one document in every format of the renderers; return the files written."""
    context = document.context.model_dump()
    folder = Path(out_dir) / document.folder
    written = []
    for fmt in renderers.formats:
        target = folder / f"{document.stem}.{fmt}"
        write_atomic(target, renderers.render(fmt, document.kind, context, document.metadata))
        written.append(target)
    return written


def combined_document(contexts: list[certificate.CertificateContext], author: str = "") -> Document:
    """荣誉证书-合订: every certificate given, one per page, at the top of the output folder."""
    return Document(certificate.KIND, certificate.TITLE, "", "", certificate.combined(contexts),
                    name=certificate.COMBINED, directory=".", author=author)


def write_combined_certificates(contexts: list[certificate.CertificateContext], out_dir: str | Path,
                                renderers: Renderers, author: str = "") -> list[Path]:
    """荣誉证书-合订.pdf/.docx in out_dir: every certificate of the run, one per page.

    The PDF is laid out in parts of certificate.PART_SIZE pages which are then joined,
    so a run with thousands of certificates needs no more memory than one with a hundred.
    """
    if not contexts:
        return []
    document = combined_document(contexts, author)
    written = []
    for fmt in renderers.formats:
        if fmt == "pdf":
            parts = [renderers.render(fmt, certificate.KIND, part.model_dump(), document.metadata)
                     for part in certificate.combined_parts(contexts)]
            data = join_pdfs(parts)
        else:
            data = renderers.render(fmt, certificate.KIND, document.context.model_dump(), document.metadata)
        target = Path(out_dir) / f"{document.stem}.{fmt}"
        write_atomic(target, data)
        written.append(target)
    return written


@dataclass
class YearEndResult:
    """What `docgen report` did: every workbook's report, those used, the files written."""

    report: Report
    used: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    year: int | None = None
    projects: int = 0


LEDGER_HIGHLIGHTS = {"overdue": "positive_red", "completion": "percent"}


def year_end_report(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    formats: Iterable[str] = FORMATS,
    config: Config | None = None,
    options: Options | None = None,
    renderers: Renderers | None = None,
) -> YearEndResult:
    """Read every workbook of a year-end run; write the 年度汇总报告 and the 台账 from the valid ones.

    A project code used in two workbooks is an error in both. Workbooks with errors
    are left out of the report and listed in the result.
    """
    config = config or Config()
    config.require_organization()
    options = options or Options()
    workbooks = find_workbooks(paths)
    loaded = [(path, *load_located(path, config)) for path in workbooks]
    check_across([(report, locations) for _, _, report, locations in loaded])
    result = YearEndResult(Report([report for _, _, report, _ in loaded]))
    intakes = []
    for path, intake, report, _ in loaded:
        if intake is not None and report.ok:
            intakes.append(intake)
            result.used.append(path)
    if not intakes:
        return result
    data = annual_report.year_end(intakes, config, options)
    result.year, result.projects = data.year, len(data.assessments)
    if not data.assessments:
        return result
    renderers = renderers or Renderers(formats)
    result.written += write_document(annual_report.document(data, config, options), out_dir, renderers)
    result.written.append(write_ledger(data, out_dir, config, options)[0])
    return result


def write_ledger(data: annual_report.YearEnd, out_dir: str | Path, config: Config,
                 options: Options) -> tuple[Path, bytes]:
    """<year>年度党建项目管理台账.xlsx in out_dir; returns its path and its bytes."""
    title = f"{data.year}年度{ledger.TITLE}"
    unit = f"{config.organization.name}{config.organization.department}"
    content = write_table(title, ledger.COLUMNS, (row.model_dump() for row in ledger.rows(data)), LEDGER_HIGHLIGHTS,
                          made_by=unit, made_on=cn_date(options.date))
    target = Path(out_dir) / f"{title}.xlsx"
    write_atomic(target, content)
    return target, content


def _file_mode() -> int:
    """The permissions a plain new file gets here (mkstemp alone would make it private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside `target`; on success it takes the final name, on failure it is removed.

    So no half-written document, manifest or zip ever carries its final name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".~", suffix=target.suffix)
    try:
        with os.fdopen(fd, mode, encoding="utf-8" if "b" not in mode else None) as handle:
            yield handle
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` through a temporary file (atomic_file)."""
    with atomic_file(target) as handle:
        handle.write(data)


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
