"""The per-workbook step: read, validate, build the contexts, render, write into the job's folder.

process_workbook() is the one copy of this step: the library, a batch on any executor
and a web page all call it. It takes a Job (paths and settings) and returns an Outcome;
it never raises for a bad workbook or a failing document, and it never looks outside
the job's folder.
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from ..config import Config
from ..documents import Document, Unmade, attempts, certificate, documents, not_due
from ..documents.annual_report import assess_workbook, run_year
from ..errors import DocgenError, disk_problem
from ..executors import TaskTimeout, WorkerLost, time_limit
from ..intake.reader import RawWorkbook, read_workbook
from ..issues import FileReport, Location
from ..models import Intake
from ..render.fonts import coverage, faces
from ..validate import Expected, project_locations, validate_raw
from .files import Renderers, relative_name, renderers_for, returned_name, write_annotated, write_atomic
from .photos import with_ready_photos
from .records import Failure, Job, NotMade, Outcome, Status, Written


def load(path: str | Path, config: Config, expected: Expected | None = None) -> tuple[Intake | None, FileReport]:
    """Read and validate one workbook (against `expected`: who hands it in, which codes are taken)."""
    return checked(read_workbook(path, config.limits), config, expected)


def checked(raw: RawWorkbook, config: Config, expected: Expected | None = None) -> tuple[Intake | None, FileReport]:
    """Validate a read workbook, its text checked against the faces the PDF will use on this machine."""
    return validate_raw(raw, config, coverage(), expected, faces())


def load_located(path: str | Path, config: Config) -> tuple[Intake | None, FileReport, dict[str, Location]]:
    """Read and validate one workbook, keeping where each project code is written."""
    raw = read_workbook(path, config.limits)
    intake, report = checked(raw, config)
    return intake, report, project_locations(raw) if raw.readable else {}


def describe(exc: BaseException) -> str:
    """Our own errors speak Chinese already, and so do a refusal of the storage and what an executor
    gave instead of a result (a dead worker, a time limit); anything else is named with its type for
    whoever fixes it."""
    if isinstance(exc, DocgenError):
        return str(exc)
    if isinstance(exc, WorkerLost):
        return "工作进程意外退出"
    if isinstance(exc, TaskTimeout):
        return "超过处理时限仍未完成，已停止"
    problem = disk_problem(exc)
    if problem:
        where = getattr(exc, "filename", None)
        return f"{problem}（{where}）" if where else problem
    return f"{type(exc).__name__}: {exc}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_workbook(job: Job, renderers: Renderers | None = None) -> Outcome:
    """Validate one workbook and, when it has no errors, render its documents into the job's folder.

    `renderers` defaults to this thread's (loaded once, kept for later jobs).
    """
    outcome = Outcome(job.index, job.source, path=job.path)
    try:
        _process(job, renderers, outcome)
    except Exception as exc:  # noqa: BLE001 - one workbook must never stop the run
        outcome.status = Status.FAILED
        outcome.message = f"处理时出错：{describe(exc)}"
        outcome.stop = disk_problem(exc) or ""
        outcome.staged.clear()
        outcome.documents.clear()
    return outcome


def _process(job: Job, renderers: Renderers | None, outcome: Outcome) -> None:
    settings, folder = job.settings, Path(job.folder)
    config, options = settings.config, settings.options
    raw = read_workbook(job.path, config.limits)
    outcome.sha256 = raw.sha256
    intake, report = checked(raw, config, Expected(written=options.date))
    outcome.report = report
    outcome.count_issues()
    if raw.readable:
        outcome.locations = project_locations(raw)
    if intake is not None and intake.projects:  # a returned workbook is named by its branch too, where it can be
        outcome.branch = intake.projects[0].branch
        outcome.branches = list(dict.fromkeys(p.branch for p in intake.projects))  # a workbook may hold several
    if intake is None or not report.ok:
        outcome.status = Status.INVALID
        if settings.annotate and raw.readable:
            relative = returned_name(job.source)
            write_annotated(report, folder / relative)
            outcome.staged[relative] = str(folder / relative)
        return
    outcome.projects = [p.code for p in intake.projects]
    outcome.key = sha256(f"{outcome.sha256}|{settings.fingerprint}".encode())
    if settings.year_end:
        outcome.pack(assess_workbook(intake, config, run_year(options).year, options.date))
    outcome.not_due = [NotMade("/".join(p for p in (d.folder, d.stem) if p), d.kind, d.project_code, d.reason)
                       for d in not_due(intake, settings.kinds, config, options)]  # named in the run's summary
    if job.previous_key and job.previous_key == outcome.key:
        # Nothing to render again; only its certificates are still wanted, for the combined file.
        outcome.status = Status.UNCHANGED
        outcome.documents = [Written(**d) for d in job.previous_documents]
        kept = [certificate.KIND] if certificate.KIND in settings.kinds else []
        outcome.certificates = [d.context for d in documents(intake, kept, config, options)]
        return
    tried = list(attempts(intake, settings.kinds, config, options))
    planned = [d for d in tried if isinstance(d, Document)]
    outcome.certificates = [d.context for d in planned if d.kind == certificate.KIND]
    outcome.status = Status.RENDERED
    for unmade in (d for d in tried if isinstance(d, Unmade)):  # its message is the clerk's to read
        outcome.failures += [Failure(relative_name(unmade, fmt), fmt, unmade.reason) for fmt in settings.formats]
    renderers = renderers or renderers_for(settings.formats, settings.config.template_folder())
    for document in planned:
        render_into(document, renderers, settings.formats, folder, outcome, config.limits.render_seconds)
    if outcome.failures:
        outcome.status = Status.INCOMPLETE


class RenderTimeout(BaseException):
    """One document ran past [limits] render_seconds (raised into the rendering thread)."""


def render_into(document: Document, renderers: Renderers, formats: tuple[str, ...], folder: Path,
                outcome: Outcome, seconds: float | None = None) -> None:
    """Render one document in each format into `folder`; a format that fails or runs past `seconds`
    is recorded, the others go on."""
    try:
        context = with_ready_photos(document.context.model_dump(), folder)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # checked when validated; gone since
        for fmt in formats:
            outcome.failures.append(Failure(relative_name(document, fmt), fmt, f"活动照片无法读取：{describe(exc)}"))
        return
    for fmt in formats:
        relative = relative_name(document, fmt)
        try:
            with time_limit(seconds, RenderTimeout):
                data = renderers.render(fmt, document.kind, context, document.metadata)
        except RenderTimeout:
            outcome.failures.append(Failure(relative, fmt, (
                f"排版超过 {seconds:g} 秒仍未完成，已停止这一份（多半是某个单元格中有极长的、不换行的文字）；"
                f"可在 docgen.toml 的 [limits] render_seconds 中放宽时限")))
            continue
        except Exception as exc:  # noqa: BLE001 - one document must never stop the others
            outcome.failures.append(Failure(relative, fmt, describe(exc)))
            continue
        write_atomic(folder / relative, data)  # the storage's refusal ends the workbook (and the run)
        outcome.staged[relative] = str(folder / relative)
        outcome.documents.append(Written(relative, document.kind, document.project_code, fmt, sha256(data), len(data)))
