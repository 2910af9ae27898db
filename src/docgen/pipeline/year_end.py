"""The year end over many workbooks' outcomes, and the combined certificates of a run.

One copy of each: a project code used in two workbooks sends both back; the projects each
workbook assessed in the run's year (annual_report.run_year) are ranked together and those
of other years listed; the 年度汇总报告, the 台账 and 荣誉证书-合订 are rendered, their parts
side by side on the executor given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents import YEAR_END_KINDS, Document, certificate, combined_certificates, ledger, year_end_documents
from ..documents.annual_report import LeftOut, RunYear, year_end_of
from ..executors import Executor, Inline
from ..render.pdf import join_pdfs
from ..render.xlsx import Table, write_tables
from ..validate import check_across
from .files import relative_name, renderers_for, write_atomic
from .records import Failure, Outcome, Settings, Status, Written
from .workbook import describe, sha256


@dataclass
class YearEndOutcome(Outcome):
    """The files of a run's year end (staged like a workbook's), the year, the projects counted and those left out."""

    year: int | None = None
    projects: int = 0
    chosen: RunYear | None = None  # the run's year and where it came from, whether or not anything was counted
    left_out: list[LeftOut] = field(default_factory=list)  # projects of valid workbooks that are of other years


def clashes(outcomes: list[Outcome]) -> list[Outcome]:
    """A project code in two valid workbooks is an error in both: return those that turn invalid.

    Their reports gain the error, their status becomes invalid and they drop out of the
    year end; the caller withdraws the files they placed and returns them to their branch.
    """
    valid = [o for o in outcomes if o.status.valid and o.report is not None]
    before = {id(o): len(o.report.errors) for o in valid}
    check_across([(o.report, o.locations) for o in valid])
    turned = []
    for o in valid:
        if len(o.report.errors) != before[id(o)]:
            o.status, o.key = Status.INVALID, ""
            o.count_issues()
            o.packed, o.certificates = b"", []
            turned.append(o)
    return turned


@dataclass(frozen=True)
class RenderTask:
    """One file of the year end to render on any executor."""

    kind: str
    fmt: str
    context: dict[str, Any]
    metadata: dict[str, str]
    relative: str
    target: str
    project: str = ""
    own: str = ""  # the organisation's template folder, when it has one


def render_file(task: RenderTask) -> Written:
    """Render one file and write it to its target."""
    data = renderers_for((task.fmt,), task.own).render(task.fmt, task.kind, task.context, task.metadata)
    write_atomic(Path(task.target), data)
    return Written(task.relative, task.kind, task.project, task.fmt, sha256(data), len(data))


def render_bytes(task: RenderTask) -> bytes:
    """Render one part of a file and send it back (the parts of the combined certificates)."""
    return renderers_for((task.fmt,), task.own).render(task.fmt, task.kind, task.context, task.metadata)


def _tasks(document: Document, settings: Settings, formats: tuple[str, ...], folder: Path) -> list[RenderTask]:
    context = document.context.model_dump()
    return [RenderTask(document.kind, fmt, context, document.metadata, relative_name(document, fmt),
                       str(folder / relative_name(document, fmt)), document.project_code, _own(settings))
            for fmt in formats]


def _own(settings: Settings) -> str:
    own = settings.config.template_folder()
    return str(own) if own else ""


def _settle(outcome: Outcome, tasks: list[RenderTask], results: list[Any]) -> None:
    for task, result in zip(tasks, results):
        if isinstance(result, BaseException):
            outcome.failures.append(Failure(task.relative, task.fmt, describe(result)))
        else:
            outcome.documents.append(result)
            outcome.staged[task.relative] = task.target


def year_end(outcomes: list[Outcome], settings: Settings, folder: Path,
             executor: Executor | None = None) -> YearEndOutcome:
    """The 年度汇总报告 and the 台账 of every valid workbook, and the combined certificates, into `folder`."""
    executor = executor or Inline()
    result = YearEndOutcome(-1, "", status=Status.RENDERED)
    valid = [o for o in outcomes if o.status.valid]
    config, options = settings.config, settings.options
    data = year_end_of([o.year_part() for o in valid], config, options)
    result.chosen, result.left_out = data.chosen, data.left_out
    tasks: list[RenderTask] = []
    if data.assessments:
        result.year, result.projects = data.year, len(data.assessments)
        for document in year_end_documents(data, YEAR_END_KINDS, config, options):
            if document.kind == ledger.KIND:
                write_ledger(document, folder, result)
            else:
                tasks += _tasks(document, settings, settings.formats, folder)
    _settle(result, tasks, executor.run_all(render_file, tasks))
    add_combined(valid, settings, folder, executor, result)
    if result.failures:
        result.status = Status.INCOMPLETE
    return result


def add_combined(outcomes: list[Outcome], settings: Settings, folder: Path, executor: Executor,
                 result: Outcome) -> None:
    """荣誉证书-合订 of every certificate of the valid outcomes, in each format, into `folder`."""
    certificates = [c for o in outcomes if o.status.valid for c in o.certificates]
    if not certificates:
        return
    combined = combined_certificates(certificates, settings.config, settings.options)
    tasks = _tasks(combined, settings, tuple(f for f in settings.formats if f != "pdf"), folder)
    _settle(result, tasks, executor.run_all(render_file, tasks))
    if "pdf" in settings.formats:
        combined_pdf(certificates, combined, settings, folder, executor, result)


def combined_pdf(certificates: list[certificate.CertificateContext], combined: Document, settings: Settings,
                 folder: Path, executor: Executor, result: Outcome) -> None:
    """荣誉证书-合订.pdf, laid out in parts of certificate.PART_SIZE pages side by side, then joined in order.

    So a run with thousands of certificates needs no more memory per process than one with a hundred.
    """
    relative = relative_name(combined, "pdf")
    parts = [RenderTask(certificate.KIND, "pdf", part.model_dump(), combined.metadata, relative, "", own=_own(settings))
             for part in certificate.combined_parts(certificates)]
    rendered = executor.run_all(render_bytes, parts)
    failed = next((p for p in rendered if isinstance(p, BaseException)), None)
    if failed is not None:
        result.failures.append(Failure(relative, "pdf", describe(failed)))
        return
    data = join_pdfs(rendered)
    write_atomic(folder / relative, data)
    result.staged[relative] = str(folder / relative)
    result.documents.append(Written(relative, certificate.KIND, "", "pdf", sha256(data), len(data)))


def write_ledger(document: Document, folder: Path, result: Outcome) -> None:
    """<year>年度党建项目管理台账.xlsx: every project of the year, values kept as numbers and dates."""
    context: ledger.LedgerContext = document.context
    content = write_tables([
        Table(context.title, ledger.COLUMNS, (row.model_dump() for row in context.rows), ledger.HIGHLIGHTS,
              made_by=context.made_by, made_on=context.made_on),
        Table(f"{context.title}说明", ledger.NOTE_COLUMNS,
              ({"seq": n, "text": text} for n, text in enumerate(context.notes, 1)),
              sheet="说明", made_by=context.made_by, made_on=context.made_on, title_columns="", freeze="A3"),
    ])
    relative = relative_name(document, "xlsx")
    write_atomic(folder / relative, content)
    result.staged[relative] = str(folder / relative)
    result.documents.append(Written(relative, ledger.KIND, "", "xlsx", sha256(content), len(content)))
